"""Day-one bootstrap: the memories a user already has become raw memories (source format "import").

Each imported file is one raw memory, so it goes through selection, consolidation, rollback and
decay like a session. Its entries keep their provenance (``path:line`` in the task's evidence, the
file in ``source_path``) and are redacted like transcripts. Kinds:

* ``instructions``: ``CLAUDE.md`` / ``AGENTS.md`` (given, or found under given folders): one entry
  per bullet or paragraph, filed as preferences; global for the user-level files
  (``~/.claude/CLAUDE.md``, ``~/.codex/AGENTS.md``), otherwise scoped to the file's project.
* ``claude-memory``: Claude Code auto memory, ``~/.claude/projects/<project>/memory/*.md``: one
  entry per topic file (frontmatter ``type`` user/feedback -> preferences, else knowledge); the
  ``MEMORY.md`` index only for lines that do not link a topic file. Scoped to the project whose
  sessions sit beside the memory folder.
* ``hermes``: Hermes Agent ``MEMORY.md`` (knowledge) and ``USER.md`` (preferences), entries separated
  by a line holding only ``§``; global.

A re-import of an unchanged file writes nothing; a changed one replaces its memory.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson

from nightshift.phase2 import workspace
from nightshift.phase2.contract import STATE_DIR
from nightshift.memory import Decision, Outcome, RawMemory, Scope, StoredMemory, Task
from nightshift.ingest.redact import redact_obj
from nightshift.scope import GLOBAL, project_key
from nightshift.settings import Settings
from nightshift.store.state import open_state

INSTRUCTIONS, CLAUDE_MEMORY, HERMES = "instructions", "claude-memory", "hermes"
INSTRUCTION_NAMES = {"CLAUDE.md", "CLAUDE.local.md", "AGENTS.md"}
HERMES_DELIMITER = "§"
MAX_ENTRY_CHARS = 600
_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", STATE_DIR}
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_LINK = re.compile(r"\]\(([^)#]+)\)")


@dataclass(frozen=True)
class Entry:
    text: str
    line: int


@dataclass(frozen=True)
class Imported:
    path: Path
    kind: str
    outcome: str  # added | updated | unchanged | empty | removed
    entries: int


# --- finding files -------------------------------------------------------------------------------


def kind_of(path: Path) -> str | None:
    if path.parent.name == "memory" and path.parent.parent.parent.name == "projects" and path.suffix == ".md":
        return CLAUDE_MEMORY
    if path.name in INSTRUCTION_NAMES:
        return INSTRUCTIONS
    if path.name in ("MEMORY.md", "USER.md"):
        return HERMES
    return None


def find_instruction_files(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        found += [Path(root) / f for f in sorted(files) if f in INSTRUCTION_NAMES]
    return found


def claude_memory_files(projects: Path) -> list[Path]:
    return sorted(projects.glob("*/memory/*.md"))


def hermes_files(memories: Path) -> list[Path]:
    return [p for p in (memories / "MEMORY.md", memories / "USER.md") if p.is_file()]


def collect(paths: list[Path], *, claude_memory: bool, hermes: bool) -> tuple[list[tuple[Path, str]], list[Path]]:
    """(file, kind) for everything to import, once each; and the given paths that are neither a known
    file kind nor a folder."""
    found: list[tuple[Path, str]] = []
    unknown = []
    for path in paths:
        if path.is_dir():
            found += [(f, INSTRUCTIONS) for f in find_instruction_files(path)]
        elif path.is_file() and (kind := kind_of(path)):
            found.append((path, kind))
        else:
            unknown.append(path)
    if claude_memory:
        found += [(f, CLAUDE_MEMORY) for f in claude_memory_files(Path.home() / ".claude" / "projects")]
    if hermes:
        found += [(f, HERMES) for f in hermes_files(Path(os.environ.get("HERMES_HOME") or Path.home() / ".hermes") / "memories")]
    unique = {f.resolve(): (f.resolve(), kind) for f, kind in found}
    return list(unique.values()), unknown


# --- parsing -------------------------------------------------------------------------------------


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ENTRY_CHARS else text[: MAX_ENTRY_CHARS - 1] + "…"


def markdown_entries(text: str) -> list[Entry]:
    """Bullets and paragraphs become entries; headings, comments and ``@file`` imports do not; a
    fenced code block is one entry."""
    entries: list[Entry] = []
    current: list[str] = []
    start, fence = 0, False

    def flush() -> None:
        if current and (joined := _clip(" ".join(current))):
            entries.append(Entry(joined, start))
        current.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            fence = not fence
            start = number + 1
            continue
        if fence:
            if stripped:
                current.append(f"`{stripped}`")
            continue
        if not stripped or stripped.startswith(("#", "<!--")) or re.fullmatch(r"@\S+", stripped):
            flush()
            continue
        if bullet := _BULLET.match(line):
            flush()
            current.append(bullet[1])
            start = number
        else:
            if not current:
                start = number
            current.append(stripped)
    flush()
    return entries


def split_frontmatter(text: str) -> tuple[dict[str, str], str, int]:
    """Simple ``key: value`` frontmatter (nested keys flattened), the body, and the body's first line."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            meta = {}
            for line in lines[1:end]:
                key, sep, value = line.strip().partition(":")
                if sep and value.strip():
                    meta[key.strip()] = value.strip().strip("\"'")
            return meta, "\n".join(lines[end + 1 :]), end + 2
    return {}, text, 1


