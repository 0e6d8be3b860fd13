"""Review mode: a night's consolidation waits on the ``proposed`` branch until the user accepts it.

With ``review = true`` the night commits as usual and the commit then moves to ``proposed``
(``nightshift.phase2.home.propose``), so main, and with it the working tree that ``summary``,
``search`` and the MCP server read, only ever holds accepted memory. There is at most one proposal:
the next night regenerates the handbook from main plus everything selected, and its commit replaces
the waiting one (naming the waiting one's memories too).

* ``nightshift review``: the proposal's added, replaced and removed lines with their sessions.
* ``nightshift accept [COMMIT]``: fast-forwards main to the proposal. The builtin consolidator's
  merge bases for the proposed text were put aside when it was proposed; they become the bases.
* ``nightshift reject [COMMIT]``: deletes the branch and holds the proposal's memories back exactly
  as ``nightshift rollback`` does, so the next night does not propose them again.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import git

from nightshift.commands.history import commits
from nightshift.commands.rollback import hold_back
from nightshift.errors import UserError
from nightshift.lock import run_lock
from nightshift.night.steps import GENERATED_BASES, PROPOSED_BASES
from nightshift.phase2 import home as memory_home
from nightshift.phase2.changes import Change, handbook_changes
from nightshift.settings import Settings
from nightshift.store.state import open_state


class ReviewError(UserError):
    """Nothing to review, or the commit named is not the one waiting; nothing was changed."""


@dataclass(frozen=True)
class Proposal:
    sha: str
    base: str | None  # the main commit it was proposed on
    changes: list[Change]


def proposal(home: Path) -> Proposal | None:
    """The proposal waiting for review, if any, with what it changes."""
    if not (home / ".git").exists():
        return None
    repo = git.Repo(home)
    if not memory_home.has_commits(repo) or (sha := memory_home.proposal(repo)) is None:
        return None
    parents = repo.commit(sha).parents
    base = parents[0].hexsha if parents else None
    return Proposal(sha, base, handbook_changes(repo, base, sha))


def _waiting(home: Path, wanted: str | None) -> Proposal:
    found = proposal(home)
    if found is None:
        raise ReviewError(f"nothing is waiting for review in {home}")
    if wanted is not None:
        try:
            sha = git.Repo(home).commit(wanted).hexsha
        except (git.BadName, ValueError):
            raise ReviewError(f"no commit {wanted!r} in the memory home {home}") from None
        if sha != found.sha:
            raise ReviewError(f"{wanted!r} is not the proposal waiting for review ({found.sha[:10]}); see `nightshift review`")
    return found


def accept(settings: Settings, wanted: str | None) -> Proposal:
    home = settings.home
    with run_lock(settings.state_dir):
        found = _waiting(home, wanted)
        repo = git.Repo(home)
        if repo.is_dirty():  # hand edits to tracked files; an untracked nightshift.toml does not get in the way
            raise ReviewError(f"{home} has uncommitted edits; commit or discard them, then accept")
        try:
            repo.git.merge("--ff-only", found.sha)
        except git.GitCommandError:
            raise ReviewError(f"main moved since {found.sha[:10]} was proposed; the next `nightshift consolidate` proposes anew") from None
        memory_home.drop_proposal(repo)
        proposed_bases = settings.state_dir / PROPOSED_BASES
        if proposed_bases.is_dir():
            shutil.rmtree(settings.state_dir / GENERATED_BASES, ignore_errors=True)
            proposed_bases.rename(settings.state_dir / GENERATED_BASES)
    return found


@dataclass(frozen=True)
class Rejected:
    proposal: Proposal
    held_back: list[str]
    missing: list[str]


def reject(settings: Settings, wanted: str | None, now: datetime) -> Rejected:
    home = settings.home
    with run_lock(settings.state_dir):
        found = _waiting(home, wanted)
        target = commits(home, 1, rev=found.sha)[0]
        with open_state(settings.state_dir) as db:
            held, missing = hold_back(db, target, f"rejected:{found.sha}", now)
        memory_home.drop_proposal(git.Repo(home))
        shutil.rmtree(settings.state_dir / PROPOSED_BASES, ignore_errors=True)
    return Rejected(found, held, missing)


def render(found: Proposal | None) -> list[str]:
    """``nightshift review`` as text: one line per change, with its sessions' ids."""
    if found is None:
        return ["nightshift: nothing is waiting for review"]
    count = len(found.changes)
    lines = [f"proposal {found.sha[:10]} on main {found.base[:10] if found.base else '(empty)'}: "
             f"{count} changed line{'' if count == 1 else 's'}"]
    for c in found.changes:
        who = f"  [{', '.join(s[:8] for s in c.sessions)}]" if c.sessions else ""
        old, new = (line.removeprefix("- ") if line else line for line in (c.old, c.new))
        if c.kind == "replaced":
            lines += [f"~ {c.file}: {old}", f"  -> {new}{who}"]
        else:
            lines.append(f"{'+' if c.kind == 'added' else '-'} {c.file}: {new or old}{who}")
    lines.append("accept with `nightshift accept`, or drop it and hold its memories back with `nightshift reject`")
    return lines
