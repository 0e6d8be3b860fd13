"""Render a ``Transcript`` as the plain text a model reads: a header, then one labelled block per turn.

Sizes are UTF-8 bytes; budgets are tokens at 4 bytes each. Every turn is redacted before anything
is clipped, so a clip can never leave half a secret behind, and the budget holds for the redacted
text. Over budget, assistant and tool turns nearest the middle go first (user turns say what the
human wanted, the ends say how the session started and finished); a plain middle cut is the last resort.

``TurnWindow`` does the same while a reader streams the turns in, holding only what a render can
still use, so a 100 MB transcript costs about the budget's worth of memory (plus its user turns and
the line being parsed), not the file's.
"""

from __future__ import annotations

import functools
import itertools
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace

from nightshift.clock import stamp
from nightshift.ingest.redact import redact
from nightshift.ingest.transcript import Transcript, Turn, TurnKind
from nightshift.phase2.contract import BYTES_PER_TOKEN
_SEPARATOR = "\n\n"
_GAP_MARKER_MAX = 40  # bytes, separator included: "[... 1,234,567 turns omitted ...]"
_RING = 256  # places a side that ``_drop_from_middle`` weighs at once
_CLIP_MARKER_MAX = 56  # "\n[... 123,456,789 characters clipped ...]\n"
_CUT_MARKER_MAX = 64  # "\n\n[... 123,456,789 bytes cut from the middle ...]\n\n"
# A huge tool output is narrowed to its ends before redaction; this much extra on each side keeps a
# secret that straddles the narrowing point whole (a PEM private key block is the longest, < 16 KiB).
_SECRET_SPAN = 20_000
# Looked up once: on Python 3.11 each ``TurnKind.X`` is a descriptor call (~65 ns), and a window asks several
# times a turn, in sessions of hundreds of thousands of turns.
_USER, _TOOL_OUTPUT = TurnKind.USER, TurnKind.TOOL_OUTPUT


def render_transcript(t: Transcript, token_budget: int, tool_output_token_cap: int) -> str:
    window = TurnWindow(token_budget, tool_output_token_cap)
    for turn in t.turns:
        window.append(turn)
    return window.render(t)


