"""``nightshift scope ID global|project``: move a memory between its project and every project.

The memory's tasks change scope in the database; the next consolidation moves its lines to the global
group (or back to the project's), in a commit like any other.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from nightshift.errors import UserError
from nightshift.memory import Scope
from nightshift.phase2 import workspace
from nightshift.scope import GLOBAL
from nightshift.store.state import State


def rescope(db: State, target: str, scope: str, now: datetime) -> dict:
    if scope not in (Scope.GLOBAL.value, Scope.PROJECT.value):
        raise UserError(f"scope must be global or project, not {scope!r}")
    found = db.find_memories(target)
    if not found:
        raise UserError(f"no memory matches {target!r}; `nightshift usage` lists them", exit_code=1)
    if len(found) > 1:
        raise UserError(f"{target!r} names {len(found)} memories ({', '.join(m['rollout_id'][:10] for m in found)}); give one id")
    m = db.stored_memory(found[0]["rollout_id"])
    if scope == Scope.PROJECT.value and m.project_key == GLOBAL:
        raise UserError(f"memory {m.rollout_id[:10]} was never tied to a project; it can only be global")
    tasks = [t.model_copy(update={"scope": Scope(scope)}) for t in m.memory.tasks]
    moved = replace(m, memory=m.memory.model_copy(update={"tasks": tasks}))
    db.rewrite_memory(moved, workspace.render_raw_memory_md(moved), now)
    return {"rollout_id": m.rollout_id, "slug": m.memory.slug, "project_key": m.project_key, "scope": scope}
