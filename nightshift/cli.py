"""The ``nightshift`` command. Exit codes: 0 run completed, 2 usage or configuration error, 3 locked.

This is the top layer (CLI -> flows -> nightshift). Each command imports what it uses when it runs:
``consolidate`` the Prefect flow, the others none of it, so ``summary`` (run at every session start)
and ``status`` start fast, and a night's own overhead stays small (docs/benchmarks.md).
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Optional

import duckdb
import git
import typer
from pydantic import ValidationError

from nightshift.ingest.discover import discover
from nightshift.lock import LockHeld, lock_holder, run_lock
from nightshift.settings import Settings, load_settings
from nightshift.store.state import StateBusy, open_state

EXIT_USAGE = 2
EXIT_LOCKED = 3

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="Offline memory consolidation for coding agents.")

HomeOpt = Annotated[Optional[Path], typer.Option("--home", help="Memory home (default: $NIGHTSHIFT_HOME or ./memory_home).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary line; errors only.")]


@contextmanager
def _exit_3_when_locked(hint: str = "") -> Iterator[None]:
    """Another nightshift process holds the run lock: say which, and exit 3."""
    try:
        yield
    except LockHeld as exc:
        typer.echo(f"nightshift: {exc}{hint}", err=True)
        raise typer.Exit(EXIT_LOCKED) from None


def _settings(**flags) -> Settings:
    try:
        return load_settings(**flags)
    except ValidationError as exc:
        typer.echo(f"nightshift: configuration error:\n{exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


@app.command()
def consolidate(
    home: HomeOpt = None,
    source: Annotated[Optional[list[Path]], typer.Option("--source", help="Transcript folder; repeat for several (default: ~/.codex, ~/.claude).")] = None,
    idle_hours: Annotated[Optional[float], typer.Option("--idle-hours", help="Only read transcripts untouched this long.")] = None,
    provider: Annotated[Optional[str], typer.Option("--provider", help="builtin (offline rules) or openai (any compatible endpoint).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be extracted; write nothing.")] = False,
    fresh: Annotated[bool, typer.Option("--fresh", help="Fresh mode: consolidate only when due (new memories, cooldown passed).")] = False,
    task_runner: Annotated[Optional[str], typer.Option("--task-runner", help="Where extraction runs: threads (default) or dask (a local Dask cluster).")] = None,
    dask_address: Annotated[Optional[str], typer.Option("--dask-address", help="Extract on an existing Dask scheduler, e.g. tcp://host:8786.")] = None,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Extract memories from idle transcripts and consolidate them into the memory home (one git commit)."""
    from nightshift.night import progress
    from nightshift.phase2.quarantine import PoisonedHandbook
    if provider not in (None, "builtin", "openai"):
        typer.echo(f"nightshift: unknown provider {provider!r} (use builtin or openai)", err=True)
        raise typer.Exit(EXIT_USAGE)
    settings = _settings(home=home, sources=source, idle_hours=idle_hours, provider=provider,
                         task_runner="dask" if dask_address else task_runner, dask_address=dask_address)
    if settings.task_runner == "dask" and importlib.util.find_spec("prefect_dask") is None:
        typer.echo("nightshift: --task-runner dask needs prefect-dask: pip install 'nightshift[dask]'", err=True)
        raise typer.Exit(EXIT_USAGE)
    if dry_run:
        _dry_run(settings)
        return
    reporter = progress.for_terminal(quiet=quiet or as_json)
    if not isinstance(reporter, progress.LineReporter):
        # Prefect's per-task log lines would tear through the progress bar or the --quiet/--json silence.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    try:
        # Taken before Prefect's slow start-up and held through the flow (which takes it again): of two runs
        # started together, exactly one gets past this line.
        with _exit_3_when_locked("; try again later"), run_lock(settings.state_dir):
            from flows.consolidate import run_with_settings  # the CLI is the only layer above flows
            from nightshift.night.schedule import FRESH, NIGHTLY

            with progress.use(reporter):
                result = run_with_settings(settings, FRESH if fresh else NIGHTLY)
    except PoisonedHandbook as exc:
        typer.echo(f"nightshift: {exc}; see `nightshift status`", err=True)
        raise typer.Exit(1) from None
    except (OSError, git.GitCommandError, duckdb.IOException) as exc:  # disk full, read-only, quota
        detail = str(exc).strip().splitlines()[-1][:300] if str(exc).strip() else type(exc).__name__
        typer.echo(f"nightshift: cannot write to the memory home {settings.home}: {detail}. "
                   "Nothing was committed; the home is at its last commit.", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(result, default=str, indent=2))
    elif not quiet:
        typer.echo(result["summary"])


