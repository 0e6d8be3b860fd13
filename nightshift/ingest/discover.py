"""Discovery: a stat-only walk of the source folders for transcripts worth reading now.

A file is a candidate when it has been idle for ``idle_hours`` (its mtime), is younger than
``max_age_days``, and its size or mtime differs from the watermark of its last extraction. Nothing
here opens a file: the format is detected from content later, when a candidate is read.

Newer Codex builds compress cold rollouts to ``<name>.jsonl.zst``, keeping the mtime. Such a file
goes by its plain name (``nightshift.ingest.readers.open_rollout`` finds it), so its watermark carries
over, and only its mtime is compared: compression changes the size, not the content. Where both
exist, the plain file wins. Older Gemini CLI builds wrote ``session-*.json`` documents; a resumed one is
rewritten as ``session-*.jsonl`` beside it, which then wins the same way.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# Claude Code keeps sub-agent transcripts and oversized tool outputs beside the session file; they
# belong to their parent session (whose tool result already holds the sub-agent's report).
_SKIPPED_DIRS = {"subagents", "tool-results", "memory", "workflows"}
_DOCUMENT_PREFIX = "session-"  # legacy Gemini CLI: session-<time>-<id>.json


@dataclass(frozen=True, slots=True)
class FileStat:
    path: str
    size: int
    mtime: float


@dataclass(slots=True)
class Discovery:
    candidates: list[FileStat] = field(default_factory=list)  # newest first
    scanned: int = 0
    unchanged: int = 0
    not_idle: int = 0
    too_old: int = 0
    # Files that cannot be transcripts: (printable path, "not_regular" or "bad_names", why)
    odd: list[tuple[str, str, str]] = field(default_factory=list)


def walk_transcript_files(sources: Iterable[Path]) -> Iterator[FileStat]:
    """Every transcript file below the sources, depth first, with its stat; missing sources are skipped."""
    for path, size, mtime, _ in _walk(sources):
        yield FileStat(path, size, mtime)


def named_like_a_transcript(path: str) -> bool:
    """What `nightshift watch` wakes for: a JSONL file or a legacy Gemini document (the walk decides the rest)."""
    name = os.path.basename(path)
    return name.endswith(".jsonl") or (name.endswith(".json") and name.startswith(_DOCUMENT_PREFIX))


def printable(path: str) -> str:
    """A path for a message: bytes that are not UTF-8 shown as escapes (``caf\\xe9``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    return "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file"


def _walk(sources: Iterable[Path], odd: list[tuple[str, str, str]] | None = None) -> Iterator[tuple[str, int, float, bool]]:
    """(path, size, mtime, compressed) of every transcript file; a compressed one by its plain name.

    Only regular files are transcripts: a FIFO, socket or device named like one (or a link to one) would
    block or never end when read, so it is skipped and, when ``odd`` is given, listed there."""
    # Plain tuples: discovery looks at every file of a 50,000-file tree and builds a FileStat only for
    # the few candidates, so this loop is kept as close to a bare scandir walk as it can be.
    stack = [str(s) for s in sources if s.is_dir()]
    while stack:
        folder = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:  # vanished or unreadable while walking: nothing to read there
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in _SKIPPED_DIRS:
                            stack.append(entry.path)
                        continue
                    name = entry.name
                    if name.endswith(".jsonl") and not name.startswith("agent-"):
                        found, compressed = entry.path, False
                    elif name.endswith(".jsonl.zst") and not os.path.exists(found := entry.path[:-4]):
                        compressed = True  # goes by its plain name
                    elif name.endswith(".json") and name.startswith(_DOCUMENT_PREFIX) and not os.path.exists(entry.path + "l"):
                        found, compressed = entry.path, False
                    else:
                        continue
                    st = entry.stat()
                    if stat.S_ISREG(st.st_mode):
                        yield found, st.st_size, st.st_mtime, compressed
                    elif odd is not None:
                        odd.append((printable(entry.path), "not_regular", f"not a regular file ({_kind(st.st_mode)})"))
                except OSError:
                    continue


def discover(
    sources: Iterable[Path],
    watermarks: Mapping[str, tuple[int | None, float | None]],
    *,
    now: datetime,
    idle_hours: float,
    max_age_days: float,
) -> Discovery:
    now_ts = now.timestamp()
    idle_before = now_ts - idle_hours * 3600
    old_before = now_ts - max_age_days * 86400
    found = Discovery()
    watermark = watermarks.get
    scanned = unchanged = not_idle = too_old = 0
    for path, size, mtime, compressed in _walk(sources, found.odd):
        scanned += 1
        if mtime < old_before:
            too_old += 1
        elif mtime > idle_before:
            not_idle += 1
        elif (seen := watermark(path)) == (size, mtime) or (compressed and seen is not None and seen[1] == mtime):
            unchanged += 1
        elif not _utf8(path):  # the state keys rollouts by path as text: such a name cannot be recorded
            found.odd.append((printable(path), "bad_names", "file name is not valid UTF-8"))
        else:
            found.candidates.append(FileStat(path, size, mtime))
    found.scanned, found.unchanged, found.not_idle, found.too_old = scanned, unchanged, not_idle, too_old
    found.candidates.sort(key=lambda s: (-s.mtime, s.path))
    return found


def _utf8(path: str) -> bool:
    """False for a name the file system gave as bytes that are not UTF-8 (surrogate escapes in ``path``)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
