"""The generated inputs of the memory home: ``rollout_summaries/*.md`` and ``raw_memories.md``.

Both are regenerated from the phase 2 selection before every consolidation. For an unchanged
selection they come out byte-identical (fixed order, no "generated at" time, no usage counts, which
change with every citation), so git sees no change and the night ends without a model call or a
commit. Everything else in the home belongs to the consolidator or to the user and is not touched.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from nightshift.clock import parse_stamp, stamp, utc
from nightshift.files import write_atomic
from nightshift.phase2.contract import RAW_MEMORIES, ROLLOUT_SUMMARIES
from nightshift.memory import Decision, RawMemory, StoredMemory, Task

_UNSAFE = re.compile(r"[^a-z0-9-]+")


def one_line(text: str) -> str:
    """Memory text is data: flattened to one line so it can never open a heading or a new entry."""
    return " ".join(text.split())


def remembered(selection: list[StoredMemory]) -> list[StoredMemory]:
    """The memories worth writing down (no-ops carry nothing), newest first, ties by rollout id."""
    kept = sorted((m for m in selection if m.memory.decision is Decision.REMEMBER), key=lambda m: m.rollout_id)
    return sorted(kept, key=lambda m: utc(m.source_updated_at), reverse=True)


def rollout_summary_filename(m: StoredMemory) -> str:
    """``<day>-<slug>-<id prefix>.md``: readable, stable while the rollout stays the same."""
    day = utc(m.source_updated_at).strftime("%Y-%m-%d")
    slug = _UNSAFE.sub("-", m.memory.slug.lower()).strip("-")[:60] or "session"
    short_id = _UNSAFE.sub("", m.rollout_id.lower())[:8] or "noid"
    return f"{day}-{slug}-{short_id}.md"


def rollout_summary_names(selection: list[StoredMemory]) -> dict[str, str]:
    """File name per rollout id. UUIDv7 ids share their first 8 characters for about a minute, so
    two same-day sessions with the same slug can clash; both then get a hash of their full id."""
    names = {m.rollout_id: rollout_summary_filename(m) for m in remembered(selection)}
    clashes = Counter(names.values())
    return {
        rollout_id: name if clashes[name] == 1 else f"{name[:-3]}-{hashlib.sha256(rollout_id.encode()).hexdigest()[:8]}.md"
        for rollout_id, name in names.items()
    }


def sync_workspace(home: Path, selection: list[StoredMemory]) -> None:
    memories = remembered(selection)
    names = rollout_summary_names(memories)
    folder = home / ROLLOUT_SUMMARIES
    folder.mkdir(parents=True, exist_ok=True)
    for m in memories:
        write_atomic(folder / names[m.rollout_id], _rollout_summary_md(m))
    wanted = set(names.values())
    for entry in folder.iterdir():
        # also sweeps temp files a killed run left behind
        if entry.name not in wanted and not entry.is_dir():
            entry.unlink()
    write_atomic(home / RAW_MEMORIES, _raw_memories_md(memories, names))


def _bullets(items: list[str], prefix: str = "- ") -> list[str]:
    return [f"{prefix}{one_line(item)}" for item in items if item.strip()]


def _failure_lines(task: Task, prefix: str = "- ") -> list[str]:
    return [f"{prefix}{one_line(f.symptom)} -> {one_line(f.fix) or '(no fix found yet)'}" for f in task.failures]


def _keywords(task: Task) -> str:
    return ", ".join(one_line(k) for k in task.keywords if k.strip()) or "(none)"


def _rollout_summary_md(m: StoredMemory) -> str:
    lines = [
        f"# {m.memory.slug or 'session'}",
        "",
        f"- rollout_id: {m.rollout_id}",
        f"- source_path: {m.source_path}",
        f"- source_format: {m.source_format}",
        f"- project: {m.project_key}",
        f"- updated: {stamp(m.source_updated_at)}",
        "",
        "## Summary",
        "",
        one_line(m.memory.rollout_summary) or "(no summary)",
    ]
    for number, task in enumerate(m.memory.tasks, start=1):
        lines += [
            "",
            f"## Task {number}: {one_line(task.title)}",
            "",
            f"- outcome: {task.outcome.value}",
            f"- scope: {task.scope.value}",
            *([f"- cwd: {one_line(task.cwd)}"] if task.cwd else []),
            f"- keywords: {_keywords(task)}",
        ]
        for heading, entries in (
            ("Preferences", _bullets(task.preferences)),
            ("Knowledge", _bullets(task.knowledge)),
            ("Failures", _failure_lines(task)),
            ("Evidence", _bullets(task.evidence)),
        ):
            lines += ["", f"### {heading}", *(entries or ["- (none)"])]
    return "\n".join(lines) + "\n"


def parse_rollout_summary_md(text: str) -> StoredMemory:
    """A rollout summary file read back (``nightshift repair``): the memory as far as the file keeps it.
    Every entry was flattened to one line when written, so a line that opens a section is one."""
    fields: dict[str, str] = {}
    summary: list[str] = []
    tasks: list[dict] = []
    slug, section = "", None
    for line in text.splitlines():
        if line.startswith("# ") and not slug:
            slug = line[2:].strip()
        elif line.startswith("## Task "):
            tasks.append({"title": line.split(": ", 1)[1], "cwd": None, "keywords": [], "preferences": [], "knowledge": [],
                          "failures": [], "evidence": []})
            section = "task"
        elif line.startswith("## Summary"):
            section = "summary"
        elif line.startswith("### "):
            section = line[4:].strip().lower()
        elif not line.startswith("- ") or line == "- (none)":
            if section == "summary" and line.strip() and line != "(no summary)":
                summary.append(line)
        elif not tasks:
            key, _, value = line[2:].partition(": ")
            fields[key] = value
        elif section == "task":
            key, _, value = line[2:].partition(": ")
            task = tasks[-1]
            task[key] = [k for k in value.split(", ") if k != "(none)"] if key == "keywords" else value
        elif section == "failures":
            symptom, _, fix = line[2:].rpartition(" -> ")
            tasks[-1]["failures"].append({"symptom": symptom, "fix": "" if fix == "(no fix found yet)" else fix})
        elif section in ("preferences", "knowledge", "evidence"):
            tasks[-1][section].append(line[2:])
    memory = RawMemory.model_validate({"decision": "remember", "rollout_summary": " ".join(summary),
                                       "slug": "" if slug == "session" else slug, "tasks": tasks})
    updated = parse_stamp(fields["updated"])
    return StoredMemory(fields["rollout_id"], fields["source_path"], fields["source_format"], fields["project"], memory, updated)


def render_raw_memory_md(m: StoredMemory, summary_name: str | None = None) -> str:
    """One memory's block of raw_memories.md (also stored with the memory, for inspection).
    ``summary_name`` is the rollout summary's file name when a name clash changed it."""
    scopes = sorted({task.scope.value for task in m.memory.tasks})
    lines = [
        f"## Rollout {m.rollout_id}",
        "",
        f"- project: {m.project_key}",
        f"- scope: {', '.join(scopes) or '(none)'}",
        f"- updated: {stamp(m.source_updated_at)}",
        f"- rollout_summary: {ROLLOUT_SUMMARIES}/{summary_name or rollout_summary_filename(m)}",
    ]
    for task in m.memory.tasks:
        lines += [
            "",
            f"### Task: {one_line(task.title)}",
            f"- outcome: {task.outcome.value}",
            f"- scope: {task.scope.value}",
            f"- keywords: {_keywords(task)}",
            *_bullets(task.preferences, "- preference: "),
            *_bullets(task.knowledge, "- knowledge: "),
            *_failure_lines(task, "- failure: "),
        ]
    return "\n".join(lines) + "\n"


def _raw_memories_md(memories: list[StoredMemory], names: dict[str, str]) -> str:
    header = (
        "# Raw memories\n\n"
        "Generated by nightshift from the selected sessions, newest first. Read-only input: edit MEMORY.md instead.\n"
    )
    blocks = [render_raw_memory_md(m, names[m.rollout_id]) for m in memories] or ["No memories are selected yet.\n"]
    return "\n".join([header, *blocks])
