"""The Prefect artifacts of a run, built as plain data: the flow only publishes them.

* a markdown report: the summary line, model use per phase and model (priced with ``model_prices``),
  phase 2's decision, what the night learned and changed (the handbook lines it added, replaced and
  removed, each with its sessions: ``nightshift.phase2.changes``), the commit (message and diffstat),
  and whether the commit waits for review;
* a table with one row per rollout the run read, its path relative to its source folder: outcome
  (memory, no-op, failed, quarantined, skipped, ignored by the user's choice), tokens, and the error
  or note that explains it.
"""

from __future__ import annotations

from pathlib import Path

import git

from nightshift.commands import status as ops
from nightshift.night.steps import Extraction
from nightshift.phase2 import home as memory_home
from nightshift.phase2.changes import handbook_changes
from nightshift.night.schedule import PassResult
from nightshift.settings import Settings
from nightshift.store.state import open_state


def quarantined_paths(settings: Settings, run_id: str) -> dict[str, str]:
    """Transcripts whose memory this run quarantined instead of storing, with the scanner's reasons.
    ``record_extractions`` decides that, so the extraction results alone still say "memory"."""
    with open_state(settings.state_dir) as db:
        return db.quarantined_in_run(run_id)


def _relative(path: str, sources: list[Path]) -> str:
    """A transcript's path below the source folder it was found in: short enough to leave room for the outcome."""
    found = Path(path)
    for source in sources:
        if found.is_relative_to(source):
            return found.relative_to(source).as_posix()
    return path


def rollout_rows(results: list[Extraction], quarantined: dict[str, str], sources: list[Path]) -> list[dict]:
    return [
        {"file": _relative(r.file.path, sources), "rollout": r.rollout_id or "-",
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
        "| candidates | memories | no-ops | skipped | of which by your choice | failed | quarantined | model calls | tokens in | tokens out |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {c.get('discovered', 0)} | {c.get('memories', 0)} | {c.get('no_ops', 0)} | {c.get('skipped', 0)} | {c.get('ignored', 0)} "
        f"| {c.get('failed', 0)} | {c.get('quarantined', 0)} | {c.get('model_calls', 0)} | {c.get('tokens_in', 0)} | {c.get('tokens_out', 0)} |",
        "",
    ]
    if result.run.model_usage:
        lines += ["| phase | model | calls | tokens in | tokens out | cost |", "|---|---|---|---|---|---|"]
        for (phase, model), (calls, tokens_in, tokens_out) in sorted(result.run.model_usage.items(), reverse=True):
            usd = ops.cost([{"model": model, "tokens_in": tokens_in, "tokens_out": tokens_out}], result.run.settings.model_prices)
            lines.append(f"| {phase} | {model} | {calls} | {tokens_in} | {tokens_out} | {ops.money(usd)} |")
        lines.append("")
    if result.run.harness:  # what the readers left out as not the user's words
        lines += ["Left out of extraction (harness text, turns the user took back): " + ops.harness_line(result.run.harness) + ".", ""]
    lines += [f"Phase 2: {'ran' if result.phase2.run else 'skipped'} ({result.phase2.reason}).", ""]
    if result.commit:
        repo = git.Repo(home)
        if memory_home.proposal(repo) == result.commit:
            lines += ["## A review is waiting", "", f"Review mode is on: `{result.commit[:10]}` waits on the `proposed` branch and main "
                      "is unchanged. See it with `nightshift review`, then `nightshift accept` or `nightshift reject`.", ""]
        lines += _learned(repo, result.commit)
        message, stat = commit_report(home, result.commit)
        lines += [f"## Commit `{result.commit[:10]}`", "", "```", message, "```", "", "```", stat, "```"]
    else:
        lines += ["## No commit", "", "The memory home did not change."]
    if result.run.notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in result.run.notes)]
    return "\n".join(lines) + "\n"


def _learned(repo: git.Repo, sha: str) -> list[str]:
    """The handbook lines the commit added, replaced and removed, with the short ids of their sessions."""
    parents = repo.commit(sha).parents
    changes = handbook_changes(repo, parents[0].hexsha if parents else None, sha)
    lines = ["## What the night learned and changed", ""]
    for c in changes:
        who = f" (session{'s' if len(c.sessions) > 1 else ''} {', '.join(s[:8] for s in c.sessions)})" if c.sessions else ""
        text = f"{_md(c.old)} → {_md(c.new)}" if c.kind == "replaced" else _md(c.new or c.old)
        lines.append(f"- {c.kind} in {c.file}: {text}{who}")
    if not changes:
        lines.append("- no handbook line changed (only the generated inputs or the layout)")
    return lines + [""]


def _md(line: str | None) -> str:
    return (line or "").removeprefix("- ")
