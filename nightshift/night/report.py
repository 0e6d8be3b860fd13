"""The Prefect artifacts of a run, built as plain data: the flow only publishes them.

* a markdown report: the summary line, model use per phase and model (priced with ``model_prices``),
  phase 2's decision, and the commit (message and diffstat);
* a table with one row per rollout the run read: outcome (memory, no-op, failed, quarantined,
  skipped), tokens, and the error or note that explains it.
"""

from __future__ import annotations

from pathlib import Path

import git

from nightshift.commands import status as ops
from nightshift.night.steps import Extraction
from nightshift.night.schedule import PassResult
from nightshift.settings import Settings
from nightshift.store.state import open_state


def quarantined_paths(settings: Settings, run_id: str) -> dict[str, str]:
    """Transcripts whose memory this run quarantined instead of storing, with the scanner's reasons.
    ``record_extractions`` decides that, so the extraction results alone still say "memory"."""
    with open_state(settings.state_dir) as db:
        rows = db.con.execute("SELECT source_path, reasons FROM quarantine WHERE run_id = ? AND source = 'raw_memory'", [run_id]).fetchall()
    return {path: reasons for path, reasons in rows}


def rollout_rows(results: list[Extraction], quarantined: dict[str, str]) -> list[dict]:
    return [
        {"file": r.file.path, "rollout": r.rollout_id or "-",
         "outcome": "quarantined" if r.file.path in quarantined else r.outcome.replace("_", "-"),
         "tokens_in": r.tokens_in, "tokens_out": r.tokens_out,
         "detail": " ".join((quarantined.get(r.file.path) or r.error or r.note or "").split())[:300]}
        for r in sorted(results, key=lambda r: r.file.path)
    ]


def commit_report(home: Path, sha: str) -> tuple[str, str]:
    """The commit's message without trailers, and its diffstat."""
    repo = git.Repo(home)
    message = repo.git.show("-s", "--format=%B", sha).split("\n\n")
    body = "\n\n".join(p for p in message if not p.startswith("Nightshift-")).strip()
    return body, repo.git.show("--stat", "--format=", sha).strip("\n")


def run_markdown(result: PassResult, home: Path) -> str:
    c = result.run.counts
    lines = [
        f"# nightshift run {result.run.run_id} ({result.mode})", "", result.summary, "",
        "| candidates | memories | no-ops | skipped | failed | quarantined | model calls | tokens in | tokens out |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {c.get('discovered', 0)} | {c.get('memories', 0)} | {c.get('no_ops', 0)} | {c.get('skipped', 0)} | {c.get('failed', 0)} "
        f"| {c.get('quarantined', 0)} | {c.get('model_calls', 0)} | {c.get('tokens_in', 0)} | {c.get('tokens_out', 0)} |",
        "",
    ]
    if result.run.model_usage:
        lines += ["| phase | model | calls | tokens in | tokens out | cost |", "|---|---|---|---|---|---|"]
        for (phase, model), (calls, tokens_in, tokens_out) in sorted(result.run.model_usage.items(), reverse=True):
            usd = ops.cost([{"model": model, "tokens_in": tokens_in, "tokens_out": tokens_out}], result.run.settings.model_prices)
            lines.append(f"| {phase} | {model} | {calls} | {tokens_in} | {tokens_out} | {ops.money(usd)} |")
        lines.append("")
    lines += [f"Phase 2: {'ran' if result.phase2.run else 'skipped'} ({result.phase2.reason}).", ""]
    if result.commit:
        message, stat = commit_report(home, result.commit)
        lines += [f"## Commit `{result.commit[:10]}`", "", "```", message, "```", "", "```", stat, "```"]
    else:
        lines += ["## No commit", "", "The memory home did not change."]
    if result.run.notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in result.run.notes)]
    return "\n".join(lines) + "\n"
