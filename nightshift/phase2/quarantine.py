"""Quarantine: text the injection scanner flags is kept out of the memory home, never silently dropped.

Three gates, one table (``quarantine``, migration 003), shown by ``nightshift status``:

* a raw memory is scanned before it is stored (``pipeline.record_extractions``); a hit is recorded here
  instead of in ``raw_memories``;
* the selection is screened again before phase 2 writes its inputs (memories stored before this gate
  existed, or imported), so a poisoned memory never reaches ``raw_memories.md`` or the handbook;
* lines the builtin consolidation would add to ``MEMORY.md`` / ``memory_summary.md`` are scanned before
  the commit; a hit fails the run with nothing committed (``PoisonedHandbook``).

The read path withholds flagged lines of an existing summary with a visible note (``nightshift.commands.summary``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from nightshift.memory import RawMemory, StoredMemory
from nightshift.ingest.scanner import find_injections
from nightshift.phase2.contract import HANDBOOK_FILES
from nightshift.store.state import State


class PoisonedHandbook(RuntimeError):
    """The consolidation would have committed flagged lines; they are quarantined and nothing is committed."""


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def memory_text(memory: RawMemory) -> str:
    """Every string of the memory, one per line: what phase 2 and the handbook could repeat."""
    return "\n".join(_strings(memory.model_dump(mode="json")))


def scan_memory(memory: RawMemory) -> list[str]:
    return find_injections(memory_text(memory))


def screen(db: State, selection: list[StoredMemory], run_id: str, now: datetime) -> list[StoredMemory]:
    """The memories phase 2 may read: flagged ones are recorded and left out."""
    clean = []
    for m in selection:
        if reasons := scan_memory(m.memory):
            db.record_quarantine(source="raw_memory", reasons=reasons, content=memory_text(m.memory), now=now,
                   rollout_id=m.rollout_id, source_path=m.source_path, run_id=run_id)
        else:
            clean.append(m)
    return clean


def flagged_lines(text: str) -> list[tuple[int, str, list[str]]]:
    """(line number, line, reasons) of every line the scanner flags."""
    return [(n, line, reasons) for n, line in enumerate(text.split("\n"), 1) if (reasons := find_injections(line))]


def guard_handbook(db: State, home: Path, committed: dict[str, str | None], run_id: str, now: datetime) -> None:
    """Raise ``PoisonedHandbook`` if a handbook file gained flagged lines over its committed version.

    Lines already committed (a user's hand edit) are the user's; the read path withholds them.
    """
    found = []
    for name in HANDBOOK_FILES:
        path = home / name
        if not path.is_file():
            continue
        before = set((committed.get(name) or "").split("\n"))
        for number, line, reasons in flagged_lines(path.read_text(encoding="utf-8")):
            if line not in before:
                db.record_quarantine(source="handbook", reasons=reasons, content=line, now=now, source_path=name, run_id=run_id)
                found.append(f"{name}:{number}: {reasons[0]}")
    if found:
        raise PoisonedHandbook("the consolidation added flagged lines, quarantined and not committed: " + "; ".join(found))


def flagged_in_home(home: Path) -> list[dict]:
    """Flagged lines of the handbook files as they are now (a hand edit can add them too)."""
    return [{"file": name, "line": number, "reasons": "; ".join(reasons)}
            for name in HANDBOOK_FILES if (home / name).is_file()
            for number, _line, reasons in flagged_lines((home / name).read_text(encoding="utf-8", errors="replace"))]

