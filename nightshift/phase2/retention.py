"""Pruning and forgetting: memories that get used stay, the rest fade, and what a user forgets goes.

Which raw memories phase 2 sees (score, freshness, hold-back, the limit) is decided in SQL, in
``nightshift.store.usage``; this module adds what the store cannot know:

* **pruning** never deletes a memory whose rollout summary is in the memory home's HEAD commit. Those
  files name every memory the committed handbook was built from, where the commit's
  ``Nightshift-Rollout`` trailers only name the memories that changed in that run; keeping them means
  the last commit can always be explained from state.
* **forgetting** (``nightshift forget``) deletes whole memories or single lines of them, and remembers
  the lines in the state dir so that a rollback does not bring them back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import git

from nightshift.files import write_atomic
from nightshift.memory import StoredMemory
from nightshift.phase2.contract import ROLLOUT_SUMMARIES
from nightshift.phase2.workspace import render_raw_memory_md
from nightshift.settings import Settings
from nightshift.store.state import State
from nightshift.store.usage import Policy

_ROLLOUT_ID_LINE = re.compile(r"^- rollout_id: (\S+)\s*$", re.M)  # as nightshift.phase2.workspace writes it


# --- deletion ------------------------------------------------------------------------------------


def rollouts_in_head(home: Path) -> set[str]:
    """Rollout ids whose summary file is in the memory home's HEAD commit."""
    if not (home / ".git").exists():
        return set()
    repo = git.Repo(home)
    if not repo.head.is_valid():
        return set()
    try:
        folder = repo.head.commit.tree / ROLLOUT_SUMMARIES
    except KeyError:
        return set()
    if folder.type != "tree":  # a link committed in its place (by a hand edit) names no summaries
        return set()
    found: set[str] = set()
    for blob in folder.blobs:
        found.update(_ROLLOUT_ID_LINE.findall(blob.data_stream.read().decode("utf-8", "replace")))
    return found


def prune(db: State, s: Settings, now: datetime, keep: Sequence[str] = ()) -> int:
    """Hard-delete one batch of memories past retention (``nightshift.store.usage``), never one in the
    HEAD commit (see the module docstring) or in ``keep`` (what the calling run just extracted). Returns the count."""
    return db.prune_unselected(Policy.of(s), now, keep=rollouts_in_head(s.home) | set(keep))


def forget(db: State, rollout_ids: Sequence[str], state_dir: Path | None = None) -> int:
    """Delete these memories now; the next consolidation drops them from the handbook. The
    transcript's watermark is kept, so an unchanged transcript is not extracted again. With
    ``state_dir``, their lines are remembered as forgotten (see ``forget_lines``)."""
    if not rollout_ids:
        return 0
    if state_dir is not None:
        remember_forgotten(state_dir, memory_lines([m for m in db.all_memories() if m.rollout_id in set(rollout_ids)]))
    return db.delete_memories(rollout_ids)


FORGOTTEN = "forgotten.json"  # in the state dir: every line a user asked to forget, for rollback


def forget_lines(db: State, state_dir: Path, text: str, now: datetime, *, dry_run: bool = False) -> list[dict]:
    """Remove each preference or fact containing ``text`` (ignoring case) from the raw memories that say it;
    the rest of each memory stays. The next consolidation drops the lines from the handbook."""
    needle, found = text.casefold(), []
    for m in db.all_memories():
        tasks = []
        for t in m.memory.tasks:
            kept = {kind: [x for x in getattr(t, kind) if needle not in x.casefold()] for kind in ("preferences", "knowledge")}
            found += [{"rollout_id": m.rollout_id, "slug": m.memory.slug, "project_key": m.project_key, "line": x}
                      for kind in kept for x in getattr(t, kind) if x not in kept[kind]]
            tasks.append(t.model_copy(update=kept))
        if not dry_run and tasks != list(m.memory.tasks):
            smaller = replace(m, memory=m.memory.model_copy(update={"tasks": tasks}))
            db.store_memory(smaller, render_raw_memory_md(smaller), now)
    if found and not dry_run:
        remember_forgotten(state_dir, [f["line"] for f in found])
    return found


def remember_forgotten(state_dir: Path, lines: list[str]) -> None:
    """Kept so that rolling back the night that dropped these lines does not restore them."""
    path = state_dir / FORGOTTEN
    known = forgotten(state_dir)
    write_atomic(path, json.dumps(known + [line for line in dict.fromkeys(lines) if line not in known], indent=1))


def forgotten(state_dir: Path) -> list[str]:
    path = state_dir / FORGOTTEN
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


def memory_lines(memories: Sequence[StoredMemory]) -> list[str]:
    """The preferences and facts of these memories: what forgetting a whole session forgets."""
    return [x for m in memories for t in m.memory.tasks for x in (*t.preferences, *t.knowledge)]
