"""``make eval``: the labelled sessions through the real pipeline, scored, printed and written to docs/eval.md.

    .venv/bin/python -m eval.run [--provider builtin|openai] [--report FILE | --no-report] [--keep DIR]

Extraction and consolidation go through ``nightshift.night.steps`` exactly as in a night (the steps of
tests/conftest.run_night, with extraction in parallel), into a throw-away memory home. Endpoint,
models and every other setting come from where they always do (``NIGHTSHIFT_*`` and ``OPENAI_*``
variables, nightshift.toml); the run pins only what the evaluation needs: its own sources and home,
no idle wait and no age limits, so the dated sessions are read and selected on any day.

Exit codes: 0 scored, 1 forbidden content reached memory, 2 usage, configuration or set-up error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
from pydantic import ValidationError

from eval.score import Label, Outcome, Score, outcome_of, parse_labels, score
from nightshift.night import steps as pipeline
from nightshift.settings import Settings, load_settings

EVAL_DIR = Path(__file__).resolve().parent
SESSIONS = EVAL_DIR / "sessions"
LABELS = EVAL_DIR / "labels.json"
REPORT = EVAL_DIR.parent / "docs" / "eval.md"
NO_LIMIT_DAYS = 365_000
RESULTS = ("<!-- eval:results:begin -->", "<!-- eval:results:end -->")
DETAILS = ("<!-- eval:details:begin -->", "<!-- eval:details:end -->")
TABLE_HEAD = ["provider", "models", "no-op precision", "no-op recall", "fact recall", "junk rate", "forbidden hits",
              "tokens in / out", "date"]
EXIT_FORBIDDEN, EXIT_USAGE = 1, 2
_SKIPPED_HOME_DIRS = {".git", ".nightshift"}


class EvalError(RuntimeError):
    """The evaluation could not run as labelled (a session was not read, the labels are broken)."""


@dataclass
class Result:
    provider: str
    models: str
    score: Score
    formats: dict[str, int]  # sessions per transcript format
    failures: list[str]  # extraction errors, one line per session
    phase2_error: str | None  # why consolidation failed; its handbook then stays empty and scores so
    model_calls: int
    tokens_in: int
    tokens_out: int
    seconds: float


def eval_settings(provider: str, sessions: Path, home: Path) -> Settings:
    every_file = max(1, sum(1 for _ in sessions.rglob("*.jsonl")))  # one night reads the whole set
    return load_settings(home=home, sources=[sessions / "codex", sessions / "claude"], provider=provider, idle_hours=0,
                         max_age_days=NO_LIMIT_DAYS, max_unused_days=NO_LIMIT_DAYS, max_rollouts_per_run=every_file)


def _night(settings: Settings) -> tuple[pipeline.Run, list[pipeline.Extraction], str | None, str | None]:
    """One night over the set: the run, the extractions, the commit, and why phase 2 failed (if it did)."""
    now = datetime.now(UTC) + timedelta(seconds=1)
    run = pipeline.begin_run(settings, now)
    _, claimed = pipeline.find_work(run, now)
    with ThreadPoolExecutor(settings.extract_concurrency) as pool:
        results = list(pool.map(lambda f: pipeline.extract_rollout(f, settings), claimed))
    pipeline.record_extractions(run, results, now)
    try:
        sha, phase2_error = pipeline.consolidate(run, now), None
    except Exception as exc:  # a consolidation model that fails is scored (its handbook is empty), not a crash
        sha, phase2_error = None, f"{type(exc).__name__}: {exc}"
    status = "ok" if phase2_error is None else "failed"
    pipeline.end_run(run, status=status, now=now, commit_sha=sha, message=phase2_error or pipeline.summary_line(run, sha))
    return run, results, sha, phase2_error


def _home_files(home: Path) -> dict[str, str]:
    return {p.relative_to(home).as_posix(): p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(home.rglob("*"))
            if p.is_file() and not _SKIPPED_HOME_DIRS & set(p.relative_to(home).parts)}


def _models(settings: Settings, home: Path, sha: str | None) -> str:
    """What the night's commit says it used; a night without a commit made no model call in phase 2."""
    if sha:
        found = re.search(r"^Nightshift-Models:\s*(.+)$", git.Repo(home).commit(sha).message, re.M)
        if found:
            return found[1].strip()
    return "builtin" if settings.provider == "builtin" else settings.extract_model


def evaluate(provider: str, sessions: Path, labels: list[Label], work: Path) -> Result:
    started = time.monotonic()
    home = work / "memory_home"
    settings = eval_settings(provider, sessions, home)
    if settings.provider == "openai" and not (settings.base_url or settings.api_key):
        raise EvalError("the openai provider needs an endpoint: set NIGHTSHIFT_BASE_URL and/or NIGHTSHIFT_API_KEY (or OPENAI_*)")
    run, results, sha, phase2_error = _night(settings)
    by_path = {Path(r.file.path).resolve(): r for r in results}
    outcomes: dict[str, Outcome] = {}
    formats: Counter[str] = Counter()
    failures = []
    for label in labels:
        r = by_path.get((sessions / label.file).resolve())
        if r is None:
            raise EvalError(f"{label.id}: {label.file} was not read by the pipeline (missing, or not a transcript file name)")
        outcomes[label.id] = outcome_of(r.outcome, r.project_key, r.memory)
        formats[r.source_format or "unknown"] += 1
        if r.outcome == "failed":
            failures.append(f"{label.id}: {r.error}")
    memory_md = (home / "MEMORY.md").read_text(encoding="utf-8") if (home / "MEMORY.md").is_file() else ""
    return Result(
        provider=settings.provider or provider,
        models=_models(settings, home, sha),
        score=score(labels, outcomes, memory_md, _home_files(home)),
        formats=dict(sorted(formats.items())),
        failures=failures,
        phase2_error=phase2_error,
        model_calls=run.counts.get("model_calls", 0),
        tokens_in=run.counts.get("tokens_in", 0),
        tokens_out=run.counts.get("tokens_out", 0),
        seconds=time.monotonic() - started,
    )


