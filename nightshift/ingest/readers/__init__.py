"""Read one transcript file, of any supported agent, into the normalised ``Transcript``.

Codex CLI, Claude Code, Gemini CLI and Cursor's agent CLI are read (one module each beside this one).
The format is recognised from the first records, never from the path (users copy and rename files).
The file is streamed line by line in binary: a bad line is skipped and counted, never fatal, and a
line over ``MAX_LINE_BYTES`` is discarded in chunks so it is never held in memory whole. Newer Codex
builds compress cold rollouts to ``<name>.jsonl.zst``; discovery names those by their plain name,
and ``open_rollout`` opens whichever exists (the plain file wins, as in Codex). Older Gemini CLI builds
wrote each session as one indented JSON document: a file whose first line is a lone ``{`` is parsed
whole (up to ``MAX_DOCUMENT_BYTES``) and read as the records it holds.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import orjson

from nightshift.ingest.readers import claude, codex, cursor, gemini
from nightshift.ingest.transcript import NotATranscript, ReadStats, Transcript, Turn, parse_time

__all__ = ["COMPRESSED_SUFFIX", "MAX_LINE_BYTES", "NotATranscript", "filed_under", "open_rollout", "read_transcript"]

COMPRESSED_SUFFIX = ".zst"

MAX_LINE_BYTES = 32 * 1024 * 1024
# A one-document session is parsed whole; Gemini clips each tool output to 50 KB, so real ones stay far below.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
# A last guard: a file that keeps streaming (a link into /proc, a hung network mount that trickles) is
# given up after this long. A 100 MB transcript reads in a few seconds.
READ_TIMEOUT_SECONDS = 600.0
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
# Tried in this order on each of the first records; the first that recognises one reads the file.
_READERS = {"codex": codex, "claude": claude, "gemini": gemini, "cursor": cursor}


def read_transcript(path: Path, *, turns: list[Turn] | None = None) -> Transcript:
    """Read a Codex CLI, Claude Code, Gemini CLI or Cursor session; raise ``NotATranscript`` for anything else.

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
        if _is_document(probe):
            lines: _JsonLines | _Document = _Document(fh, stats, path)
        else:
            lines = _JsonLines(fh, stats, max_lines=_SNIFF_LINES)  # a huge non-JSON log is not read to the end
        records = iter(lines)
        source_format, sniffed = _sniff(records)
        if source_format is None:
            raise NotATranscript(f"{path}: {_why_not(stats)}")
        lines.max_lines = None
        transcript = Transcript(session_id="", source_format=source_format, path=str(path), stats=stats,
                                turns=[] if turns is None else turns)
        _READERS[source_format].read(itertools.chain(sniffed, records), transcript)
    path = Path(fh.name)  # the file read, compressed or not: its name and mtime below
    transcript.session_id = transcript.session_id or _session_id_from_name(path, source_format)
    # The lines' times survive copies and backups (a reader may know better: Gemini's own start and
    # update times). Legacy Codex files only date their header and Cursor's lines carry no time: for
    # them the file mtime is what the agents themselves use.
    transcript.started_at = transcript.started_at or lines.first_time
    if lines.timed_lines > 1:
        transcript.updated_at = max(lines.last_time, transcript.updated_at) if transcript.updated_at else lines.last_time
    elif transcript.updated_at is None:
        transcript.updated_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return transcript


def open_rollout(path: Path) -> io.BufferedReader:
    """``path`` for binary reading, or its compressed sibling ``<path>.zst`` when only that exists."""
    if path.name.endswith(COMPRESSED_SUFFIX):
        return io.BufferedReader(_Zstd(path))
    try:
        return _open_regular(path)
    except FileNotFoundError:
        packed = path.with_name(path.name + COMPRESSED_SUFFIX)
        if not packed.is_file():
            raise
        return io.BufferedReader(_Zstd(packed))


