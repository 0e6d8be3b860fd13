"""Codex CLI rollouts -> ``Transcript``.

Two on-disk forms: the envelope ``{"timestamp","type","payload"}`` (every build since mid 2025) and
the legacy pre-envelope form (a bare ``{id,timestamp,instructions}`` header, then flat response
items). Only response items carry the conversation; ``event_msg`` lines are UI mirrors of them,
except ``thread_rolled_back``: the user undid the last turns, which are then dropped.

What the harness wrote is not the user speaking: items a forked thread copied from its parent
(``metadata.inherited_user_message``, or an ``ordinal`` below the fork's boundary in ``session_meta``) or
a compaction wrote (``metadata.compaction_output``), tool and
configuration updates, and the IDE extensions' wrapper around each request, of which only the request
itself is the user's. An answer to ``request_user_input`` is: it becomes a user turn marked with its
question. Drops are counted by kind in ``ReadStats.harness``.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterable
from datetime import datetime

import orjson

from nightshift.ingest.transcript import IMAGE_PLACEHOLDER, ReadStats, Transcript, Turn, TurnKind, compact_json, strip_ansi

_CALL_ITEMS = {"function_call", "custom_tool_call", "local_shell_call", "web_search_call", "tool_search_call"}
_OUTPUT_ITEMS = {"function_call_output", "custom_tool_call_output", "tool_search_output"}
# Tool lists and model settings the harness puts into the history (2026 builds): never conversation.
_CONFIG_ITEMS = {"configuration_update", "additional_tools"}
_DROPPED_ITEMS = {
    "reasoning",
    "ghost_snapshot",
    "compaction",
    "compaction_summary",
    "context_compaction",
    "compaction_trigger",
    "image_generation_call",
}
_ITEM_TYPES = {"message", "agent_message"} | _CALL_ITEMS | _OUTPUT_ITEMS | _DROPPED_ITEMS | _CONFIG_ITEMS
# Envelope types that never hold conversation: UI mirrors and newer bookkeeping records.
_IGNORED_ENVELOPES = {
    "event_msg",
    "world_state",
    "inter_agent_communication",
    "inter_agent_communication_metadata",
    "token_usage_record",
    "security_risk_score",
    "retained_context",
    "realtime_item",
}

# User content items Codex injects itself (start marker, end marker), matched like Codex does:
# case-insensitively at the start and end of the trimmed item.
_INJECTED_FRAGMENTS = (
    ("# agents.md instructions", "</instructions>"),
    ("<user_instructions>", "</user_instructions>"),
    ("<skill>", "</skill>"),
    ("<environment_context>", "</environment_context>"),
    ("<turn_aborted>", "</turn_aborted>"),
    ("<subagent_notification>", "</subagent_notification>"),
)
_ENVIRONMENT_FIELD = re.compile(r"<(cwd|shell|current_date|timezone)>([^<]*)</\1>")
_SHELLS = {"bash", "sh", "zsh", "dash", "fish", "pwsh", "powershell"}
# Shell tools whose output carries a plain-text header ("Exit code: N" / "Process exited with code N")
# before an "Output:" line.
_EXIT_LINE = re.compile(r"^(?:Exit code:|Process exited with code) *(-?\d+)\s*$", re.M)
_OUTPUT_LINE = "\nOutput:\n"
_HEADER_SCAN = 512
# Code mode (``exec`` / ``wait``) outputs start with the script's fate instead of an exit code.
_SCRIPT_FAILED = "Script failed"
_SCRIPT_COMPLETED = "Script completed"
# The VS Code extension and the desktop app wrap each request: context first, then what the user typed.
_IDE_WRAPPERS = ("# Context from my IDE setup:", "# Files mentioned by the user:")
_IDE_REQUEST = "## My request for Codex:"
_ACTIVE_FILE = re.compile(r"^## Active file: (.+)$", re.M)
_QUESTION_TOOL = "request_user_input"
_USER_NOTE = "user_note: "  # how Codex marks free text typed instead of picking an option


def looks_like(obj: dict) -> bool:
    kind = obj.get("type")
    if isinstance(obj.get("payload"), dict) and isinstance(kind, str) and "timestamp" in obj:
        return True  # modern envelope
    if kind is None and "id" in obj and "timestamp" in obj:
        return True  # legacy header
    return kind in _ITEM_TYPES and "sessionId" not in obj  # legacy flat item


def read(records: Iterable[tuple[dict, datetime | None]], transcript: Transcript) -> None:
    reader = _Reader(transcript)
    for obj, when in records:
        reader.add(obj, when)


class _Reader:
    def __init__(self, transcript: Transcript) -> None:
        self.t = transcript
        self.stats = transcript.stats
        self.tool_names: dict[str, str] = {}  # call_id -> tool name, to label outputs
        self.seen_session_meta = False
        self.user_turn_starts: list[int] = []  # index in t.turns of each user turn, for thread rollbacks
        self.questions: dict[str, dict[str, str]] = {}  # request_user_input call_id -> question id -> question
        self.inherited_before: int | None = None  # a forked thread's lines below this ordinal are the parent's

    def add(self, obj: dict, when: datetime | None) -> None:
        kind = obj.get("type")
        payload = obj.get("payload")
        if isinstance(payload, dict):
            if kind == "response_item":
                if flag := self.not_said_here(obj):  # copied from a parent thread, or a compaction's summary
                    self.stats.harness[flag] += 1
                else:
                    self.item(payload, when)
            elif kind == "session_meta":
                self.session_meta(payload)
            elif kind == "turn_context":
                self.turn_context(payload)
            elif kind == "compacted":  # a summary of turns that are still earlier in the file
                self.stats.dropped_items += 1
            elif kind == "event_msg" and payload.get("type") == "thread_rolled_back":
                self.roll_back(payload.get("num_turns"))
            elif kind not in _IGNORED_ENVELOPES:
                self.stats.unknown_records += 1
        elif "record_type" in obj:
            pass  # legacy {"record_type":"state"} markers carry nothing
        elif kind is None and "id" in obj:
            self.legacy_header(obj)
        else:
            self.item(obj, when)

    # --- identity and context -------------------------------------------------------------------

    def session_meta(self, meta: dict) -> None:
        if self.seen_session_meta:  # resumes and forks repeat it; the first one is the identity
            self.t.cwd = self.t.cwd or _str(meta.get("cwd"))
            return
        self.seen_session_meta = True
        self.t.session_id = _str(meta.get("id")) or self.t.session_id
        self.t.cwd = _str(meta.get("cwd")) or self.t.cwd
        git = meta.get("git")
        if isinstance(git, dict):
            self.t.git_remote = _str(git.get("repository_url"))
            self.t.git_branch = _str(git.get("branch"))
        source = meta.get("source")
        if isinstance(source, dict) and "subagent" in source:
            self.t.metadata["subagent"] = "true"
        for key in ("forked_from_ordinal_exclusive", "subagent_history_start_ordinal"):
            if isinstance(meta.get(key), int) and not isinstance(meta[key], bool):
                self.inherited_before = meta[key]

    def not_said_here(self, obj: dict) -> str | None:
        """Why a response item was not said in this session, if it was not: the kind it is counted as."""
        flags = obj.get("metadata")
        if isinstance(flags, dict):
            if flags.get("inherited_user_message") is True:
                return "inherited"
            if flags.get("compaction_output") is True:
                return "compaction_output"
        ordinal = obj.get("ordinal")
        if self.inherited_before is not None and isinstance(ordinal, int) and ordinal < self.inherited_before:
            return "inherited"  # a fork's copy of its parent's history, assistant turns included
        return None

    def legacy_header(self, header: dict) -> None:
        self.t.session_id = self.t.session_id or _str(header.get("id")) or ""
        if header.get("instructions"):  # AGENTS.md text, never conversation
            self.stats.dropped_items += 1

    def turn_context(self, context: dict) -> None:
        self.t.cwd = self.t.cwd or _str(context.get("cwd"))
        if model := _str(context.get("model")):
            self.t.metadata["model"] = model

    # --- response items ---------------------------------------------------------------------------

    def item(self, item: dict, when: datetime | None) -> None:
        kind = item.get("type")
        if kind == "message":
            self.message(item, when)
        elif kind in _CALL_ITEMS:
            self.tool_call(item, when)
        elif kind in _OUTPUT_ITEMS:
            self.tool_output(item, when)
        elif kind == "agent_message":
            self.agent_message(item, when)
        elif kind in _CONFIG_ITEMS:
            self.stats.harness["agent_config"] += 1
        elif kind in _DROPPED_ITEMS:
            self.stats.dropped_items += 1
        else:
            self.stats.unknown_records += 1

    def agent_message(self, item: dict, when: datetime | None) -> None:
        """Text another agent (a sub-agent, the parent thread) sent: context, like a tool's result."""
        content = item.get("content")
        text = _content_text(content, self.stats) if isinstance(content, list) else None
        if not text or not text.strip():
            self.stats.dropped_items += 1
            return
        author = _str(item.get("author"))
        self.t.turns.append(Turn(TurnKind.TOOL_OUTPUT, text, tool_name=f"agent {author}" if author else "agent", timestamp=when))

    def message(self, item: dict, when: datetime | None) -> None:
        role = item.get("role")
        if role in ("developer", "system"):
            self.stats.dropped_items += 1
            return
        if role not in ("user", "assistant"):
            self.stats.unknown_records += 1
            return
        content = item.get("content")
        if isinstance(content, str):  # drifted writers put a bare string here
            content = [{"type": "input_text", "text": content}]
        texts = []
        for part in content if isinstance(content, list) else ():
            if not isinstance(part, dict):
                continue
            if part.get("type") in ("input_image", "image"):
                self.stats.images_dropped += 1
                texts.append(IMAGE_PLACEHOLDER)
                continue
            text = part.get("text")
            if not isinstance(text, str):  # audio and other non-text parts
                self.stats.dropped_items += 1
            elif role == "user" and (fragment := _injected_fragment(text)):
                if fragment == "<environment_context>":
                    self.environment_context(text)
                self.stats.dropped_items += 1
            elif role == "user" and text.lstrip().startswith(_IDE_WRAPPERS):
                if request := self.ide_request(text):
                    texts.append(request)
            elif text.strip():
                texts.append(text)
        if texts:
            kind = TurnKind.USER if role == "user" else TurnKind.ASSISTANT
            if kind is TurnKind.USER:
                self.user_turn_starts.append(len(self.t.turns))
            self.t.turns.append(Turn(kind, "\n\n".join(texts), timestamp=when))

    def ide_request(self, text: str) -> str | None:
        """What the user typed inside an IDE wrapper (None if only context); the active file is kept as context."""
        self.stats.harness["ide_context"] += 1
        if active := _ACTIVE_FILE.search(text):
            self.t.metadata["active_file"] = active[1].strip()
        _, marker, request = text.partition(_IDE_REQUEST)
        return (request.strip() or None) if marker else None

    def roll_back(self, num_turns: object) -> None:
        """The user took back the last ``num_turns`` turns (Codex's undo): they and all that followed
        them are gone from the thread, so they are no evidence either."""
        if not isinstance(num_turns, int) or isinstance(num_turns, bool) or num_turns < 1 or not self.user_turn_starts:
            self.stats.dropped_items += 1
            return
        taken_back = self.user_turn_starts[-min(num_turns, len(self.user_turn_starts)):]
        del self.user_turn_starts[-len(taken_back):]
        self.stats.dropped_items += len(self.t.turns) - taken_back[0]
        del self.t.turns[taken_back[0]:]

    def environment_context(self, block: str) -> None:
        for name, value in _ENVIRONMENT_FIELD.findall(block):
            self.t.metadata[name] = value.strip()
        self.t.cwd = self.t.cwd or self.t.metadata.get("cwd")

    def tool_call(self, item: dict, when: datetime | None) -> None:
        kind = item["type"]
        if kind == "function_call":
            name = _str(item.get("name")) or "function"
            text = _function_call_text(name, _decode_arguments(item.get("arguments")))
        elif kind == "custom_tool_call":
            name = _str(item.get("name")) or "custom_tool"
            raw = item.get("input")
            text = f"{name}\n{raw}" if isinstance(raw, str) and "\n" in raw else f"{name} {compact_json(raw)}"
        elif kind == "local_shell_call":
            name = "local_shell"
            action = item.get("action")
            text = _command_line(action.get("command") if isinstance(action, dict) else None) or name
        elif kind == "tool_search_call":
            name = "tool_search"
            text = f"tool_search {compact_json(_decode_arguments(item.get('arguments')))}"
        else:
            name = "web_search"
            text = _web_search_text(item.get("action"))
        if kind == "web_search_call" or "__" in name:  # web pages and MCP servers: outside content
            self.t.metadata["external_context"] = "true"
        call_id = _str(item.get("call_id")) or _str(item.get("id"))
        if call_id:
            self.tool_names[call_id] = name
            if name == _QUESTION_TOOL:
                self.questions[call_id] = _questions(_decode_arguments(item.get("arguments")))
        self.t.turns.append(Turn(TurnKind.TOOL_CALL, text, tool_name=name, call_id=call_id, timestamp=when))

    def tool_output(self, item: dict, when: datetime | None) -> None:
        call_id = _str(item.get("call_id"))
        if call_id in self.questions and (answers := _answers(item.get("output"), self.questions.pop(call_id))):
            for question, answer in answers:  # the user's own words, given through the question tool
                self.t.turns.append(Turn(TurnKind.USER, answer, call_id=call_id, timestamp=when, question=question))
            return
        if item.get("type") == "tool_search_output":
            text, failed = _tool_search_text(item.get("tools")), False
        else:
            text, failed = _tool_output_text(item.get("output"), self.stats)
        self.t.turns.append(
            Turn(
                TurnKind.TOOL_OUTPUT,
                strip_ansi(text),
                tool_name=self.tool_names.get(call_id) if call_id else None,
                call_id=call_id,
                is_error=failed,
                timestamp=when,
            )
        )