# --- output ----------------------------------------------------------------------------------------


def summary_table(r: Result) -> str:
    s = r.score
    sessions = ", ".join(f"{n} {fmt}" for fmt, n in r.formats.items())
    rows = [
        ("no-op precision", str(s.noop_precision)),
        ("no-op recall", str(s.noop_recall)),
        ("durable-fact recall", str(s.fact_recall)),
        ("junk rate", f"{s.junk_rate} memory lines"),
        ("wrong-content lines", str(s.wrong_hits)),
        ("forbidden hits", str(len(s.forbidden_hits))),
        ("tokens", f"{r.tokens_in:,} in, {r.tokens_out:,} out ({r.model_calls} model calls)"),
        ("time", f"{r.seconds:.1f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    head = f"nightshift eval: {len(s.sessions)} sessions ({sessions}), provider {r.provider}, models {r.models}"
    return "\n".join([head, *(f"  {name:<{width}}  {value}" for name, value in rows)])


def details(r: Result) -> list[str]:
    """One line per session the run got wrong in any way, then every forbidden hit and failure."""
    lines = []
    for s in r.score.sessions:
        if s.clean:
            continue
        parts = [] if s.verdict_ok else [f"answered {s.status}"]
        parts += [f"missed {', '.join(repr(m) for m in s.missed)}"] if s.missed else []
        parts += [f"junk {' | '.join(repr(j) for j in s.junk)}"] if s.junk else []
        lines.append(f"- `{s.id}`: {'; '.join(parts)}")
    lines += [f"- FORBIDDEN `{sid}`: {phrase!r} found in {where}" for sid, phrase, where in r.score.forbidden_hits]
    lines += [f"- extraction failed: {f}" for f in r.failures]
    lines += [f"- consolidation failed: {r.phase2_error}"] if r.phase2_error else []
    return lines or ["- every session scored clean"]


def _cells(r: Result) -> list[str]:
    s = r.score
    return [r.provider, r.models, str(s.noop_precision), str(s.noop_recall), str(s.fact_recall), str(s.junk_rate),
            str(len(s.forbidden_hits)), f"{r.tokens_in:,} / {r.tokens_out:,}", datetime.now(UTC).date().isoformat()]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _between(text: str, markers: tuple[str, str], body: list[str]) -> str:
    begin, end = markers
    block = "\n".join([begin, *body, end])
    if begin in text and end in text:
        return text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def update_report(text: str, r: Result) -> str:
    """The report with this run's row in the results table (replacing a row of the same provider and
    models, so the table compares models) and this run's details."""
    begin, end = RESULTS
    old = text[text.index(begin) + len(begin): text.index(end)] if begin in text and end in text else ""
    rows = [line for line in old.strip().splitlines()[2:] if line.startswith("|")]
    key = _row(_cells(r)[:2])[:-1]  # "| provider | models "
    new_row = _row(_cells(r))
    rows = [new_row if row.startswith(key + "|") else row for row in rows]
    if new_row not in rows:
        rows.append(new_row)
    table = [_row(TABLE_HEAD), _row(["---"] * len(TABLE_HEAD)), *rows]
    text = _between(text, RESULTS, table)
    header = f"Last run: provider {r.provider}, models {r.models}, {sum(r.formats.values())} sessions, {r.seconds:.1f} s."
    return _between(text, DETAILS, [header, "", *details(r)])


# --- command line ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--provider", choices=("builtin", "openai"), default="builtin")
    parser.add_argument("--sessions", type=Path, default=SESSIONS, help="the sessions folder (default: eval/sessions)")
    parser.add_argument("--labels", type=Path, default=LABELS, help="the labels file (default: eval/labels.json)")
    parser.add_argument("--report", type=Path, default=REPORT, help="Markdown file to update (default: docs/eval.md)")
    parser.add_argument("--no-report", action="store_true", help="print only; leave the report file alone")
    parser.add_argument("--keep", type=Path, help="build the memory home in this new folder and keep it for inspection")
    args = parser.parse_args(argv)
    try:
        labels = parse_labels(json.loads(args.labels.read_text(encoding="utf-8")))
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=False)
            result = evaluate(args.provider, args.sessions.resolve(), labels, args.keep)
        else:
            with tempfile.TemporaryDirectory(prefix="nightshift-eval-") as work:
                result = evaluate(args.provider, args.sessions.resolve(), labels, Path(work))
    except (OSError, ValueError, KeyError, ValidationError, EvalError) as exc:
        print(f"nightshift eval: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if labels and len(result.failures) == len(labels):  # nothing was extracted at all: a set-up problem, not a score
        print(f"nightshift eval: every extraction failed, first: {result.failures[0]}", file=sys.stderr)
        return EXIT_USAGE
    print(summary_table(result))
    print("\n".join(details(result)))
    if not args.no_report:
        old = args.report.read_text(encoding="utf-8") if args.report.is_file() else "# Memory quality evaluation\n"
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(update_report(old, result), encoding="utf-8")
        print(f"results written to {args.report}")
    if result.score.forbidden_hits:
        print(f"nightshift eval: {len(result.score.forbidden_hits)} forbidden phrases reached memory", file=sys.stderr)
        return EXIT_FORBIDDEN
    return 0


if __name__ == "__main__":
    sys.exit(main())