def hermes_entries(text: str) -> list[Entry]:
    entries: list[Entry] = []
    chunk: list[tuple[int, str]] = []
    for number, line in enumerate([*text.splitlines(), HERMES_DELIMITER], start=1):
        if line.strip() == HERMES_DELIMITER:
            if body := [s for _, s in chunk if s.strip()]:
                entries.append(Entry(_clip(" ".join(body)), next(n for n, s in chunk if s.strip())))
            chunk = []
        else:
            chunk.append((number, line))
    return entries


# --- one file -> one raw memory ------------------------------------------------------------------


def _claude_project(memory_dir: Path) -> tuple[str, str | None]:
    """The project key and cwd of a Claude Code memory folder, from the sessions beside it."""
    for session in sorted(memory_dir.parent.glob("*.jsonl")):
        with session.open("rb") as handle:
            for raw in handle:
                try:
                    cwd = orjson.loads(raw).get("cwd")
                except (orjson.JSONDecodeError, AttributeError):
                    continue
                if isinstance(cwd, str) and cwd:
                    return project_key(cwd), cwd
    return memory_dir.parent.name, None


def _is_user_level(path: Path) -> bool:
    home = Path.home()
    return path.parent in (home / ".claude", home / ".codex")


def _entries_and_target(path: Path, kind: str, text: str) -> tuple[list[Entry], str]:
    """The entries, and whether they are preferences or knowledge."""
    if kind == HERMES:
        return hermes_entries(text), "preferences" if path.name == "USER.md" else "knowledge"
    if kind == CLAUDE_MEMORY:
        meta, body, first = split_frontmatter(text)
        target = "preferences" if meta.get("type") in ("user", "feedback") else "knowledge"
        if path.name == "MEMORY.md":  # the index: keep only lines that do not point at a topic file
            siblings = {p.name for p in path.parent.glob("*.md")}
            return [e for e in markdown_entries(body) if not set(_LINK.findall(e.text)) & siblings], target
        lines = [line for line in body.splitlines() if line.strip()]
        text = _clip(" ".join(line.strip().lstrip("#").strip() for line in lines))
        start = first + next((i for i, line in enumerate(body.splitlines()) if line.strip()), 0)
        return ([Entry(text, start)] if text else []), target
    return markdown_entries(text), "preferences"


def to_memory(path: Path, kind: str) -> tuple[RawMemory | None, str, int]:
    """The file as a raw memory (None when it has no entries), its project key, and its entry count."""
    entries, target = _entries_and_target(path, kind, path.read_text(encoding="utf-8", errors="replace"))
    if kind == HERMES or (kind == INSTRUCTIONS and _is_user_level(path)):
        scope, key, cwd = Scope.GLOBAL, GLOBAL, None
    elif kind == CLAUDE_MEMORY:
        scope, (key, cwd) = Scope.PROJECT, _claude_project(path.parent)
    else:
        scope, cwd = Scope.PROJECT, str(path.parent)
        key = project_key(cwd)
    if not entries:
        return None, key, 0
    texts = [e.text for e in entries]
    task = Task(
        title=f"Imported {kind} file {path.name}", outcome=Outcome.SUCCESS, scope=scope, cwd=cwd,
        keywords=["import", kind], preferences=texts if target == "preferences" else [],
        knowledge=texts if target == "knowledge" else [], failures=[], evidence=[f"{path}:{e.line}" for e in entries],
    )
    slug = re.sub(r"[^a-z0-9]+", "-", f"import {kind} {path.parent.name} {path.stem}".lower()).strip("-")[:60].strip("-")
    memory = RawMemory(decision=Decision.REMEMBER, rollout_summary=f"{len(entries)} entries imported from {path}", slug=slug, tasks=[task])
    return RawMemory.model_validate(redact_obj(memory.model_dump(mode="json"))), key, len(entries)


def rollout_id_for(path: Path) -> str:
    """Stable per file, shaped like a session id so citations by id prefix stay unambiguous."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"nightshift-import:{path.resolve()}"))


def import_files(settings: Settings, files: list[tuple[Path, str]], now: datetime) -> list[Imported]:
    """Store each file's raw memory; the caller holds the run lock."""
    report = []
    with open_state(settings.state_dir) as db:
        for path, kind in files:
            memory, key, count = to_memory(path, kind)
            rollout_id = rollout_id_for(path)
            stored_json = db.memory_body_json(rollout_id)
            if memory is None:
                outcome = "removed" if stored_json and db.delete_memory(rollout_id) else "empty"
            elif stored_json == memory.model_dump_json():
                outcome = "unchanged"
            else:
                stored = StoredMemory(rollout_id, str(path), "import", key, memory, now)
                db.store_memory(stored, workspace.render_raw_memory_md(stored), now)
                outcome = "updated" if stored_json else "added"
            report.append(Imported(path, kind, outcome, count))
    return report
