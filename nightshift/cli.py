"""The ``nightshift`` command. Exit codes: 0 done, 1 the run or command failed, 2 usage or configuration error, 3 locked.

This is the top layer (CLI -> flows -> nightshift). Each command imports what it uses when it runs:
``consolidate`` the Prefect flow, the others none of it, so ``summary`` (run at every session start)
and ``status`` start fast, and a night's own overhead stays small (docs/benchmarks.md).
"""

from __future__ import annotations

import atexit
import errno
import importlib.util
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import duckdb
import git
import typer
import typer.core

from nightshift.clock import utcnow
from nightshift.errors import EXIT_FAILED, EXIT_USAGE, UserError
from nightshift.ingest.discover import discover
from nightshift.lock import LockHeld, lock_holder, run_lock
from nightshift.night.progress import count
from nightshift.settings import Settings, load_settings
from nightshift.store.state import DB_NAME, StateBusy, open_state

EXIT_LOCKED = 3


def _debug() -> bool:
    return os.environ.get("NIGHTSHIFT_DEBUG", "").lower() not in ("", "0", "false", "no")


class _Commands(typer.core.TyperGroup):
    """The one handler of user-facing errors: one line on stderr and the error's exit code; the traceback
    too only with --debug or NIGHTSHIFT_DEBUG=1. Anything else is a bug and keeps its traceback."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except UserError as exc:
            self._fail(str(exc), exc.exit_code)
        except OSError as exc:  # a path the user must fix: permissions, a full disk, a file where a folder belongs
            where = f"{exc.filename}: " if exc.filename else ""
            self._fail(f"{where}{exc.strerror or exc}; nothing was changed there", EXIT_FAILED)

    @staticmethod
    def _fail(message: str, code: int) -> None:
        if _debug():
            import traceback
            traceback.print_exc()
        typer.echo(f"nightshift: {message}", err=True)
        raise typer.Exit(code)


# Plain (click) help: rich's tables tag every option with its Python type, --help with <bool>.
app = typer.Typer(cls=_Commands, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None, help="Offline memory consolidation for coding agents.")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version
        typer.echo(f"nightshift {version('nightshift')}")
        raise typer.Exit()


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback behind an error (also NIGHTSHIFT_DEBUG=1).")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    if debug:
        os.environ["NIGHTSHIFT_DEBUG"] = "1"


HomeOpt = Annotated[Optional[Path], typer.Option("--home", metavar="DIR", help="Memory home (default: $NIGHTSHIFT_HOME or ./memory_home).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
SourceOpt = Annotated[Optional[list[Path]], typer.Option(
    "--source", metavar="DIR", help="Transcript folder; repeat for several (default: ~/.codex/sessions, "
    "~/.codex/archived_sessions, ~/.claude/projects, and ~/.gemini/tmp and ~/.cursor/projects where they exist; "
    "or sources in nightshift.toml / NIGHTSHIFT_SOURCES).")]
IdleOpt = Annotated[Optional[float], typer.Option(
    "--idle-hours", metavar="HOURS", help="Only read transcripts untouched this long (default: 6, or idle_hours in nightshift.toml / NIGHTSHIFT_IDLE_HOURS).")]
ProviderOpt = Annotated[Optional[str], typer.Option(
    "--provider", metavar="builtin|openai", help="builtin (offline rules, the default) or openai (sends transcripts to base_url, "
    "default https://api.openai.com/v1).")]


@contextmanager
def _exit_3_when_locked(hint: str = "") -> Iterator[None]:
    """Another nightshift process holds the run lock: say which, and exit 3."""
    try:
        yield
    except LockHeld as exc:
        typer.echo(f"nightshift: {exc}{hint}", err=True)
        raise typer.Exit(EXIT_LOCKED) from None


def _settings(*, writes: bool = False, **flags) -> Settings:
    """The settings, with the memory home checked first: a file there is a configuration error, and a command
    that ``writes`` stops before it starts when it cannot write there."""
    settings = load_settings(**flags)
    home = settings.home
    if home.exists() and not home.is_dir():
        raise UserError(f"the memory home {home} is a file, not a folder: point --home or NIGHTSHIFT_HOME at a folder")
    if writes:
        nearest = next(p for p in (settings.state_dir, home, *home.absolute().parents) if p.exists())
        if not nearest.is_dir() or not os.access(nearest, os.W_OK):
            why = "is read-only" if nearest.is_dir() else "is a file where a folder belongs"
            raise UserError(f"cannot write to the memory home {home}: {nearest} {why}. Nothing was committed; "
                            "fix it or choose another --home", EXIT_FAILED)
    return settings


@app.command()
def consolidate(
    home: HomeOpt = None,
    source: SourceOpt = None,
    idle_hours: IdleOpt = None,
    provider: ProviderOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be extracted; write nothing.")] = False,
    fresh: Annotated[bool, typer.Option("--fresh", help="Fresh mode: consolidate only when due (new memories, cooldown passed).")] = False,
    task_runner: Annotated[Optional[str], typer.Option("--task-runner", metavar="threads|dask", help="Where extraction runs: threads (default) or dask (a local Dask cluster).")] = None,
    dask_address: Annotated[Optional[str], typer.Option("--dask-address", metavar="URL", help="Extract on an existing Dask scheduler, e.g. tcp://host:8786.")] = None,
    quiet: QuietOpt = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also show which Prefect server the run uses, and Prefect's own log lines (task runs).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Extract memories from idle transcripts and consolidate them into the memory home (one git commit)."""
    from nightshift.night import progress
    from nightshift.phase2.quarantine import PoisonedHandbook
    if provider not in (None, "builtin", "openai"):
        raise UserError(f"unknown provider {provider!r} for --provider (use builtin or openai)")
    settings = _settings(home=home, sources=source, idle_hours=idle_hours, provider=provider, writes=not dry_run,
                         task_runner="dask" if dask_address else task_runner, dask_address=dask_address)
    if settings.task_runner == "dask" and importlib.util.find_spec("prefect_dask") is None:
        raise UserError("--task-runner dask needs prefect-dask: pip install 'nightshift[dask]'")
    _check_sources(settings, quiet=quiet or as_json)
    if dry_run:
        _dry_run(settings)
        return
    if settings.provider != "builtin" and not (quiet or as_json):  # say where transcripts go before they go
        typer.echo(f"nightshift: {settings.endpoint_line()}", err=True)
    # Prefect's own lines (the temporary server, each task run, a failed run's traceback) stay in the Prefect UI;
    # the run's progress and summary are nightshift's. A level the user set wins.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "CRITICAL")
    reporter = progress.for_terminal(quiet=quiet or as_json)
    _stop_on_signals()
    try:
        # The run's one lock, taken before Prefect's slow start-up and held through the pass: of two runs
        # started together, exactly one gets past this line. An unwritable home fails here too.
        with _exit_3_when_locked("; try again later"), run_lock(settings.state_dir):
            _preflight(settings)
            from flows.api import prefect_api  # the CLI is the only layer above flows

            _no_prefect_tracebacks()
            with progress.use(reporter), prefect_api(load=_load_the_night, warm_up=_compile_redactor) as api:
                from flows.consolidate import run_with_settings
                from nightshift.night.schedule import FRESH, NIGHTLY

                if verbose:
                    typer.echo(f"nightshift: using {api}", err=True)
                result = run_with_settings(settings, FRESH if fresh else NIGHTLY)
    except Stopped as exc:
        typer.echo(f"nightshift: stopped by {exc.signal.name}; the memory home {settings.home} is at its last commit and "
                   "the run lock is released; the next run starts over", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + exc.signal)  # extraction threads may still wait on a model; nothing of theirs is kept
    except PoisonedHandbook as exc:
        raise UserError(f"{exc}; see `nightshift status`", EXIT_FAILED) from exc
    except (OSError, git.GitCommandError, duckdb.Error) as exc:  # disk full, read-only, quota; a damaged state
        detail = _write_failure(exc, settings)
        if detail is None:
            raise
        raise UserError(detail, EXIT_FAILED) from exc
    if as_json:
        typer.echo(json.dumps(result, default=str, indent=2))
    elif not quiet:
        typer.echo(result["summary"])


