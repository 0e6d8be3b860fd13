"""Read one transcript file, of any supported agent, into the normalised ``Transcript``.

The format is recognised from the first records, never from the path (users copy and rename files).
The file is streamed line by line in binary: a bad line is skipped and counted, never fatal, and a
line over ``MAX_LINE_BYTES`` is discarded in chunks so it is never held in memory whole. Newer Codex
builds compress cold rollouts to ``<name>.jsonl.zst``; discovery names those by their plain name,
and ``open_rollout`` opens whichever exists (the plain file wins, as in Codex).
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import orjson

from nightshift.ingest.readers import claude, codex
from nightshift.ingest.transcript import NotATranscript, ReadStats, Transcript, Turn

__all__ = ["COMPRESSED_SUFFIX", "MAX_LINE_BYTES", "NotATranscript", "open_rollout", "read_transcript"]

COMPRESSED_SUFFIX = ".zst"

MAX_LINE_BYTES = 32 * 1024 * 1024
_DISCARD_CHUNK = 1024 * 1024
_BINARY_PROBE = 8192  # how much is checked for NUL bytes
# How far to look for a recognisable record before calling the file "not a transcript".
_SNIFF_RECORDS = 64
_SNIFF_LINES = 1024
_UUID_AT_END = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)

_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)

Record = tuple[dict, datetime | None]


def read_transcript(path: Path, *, turns: list[Turn] | None = None) -> Transcript:
    """Read a Codex CLI rollout or a Claude Code session; raise ``NotATranscript`` for anything else.

    ``turns`` receives the turns as they are read (default: a new list); anything with ``append``,
    ``len``, ``[-1]`` and ``del [k:]`` will do, such as a ``render.TurnWindow`` that keeps memory bounded.
    """
    path = Path(path)
    stats = ReadStats()
    with open_rollout(path) as fh:
        # NUL bytes and no JSON object first: a binary file. After a JSON first line, a NUL (a crash's
        # zero-filled block) only spoils its own line.
        probe = fh.peek(_BINARY_PROBE)[:_BINARY_PROBE]
        if b"\x00" in probe and not probe.lstrip().startswith(b"{"):
            raise NotATranscript(f"{path}: binary file, not JSONL")
        lines = _JsonLines(fh, stats, max_lines=_SNIFF_LINES)  # a huge non-JSON log is not read to the end
        records = iter(lines)
        source_format, sniffed = _sniff(records)
        if source_format is None:
            raise NotATranscript(f"{path}: {_why_not(stats)}")
        lines.max_lines = None
        transcript = Transcript(session_id="", source_format=source_format, path=str(path), stats=stats,
                                turns=[] if turns is None else turns)
        read_records = codex.read if source_format == "codex" else claude.read
        read_records(itertools.chain(sniffed, records), transcript)
    path = Path(fh.name)  # the file read, compressed or not: its name and mtime below
    transcript.session_id = transcript.session_id or _session_id_from_name(path, source_format)
    transcript.started_at = lines.first_time
    # The last line's time survives copies and backups; legacy Codex files only date their header,
    # and for them the file mtime is what Codex itself uses.
    if lines.timed_lines > 1:
        transcript.updated_at = lines.last_time
    else:
        transcript.updated_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return transcript


def open_rollout(path: Path) -> io.BufferedReader:
    """``path`` for binary reading, or its compressed sibling ``<path>.zst`` when only that exists."""
    if path.name.endswith(COMPRESSED_SUFFIX):
        return io.BufferedReader(_Zstd(path))
    try:
        return path.open("rb")
    except FileNotFoundError:
        packed = path.with_name(path.name + COMPRESSED_SUFFIX)
        if not packed.is_file():
            raise
        return io.BufferedReader(_Zstd(packed))


class _Zstd(io.RawIOBase):
    """A zstd-compressed file read as its plain bytes; a damaged stream is an ``OSError`` like any
    unreadable file. zstandard loads on first use: most nights read no compressed file."""

    def __init__(self, path: Path) -> None:
        import zstandard

        self.name = str(path)
        self._damaged = zstandard.ZstdError
        self._reader = zstandard.open(path, "rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            return self._reader.readinto(buffer)
        except self._damaged as exc:
            raise OSError(f"{self.name}: damaged zstd stream: {exc}") from exc

    def close(self) -> None:
        self._reader.close()
        super().close()


class _JsonLines:
    """The JSON objects of a JSONL file with their line timestamps; skips and counts bad lines."""

    def __init__(self, fh: BinaryIO, stats: ReadStats, max_lines: int | None) -> None:
        self._fh = fh
        self._stats = stats
        self.max_lines = max_lines
        self.first_time: datetime | None = None
        self.last_time: datetime | None = None
        self.timed_lines = 0

    def __iter__(self) -> Iterator[Record]:
        stats = self._stats
        readline = self._fh.readline
        while line := readline(MAX_LINE_BYTES + 1):
            if self.max_lines is not None and stats.lines >= self.max_lines:
                return
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                stats.lines += 1
                stats.malformed_lines += 1
                self._discard_rest_of_line()
                continue
            if line.isspace():
                continue
            stats.lines += 1
            try:
                obj = orjson.loads(line)  # also rejects invalid UTF-8, so a line is decoded strictly once
            except orjson.JSONDecodeError:
                obj = _load_with_lone_surrogates(line)
                if obj is None:
                    stats.malformed_lines += 1
                    continue
            if not isinstance(obj, dict):
                stats.malformed_lines += 1
                continue
            when = _parse_time(obj.get("timestamp"))
            if when is not None:
                self.timed_lines += 1
                if self.first_time is None or when < self.first_time:
                    self.first_time = when
                if self.last_time is None or when > self.last_time:
                    self.last_time = when
            yield obj, when

    def _discard_rest_of_line(self) -> None:
        while chunk := self._fh.readline(_DISCARD_CHUNK):
            if chunk.endswith(b"\n"):
                return


def _load_with_lone_surrogates(line: bytes) -> object | None:
    """Claude Code (JavaScript) can slice a string inside a surrogate pair and write the half as an
    escape; orjson refuses it. Replace such halves by U+FFFD instead of losing the whole line."""
    if b"\\u" not in line:
        return None
    repaired = _LONE_SURROGATE.sub(rb"\\ufffd", line)
    if repaired == line:
        return None
    try:
        return orjson.loads(repaired)
    except orjson.JSONDecodeError:
        return None


def _sniff(records: Iterator[Record]) -> tuple[str | None, list[Record]]:
    """Decide the format from the first records; return them too, so nothing is read twice."""
    seen: list[Record] = []
    for record in records:
        seen.append(record)
        if codex.looks_like(record[0]):
            return "codex", seen
        if claude.looks_like(record[0]):
            return "claude", seen
        if len(seen) >= _SNIFF_RECORDS:
            break
    return None, seen


def _why_not(stats: ReadStats) -> str:
    if stats.lines == 0:
        return "empty file"
    if stats.malformed_lines == stats.lines:
        return f"no JSON object in {stats.lines} line(s)"
    return "JSON lines, but neither a Codex rollout nor a Claude Code session"


def _session_id_from_name(path: Path, source_format: str) -> str:
    stem = path.name.split(".", 1)[0]
    if source_format == "codex" and (match := _UUID_AT_END.search(stem)):
        return match[1]  # rollout-<local time>-<thread uuid>
    return stem


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
