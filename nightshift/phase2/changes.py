"""What a consolidation changed in the handbook, line by line, with the sessions behind each line.

One function serves ``nightshift review`` (main against the proposed commit) and the run report
(a commit against its parent). Only the lines that carry memory count: the three knowledge sections
of ``MEMORY.md`` and the Preferences and General tips of ``memory_summary.md``; headings, counts and
the index move with them and would only hide what was learnt. A line's sessions are the memories
whose rollout summary (``rollout_summaries/``, committed beside the handbook) says the same thing:
in the new commit for added and replaced lines, in the old one for removed lines.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass

import git

from nightshift.phase2.contract import KNOWLEDGE_SECTIONS, MEMORY_MD, NONE_YET, ROLLOUT_SUMMARIES, SCOPED_SECTIONS, SUMMARY_MD

ADDED, REPLACED, REMOVED = "added", "replaced", "removed"
_ENTRY_SECTIONS = {MEMORY_MD: KNOWLEDGE_SECTIONS, SUMMARY_MD: SCOPED_SECTIONS}
_ROLLOUT_ID = re.compile(r"^- rollout_id: (\S+)\s*$", re.M)


@dataclass(frozen=True)
class Change:
    kind: str  # added | replaced | removed
    file: str
    old: str | None  # the line before (replaced, removed)
    new: str | None  # the line after (added, replaced)
    sessions: tuple[str, ...]  # rollout ids of the memories that say the line

    def as_dict(self) -> dict:
        return asdict(self) | {"sessions": list(self.sessions)}


def handbook_changes(repo: git.Repo, old: str | None, new: str) -> list[Change]:
    """Entry lines added, replaced and removed from commit ``old`` (None: an empty home) to ``new``."""
    before, after = (repo.commit(old) if old else None), repo.commit(new)
    said_before, said_after = _sayers(before), _sayers(after)
    changes: list[Change] = []
    for name in (MEMORY_MD, SUMMARY_MD):
        a, b = _entries(before, name), _entries(after, name)
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                continue
            olds, news = a[i1:i2], b[j1:j2]
            for k in range(max(len(olds), len(news))):
                o, n = (olds[k] if k < len(olds) else None), (news[k] if k < len(news) else None)
                kind = REPLACED if o and n else ADDED if n else REMOVED
                sessions = _who(said_after, n) if n else _who(said_before, o)
                changes.append(Change(kind, name, o, n, sessions))
    return changes


def _blob(commit: git.Commit | None, path: str) -> str:
    if commit is None:
        return ""
    try:
        return (commit.tree / path).data_stream.read().decode("utf-8", "replace")
    except KeyError:
        return ""


def _entries(commit: git.Commit | None, name: str) -> list[str]:
    """The file's bullets inside the sections that hold memory."""
    wanted, inside, found = _ENTRY_SECTIONS[name], False, []
    for line in _blob(commit, name).splitlines():
        if line.startswith("#"):
            inside = line.strip() in wanted or (inside and line.startswith("### ") and name == SUMMARY_MD)
        elif inside and line.startswith("- ") and line.strip() != NONE_YET:
            found.append(line.rstrip())
    return found


def _keys(line: str) -> list[str]:
    """The line's own key; a failure ("symptom -> fix") also by its symptom, since a model may reword the fix."""
    key = " ".join(line.removeprefix("- ").split()).casefold().rstrip(".")
    return [key, key.split(" -> ", 1)[0] + " ->"] if " -> " in key else [key]


def _sayers(commit: git.Commit | None) -> dict[str, set[str]]:
    """Line key -> the rollout ids whose rollout summary in ``commit`` holds that line."""
    said: dict[str, set[str]] = {}
    if commit is None:
        return said
    try:
        folder = commit.tree / ROLLOUT_SUMMARIES
    except KeyError:
        return said
    for blob in folder.blobs:
        text = blob.data_stream.read().decode("utf-8", "replace")
        ids = _ROLLOUT_ID.findall(text)
        for line in text.splitlines():
            if line.startswith("- ") and ids:
                for key in _keys(line):
                    said.setdefault(key, set()).update(ids)
    return said


def _who(said: dict[str, set[str]], line: str) -> tuple[str, ...]:
    return tuple(sorted(next((said[k] for k in _keys(line) if k in said), set())))