def _dry_run(settings: Settings) -> None:
    from nightshift.night.steps import utcnow

    watermarks = {}
    if (settings.state_dir / "state.duckdb").exists():
        with open_state(settings.state_dir, read_only=True) as db:
            watermarks = db.rollout_watermarks()
    found = discover(settings.sources, watermarks, now=utcnow(), idle_hours=settings.idle_hours, max_age_days=settings.max_age_days)
    for cand in found.candidates[: settings.max_rollouts_per_run]:
        typer.echo(f"would extract {cand.path}")
    typer.echo(
        f"nightshift: dry run: {len(found.candidates)} candidates of {found.scanned} files "
        f"({found.unchanged} unchanged, {found.not_idle} not idle, {found.too_old} too old); nothing written"
    )


@app.command()
def status(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Show the last runs, what waits or fails (with the next retry), quarantined and held-back items, the lock."""
    from nightshift.commands import status as ops
    settings = _settings(home=home)
    try:
        report = ops.gather_status(settings)
    except StateBusy:
        typer.echo(f"nightshift: a run is in progress (pid {lock_holder(settings.state_dir) or '?'}); try again shortly")
        return
    typer.echo(json.dumps(report, default=str, indent=2) if as_json else "\n".join(ops.render_status(report)))


FormatOpt = Annotated[str, typer.Option("--format", help="text or json.")]


def _check_format(fmt: str) -> None:
    if fmt not in ("text", "json"):
        typer.echo(f"nightshift: unknown format {fmt!r} (use text or json)", err=True)
        raise typer.Exit(EXIT_USAGE)


@app.command()
def summary(
    home: HomeOpt = None,
    cwd: Annotated[Optional[Path], typer.Option("--cwd", help="Show memories of the project this directory belongs to (default: here).")] = None,
    fmt: FormatOpt = "text",
    install_hint: Annotated[bool, typer.Option("--install-hint", help="Print the lines that load this block into Claude Code and Codex CLI.")] = False,
) -> None:
    """Print the memory block an agent session should load: global memories plus this project's."""
    from nightshift.commands import summary as read_path
    settings = _settings(home=home)
    _check_format(fmt)
    if install_hint:
        exe = Path(sys.executable).parent / "nightshift"
        typer.echo(read_path.install_hint(settings.home.resolve(), str(exe) if exe.exists() else "nightshift"))
        return
    try:
        block = read_path.render(settings, cwd or Path.cwd(), datetime.now(UTC))
    except read_path.ReadPathError as exc:
        typer.echo(f"nightshift: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE if isinstance(exc, read_path.CapTooSmall) else 1) from None
    if fmt == "json":
        entries = [{"section": r.section, "text": r.text, "age_days": r.age_days, "cite": r.cite} for r in block.entries]
        typer.echo(json.dumps({"project": block.project, "memory_md": str(block.memory_md), "tokens": block.tokens,
                               "dropped": block.dropped, "entries": entries, "text": block.text}, indent=2))
    else:
        sys.stdout.write(block.text)


def _usage_rows(settings: Settings) -> list[dict]:
    from nightshift.phase2 import selection as usage
    if not (settings.state_dir / "state.duckdb").exists():
        return []
    try:
        with open_state(settings.state_dir, read_only=True, wait_seconds=3) as db:
            return usage.usage_rows(db, usage.Policy.of(settings), datetime.now(UTC))
    except StateBusy:
        typer.echo(f"nightshift: a run is writing (pid {lock_holder(settings.state_dir) or '?'}); try again shortly", err=True)
        raise typer.Exit(1) from None


@app.command("usage")
def usage_command(
    home: HomeOpt = None,
    fmt: FormatOpt = "text",
    export: Annotated[Optional[Path], typer.Option("--export", help="Also write the rows to this Parquet file.")] = None,
) -> None:
    """List raw memories: usage count, last use, decayed score and whether phase 2 sees them."""
    from nightshift.ingest import citations
    from nightshift.phase2 import selection as usage
    settings = _settings(home=home)
    _check_format(fmt)
    rows = _usage_rows(settings)
    if export:
        usage.export_parquet(rows, export)
    short = citations.short_ids([r["rollout_id"] for r in rows])
    if fmt == "json":
        typer.echo(json.dumps({"memories": [r | {"short_id": short[r["rollout_id"]]} for r in rows],
                               "exported": str(export) if export else None}, default=str, indent=2))
        return
    typer.echo(f"{'uses':>4}  {'last use':<10}  {'score':>7}  {'status':<18}  {'id':<8}  project / slug")
    for r in rows:
        last = r["last_usage"].date().isoformat() if r["last_usage"] else "never"
        typer.echo(f"{r['usage_count']:>4}  {last:<10}  {r['score']:>7.3f}  {r['status']:<18}  {short[r['rollout_id']]:<8}  {r['project_key']} / {r['slug']}")
    typer.echo(f"{len(rows)} raw memories, {sum(r['selected'] for r in rows)} selected" + (f"; wrote {export}" if export else ""))


@app.command()
def forget(
    target: Annotated[str, typer.Argument(help="A rollout id (or its first 8+ characters), a slug, or a glob pattern such as 'fix-*'.")],
    home: HomeOpt = None,
    fmt: FormatOpt = "text",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be forgotten.")] = False,
) -> None:
    """Remove memories on request; they leave the handbook at the next consolidation."""
    from nightshift.phase2 import selection as usage
    settings = _settings(home=home)
    _check_format(fmt)
    found: list[dict] = []
    if (settings.state_dir / "state.duckdb").exists():
        with _exit_3_when_locked(), run_lock(settings.state_dir), open_state(settings.state_dir) as db:
            found = usage.find(db, target)
            if not dry_run:
                usage.forget(db, [m["rollout_id"] for m in found])
    if fmt == "json":
        typer.echo(json.dumps({"forgotten": [] if dry_run else found, "would_forget": found if dry_run else []}, default=str, indent=2))
    else:
        for m in found:
            typer.echo(f"{'would forget' if dry_run else 'forgot'} {m['rollout_id']} ({m['slug']}, {m['project_key']})")
        if found and not dry_run:
            typer.echo("nightshift: the next consolidation removes them from the handbook")
    if not found:
        typer.echo(f"nightshift: no memory matches {target!r}", err=True)
        raise typer.Exit(1)


@app.command("log")
def log_command(
    home: HomeOpt = None,
    max_count: Annotated[int, typer.Option("--max-count", "-n", help="Show at most this many commits.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """The memory home's history, newest first: each commit with its trailers (run, models, rollouts)."""
    from nightshift.commands import history
    from nightshift.commands import status as ops
    settings = _settings(home=home)
    found = history.commits(settings.home, max_count)
    if as_json:
        typer.echo(json.dumps([c.as_dict() for c in found], indent=2))
    elif not found:
        typer.echo(f"nightshift: no history yet in {settings.home}")
    else:
        typer.echo("\n".join(ops.render_log(found)))


@app.command("rollback")
def rollback_command(
    commit: Annotated[Optional[str], typer.Argument(help="A consolidation commit (default: the newest one not rolled back yet).")] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Undo a night: revert its commit (history kept) and hold its memories back until their transcripts change."""
    from nightshift.commands.rollback import RollbackError, rollback
    settings = _settings(home=home)
    try:
        with _exit_3_when_locked():
            done = rollback(settings, commit, datetime.now(UTC))
    except RollbackError as exc:
        typer.echo(f"nightshift: cannot roll back: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps({"reverted": done.reverted.sha, "run_id": done.reverted.run_id, "revert": done.revert_sha,
                               "held_back": done.held_back, "missing": done.missing}, indent=2))
        return
    typer.echo(f"nightshift: reverted {done.reverted.sha[:10]} (run {done.reverted.run_id}) with commit {done.revert_sha[:10]}; "
               f"{len(done.held_back)} raw memories held back until their transcripts change")
    if done.missing:
        typer.echo(f"nightshift: no raw memory left for {', '.join(done.missing)} (forgotten since)")


@app.command("import")
def import_command(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="CLAUDE.md, AGENTS.md, Hermes MEMORY.md / USER.md files, or folders searched for CLAUDE.md and AGENTS.md.")] = None,
    claude_memory: Annotated[bool, typer.Option("--claude-memory", help="Also import Claude Code auto memory (~/.claude/projects/*/memory/*.md).")] = False,
    hermes: Annotated[bool, typer.Option("--hermes", help="Also import Hermes Agent memory ($HERMES_HOME/memories, default ~/.hermes/memories).")] = False,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Bootstrap from memories you already have: each file becomes a raw memory for the next consolidation."""
    from nightshift.commands import importer
    settings = _settings(home=home)
    files, unknown = importer.collect(paths or [], claude_memory=claude_memory, hermes=hermes)
    if unknown:
        typer.echo(f"nightshift: cannot import {', '.join(map(str, unknown))}: not a file kind nightshift knows, or missing", err=True)
        raise typer.Exit(EXIT_USAGE)
    if not files:
        typer.echo("nightshift: nothing to import (give files or folders, --claude-memory or --hermes)", err=True)
        raise typer.Exit(EXIT_USAGE)
    with _exit_3_when_locked(), run_lock(settings.state_dir):
        report = importer.import_files(settings, files, datetime.now(UTC))
    if as_json:
        typer.echo(json.dumps([{"path": str(r.path), "kind": r.kind, "outcome": r.outcome, "entries": r.entries} for r in report], indent=2))
        return
    for r in report:
        typer.echo(f"{r.outcome:<9} {r.kind:<13} {r.path} ({r.entries} entries)")
    changed = sum(r.outcome in ("added", "updated", "removed") for r in report)
    typer.echo(f"nightshift: {changed} of {len(report)} files changed raw memories; the next consolidation folds them into MEMORY.md")


@app.command("watch")
def watch_command(
    home: HomeOpt = None,
    source: Annotated[Optional[list[Path]], typer.Option("--source", help="Transcript folder; repeat for several.")] = None,
    idle_hours: Annotated[Optional[float], typer.Option("--idle-hours", help="Only read transcripts untouched this long.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fresh mode in the foreground, no Prefect server: extract transcripts as they go idle, consolidate when due.

    Wakes on new or changed transcripts and on a timer; Ctrl-C stops after the pass in progress."""
    from nightshift.night.schedule import PassResult  # the run's modules load only for commands that run
    from nightshift.night.watch import WatchError, watch

    settings = _settings(home=home, sources=source, idle_hours=idle_hours)
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        typer.echo("nightshift: stopping after the current pass (Ctrl-C again to abort it)", err=True)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    def on_pass(result: PassResult) -> None:
        typer.echo(json.dumps(result.as_dict(), default=str) if as_json else f"{datetime.now().strftime('%H:%M:%S')} {result.summary}")

    typer.echo(f"nightshift: watching {', '.join(map(str, settings.sources))} (idle after {settings.idle_hours:g} h, "
               f"timer {settings.fresh_interval_minutes:g} min, cooldown {settings.consolidate_cooldown_hours:g} h); Ctrl-C stops", err=True)
    try:
        watch(settings, stop, on_pass, lambda note: typer.echo(f"nightshift: {note}", err=True))
    except WatchError as exc:
        typer.echo(f"nightshift: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo("nightshift: stopped", err=True)


# --- Memory the agents use directly (issue 17): mcp, search, review / accept / reject, scope ----------


@contextmanager
def _user_errors() -> Iterator[None]:
    """A ``UserError`` becomes its one-line message and exit code."""
    from nightshift.errors import UserError
    try:
        yield
    except UserError as exc:
        typer.echo(f"nightshift: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


@app.command("mcp")
def mcp_command(home: HomeOpt = None) -> None:
    """Serve the memory home to Codex CLI and Claude Code over MCP (stdio). `summary --install-hint` prints the setup lines."""
    from nightshift.commands.mcp import serve
    serve(_settings(home=home))


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="Words to find in the handbook and the session summaries.")],
    home: HomeOpt = None,
    cwd: Annotated[Optional[Path], typer.Option("--cwd", help="Only this project's lines (first) and global ones (default: every project).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Show at most this many lines.")] = 10,
    fmt: FormatOpt = "text",
) -> None:
    """Search memory as the MCP tool memory_search does: matching lines with file:line, age and the id to cite."""
    from nightshift.commands.search import search
    settings = _settings(home=home)
    _check_format(fmt)
    hits = search(settings, query, cwd, datetime.now(UTC), max(1, limit))
    if fmt == "json":
        typer.echo(json.dumps({"query": query, "results": [h.as_dict() for h in hits]}, indent=2))
    for h in hits if fmt == "text" else []:
        tag = ", ".join(str(x) for x in (f"{h.age_days}d" if h.age_days is not None else None, h.id) if x)
        typer.echo(f"{h.file}:{h.line}: {h.text.strip()}" + (f"  ({tag})" if tag else "") + f"  [{h.scope}]")
    if not hits:
        typer.echo(f"nightshift: no match for {query!r} in {settings.home}", err=True)
        raise typer.Exit(1)


@app.command("review")
def review_command(home: HomeOpt = None, fmt: FormatOpt = "text") -> None:
    """What the consolidation waiting for review (review = true) would change: added, replaced, removed lines and their sessions."""
    from nightshift.commands import review
    settings = _settings(home=home)
    _check_format(fmt)
    found = review.proposal(settings.home)
    if fmt == "json":
        typer.echo(json.dumps({"commit": found.sha if found else None, "base": found.base if found else None,
                               "changes": [c.as_dict() for c in found.changes] if found else []}, indent=2))
    else:
        typer.echo("\n".join(review.render(found)))


CommitArg = Annotated[Optional[str], typer.Argument(help="The proposal's commit, as `nightshift review` shows it (default: the one waiting).")]


@app.command("accept")
def accept_command(commit: CommitArg = None, home: HomeOpt = None) -> None:
    """Accept the consolidation waiting for review: main fast-forwards to it."""
    from nightshift.commands import review
    settings = _settings(home=home)
    with _user_errors(), _exit_3_when_locked():
        found = review.accept(settings, commit)
    typer.echo(f"nightshift: accepted {found.sha[:10]}: {len(found.changes)} changed lines are now in memory")


@app.command("reject")
def reject_command(commit: CommitArg = None, home: HomeOpt = None) -> None:
    """Drop the consolidation waiting for review and hold its memories back until their transcripts change."""
    from nightshift.commands import review
    settings = _settings(home=home)
    with _user_errors(), _exit_3_when_locked():
        done = review.reject(settings, commit, datetime.now(UTC))
    typer.echo(f"nightshift: rejected {done.proposal.sha[:10]}; {len(done.held_back)} raw memories held back until their transcripts change")


@app.command("scope")
def scope_command(
    target: Annotated[str, typer.Argument(help="A memory: its id (or first 8+ characters) or slug, as `nightshift usage` lists it.")],
    scope: Annotated[str, typer.Argument(help="global (every project) or project (its own project only).")],
    home: HomeOpt = None,
) -> None:
    """Move a memory between its project and every project; the next consolidation moves its lines."""
    from nightshift.commands.rescope import rescope
    settings = _settings(home=home)
    with _user_errors(), _exit_3_when_locked(), run_lock(settings.state_dir), open_state(settings.state_dir) as db:
        moved = rescope(db, target, scope, datetime.now(UTC))
    typer.echo(f"nightshift: {moved['rollout_id']} ({moved['slug']}) is now {scope}; the next consolidation moves its lines")


config_app = typer.Typer(no_args_is_help=True, help="Inspect the configuration.")
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(
    home: HomeOpt = None,
    source: Annotated[Optional[list[Path]], typer.Option("--source", help="As for consolidate.")] = None,
    idle_hours: Annotated[Optional[float], typer.Option("--idle-hours", help="As for consolidate.")] = None,
    provider: Annotated[Optional[str], typer.Option("--provider", help="As for consolidate.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every effective setting and where it came from: default, a nightshift.toml, the environment, a flag."""
    from nightshift.commands import config as provenance
    try:
        found = provenance.origins({"home": home, "sources": source, "idle_hours": idle_hours, "provider": provider})
    except ValidationError as exc:
        typer.echo(f"nightshift: configuration error:\n{exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(json.dumps([o.as_dict() for o in found], indent=2) if as_json else "\n".join(provenance.render(found)))


if __name__ == "__main__":
    app()