def _injected_fragment(text: str) -> str | None:
    """The start marker of the harness block this content item is, if it is one."""
    trimmed = text.strip()
    head, tail = trimmed[:32].lower(), trimmed[-32:].lower()
    for start, end in _INJECTED_FRAGMENTS:
        if head.startswith(start) and tail.endswith(end):
            return start
    return None


def _tool_output_text(output: object, stats: ReadStats) -> tuple[str, bool]:
    """The readable text of a tool output in any shape Codex has written, and whether it failed."""
    value = output
    if isinstance(output, str) and output.lstrip()[:1] in ("{", "["):
        try:  # shell JSON, MCP lists and error objects arrive JSON-encoded inside the string
            value = orjson.loads(output)
        except orjson.JSONDecodeError:
            value = output
    if isinstance(value, list):
        text = _content_text(value, stats)
        if text is not None:
            return _text_status(text)  # code mode returns "Script failed" among content items
    elif isinstance(value, dict):
        if "exit_code" in value:  # structured exec output: {"exit_code": N, "output": "...", ...}
            return _with_exit_code(_as_text(value.get("output", ""), stats), value["exit_code"])
        if "output" in value:  # {"output": "...", "metadata": {"exit_code": N}}
            metadata = value.get("metadata")
            code = metadata.get("exit_code") if isinstance(metadata, dict) else None
            return _with_exit_code(_as_text(value["output"], stats), code)
        if "content" in value:  # {"content": ..., "success": false} and MCP results with isError
            failed = value.get("success") is False or value.get("isError") is True
            return _as_text(value["content"], stats), failed
    if isinstance(output, str):
        return _text_status(output)
    return compact_json(output), False