# --- faults of a run: checked before Prefect starts, or turned into one line when they happen --------


class Stopped(BaseException):
    """A stop signal (cron's timeout, systemd): unwinds the run like Ctrl-C, so the home goes back to its
    commit and the locks are released. A BaseException, because model clients retry on any Exception."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signal = signal.Signals(signum)


def _stop_on_signals() -> None:
    def stop(signum: int, frame: object) -> None:
        signal.signal(signum, signal.SIG_DFL)  # a second signal ends the process at once
        raise Stopped(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


def _preflight(settings: Settings) -> None:
    """What would stop the run before it writes anything, found before Prefect's ten-second start: a damaged
    or planted-on home repository, a damaged state database (the flow checks both again on its own)."""
    from nightshift.phase2.home import check_home
    from nightshift.store.state import damaged_copies

    check_home(settings.home)
    if (settings.state_dir / DB_NAME).exists() or damaged_copies(settings.state_dir):
        with open_state(settings.state_dir, read_only=True, wait_seconds=0):
            pass


def _load_the_night() -> None:
    """The flow's modules, loaded while a temporary Prefect server starts (it waits on another process) rather than after it."""
    importlib.import_module("flows.consolidate")


def _compile_redactor() -> None:
    """The redactor's patterns, compiled while a temporary server starts; otherwise on first use, which a quiet
    night never reaches."""
    from nightshift.ingest.redact import compile_rules

    compile_rules()