class TurnWindow:
    """The turns a render can still use, collected while a reader streams them; a reader appends to it
    like a list (``append``, ``len``, ``[-1]``, and ``del window[k:]`` when a thread is rolled back).

    A render keeps every user turn and, of the others, those farthest from the middle, all within the
    budget; so a kept assistant or tool turn lies in a prefix or a suffix of turns whose blocks add up
    to at most the budget. The window holds the longest such prefix, the longest such suffix so far,
    every user turn and one size estimate per turn; other turns are forgotten as they stream past, and
    a huge tool output is narrowed to the ends clipping can keep. The result equals planning on the
    whole list. The newest turn stays open until the next arrives: Claude Code writes one API message
    over several lines and the reader extends that turn's text.
    """

    def __init__(self, token_budget: int, tool_output_token_cap: int, on_turn: Callable[[Turn], None] | None = None) -> None:
        self.on_turn = on_turn  # sees every turn once, whole, before the window may forget it
        self.budget = max(0, token_budget) * BYTES_PER_TOKEN
        self.output_cap = max(0, tool_output_token_cap) * BYTES_PER_TOKEN
        self.sizes = array("q")  # every turn's block size before redaction (``_estimate``)
        self.is_user = bytearray()
        self.kept: dict[int, tuple[Turn, int]] = {}  # index -> (turn, length of its full text in characters)
        self._head_total = 0
        self._head_len = 0  # the head is turns [0, _head_len)
        self._head_closed = False
        self._tail: deque[int] = deque()
        self._tail_total = 0
        self._open: Turn | None = None

    def append(self, turn: Turn) -> None:
        if self._open is not None:
            self._seal(self._open)
        self._open = turn

    def __len__(self) -> int:
        return len(self.sizes) + (self._open is not None)

    def __getitem__(self, index: int) -> Turn:
        if index != -1 or self._open is None:
            raise IndexError("a TurnWindow only gives its newest turn, [-1]")
        return self._open

    def __delitem__(self, key: slice) -> None:
        """``del window[k:]``: forget turn ``k`` and every later one (the user rolled the thread back).

        Exact while nothing was forgotten to make room; otherwise turns the tail gave up for the removed
        ones stay gone, so the render may keep fewer middle turns than planning on the whole list."""
        if not isinstance(key, slice) or key.stop is not None or key.step is not None:
            raise TypeError("a TurnWindow only deletes a suffix: del window[k:]")
        start = key.start or 0
        sealed = len(self.sizes)
        if start <= sealed:
            self._open = None
        for index in range(start, sealed):
            self.kept.pop(index, None)
        while self._tail and self._tail[-1] >= start:
            self._tail_total -= self.sizes[self._tail.pop()]
        if start <= self._head_len:  # the head can take turns again
            self._head_total -= sum(self.sizes[start:self._head_len])
            self._head_len = start
            self._head_closed = False
        del self.sizes[start:]
        del self.is_user[start:]

    def _seal(self, turn: Turn) -> None:
        if self.on_turn is not None:
            self.on_turn(turn)
        index, size = len(self.sizes), _estimate(turn, self.output_cap)
        self.sizes.append(size)
        self.is_user.append(turn.kind is _USER)
        entry = (turn, len(turn.text))
        if turn.kind is _TOOL_OUTPUT:
            text = turn.text.rstrip()
            entry = (replace(turn, text=_narrow(text, self.output_cap)), len(text))
        if not self._head_closed and self._head_total + size <= self.budget:
            self._head_total += size
            self._head_len = index + 1
            self.kept[index] = entry
            return
        self._head_closed = True
        self.kept[index] = entry
        self._tail.append(index)
        self._tail_total += size
        while self._tail_total > self.budget:
            gone = self._tail.popleft()
            self._tail_total -= self.sizes[gone]
            if not self.is_user[gone]:
                del self.kept[gone]

    def render(self, t: Transcript) -> str:
        """The transcript's header and turns within the budget; ``t`` supplies the header fields."""
        if self._open is not None:
            self._seal(self._open)
            self._open = None
        header = redact(_header(t))
        room = self.budget - _utf8_len(header)
        # Redaction is the costly step on a 100 MB transcript, so plan on cheap size estimates first and
        # redact only the turns that survive; then plan again on their real sizes.
        sizes = self.sizes.tolist()
        dropped = bytearray(len(sizes))
        _drop_from_middle(sizes, self.is_user, dropped, room)
        blocks = {i: _render_turn(*entry, self.output_cap) for i, entry in self.kept.items() if not dropped[i]}
        for i, text in blocks.items():
            sizes[i] = _utf8_len(text) + len(_SEPARATOR)
        _drop_from_middle(sizes, self.is_user, dropped, room)
        return _cut_middle(_join(header, blocks, dropped), self.budget)


def _header(t: Transcript) -> str:
    lines = [f"session: {t.session_id} ({t.source_format})"]
    if title := t.metadata.get("title"):
        lines.append(f"title: {title}")
    if t.cwd:
        lines.append(f"cwd: {t.cwd}")
    if t.git_remote:
        lines.append(f"git remote: {t.git_remote}")
    if t.git_branch:
        lines.append(f"git branch: {t.git_branch}")
    if t.started_at:
        lines.append(f"started: {stamp(t.started_at)}")
    if t.updated_at:
        lines.append(f"updated: {stamp(t.updated_at)}")
    return "\n".join(lines)


def _label(turn: Turn) -> str:
    if turn.question is not None:  # typed into a question tool: the user's words, with what they answer
        return f"[user, answering: {turn.question}]"
    if turn.kind is TurnKind.TOOL_CALL:
        return f"[tool call: {turn.tool_name}]" if turn.tool_name else "[tool call]"
    if turn.kind is TurnKind.TOOL_OUTPUT:
        return "[tool output, failed]" if turn.is_error else "[tool output]"
    return f"[{turn.kind.value}]"