def _text_status(text: str) -> tuple[str, bool]:
    """A plain-text output's failure signal: a shell header's exit code, or code mode's script result."""
    if text.startswith(_SCRIPT_FAILED):
        return text, True
    if not text.startswith(_SCRIPT_COMPLETED):
        return _shell_header_text(text)
    # The script ran; what it printed may be a command's structured result, exit code included.
    body = text.partition(_OUTPUT_LINE)[2].strip()
    if not (body.startswith("{") and '"exit_code"' in body):
        return text, False
    try:
        result = orjson.loads(body)
    except orjson.JSONDecodeError:
        return text, False
    code = result.get("exit_code") if isinstance(result, dict) else None
    if not isinstance(code, int) or isinstance(code, bool) or code == 0:
        return text, False
    return f"Exit code: {code}\n{text}", True


def _shell_header_text(text: str) -> tuple[str, bool]:
    """'Exit code: N ... Output:' (shell_command) and 'Process exited with code N ... Output:' (exec_command)."""
    split = text.find(_OUTPUT_LINE, 0, _HEADER_SCAN)
    if split < 0:
        return text, False
    found = _EXIT_LINE.search(text, 0, split)
    if found is None:
        return text, False
    return _with_exit_code(text[split + len(_OUTPUT_LINE) :], int(found[1]))


