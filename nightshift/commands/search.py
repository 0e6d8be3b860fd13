"""``nightshift search`` and the MCP tool ``memory_search``: a ranked match over the memory home's lines.

The home holds a few hundred lines at most, so a plain scan ranked by how many query words a line
contains is enough (no index, no vector store). Lines of the current project come first, then global
lines; other projects' lines are left out, as in the read path. Each hit says where it is (file and
line, so an agent can read around it), how old it is and which memory it came from, so it can be
cited. Only the accepted handbook is read: the working tree, which is always the main branch.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from nightshift.commands import summary as read_path
from nightshift.ingest.scanner import find_injections
from nightshift.phase2.contract import GROUP_PREFIX, MEMORY_MD, NONE_YET, ROLLOUT_SUMMARIES, SUMMARY_MD, SUMMARY_VERSION
from nightshift.scope import GLOBAL, project_key
from nightshift.settings import Settings

_SUB_HEADING = re.compile(r"### (global|project: (.+))$")
_INDEX_TAG = re.compile(r"- \[(global|project: ([^\]]+))\] ")
_FIELD = re.compile(r"- (rollout_id|project|updated|scope): (.+)$")
_NOT_ENTRIES = (NONE_YET, "- (none)", SUMMARY_VERSION, "")
_METADATA = re.compile(r"- (outcome|rollout_summary|keywords|source_path|source_format|cwd): ")  # bookkeeping, not memory


@dataclass(frozen=True)
class Hit:
    file: str  # relative to the home
    line: int  # 1-based
    text: str
    scope: str  # "global" or the project key
    age_days: int | None
    id: str | None  # the short id to cite, when one memory stands behind the line
    score: float

    def as_dict(self) -> dict:
        return asdict(self)


def search(settings: Settings, query: str, cwd: Path | None, now: datetime, limit: int = 10) -> list[Hit]:
    words = [w for w in query.casefold().split() if w]
    if not words:
        return []
    home = settings.home.resolve()
    cwd = cwd.resolve() if cwd else None
    key = project_key(str(cwd)) if cwd else None
    index = read_path.memory_index(settings, now)
    hits = []
    for rel, number, text, scope, stamp, rid in _lines(home):
        mine = key is not None and read_path.same_project(scope, key, cwd)
        if (key is not None and scope != GLOBAL and not mine) or _METADATA.match(text):
            continue
        body = text.casefold()
        matched = sum(w in body for w in words)
        if not matched or find_injections(text):  # a flagged line never reaches an agent
            continue
        score = matched / len(words) + (0.5 if query.casefold().strip() in body else 0)
        entry = text.removeprefix("- ")
        known = index.get(read_path.entry_key(entry)) or index.get(read_path.entry_key(entry.split(" -> ", 1)[0]))  # a failure: its symptom
        if rid is None and known:
            stamp, rid = known
        age = max(0, (now - stamp).days) if stamp else None
        hits.append(Hit(rel, number, text, scope, age, rid, round(score, 3)))
    hits.sort(key=lambda h: (key is not None and h.scope == GLOBAL, -h.score))  # stable: file order breaks ties
    return hits[:limit]


def _lines(home: Path):
    """(file, line number, text, scope, learnt at, short id) for every line worth finding."""
    for name, reader in ((MEMORY_MD, _handbook_scopes), (SUMMARY_MD, _summary_scopes)):
        path = home / name
        if path.is_file():
            for number, text, scope in reader(path.read_text(encoding="utf-8", errors="replace").splitlines()):
                yield name, number, text, scope, None, None
    folder = home / ROLLOUT_SUMMARIES
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        yield from _rollout_summary(path, f"{ROLLOUT_SUMMARIES}/{path.name}")


def _handbook_scopes(lines: list[str]):
    scope = GLOBAL
    for number, line in enumerate(lines, start=1):
        if line.startswith(GROUP_PREFIX):
            scope = GLOBAL
        elif line.startswith("applies_to: "):
            target = line.removeprefix("applies_to: ").strip()
            scope = GLOBAL if target == "all projects" else target
        elif line.strip() not in _NOT_ENTRIES and not line.startswith(("# ", "scope: ")):
            yield number, line, scope


def _summary_scopes(lines: list[str]):
    scope = GLOBAL
    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            scope = GLOBAL
        elif sub := _SUB_HEADING.match(line.strip()):
            scope = sub[2] or GLOBAL
        elif line.strip() not in _NOT_ENTRIES:
            tag = _INDEX_TAG.match(line)
            yield number, line, (tag[2] or GLOBAL) if tag else scope


def _rollout_summary(path: Path, rel: str):
    """A session's file: its header names the memory, project and time; a task's ``- scope:`` line
    says whether the lines after it are global."""
    rid, project, stamp, scope = None, GLOBAL, None, GLOBAL
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if found := _FIELD.match(line):
            name, value = found[1], found[2].strip()
            if name == "rollout_id":
                rid = value
            elif name == "project":
                project = scope = value
            elif name == "updated":
                stamp = _parse_time(value)
            else:
                scope = GLOBAL if value == "global" else project
        elif line.strip() not in _NOT_ENTRIES and not line.startswith("#"):
            yield rel, number, line, scope, stamp, rid


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