def _no_prefect_tracebacks() -> None:
    """Prefect logs a failed flow's traceback to the console; the CLI says the same in one line, and an
    unexpected error still ends in its own traceback when it reaches the CLI. The Prefect UI keeps its copy."""
    import logging

    if os.environ.get("NIGHTSHIFT_DEBUG"):
        return

    class NoTraceback(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.exc_info = record.exc_text = None
            return True

    for handler in logging.getLogger().handlers:  # the console handler; the API handlers sit on Prefect's own loggers
        if isinstance(handler, logging.StreamHandler):
            handler.addFilter(NoTraceback())


_DISK_FULL = ("No space left on device", "Disk quota exceeded", "Out of diskspace")  # the last is git's


def _write_failure(exc: BaseException, settings: Settings) -> str | None:
    """The one line for a run that could not write (None: not a write failure, a bug to show in full)."""
    from nightshift.store.state import is_damage, set_aside

    text = str(exc).strip()
    if is_damage(exc):  # found by a query, not by the connect: the run failed and the file is set aside now
        path = settings.state_dir / DB_NAME
        return str(set_aside(path, exc) if path.exists() else exc)
    if isinstance(exc, duckdb.Error) and not isinstance(exc, duckdb.IOException) and not any(s in text for s in _DISK_FULL):
        return None
    if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or any(s in text for s in _DISK_FULL):
        detail = "the disk is full (no space left on the device); free some space and run again"
    else:
        detail = text.splitlines()[-1][:300] if text else type(exc).__name__
    return f"cannot write to the memory home {settings.home}: {detail}. Nothing was committed; the home is at its last commit."


def _check_sources(settings: Settings, *, quiet: bool) -> None:
    """A missing folder is named (a typo would otherwise read nothing, silently); none at all is an error."""
    missing = [s for s in settings.sources if not s.is_dir()]
    if len(missing) == len(settings.sources):
        raise UserError("none of the source folders exists: " + ", ".join(map(str, settings.sources))
                        + " (set --source, NIGHTSHIFT_SOURCES or sources in nightshift.toml)")
    for folder in missing if not quiet else []:
        typer.echo(f"nightshift: warning: source folder {folder} does not exist; skipped", err=True)


def _dry_run(settings: Settings) -> None:

    watermarks = {}
    if (settings.state_dir / DB_NAME).exists():
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


FormatOpt = Annotated[str, typer.Option("--format", metavar="text|json", help="Output format.", show_default=True)]


def _check_format(fmt: str) -> None:
    if fmt not in ("text", "json"):
        typer.echo(f"nightshift: unknown format {fmt!r} (use text or json)", err=True)
        raise typer.Exit(EXIT_USAGE)


@app.command()
def summary(
    home: HomeOpt = None,
    cwd: Annotated[Optional[Path], typer.Option("--cwd", metavar="DIR", help="Show memories of the project this directory belongs to (default: here).")] = None,
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
        block = read_path.render(settings, cwd or Path.cwd(), utcnow())
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
    from nightshift.store.usage import Policy
    if not (settings.state_dir / DB_NAME).exists():
        return []
    try:
        with open_state(settings.state_dir, read_only=True, wait_seconds=3) as db:
            return db.usage_rows(Policy.of(settings), utcnow())
    except StateBusy:
        typer.echo(f"nightshift: a run is writing (pid {lock_holder(settings.state_dir) or '?'}); try again shortly", err=True)
        raise typer.Exit(1) from None


@app.command("usage")
def usage_command(
    home: HomeOpt = None,
    fmt: FormatOpt = "text",
    export: Annotated[Optional[Path], typer.Option("--export", metavar="FILE", help="Also write the rows to this Parquet file.")] = None,
) -> None:
    """List raw memories: usage count, last use, decayed score and whether phase 2 sees them."""
    from nightshift.ingest import citations
    from nightshift.store.usage import export_parquet
    settings = _settings(home=home)
    _check_format(fmt)
    rows = _usage_rows(settings)
    if export:
        export_parquet(rows, export)
    short = citations.short_ids([r["rollout_id"] for r in rows])
    if fmt == "json":
        typer.echo(json.dumps({"memories": [r | {"short_id": short[r["rollout_id"]]} for r in rows],
                               "exported": str(export) if export else None}, default=str, indent=2))
        return
    typer.echo(f"{'uses':>4}  {'last use':<10}  {'score':>7}  {'status':<18}  {'id':<8}  project / slug")
    for r in rows:
        last = r["last_usage"].date().isoformat() if r["last_usage"] else "never"
        typer.echo(f"{r['usage_count']:>4}  {last:<10}  {r['score']:>7.3f}  {r['status']:<18}  {short[r['rollout_id']]:<8}  {r['project_key']} / {r['slug']}")
    typer.echo(f"{count(len(rows), 'raw memory', 'raw memories')}, {sum(r['selected'] for r in rows)} selected" + (f"; wrote {export}" if export else ""))


@app.command()
def forget(
    target: Annotated[Optional[str], typer.Argument(metavar="[TARGET]", help="A rollout id (or its first 8+ characters), a slug, or a glob pattern such as 'fix-*'.")] = None,
    line: Annotated[Optional[str], typer.Option("--line", metavar="TEXT", help="Forget only the preferences and facts that contain TEXT (ignoring case), not whole sessions.")] = None,
    home: HomeOpt = None,
    fmt: FormatOpt = "text",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be forgotten.")] = False,
) -> None:
    """Remove memories on request, whole sessions or single lines; they leave the handbook at the next consolidation."""
    from nightshift.phase2 import retention
    if (target is None) == (line is None):
        raise UserError("give either a TARGET (a session's memory) or --line TEXT (one preference or fact)")
    settings = _settings(home=home, writes=not dry_run)
    _check_format(fmt)
    found: list[dict] = []
    if (settings.state_dir / DB_NAME).exists():
        with _exit_3_when_locked(), run_lock(settings.state_dir), open_state(settings.state_dir) as db:
            if line is not None:
                found = retention.forget_lines(db, settings.state_dir, line, utcnow(), dry_run=dry_run)
            else:
                found = db.find_memories(target)
                if not dry_run:
                    retention.forget(db, [m["rollout_id"] for m in found], settings.state_dir)
    if fmt == "json":
        typer.echo(json.dumps({"forgotten": [] if dry_run else found, "would_forget": found if dry_run else []}, default=str, indent=2))
    else:
        for m in found:
            what = f"{m['line']!r} from {m['rollout_id']}" if line is not None else m["rollout_id"]
            typer.echo(f"{'would forget' if dry_run else 'forgot'} {what} ({m['slug']}, {m['project_key']})")
        if found and not dry_run:
            typer.echo("nightshift: the next consolidation removes them from the handbook")
    if not found:
        raise UserError(f"no memory matches {line or target!r}", EXIT_FAILED)


@app.command("log")
def log_command(
    home: HomeOpt = None,
    max_count: Annotated[int, typer.Option("--max-count", "-n", metavar="N", show_default=True, help="Show at most this many commits.")] = 20,
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
    commit: Annotated[Optional[str], typer.Argument(metavar="[COMMIT]", help="A consolidation commit (default: the newest one not rolled back yet).")] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Undo a night: revert its commit (history kept) and hold its memories back until their transcripts change."""
    from nightshift.commands.rollback import RollbackError, rollback
    settings = _settings(home=home, writes=True)
    try:
        with _exit_3_when_locked():
            done = rollback(settings, commit, utcnow())
    except RollbackError as exc:
        typer.echo(f"nightshift: cannot roll back: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps({"reverted": done.reverted.sha, "run_id": done.reverted.run_id, "revert": done.revert_sha,
                               "held_back": done.held_back, "missing": done.missing}, indent=2))
        return
    typer.echo(f"nightshift: reverted {done.reverted.sha[:10]} (run {done.reverted.run_id}) with commit {done.revert_sha[:10]}; "
               f"{count(len(done.held_back), 'raw memory', 'raw memories')} held back until their transcripts change")
    if done.missing:
        typer.echo(f"nightshift: no raw memory left for {', '.join(done.missing)} (forgotten since)")


@app.command("repair")
def repair_command(home: HomeOpt = None) -> None:
    """Rebuild a damaged state database from the memory home's last commit (what is lost is listed)."""
    from nightshift.commands.repair import render, repair
    settings = _settings(home=home)
    with _exit_3_when_locked():  # a damaged home is a UserError: one line from the CLI's handler
        done = repair(settings, utcnow())
    typer.echo(render(done, settings))


@app.command("import")
def import_command(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar="[PATH]...", help="CLAUDE.md, AGENTS.md, Hermes MEMORY.md / USER.md files, or folders searched for CLAUDE.md and AGENTS.md.")] = None,
    claude_memory: Annotated[bool, typer.Option("--claude-memory", help="Also import Claude Code auto memory (~/.claude/projects/*/memory/*.md).")] = False,
    hermes: Annotated[bool, typer.Option("--hermes", help="Also import Hermes Agent memory ($HERMES_HOME/memories, default ~/.hermes/memories).")] = False,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Bootstrap from memories you already have: each file becomes a raw memory for the next consolidation."""
    from nightshift.commands import importer
    settings = _settings(home=home, writes=True)
    files, unknown = importer.collect(paths or [], claude_memory=claude_memory, hermes=hermes)
    if unknown:
        typer.echo(f"nightshift: cannot import {', '.join(map(str, unknown))}: not a file kind nightshift knows, or missing", err=True)
        raise typer.Exit(EXIT_USAGE)
    if not files:
        typer.echo("nightshift: nothing to import (give files or folders, --claude-memory or --hermes)", err=True)
        raise typer.Exit(EXIT_USAGE)
    with _exit_3_when_locked(), run_lock(settings.state_dir):
        report = importer.import_files(settings, files, utcnow())
    if as_json:
        typer.echo(json.dumps([{"path": str(r.path), "kind": r.kind, "outcome": r.outcome, "entries": r.entries} for r in report], indent=2))
        return
    for r in report:
        typer.echo(f"{r.outcome:<9} {r.kind:<13} {r.path} ({count(r.entries, 'entry', 'entries')})")
    changed = sum(r.outcome in ("added", "updated", "removed") for r in report)
    typer.echo(f"nightshift: {changed} of {count(len(report), 'file')} changed raw memories; the next consolidation folds them into MEMORY.md")


@app.command("watch")
def watch_command(
    home: HomeOpt = None,
    source: SourceOpt = None,
    idle_hours: IdleOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fresh mode in the foreground, no Prefect server: extract transcripts as they go idle, consolidate when due.

    Wakes on new or changed transcripts and on a timer; Ctrl-C stops after the pass in progress."""
    from nightshift.night.schedule import PassResult  # the run's modules load only for commands that run
    from nightshift.night.watch import WatchError, watch

    settings = _settings(home=home, sources=source, idle_hours=idle_hours, writes=True)
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
    hits = search(settings, query, cwd, utcnow(), max(1, limit))
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
    with _exit_3_when_locked():
        found = review.accept(settings, commit)
    typer.echo(f"nightshift: accepted {found.sha[:10]}: {len(found.changes)} changed lines are now in memory")


@app.command("reject")
def reject_command(commit: CommitArg = None, home: HomeOpt = None) -> None:
    """Drop the consolidation waiting for review and hold its memories back until their transcripts change."""
    from nightshift.commands import review
    settings = _settings(home=home)
    with _exit_3_when_locked():
        done = review.reject(settings, commit, utcnow())
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
    with _exit_3_when_locked(), run_lock(settings.state_dir), open_state(settings.state_dir) as db:
        moved = rescope(db, target, scope, utcnow())
    typer.echo(f"nightshift: {moved['rollout_id']} ({moved['slug']}) is now {scope}; the next consolidation moves its lines")


config_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Inspect the configuration.")
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(
    home: HomeOpt = None,
    source: SourceOpt = None,
    idle_hours: IdleOpt = None,
    provider: ProviderOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every effective setting and where it came from: default, a nightshift.toml, the environment, a flag."""
    from nightshift.commands import config as provenance
    settings, found = provenance.origins({"home": home, "sources": source, "idle_hours": idle_hours, "provider": provider})
    typer.echo(json.dumps([o.as_dict() for o in found], indent=2) if as_json else "\n".join(provenance.render(settings, found)))


def main() -> None:
    """The `nightshift` command. It ends without Python's teardown of its objects: a night imports Prefect, and
    collecting all of that at exit took 0.25 s of a quiet night's two. The exit handlers (Prefect's, which send
    the run's last log lines to its server) run first, as on any exit; an uncaught bug still exits the usual way."""
    try:
        app()
        code = 0
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    atexit._run_exitfuncs()  # what the interpreter runs at exit; the collection after it is what is skipped
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