def _open_regular(path: Path) -> io.BufferedReader:
    """Open without blocking and refuse anything but a regular file. Discovery already skips FIFOs and
    devices; this holds when one takes a transcript's place after discovery, and O_NONBLOCK stays on,
    so a read that would wait (a pollable file that is not on disk) fails instead of hanging the night."""
    handle = open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NONBLOCK))
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise OSError(f"{path}: not a regular file; only regular files are read as transcripts")
    return handle


class _Zstd(io.RawIOBase):
    """A zstd-compressed file read as its plain bytes; a damaged stream is an ``OSError`` like any
    unreadable file. zstandard loads on first use: most nights read no compressed file."""

    def __init__(self, path: Path) -> None:
        import zstandard

        self.name = str(path)
        self._damaged = zstandard.ZstdError
        self._reader = zstandard.open(_open_regular(path), "rb", closefd=True)

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
        deadline = time.monotonic() + READ_TIMEOUT_SECONDS
        while line := readline(MAX_LINE_BYTES + 1):
            if self.max_lines is not None and stats.lines >= self.max_lines:
                return
            if time.monotonic() > deadline:
                raise OSError(f"{getattr(self._fh, 'name', 'transcript')}: still reading after {READ_TIMEOUT_SECONDS:g} s; given up")
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
            when = parse_time(obj.get("timestamp"))
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


class _Document:
    """A file that is one JSON document (legacy Gemini CLI sessions), as the records it holds."""

    first_time = last_time = None
    timed_lines = 0
    max_lines = None

    def __init__(self, fh: BinaryIO, stats: ReadStats, path: Path) -> None:
        self._fh, self._stats, self._path = fh, stats, path

    def __iter__(self) -> Iterator[Record]:
        data = self._fh.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise NotATranscript(f"{self._path}: a JSON document over {MAX_DOCUMENT_BYTES // 2**20} MiB; not read")
        self._stats.lines = 1
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError:  # cut off mid-write: nothing of it can be read
            self._stats.malformed_lines = 1
            return
        for record in gemini.as_records(document):
            if not isinstance(record, dict):
                self._stats.malformed_lines += 1
                continue
            when = parse_time(record.get("timestamp"))
            if when is not None:
                self.timed_lines += 1
                self.first_time = when if self.first_time is None else min(self.first_time, when)
                self.last_time = when if self.last_time is None else max(self.last_time, when)
            yield record, when


def _is_document(probe: bytes) -> bool:
    """An indented JSON document: its first line is a lone ``{`` (a JSONL file's first line is a whole object)."""
    first = probe.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)
    return first[0].strip() == b"{" and len(first) > 1


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
        for name, reader in _READERS.items():
            if reader.looks_like(record[0]):
                return name, seen
        if len(seen) >= _SNIFF_RECORDS:
            break
    return None, seen


def _why_not(stats: ReadStats) -> str:
    if stats.lines == 0:
        return "empty file"
    if stats.malformed_lines == stats.lines:
        return f"no JSON object in {stats.lines} line(s)"
    return "JSON lines, but neither a Codex, Claude Code, Gemini CLI nor Cursor session"


def _session_id_from_name(path: Path, source_format: str) -> str:
    stem = path.name.split(".", 1)[0]
    if source_format == "codex" and (match := _UUID_AT_END.search(stem)):
        return match[1]  # rollout-<local time>-<thread uuid>
    return stem


def filed_under(scope: str, folder: Path) -> bool:
    """Whether a project known only by how its agent filed the session (Gemini CLI's project hash, Cursor's
    project folder: sessions that name no directory) is the project of ``folder`` or of a folder above it."""
    if scope.startswith(gemini.HASH_SCOPE):
        covers = gemini.scope_covers
    elif scope.startswith(cursor.FOLDER_SCOPE):
        covers = cursor.scope_covers
    else:
        return False
    return any(covers(scope, str(place)) for place in (folder, *folder.parents) if place != Path(place.anchor))
