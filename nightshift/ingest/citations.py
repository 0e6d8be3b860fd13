"""Which memories a later session says it used: citations in the assistant turns of a transcript.

Two formats are read:

* Codex CLI's own block, appended to a final answer when its memory feature was used::

      <oai-mem-citation>
      <citation_entries>
      MEMORY.md:12-14|note=[how it was used]
      </citation_entries>
      <rollout_ids>
      01a1edb6-81d4-76a2-807c-afd56071b068
      </rollout_ids>
      </oai-mem-citation>

  Builds differ in naming the id list ``<rollout_ids>`` or ``<thread_ids>``; both are read. The
  entries name files and lines, not memories, so only the id list counts.
* nightshift's own line, which the read-path preamble (``prompts/read_path.md``) asks for:
  ``[memory: <id>]``, several ids separated by commas allowed. An id is a rollout id, the short
  prefix the read path prints next to each entry, or a memory slug.

Only assistant turns count: a user pasting a citation, or a tool printing one, is not a use.
Anything that looks like a citation but cannot be read (an unclosed block or bracket, an id list
holding something that is not an id) is skipped and counted, never fatal. Which memory an id
names is decided when usage is recorded (``nightshift.store.usage``); ``short_ids`` makes the
abbreviations the read path prints. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nightshift.ingest.transcript import Transcript, TurnKind

CODEX_OPEN, CODEX_CLOSE = "<oai-mem-citation>", "</oai-mem-citation>"
SHORT_ID_LEN = 8  # the shortest rollout id prefix that names a memory (the read path prints at least this)
ID_LISTS = ("rollout_ids", "thread_ids")
# Rollout ids are UUIDs, slugs are kebab-case, short ids are hex prefixes: none has spaces or markup.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_OURS = re.compile(r"\[memory:([^\]\n]*)(\]?)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Cited:
    ids: tuple[str, ...]  # unique, in order of first mention
    malformed: int  # citation blocks or lines that were skipped


def parse_citations(transcript: Transcript) -> Cited:
    ids: dict[str, None] = {}  # an ordered set
    malformed = sum(cite_from(turn.text, ids) for turn in transcript.turns if turn.kind is TurnKind.ASSISTANT)
    return Cited(tuple(ids), malformed)


def cite_from(text: str, ids: dict[str, None]) -> int:
    """Add the ids one assistant turn cites to ``ids`` (an ordered set); returns how many blocks or lines were malformed."""
    if "[" not in text and CODEX_OPEN not in text:  # most turns cite nothing: both formats need one of these
        return 0
    rest, bad = _codex_blocks(text, ids)
    return bad + _our_lines(rest, ids)


def _codex_blocks(text: str, ids: dict[str, None]) -> tuple[str, int]:
    """Take every Codex block out of ``text``; returns what is left (for our own format) and the bad count."""
    outside: list[str] = []
    malformed = 0
    while (start := text.find(CODEX_OPEN)) >= 0:
        outside.append(text[:start])
        end = text.find(CODEX_CLOSE, start)
        if end < 0:  # cut off mid-block, e.g. an interrupted answer
            return "".join(outside), malformed + 1
        found = _codex_ids(text[start + len(CODEX_OPEN) : end])
        if found is None:
            malformed += 1
        else:
            ids.update(dict.fromkeys(found))
        text = text[end + len(CODEX_CLOSE) :]
    outside.append(text)
    return "".join(outside), malformed


def _codex_ids(block: str) -> list[str] | None:
    """The ids of one block; None when the block is unreadable. A block without an id list cites nothing."""
    for name in ID_LISTS:
        opened, closed = f"<{name}>", f"</{name}>"
        if opened not in block:
            continue
        body = block.split(opened, 1)[1]
        if closed not in body:
            return None
        lines = [line.strip() for line in body.split(closed, 1)[0].splitlines() if line.strip()]
        return lines if all(_ID.fullmatch(line) for line in lines) else None
    return []


def _our_lines(text: str, ids: dict[str, None]) -> int:
    malformed = 0
    for match in _OURS.finditer(text):
        tokens = [t.strip() for t in match[1].split(",")]
        if not match[2] or not all(_ID.fullmatch(t) for t in tokens):
            malformed += 1  # unclosed, empty, or prose / a placeholder such as "<id>" instead of an id
            continue
        ids.update(dict.fromkeys(tokens))
    return malformed


def short_ids(ids: list[str]) -> dict[str, str]:
    """The shortest prefix of each id, at least SHORT_ID_LEN long, that no other id shares (as git
    abbreviates hashes); citing it names exactly one memory."""
    ordered = sorted(ids)
    short = {}
    for i, rid in enumerate(ordered):
        length = SHORT_ID_LEN
        for other in ordered[max(i - 1, 0) : i + 2]:
            if other != rid:
                common = next((n for n, (a, b) in enumerate(zip(rid, other)) if a != b), min(len(rid), len(other)))
                length = max(length, common + 1)
        short[rid] = rid[:length]
    return short