def _with_exit_code(body: str, code: object) -> tuple[str, bool]:
    if not isinstance(code, int) or isinstance(code, bool):
        return body, False
    return f"Exit code: {code}\n{body}", code != 0


def _questions(args: object) -> dict[str, str]:
    """request_user_input arguments -> question id -> question text."""
    asked = args.get("questions") if isinstance(args, dict) else None
    found: dict[str, str] = {}
    for q in asked if isinstance(asked, list) else ():
        if isinstance(q, dict) and isinstance(q.get("question"), str):
            found[str(q.get("id") or len(found))] = q["question"]
    return found


def _answers(output: object, questions: dict[str, str]) -> list[tuple[str, str]]:
    """(question, answer) pairs of a request_user_input output, ``{"answers": {id: {"answers": [...]}}}``.
    Anything else (plain text: the tool was unavailable, or the user cancelled) answers nothing."""
    value = _decode_arguments(output)
    if not isinstance(value, dict) or not isinstance(value.get("answers"), dict):
        return []
    pairs = []
    for qid, given in value["answers"].items():
        picked = given.get("answers") if isinstance(given, dict) else given
        texts = [a.removeprefix(_USER_NOTE).strip() for a in (picked if isinstance(picked, list) else [picked])
                 if isinstance(a, str) and a.strip()]
        if texts:
            pairs.append((questions.get(qid, qid), "\n".join(texts)))
    return pairs


