"""``nightshift repair``: a new state database after the old one was damaged.

The memory home's last commit still holds what the handbook was built from: one rollout summary per
selected memory, with its session id, source, project and every entry. Those memories are stored
again, so the next night's handbook keeps them even when their transcripts are gone or too old to be
read again. Everything else lived only in the old database and is lost: usage counts and last uses,
run history and token totals, job retries, quarantine records and rollback hold-backs. No watermark
survives either, so the next run reads every transcript within ``max_age_days`` again, under the usual
rules, and its extraction replaces a restored memory with a fresh one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import git

from nightshift.lock import run_lock
from nightshift.phase2 import home as memory_home
from nightshift.phase2.contract import ROLLOUT_SUMMARIES
from nightshift.phase2.workspace import parse_rollout_summary_md, render_raw_memory_md
from nightshift.settings import Settings
from nightshift.store.state import DB_NAME, StateDamaged, damaged_copies, fresh_state, open_state

LOST = ("usage counts and last uses, run history and token totals, job retries, quarantine records and rollback hold-backs")


@dataclass
class Repaired:
    needed: bool
    restored: int = 0
    unreadable: list[str] = field(default_factory=list)  # summary files that could not be read back
    kept_aside: list[Path] = field(default_factory=list)
    commit: str | None = None


def repair(settings: Settings, now: datetime) -> Repaired:
    """Rebuild the state from the home's last commit; a healthy state is left alone. Raises LockHeld,
    HomeDamaged or LinkInHome (the home must be readable to rebuild from it)."""
    path = settings.state_dir / DB_NAME
    with run_lock(settings.state_dir):
        if path.exists():
            try:
                with open_state(settings.state_dir):
                    return Repaired(needed=False)
            except StateDamaged:
                pass  # moved aside now; rebuilt below
        elif not damaged_copies(settings.state_dir):
            return Repaired(needed=False)  # a new home: the first run creates the state
        memory_home.check_home(settings.home)
        done = Repaired(needed=True, kept_aside=damaged_copies(settings.state_dir))
        memories = []
        for name, text in _summaries_at_head(settings.home, done):
            try:
                memories.append(parse_rollout_summary_md(text))
            except (KeyError, ValueError):  # a file edited by hand beyond reading back
                done.unreadable.append(name)
        with fresh_state(settings.state_dir) as db, db.transaction():
            for m in memories:
                db.store_memory(m, render_raw_memory_md(m), now)
        done.restored = len(memories)
        return done


def _summaries_at_head(home: Path, done: Repaired) -> list[tuple[str, str]]:
    if not (home / ".git").exists():
        return []
    repo = git.Repo(home)
    if not repo.head.is_valid():
        return []
    done.commit = repo.head.commit.hexsha
    try:
        folder = repo.head.commit.tree / ROLLOUT_SUMMARIES
    except KeyError:
        return []
    if folder.type != "tree":
        return []
    return [(blob.name, blob.data_stream.read().decode("utf-8", "replace")) for blob in folder.blobs]


def render(done: Repaired, settings: Settings) -> str:
    if not done.needed:
        return f"nightshift: the state database {settings.state_dir / DB_NAME} opens and reads; nothing to repair"
    where = f"the memory home's last commit {done.commit[:10]}" if done.commit else "the memory home (no commit yet)"
    lines = [
        f"nightshift: rebuilt {settings.state_dir / DB_NAME}: {done.restored} memories restored from {where}",
        f"nightshift: lost with the old database: {LOST}",
        f"nightshift: the next run reads the transcripts of the last {settings.max_age_days:g} days again"
        + (" (model calls with a model provider)" if settings.provider != "builtin" else ""),
    ]
    if done.unreadable:
        lines.append(f"nightshift: could not read back {', '.join(done.unreadable)}: their memories return when their transcripts are read")
    if done.kept_aside:
        lines.append(f"nightshift: the damaged database is kept as {', '.join(p.name for p in done.kept_aside)}; delete it when you no longer need it")
    return "\n".join(lines)
