"""Undo a night: revert its consolidation commit and hold back the memories it consumed.

A plain ``git revert`` does not last. The next run regenerates ``raw_memories.md`` and
``rollout_summaries/`` from the selection, and a consolidator shown the same memories writes them
again. So the raw memories named by the commit's ``Nightshift-Rollout`` trailers are marked
(table ``rollbacks``) and left out of the selection until a re-extraction from a changed transcript
writes a new version of them. The builtin consolidator three-way merges its output with hand edits
against the merge bases in ``.nightshift/generated/``; those are reset to what it generates without
the held-back memories, so the reverted text is the new baseline. Left at what the reverted night
generated, the merge would read the revert as a hand edit, and generated lines it restored (counts,
dates) would stick as if a user had written them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import git

from nightshift.commands.history import Commit, commits
from nightshift.files import write_atomic
from nightshift.lock import run_lock
from nightshift.phase2 import handbook
from nightshift.phase2 import home as memory_home
from nightshift.phase2.contract import HANDBOOK_FILES, MEMORY_MD, SUMMARY_MD
from nightshift.phase2.retention import forgotten
from nightshift.settings import Settings
from nightshift.store.state import State, open_state
from nightshift.store.usage import Policy


class RollbackError(RuntimeError):
    """The rollback cannot be done as asked; nothing was changed."""


@dataclass(frozen=True)
class Rollback:
    reverted: Commit
    revert_sha: str
    held_back: list[str]  # rollout ids whose memories are now held back
    missing: list[str]  # trailer ids with no raw memory left (forgotten or re-extracted as a no-op)


def _target(history: list[Commit], wanted: str | None, repo: git.Repo) -> Commit:
    undone = {c.reverts for c in history if c.reverts}
    if wanted is None:
        for c in history:
            if c.run_id and c.sha not in undone:
                return c
        raise RollbackError("no nightshift consolidation left to roll back")
    try:
        sha = repo.commit(wanted).hexsha
    except (git.BadName, ValueError):
        raise RollbackError(f"no commit {wanted!r} in the memory home") from None
    commit = next((c for c in history if c.sha == sha), None)
    if commit is None or not commit.run_id:
        raise RollbackError(f"{sha[:10]} is not a nightshift consolidation; use `git revert` for other commits")
    if sha in undone:
        raise RollbackError(f"{sha[:10]} was already rolled back")
    return commit


def _revert(repo: git.Repo, target: Commit, forgotten: list[str]) -> str:
    try:
        repo.git.revert("--no-commit", target.sha)
    except git.GitCommandError:
        repo.git.revert("--abort")
        raise RollbackError(f"reverting {target.sha[:10]} conflicts with later commits; roll those back first") from None
    _keep_forgotten_out(repo, forgotten)
    if not repo.is_dirty():
        repo.git.revert("--quit")
        raise RollbackError(f"later commits already undid {target.sha[:10]}; nothing to revert")
    message = (
        f"Roll back nightshift run {target.run_id}\n\n"
        f"This reverts commit {target.sha}.\n"
        "Its raw memories are held back from consolidation until their transcripts change.\n\n"
        f"Nightshift-Rollback: {target.sha}\n"
    )
    # The git CLI (not GitPython's index.commit) so git's own revert state is cleared too.
    repo.git.commit("--no-verify", "-m", message)
    return repo.head.commit.hexsha


def _keep_forgotten_out(repo: git.Repo, forgotten: list[str]) -> None:
    """A line the user asked to forget stays forgotten: reverting the night that dropped it would restore it
    as a line no memory supports. Only lines the revert brings back are dropped."""
    if not forgotten:
        return
    for name in HANDBOOK_FILES:
        path = Path(repo.working_tree_dir) / name
        if not path.is_file():
            continue
        before = set(repo.git.show(f"HEAD:{name}").splitlines()) if name in repo.head.commit.tree else set()
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [x for x in lines if x.rstrip("\n") in before or not any(f in x for f in forgotten)]
        if kept != lines:
            write_atomic(path, "".join(kept))
            repo.git.add(name)


def hold_back(db: State, target: Commit, revert_sha: str, now: datetime) -> tuple[list[str], list[str]]:
    """Hold back the raw memories ``target``'s trailers name (also ``nightshift reject``); returns (held, missing)."""
    held = [rollout_id for rollout_id in target.rollouts if db.hold_back(rollout_id, target.sha, revert_sha, now)]
    return held, [r for r in target.rollouts if r not in held]


def rollback(settings: Settings, wanted: str | None, now: datetime) -> Rollback:
    """Revert ``wanted`` (default: the newest consolidation not yet rolled back) as a new commit."""
    if not (settings.home / ".git").is_dir() or not memory_home.has_commits(repo := git.Repo(settings.home)):
        raise RollbackError(f"{settings.home} has no commits yet")
    with run_lock(settings.state_dir):
        if memory_home.is_dirty(repo):
            raise RollbackError(f"{settings.home} has uncommitted edits; commit or discard them first")
        target = _target(commits(settings.home), wanted, repo)
        revert_sha = _revert(repo, target, forgotten(settings.state_dir))
        with open_state(settings.state_dir) as db:
            held, missing = hold_back(db, target, revert_sha, now)
            _reset_merge_bases(settings, db, now)
    return Rollback(target, revert_sha, held, missing)


def _reset_merge_bases(settings: Settings, db: State, now: datetime) -> None:
    from nightshift.night.steps import GENERATED_BASES  # the night's modules load only when a rollback needs them

    bases = settings.state_dir / GENERATED_BASES
    if not bases.is_dir():  # no builtin run yet: nothing merges against bases
        return
    selection = db.select_memories(Policy.of(settings), now)
    write_atomic(bases / MEMORY_MD, handbook.render_memory_md(selection))
    write_atomic(bases / SUMMARY_MD, handbook.render_summary_md(selection, settings.summary_token_cap))
