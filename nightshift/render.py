"""Render a ``Transcript`` as the plain text a model reads: a header, then one labelled block per turn.

Sizes are UTF-8 bytes; budgets are tokens at 4 bytes each. Every turn is redacted before anything
is clipped, so a clip can never leave half a secret behind, and the budget holds for the redacted
text. Over budget, assistant and tool turns nearest the middle go first (user turns say what the
human wanted, the ends say how the session started and finished); a plain middle cut is the last resort.
"""

from __future__ import annotations

from datetime import UTC, datetime

from nightshift.redact import redact
from nightshift.transcript import Transcript, Turn, TurnKind

BYTES_PER_TOKEN = 4
_SEPARATOR = "\n\n"
_GAP_MARKER_MAX = 40  # bytes, separator included: "[... 1,234,567 turns omitted ...]"
_CLIP_MARKER_MAX = 56  # "\n[... 123,456,789 characters clipped ...]\n"
_CUT_MARKER_MAX = 64  # "\n\n[... 123,456,789 bytes cut from the middle ...]\n\n"
# A huge tool output is narrowed to its ends before redaction; this much extra on each side keeps a
# secret that straddles the narrowing point whole (a PEM private key block is the longest, < 16 KiB).
_SECRET_SPAN = 20_000


def render_transcript(t: Transcript, token_budget: int, tool_output_token_cap: int) -> str:
    budget = max(0, token_budget) * BYTES_PER_TOKEN
    output_cap = max(0, tool_output_token_cap) * BYTES_PER_TOKEN
    header = redact(_header(t))
    turns = t.turns
    is_user = [turn.kind is TurnKind.USER for turn in turns]
    # Redaction is the costly step on a 100 MB transcript, so plan on cheap size estimates first and
    # redact only the turns that survive; then plan again on their real sizes.
    sizes = [_estimate(turn, output_cap) for turn in turns]
    dropped = bytearray(len(turns))
    _drop_from_middle(sizes, is_user, dropped, budget - _utf8_len(header))
    blocks = {i: _render_turn(turn, output_cap) for i, turn in enumerate(turns) if not dropped[i]}
    for i, text in blocks.items():
        sizes[i] = _utf8_len(text) + len(_SEPARATOR)
    _drop_from_middle(sizes, is_user, dropped, budget - _utf8_len(header))
    return _cut_middle(_join(header, blocks, dropped), budget)


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
        lines.append(f"started: {_utc(t.started_at)}")
    if t.updated_at:
        lines.append(f"updated: {_utc(t.updated_at)}")
    return "\n".join(lines)


def _label(turn: Turn) -> str:
    if turn.kind is TurnKind.TOOL_CALL:
        return f"[tool call: {turn.tool_name}]" if turn.tool_name else "[tool call]"
    if turn.kind is TurnKind.TOOL_OUTPUT:
        return "[tool output, failed]" if turn.is_error else "[tool output]"
    return f"[{turn.kind.value}]"


def _estimate(turn: Turn, output_cap: int) -> int:
    """The block's size before redaction (which mostly shrinks text); outputs are clipped to the cap."""
    body = _utf8_len(turn.text)
    if turn.kind is TurnKind.TOOL_OUTPUT:
        body = min(body, output_cap)
    return _utf8_len(_label(turn)) + 1 + body + len(_SEPARATOR)


def _render_turn(turn: Turn, output_cap: int) -> str:
    if turn.kind is TurnKind.TOOL_OUTPUT:
        return f"{_label(turn)}\n{_clip_output(turn.text.rstrip(), output_cap)}"
    return f"{_label(turn)}\n{redact(turn.text)}"


def _clip_output(text: str, cap: int) -> str:
    """Redacted text within ``cap`` bytes: head and tail kept, a marker saying how much went."""
    reach = cap + _SECRET_SPAN  # chars; a head or tail of at most `cap` bytes never needs more
    if len(text) > 2 * reach:  # only the ends can survive: do not scan a 50 MB log for secrets
        head_source, tail_source = redact(text[:reach]), redact(text[-reach:])
    else:
        text = redact(text)
        if _utf8_len(text) <= cap:
            return text
        head_source = tail_source = text
    room = max(0, cap - _CLIP_MARKER_MAX)
    head = _first_bytes(head_source, room // 2)
    tail = _last_bytes(tail_source, room - room // 2)
    clipped = max(0, len(text) - len(head) - len(tail))
    return f"{head}\n[... {clipped:,} characters clipped ...]\n{tail}"


def _drop_from_middle(sizes: list[int], is_user: list[bool], dropped: bytearray, room: int) -> None:
    """Mark assistant and tool turns as dropped, nearest the middle first, until the rest fits ``room``."""
    total = sum(size for size, gone in zip(sizes, dropped) if not gone)
    gaps = sum(1 for i, gone in enumerate(dropped) if gone and (i == 0 or not dropped[i - 1]))
    if total + gaps * _GAP_MARKER_MAX <= room:
        return
    middle = (len(sizes) - 1) / 2
    candidates = sorted((i for i in range(len(sizes)) if not is_user[i] and not dropped[i]), key=lambda i: abs(i - middle))
    for i in candidates:
        if total + gaps * _GAP_MARKER_MAX <= room:
            return
        dropped[i] = 1
        total -= sizes[i]
        joins_left = i > 0 and dropped[i - 1]
        joins_right = i + 1 < len(sizes) and dropped[i + 1]
        gaps += 1 - joins_left - joins_right


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


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
