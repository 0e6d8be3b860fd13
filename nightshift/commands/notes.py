"""Notes: "remember this", said by the user inside a session (the MCP tool ``memory_note``).

A note becomes a raw memory of source format ``note``, so it goes through everything a session's
memory goes through: redaction before it is stored, the injection scan (a flagged note is
quarantined, never stored), selection, consolidation, rollback and decay. It is never written into
the handbook directly: the next consolidation folds it in, in a commit the user can read and revert.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nightshift.phase2 import quarantine
from nightshift.errors import UserError
from nightshift.ingest.redact import redact_obj
from nightshift.memory import Decision, Outcome, RawMemory, Scope, StoredMemory, Task
from nightshift.phase2 import workspace
from nightshift.scope import GLOBAL, opted_out, project_key
from nightshift.store.state import State

NOTE = "note"
MAX_NOTE_CHARS = 600  # one preference or fact, as an import entry


class NoteRefused(UserError):
    """The note is empty, too long, or was quarantined."""


@dataclass(frozen=True)
class Note:
    rollout_id: str
    project_key: str
    scope: str
    text: str  # as stored: redacted


def store_note(db: State, text: str, scope: str, cwd: Path | None, session: str | None, now: datetime,
               exclude_projects: list[str] = ()) -> Note:
    text = " ".join(text.split())
    if not text:
        raise NoteRefused("the note is empty")
    if len(text) > MAX_NOTE_CHARS:
        raise NoteRefused(f"a note holds one preference or fact, at most {MAX_NOTE_CHARS} characters")
    if scope not in (Scope.PROJECT.value, Scope.GLOBAL.value):
        raise NoteRefused(f"scope must be project or global, not {scope!r}")
    if scope == Scope.PROJECT.value and cwd is None:
        raise NoteRefused("a project note needs cwd, the directory of the project")
    key = project_key(str(cwd.resolve())) if cwd else GLOBAL
    if scope == Scope.PROJECT.value and (why := opted_out(str(cwd.resolve()), key, list(exclude_projects))):
        raise NoteRefused(f"this project is kept out of memory by your choice ({why})")
    task = Task(title="Noted during a session", outcome=Outcome.SUCCESS, scope=Scope(scope), cwd=str(cwd) if cwd else None,
                keywords=[NOTE], preferences=[text], knowledge=[], failures=[],
                evidence=[f"memory_note in session {session}" if session else "memory_note"])
    memory = RawMemory(decision=Decision.REMEMBER, rollout_summary="A note the user asked to remember.", slug="note", tasks=[task])
    memory = RawMemory.model_validate(redact_obj(memory.model_dump(mode="json")))
    rollout_id = str(uuid.uuid4())
    if reasons := quarantine.scan_memory(memory):
        db.record_quarantine(source="raw_memory", reasons=reasons, content=quarantine.memory_text(memory), now=now,
                             rollout_id=rollout_id, source_path=f"{NOTE}:{session or '-'}")
        raise NoteRefused(f"the note was quarantined, not stored ({reasons[0]}); `nightshift status` lists it")
    stored = StoredMemory(rollout_id, f"{NOTE}:{session or '-'}", NOTE, key, memory, now)
    db.store_memory(stored, workspace.render_raw_memory_md(stored), now)
    return Note(rollout_id, key, scope, memory.tasks[0].preferences[0])