def _estimate(turn: Turn, output_cap: int) -> int:
    """The block's size before redaction (which mostly shrinks text); outputs are clipped to the cap.
    Called for every turn of a session, hence written out rather than through ``_utf8_len``."""
    text = turn.text
    body = len(text) if text.isascii() else len(text.encode())
    if turn.kind is _TOOL_OUTPUT:
        body = min(body, output_cap)
    if turn.question is None:
        label = _plain_label_size(turn.kind, turn.tool_name, turn.is_error)
    else:  # the question is part of the label
        label = _utf8_len(_label(turn))
    return label + 1 + body + len(_SEPARATOR)


@functools.lru_cache(maxsize=1024)  # turns by the thousand share a few labels
def _plain_label_size(kind: TurnKind, tool_name: str | None, is_error: bool) -> int:
    return _utf8_len(_label(Turn(kind, "", tool_name=tool_name, is_error=is_error)))


def _render_turn(turn: Turn, length: int, output_cap: int) -> str:
    if turn.kind is TurnKind.TOOL_OUTPUT:
        return f"{_label(turn)}\n{_clip_output(turn.text, output_cap, length)}"
    label = redact(_label(turn)) if turn.question is not None else _label(turn)  # the question is transcript text
    return f"{label}\n{redact(turn.text)}"


def _narrow(text: str, cap: int) -> str:
    """A tool output cut to the two ends ``_clip_output`` reads when it is long (see ``_SECRET_SPAN``)."""
    reach = cap + _SECRET_SPAN  # chars; a head or tail of at most `cap` bytes never needs more
    return text[:reach] + text[-reach:] if len(text) > 2 * reach else text


