"""Claude Code session files (``~/.claude/projects/<encoded cwd>/<session>.jsonl``) -> ``Transcript``.

Only ``user`` and ``assistant`` lines hold the conversation; their ``message`` is an Anthropic
Messages API message. Claude Code streams one content block per line, so the lines of one API
response share ``message.id`` and their text is merged back into one turn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import orjson

from nightshift.ingest.transcript import Transcript, Turn, TurnKind

# Record types that never carry conversation (new ones appear with most releases).
_IGNORED_TYPES = {
    "system",
    "attachment",
    "progress",
    "file-history-snapshot",
    "queue-operation",
    "last-prompt",
    "ai-title",
    "custom-title",
    "agent-name",
    "permission-mode",
    "mode",
    "pr-link",
    "worktree-state",
}
_RECORD_TYPES = {"user", "assistant", "summary"} | _IGNORED_TYPES
_IDENTIFYING_KEYS = ("sessionId", "uuid", "leafUuid", "messageId", "message")
# Text the harness wraps into user messages; none of it was typed by the human.
_INJECTED = re.compile(
    r"<(system-reminder|command-name|command-message|command-args|local-command-stdout"
    r"|local-command-stderr|local-command-caveat)>.*?</\1>"
    r"|\[Request interrupted by user(?: for tool use)?\]",
    re.S,
)
_EXTERNAL_TOOLS = {"WebSearch", "WebFetch"}


def looks_like(obj: dict) -> bool:
    return obj.get("type") in _RECORD_TYPES and any(key in obj for key in _IDENTIFYING_KEYS)


def read(records: Iterable[tuple[dict, datetime | None]], transcript: Transcript) -> None:
    reader = _Reader(transcript)
    for obj, when in records:
        reader.add(obj, when)


def _strip_injected(text: str) -> str:
    """The text without harness wrappers; leading indentation (file listings) is kept."""
    if "<" in text or "[Request" in text:
        text = _INJECTED.sub("", text)
    return text.rstrip()


class _Reader:
    def __init__(self, transcript: Transcript) -> None:
        self.t = transcript
        self.stats = transcript.stats
        self.seen_uuids: set[str] = set()
        self.tool_names: dict[str, str] = {}  # tool_use id -> tool name, to label results
        self.open_text: Turn | None = None  # the assistant text turn later blocks of its message extend
        self.open_message_id: str | None = None

    def add(self, obj: dict, when: datetime | None) -> None:
        kind = obj.get("type")
        if kind in ("user", "assistant"):
            self.conversation(obj, kind, when)
        elif kind == "summary":
            if isinstance(obj.get("summary"), str) and "title" not in self.t.metadata:
                self.t.metadata["title"] = obj["summary"]
        elif kind not in _IGNORED_TYPES:
            self.stats.unknown_records += 1

    def conversation(self, obj: dict, kind: str, when: datetime | None) -> None:
        uuid = obj.get("uuid")
        if isinstance(uuid, str):
            if uuid in self.seen_uuids:  # resumed and re-streamed sessions repeat lines verbatim
                self.stats.dropped_items += 1
                return
            self.seen_uuids.add(uuid)
        self.context(obj)
        if obj.get("isMeta") or obj.get("isSidechain") or obj.get("isCompactSummary"):
            self.stats.dropped_items += 1
            return
        message = obj.get("message")
        if not isinstance(message, dict):
            self.stats.unknown_records += 1
            return
        content = message.get("content")
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        if not isinstance(content, list):
            self.stats.unknown_records += 1
            return
        if kind == "user":
            self.user(content, when)
        else:
            message_id = message.get("id")
            self.assistant(content, message_id if isinstance(message_id, str) else None, when)

    def context(self, obj: dict) -> None:
        if not self.t.session_id and isinstance(obj.get("sessionId"), str):
            self.t.session_id = obj["sessionId"]
        if not self.t.cwd and isinstance(obj.get("cwd"), str):
            self.t.cwd = obj["cwd"]
        if isinstance(obj.get("gitBranch"), str) and obj["gitBranch"]:
            self.t.git_branch = obj["gitBranch"]  # the latest: a session can switch branches

    def user(self, blocks: list, when: datetime | None) -> None:
        texts = []
        for block in blocks:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind == "text" and isinstance(block.get("text"), str):
                texts.append(block["text"])
            elif kind == "tool_result":
                self.add_user_text(texts, when)
                texts = []
                self.tool_result(block, when)
            elif kind == "image":
                self.stats.images_dropped += 1
            else:
                self.stats.dropped_items += 1
        self.add_user_text(texts, when)

    def add_user_text(self, texts: list[str], when: datetime | None) -> None:
        if not texts:
            return
        text = _strip_injected("\n\n".join(texts)).strip()
        if text:
            self.t.turns.append(Turn(TurnKind.USER, text, timestamp=when))
        else:
            self.stats.dropped_items += 1

    def tool_result(self, block: dict, when: datetime | None) -> None:
        content = block.get("content")
        if isinstance(content, list):
            parts = []
            for part in content:
                if isinstance(part, dict) and part.get("type") == "image":
                    self.stats.images_dropped += 1
                elif isinstance(part, dict) and isinstance(part.get("text"), str):
                    parts.append(part["text"])
            text = "\n".join(parts)
        else:
            text = content if isinstance(content, str) else ""
        call_id = block.get("tool_use_id") if isinstance(block.get("tool_use_id"), str) else None
        self.t.turns.append(
            Turn(
                TurnKind.TOOL_OUTPUT,
                _strip_injected(text),  # Claude Code appends system reminders to file reads
                tool_name=self.tool_names.get(call_id) if call_id else None,
                call_id=call_id,
                is_error=block.get("is_error") is True,
                timestamp=when,
            )
        )

    def assistant(self, blocks: list, message_id: str | None, when: datetime | None) -> None:
        for block in blocks:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind == "text" and isinstance(block.get("text"), str):
                self.assistant_text(block["text"], message_id, when)
            elif kind == "tool_use":
                self.tool_use(block, when)
            elif kind == "image":
                self.stats.images_dropped += 1
            else:  # thinking, redacted_thinking, server-side tool blocks
                self.stats.dropped_items += 1

    def assistant_text(self, text: str, message_id: str | None, when: datetime | None) -> None:
        if not text.strip():
            return
        turns = self.t.turns
        continues = message_id is not None and message_id == self.open_message_id
        if continues and self.open_text is not None and turns and turns[-1] is self.open_text:
            self.open_text.text += "\n\n" + text
            return
        self.open_text = Turn(TurnKind.ASSISTANT, text, timestamp=when)
        self.open_message_id = message_id
        turns.append(self.open_text)

    def tool_use(self, block: dict, when: datetime | None) -> None:
        name = block.get("name") if isinstance(block.get("name"), str) else "tool"
        call_id = block.get("id") if isinstance(block.get("id"), str) else None
        tool_input = block.get("input")
        command = tool_input.get("command") if name == "Bash" and isinstance(tool_input, dict) else None
        text = command if isinstance(command, str) else f"{name} {orjson.dumps(tool_input).decode()}"
        if name in _EXTERNAL_TOOLS or "__" in name:  # web pages and MCP servers: outside content
            self.t.metadata["external_context"] = "true"
        if call_id:
            self.tool_names[call_id] = name
        self.t.turns.append(Turn(TurnKind.TOOL_CALL, text, tool_name=name, call_id=call_id, timestamp=when))