def _tool_search_text(tools: object) -> str:
    """The names of the tools a tool search found; their schemas are noise."""
    names = []
    for tool in tools if isinstance(tools, list) else ():
        if isinstance(tool, dict) and isinstance(tool.get("tools"), list):  # a namespace of tools
            names += [f"{tool.get('name')}.{t.get('name')}" for t in tool["tools"] if isinstance(t, dict)]
        elif isinstance(tool, dict):
            names.append(str(tool.get("name")))
    return "found tools: " + (", ".join(names) or "none")


def _as_text(value: object, stats: ReadStats) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        text = _content_text(value, stats)
        if text is not None:
            return text
    return compact_json(value)


def _content_text(items: list, stats: ReadStats) -> str | None:
    """Join the text of content items ({"type":"input_text","text":...}); None if these are not content items."""
    texts = []
    for part in items:
        if not isinstance(part, dict):
            return None
        if part.get("type") in ("input_image", "image"):
            stats.images_dropped += 1
            texts.append(IMAGE_PLACEHOLDER)
        elif isinstance(part.get("text"), str):
            texts.append(part["text"])
        else:
            return None
    return "\n".join(texts)


def _decode_arguments(arguments: object) -> object:
    if isinstance(arguments, str):
        try:
            return orjson.loads(arguments)
        except orjson.JSONDecodeError:
            return arguments
    return arguments


def _function_call_text(name: str, args: object) -> str:
    """A shell tool is shown as its command line; anything else as name plus compact arguments."""
    if isinstance(args, dict):
        if name in ("shell", "container.exec"):
            command = _command_line(args.get("command"))
        elif name == "shell_command":
            command = _str(args.get("command"))
        elif name == "exec_command":
            command = _str(args.get("cmd"))
        else:
            command = None
        if command:
            return command
    return f"{name} {compact_json(args)}"


def _command_line(argv: object) -> str | None:
    if isinstance(argv, str):
        return argv
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv) or not argv:
        return None
    # ["bash", "-lc", "pytest -q"] is how Codex runs almost everything: show the script itself.
    if len(argv) == 3 and os.path.basename(argv[0]) in _SHELLS and argv[1] in ("-c", "-lc"):
        return argv[2]
    return shlex.join(argv)


def _web_search_text(action: object) -> str:
    if not isinstance(action, dict):
        return "web_search"
    detail = action.get("query") or action.get("url") or action.get("pattern")
    return f"web_search {detail}" if isinstance(detail, str) else f"web_search {compact_json(action)}"


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
