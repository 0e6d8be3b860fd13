"""The ``nightshift`` command. Exit codes: 0 run completed, 2 usage or configuration error, 3 locked.

This is the top layer (CLI -> flows -> nightshift): ``consolidate`` imports the Prefect flow only
when it runs, so ``status`` and ``summary`` start instantly and never touch Prefect.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from nightshift.discover import discover
from nightshift.lock import LockHeld, lock_holder
from nightshift.settings import Settings, load_settings
from nightshift.state import StateBusy, aware_utc, open_state

EXIT_USAGE = 2
EXIT_LOCKED = 3

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="Offline memory consolidation for coding agents.")

HomeOpt = Annotated[Optional[Path], typer.Option("--home", help="Memory home (default: $NIGHTSHIFT_HOME or ./memory_home).")]


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
) -> None:
    """Extract memories from idle transcripts and consolidate them into the memory home (one git commit)."""
    if provider not in (None, "builtin", "openai"):
        typer.echo(f"nightshift: unknown provider {provider!r} (use builtin or openai)", err=True)
        raise typer.Exit(EXIT_USAGE)
    settings = _settings(home=home, sources=source, idle_hours=idle_hours, provider=provider)
    if dry_run:
        _dry_run(settings)
        return
    if pid := lock_holder(settings.state_dir):  # fail fast, before Prefect starts
        typer.echo(f"nightshift: another run holds the lock on {settings.home} (pid {pid}); try again later", err=True)
        raise typer.Exit(EXIT_LOCKED)
    from flows.consolidate import run_with_settings  # the CLI is the only layer above flows

    try:
        result = run_with_settings(settings)
    except LockHeld as exc:
        typer.echo(f"nightshift: {exc}", err=True)
        raise typer.Exit(EXIT_LOCKED) from None
    typer.echo(result["summary"])


def _dry_run(settings: Settings) -> None:
    from nightshift.pipeline import utcnow

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


def _fmt_time(moment: datetime | None) -> str:
    return aware_utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


@app.command()
def status(home: HomeOpt = None, as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Show the last runs, job counts and rollouts waiting to be extracted."""
    settings = _settings(home=home)
    runs, jobs, pending, memories = [], {}, 0, 0
    if (settings.state_dir / "state.duckdb").exists():
        try:
            with open_state(settings.state_dir, read_only=True, wait_seconds=3) as db:
                runs, jobs, pending, memories = db.last_runs(5), db.job_counts(), db.pending_rollouts(), db.memory_count()
        except StateBusy:
            typer.echo(f"nightshift: a run is in progress (pid {lock_holder(settings.state_dir) or '?'}); try again shortly")
            return
    holder = lock_holder(settings.state_dir)
    if as_json:
        typer.echo(json.dumps({"runs": runs, "jobs": jobs, "pending_rollouts": pending, "raw_memories": memories, "lock_holder": holder}, default=str, indent=2))
        return
    if not runs:
        typer.echo(f"nightshift: no runs yet in {settings.home}")
        return
    typer.echo(f"memory home: {settings.home}   raw memories: {memories}   lock: {f'held by pid {holder}' if holder else 'free'}")
    typer.echo("jobs: " + (", ".join(f"{k} {v}" for k, v in sorted(jobs.items())) or "none"))
    typer.echo(f"rollouts pending: {pending}")
    typer.echo("last runs:")
    for r in runs:
        commit = (r["commit_sha"] or "")[:10] or "no commit"
        typer.echo(
            f"  {_fmt_time(r['started_at'])}  {r['status']:<7} {r['provider'] or '-':<8} "
            f"memories {r['memories']}, no-ops {r['no_ops']}, skipped {r['skipped']}, failed {r['failed']}, "
            f"tokens {r['tokens_in']}/{r['tokens_out']}, {commit}"
        )


@app.command()
def summary(home: HomeOpt = None) -> None:
    """Print the memory block an agent session should load."""
    settings = _settings(home=home)
    path = settings.home / "memory_summary.md"
    if not path.exists():
        typer.echo(f"nightshift: no memory summary yet in {settings.home}; run `nightshift consolidate` first", err=True)
        raise typer.Exit(1)
    sys.stdout.write(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    app()