def _clip_output(text: str, cap: int, length: int) -> str:
    """Redacted text within ``cap`` bytes: head and tail kept, a marker saying how much went.

    ``length`` is the output's full length in characters; ``text`` may hold only its ``_narrow`` ends.
    """
    reach = cap + _SECRET_SPAN
    if length > 2 * reach:  # only the ends can survive: do not scan a 50 MB log for secrets
        head_source, tail_source = redact(text[:reach]), redact(text[-reach:])
    else:
        text = redact(text)
        if _utf8_len(text) <= cap:
            return text
        head_source = tail_source = text
        length = len(text)
    room = max(0, cap - _CLIP_MARKER_MAX)
    head = _first_bytes(head_source, room // 2)
    tail = _last_bytes(tail_source, room - room // 2)
    clipped = max(0, length - len(head) - len(tail))
    return f"{head}\n[... {clipped:,} characters clipped ...]\n{tail}"


def sanitise_turns(t: Transcript, tool_output_token_cap: int) -> Transcript:
    """Every turn as a render would show it, in place: redacted, each tool output clipped to the cap.

    For readers of the turns themselves (the builtin extractor): one redaction per turn, and a huge
    output costs no more than its kept ends.
    """
    cap = max(0, tool_output_token_cap) * BYTES_PER_TOKEN
    for turn in t.turns:
        if turn.kind is TurnKind.TOOL_OUTPUT:
            text = turn.text.rstrip()
            turn.text = _clip_output(_narrow(text, cap), cap, len(text))
        else:
            turn.text = redact(turn.text)
            if turn.question is not None:
                turn.question = redact(turn.question)
    return t


def _drop_from_middle(sizes: list[int], is_user: list[bool], dropped: bytearray, room: int) -> None:
    """Mark assistant and tool turns as dropped, nearest the middle first, until the rest fits ``room``.

    The walk goes out from the middle a ring of ``_RING`` places a side at a time: a ring whose every turn must go
    even if it were the last (the rest is over ``room`` without it, gap markers aside) is dropped in one go, in C;
    only the ring where the walk can stop is walked turn by turn. A 100 MB session drops ~180,000 turns."""
    count = len(sizes)
    total = sum(sizes) - sum(itertools.compress(sizes, dropped))
    gaps = _run_starts(dropped, 0, count)  # runs of dropped turns
    droppable = count - sum(is_user) - sum(dropped)  # a user turn is never dropped
    low, high = (count - 1) // 2, count // 2
    while low >= 0 and droppable:
        rings = [(max(0, low - _RING + 1), low + 1), (max(high, low + 1), min(count, high + _RING))]
        masks = [_droppable(is_user, dropped, a, b) for a, b in rings]
        ring_total = sum(sum(itertools.compress(sizes[a:b], mask)) for (a, b), mask in zip(rings, masks))
        if total - ring_total > room:
            for (a, b), mask in zip(rings, masks):
                before = _run_starts(dropped, a, b)
                dropped[a:b] = _either(dropped[a:b], mask)
                gaps += _run_starts(dropped, a, b) - before
                droppable -= mask.count(1)
            total -= ring_total
        else:
            for i in _ring_order(low, high, _RING):
                if total + gaps * _GAP_MARKER_MAX <= room or not droppable:
                    return
                if is_user[i] or dropped[i]:
                    continue
                dropped[i] = 1
                droppable -= 1
                total -= sizes[i]
                joins_left = i > 0 and dropped[i - 1]
                joins_right = i + 1 < count and dropped[i + 1]
                gaps += 1 - joins_left - joins_right
        low, high = low - _RING, high + _RING


def _ring_order(low: int, high: int, ring: int) -> Iterator[int]:
    """The next ``ring`` places a side, by distance from the middle, the lower first where two are as near;
    ``low`` and ``high`` are the nearest two not yet visited (the same place at the start of an odd count)."""
    for step in range(ring):
        if low - step < 0:
            return
        yield low - step
        if high + step != low - step:
            yield high + step


def _run_starts(dropped: bytearray, start: int, end: int) -> int:
    """How many runs of dropped turns begin at a place in [start, end]: those a change to [start, end) can move."""
    part = bytes(dropped[max(0, start - 1):end + 1])
    return part.count(b"\x00\x01") + (start == 0 and part.startswith(b"\x01"))


def _droppable(is_user: list[bool], dropped: bytearray, start: int, end: int) -> bytes:
    """1 for each place in [start, end) that is neither a user turn nor dropped, else 0 (whole ints: no Python loop)."""
    width = end - start
    taken = int.from_bytes(bytes(is_user[start:end]), "big") | int.from_bytes(dropped[start:end], "big")
    return (taken ^ int.from_bytes(b"\x01" * width, "big")).to_bytes(width, "big")


def _either(marks: bytes | bytearray, more: bytes) -> bytes:
    """The places marked in either of two 0/1 byte strings of one length."""
    return (int.from_bytes(marks, "big") | int.from_bytes(more, "big")).to_bytes(len(marks), "big")


def _join(header: str, blocks: dict[int, str], dropped: bytearray) -> str:
    """The header and the kept blocks; each run of dropped turns becomes one marker."""
    parts = [header]
    run = 0
    for i, gone in enumerate(dropped):
        if gone:
            run += 1
            continue
        if run:
            parts.append(_gap_marker(run))
            run = 0
        parts.append(blocks[i])
    if run:
        parts.append(_gap_marker(run))
    return _SEPARATOR.join(parts)


def _gap_marker(turns: int) -> str:
    return f"[... {turns:,} turn{'s' if turns != 1 else ''} omitted ...]"


def _cut_middle(text: str, budget: int) -> str:
    size = _utf8_len(text)
    if size <= budget:
        return text
    if budget < 2 * _CUT_MARKER_MAX:  # too small for a marker to make sense
        return _first_bytes(text, budget)
    room = budget - _CUT_MARKER_MAX
    head = _first_bytes(text, room // 2)
    tail = _last_bytes(text, room - room // 2)
    cut = size - _utf8_len(head) - _utf8_len(tail)
    return f"{head}\n\n[... {cut:,} bytes cut from the middle ...]\n\n{tail}"


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


def _first_bytes(text: str, limit: int) -> str:
    if len(text) <= limit and _utf8_len(text) <= limit:
        return text
    return text[:limit].encode()[:limit].decode(errors="ignore")  # drops a character cut in half


def _last_bytes(text: str, limit: int) -> str:
    if limit <= 0:
        return ""
    if len(text) <= limit and _utf8_len(text) <= limit:
        return text
    return text[-limit:].encode()[-limit:].decode(errors="ignore")
