"""Review mode: a night's consolidation waits on the ``proposed`` branch until the user accepts it.

With ``review = true`` the night commits as usual and the commit then moves to ``proposed``, so the
main branch, and with it the working tree that ``summary``, ``search`` and the MCP server read, only
ever holds accepted memory. There is at most one proposal: the next night regenerates the handbook
from main plus everything selected, and its commit replaces the waiting one.

* ``nightshift review``: the proposal's added, replaced and removed lines with their sessions.
* ``nightshift accept [COMMIT]``: fast-forwards main to the proposal. The builtin consolidator's
  merge bases for that text were put aside when it was proposed; they now become the bases.
* ``nightshift reject [COMMIT]``: deletes the branch and holds the proposal's memories back exactly
  as ``nightshift rollback`` does, so the next night does not propose them again.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import git

from nightshift.commands.rollback import hold_back
from nightshift.errors import UserError
from nightshift.lock import run_lock
from nightshift.phase2 import home as memory_home
from nightshift.phase2.changes import Change, handbook_changes
from nightshift.settings import Settings
from nightshift.store import open_state

PROPOSED = "proposed"
MAIN = "main"
PROPOSED_BASES = "generated-proposed"  # <state_dir>/: the builtin's merge bases for the proposed text


class ReviewError(UserError):
    """Nothing to review, or the commit named is not the one waiting; nothing was changed."""


@dataclass(frozen=True)
class Proposal:
    sha: str
    base: str  # the main commit it was proposed on
    changes: list[Change]


def proposal(home: Path) -> Proposal | None:
    """The proposal waiting for review, if any."""
    if not (home / ".git").exists():
        return None
    repo = git.Repo(home)
    if PROPOSED not in repo.heads:
        return None
    sha = repo.heads[PROPOSED].commit.hexsha
    base = repo.heads[MAIN].commit.hexsha if MAIN in repo.heads else None
    if sha == base:
        return None
    parent = repo.commit(sha).parents[0].hexsha if repo.commit(sha).parents else None
    return Proposal(sha, parent, handbook_changes(repo, parent, sha))


def propose(repo: git.Repo, sha: str, state_dir: Path, generated: dict[str, str]) -> None:
    """Move the night's new commit ``sha`` (on main) to the proposed branch; main goes back to its parent."""
    repo.git.branch("-f", PROPOSED, sha)
    repo.git.reset("--hard", f"{sha}~1")
    bases = state_dir / PROPOSED_BASES
    shutil.rmtree(bases, ignore_errors=True)
    if generated:
        bases.mkdir(parents=True)
        for name, text in generated.items():
            (bases / name).write_text(text, encoding="utf-8")


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
        if memory_home.is_dirty(repo):
            raise ReviewError(f"{home} has uncommitted edits; commit or discard them, then accept")
        try:
            repo.git.merge("--ff-only", PROPOSED)
        except git.GitCommandError:
            raise ReviewError("main moved since the proposal was made; run `nightshift consolidate` for a new one") from None
        repo.delete_head(PROPOSED, force=True)
        proposed_bases = settings.state_dir / PROPOSED_BASES
        if proposed_bases.is_dir():
            from nightshift.night.steps import GENERATED_BASES  # the night's steps import this module

            shutil.rmtree(settings.state_dir / GENERATED_BASES, ignore_errors=True)
            proposed_bases.rename(settings.state_dir / GENERATED_BASES)
    return found


@dataclass(frozen=True)
class Rejected:
    proposal: Proposal
    held_back: list[str]
    missing: list[str]


def reject(settings: Settings, wanted: str | None, now: datetime) -> Rejected:
    from nightshift.commands.history import commits

    home = settings.home
    with run_lock(settings.state_dir):
        found = _waiting(home, wanted)
        target = commits(home, 1, rev=found.sha)[0]
        with open_state(settings.state_dir) as db:
            held, missing = hold_back(db, target, f"rejected:{found.sha}", now)
        git.Repo(home).delete_head(PROPOSED, force=True)
        shutil.rmtree(settings.state_dir / PROPOSED_BASES, ignore_errors=True)
    return Rejected(found, held, missing)


def render(found: Proposal | None, short: dict[str, str]) -> list[str]:
    """``nightshift review`` as text: one line per change, with the short ids of its sessions."""
    if found is None:
        return ["nightshift: nothing is waiting for review"]
    lines = [f"proposal {found.sha[:10]} on main {found.base[:10] if found.base else '(empty)'}: "
             f"{len(found.changes)} changed line{'s' if len(found.changes) != 1 else ''}"]
    for c in found.changes:
        who = f"  [{', '.join(short.get(s, s[:8]) for s in c.sessions)}]" if c.sessions else ""
        if c.kind == "replaced":
            lines += [f"~ {c.file}: {c.old}", f"  -> {c.new}{who}"]
        else:
            lines.append(f"{'+' if c.kind == 'added' else '-'} {c.file}: {c.new or c.old}{who}")
    lines.append("accept with `nightshift accept`, or drop it and hold its memories back with `nightshift reject`")
    return lines
