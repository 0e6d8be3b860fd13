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
_GAP_MARKER_MAX = 72  # bytes, separator included: "[... 12,345 turns omitted (123,456,789 bytes) ...]"
_CLIP_MARKER_MAX = 56  # "\n[... 123,456,789 characters clipped ...]\n"
_CUT_MARKER_MAX = 64  # "\n\n[... 123,456,789 bytes cut from the middle ...]\n\n"
# A huge tool output is narrowed to its ends before redaction; this much extra on each side keeps a
# secret that straddles the narrowing point whole (a PEM private key block is the longest, < 16 KiB).
_SECRET_SPAN = 20_000


def render_transcript(t: Transcript, token_budget: int, tool_output_token_cap: int) -> str:
    budget = max(0, token_budget) * BYTES_PER_TOKEN
    output_cap = max(0, tool_output_token_cap) * BYTES_PER_TOKEN
    blocks = [_render_turn(turn, output_cap) for turn in t.turns]
    return _fit(redact(_header(t)), blocks, budget)


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


def _render_turn(turn: Turn, output_cap: int) -> tuple[str, bool]:
    """The block text, and whether it is a user turn (kept in preference when over budget)."""
    if turn.kind is TurnKind.USER:
        return f"[user]\n{redact(turn.text)}", True
    if turn.kind is TurnKind.ASSISTANT:
        return f"[assistant]\n{redact(turn.text)}", False
    if turn.kind is TurnKind.TOOL_CALL:
        label = f"[tool call: {turn.tool_name}]" if turn.tool_name else "[tool call]"
        return f"{label}\n{redact(turn.text)}", False
    label = "[tool output, failed]" if turn.is_error else "[tool output]"
    return f"{label}\n{_clip_output(turn.text.rstrip(), output_cap)}", False


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


def _fit(header: str, blocks: list[tuple[str, bool]], budget: int) -> str:
    sizes = [_utf8_len(text) + len(_SEPARATOR) for text, _ in blocks]
    total = _utf8_len(header) + sum(sizes)
    if total <= budget:
        return _SEPARATOR.join([header, *(text for text, _ in blocks)])

    middle = (len(blocks) - 1) / 2
    droppable = sorted((i for i, (_, is_user) in enumerate(blocks) if not is_user), key=lambda i: abs(i - middle))
    dropped = bytearray(len(blocks))
    gaps = 0  # each run of dropped turns becomes one marker
    for i in droppable:
        if total + gaps * _GAP_MARKER_MAX <= budget:
            break
        dropped[i] = 1
        total -= sizes[i]
        joins_left = i > 0 and dropped[i - 1]
        joins_right = i + 1 < len(blocks) and dropped[i + 1]
        gaps += 1 - joins_left - joins_right

    parts = [header]
    run_turns = run_bytes = 0
    for i, (text, _) in enumerate(blocks):
        if dropped[i]:
            run_turns += 1
            run_bytes += sizes[i]
            continue
        if run_turns:
            parts.append(_gap_marker(run_turns, run_bytes))
            run_turns = run_bytes = 0
        parts.append(text)
    if run_turns:
        parts.append(_gap_marker(run_turns, run_bytes))
    return _cut_middle(_SEPARATOR.join(parts), budget)


def _gap_marker(turns: int, size: int) -> str:
    return f"[... {turns:,} turn{'s' if turns != 1 else ''} omitted ({size:,} bytes) ...]"


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
