"""Cursor's agent CLI transcripts (``~/.cursor/projects/<project>/agent-transcripts/<id>/<id>.jsonl``) -> ``Transcript``.

One line per message, ``{"role": "user" | "assistant", "message": {"content": [blocks]}}`` with text
and ``tool_use`` blocks, plus ``{"type": "turn_ended"}`` after a turn and sometimes a first
``{"type": "metadata", "metadata": {"overview": ...}}``. The lines carry no timestamps (the session's
time is the file's) and no tool results: Cursor keeps those in its own database; a ``tool_result``
block, where a build writes one, is read. The model's thinking is folded into its text by Cursor.

Cursor wraps what the user typed in ``<user_query>``; blocks around it (``<user_info>``, ``<rules>``,
``<open_and_recently_viewed_files>``, ...) are the harness's and are dropped, counted as ``ide_context``.
The working directory comes from ``<user_info>``'s ``Workspace Path``; failing that, from a path the
session names whose folder name is the project folder's (Cursor names it after the path, with every
other character a dash), else the session is scoped by that folder name. Sub-agents write under
``<id>/subagents/``, which discovery skips: their report is the parent's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path


from nightshift.ingest.transcript import IMAGE_PLACEHOLDER, Transcript, Turn, TurnKind, compact_json, strip_ansi

FOLDER_SCOPE = "cursor-project:"  # project key of a session whose directory is not known, by Cursor's folder name
_QUERY_OPEN, _QUERY_CLOSE = "<user_query>", "</user_query>"
# Harness blocks in a user message that has no <user_query> (older builds, the IDE).
_HARNESS_BLOCK = re.compile(
    r"<(user_info|rules|user_rules|system_reminder|system-reminder|workspace|timestamp|attached_files|git_status"
    r"|open_and_recently_viewed_files|project_layout|agent_skills|manually_attached_skills|additional_data"
    r"|agent_requestable_workspace_rules|always_applied_workspace_rules|mcp_instructions)\b[^>]*>.*?</\1>",
    re.S,
)
_WORKSPACE_PATH = re.compile(r"<user_info>.*?^Workspace Path: *(\S[^\n]*?)\s*$", re.S | re.M)
_SHELL_TOOLS = {"Shell", "run_terminal_cmd", "Bash"}
_EXTERNAL_TOOLS = {"WebSearch", "WebFetch", "web_search", "fetch", "web_fetch"}
_TRANSCRIPTS_DIR = "agent-transcripts"
_MAX_PATHS = 256
# Looked up once: on Python 3.11 each ``TurnKind.X`` is a descriptor call, and a session has ~185,000 turns in 100 MB.
_USER, _ASSISTANT, _TOOL_CALL = TurnKind.USER, TurnKind.ASSISTANT, TurnKind.TOOL_CALL


def looks_like(obj: dict) -> bool:
    if obj.get("role") in ("user", "assistant") and isinstance(obj.get("message"), dict):
        return "type" not in obj and "uuid" not in obj and "sessionId" not in obj  # Claude Code's lines have these
    return obj.get("type") == "turn_ended" or (obj.get("type") == "metadata" and isinstance(obj.get("metadata"), dict))


def read(records: Iterable[tuple[dict, datetime | None]], transcript: Transcript) -> None:
    reader = _Reader(transcript)
    add = reader.add
    for obj, _ in records:
        add(obj)
    reader.finish()


class _Reader:
    def __init__(self, transcript: Transcript) -> None:
        self.t = transcript
        self.stats = transcript.stats
        self.tool_names: dict[str, str] = {}
        self.names_seen: set[str] = set()
        self.paths: dict[str, None] = {}  # absolute paths the tools were given: candidates for the project

    def add(self, obj: dict) -> None:
        role, kind = obj.get("role"), obj.get("type")
        message = obj.get("message")
        if role in ("user", "assistant") and isinstance(message, dict):
            content = message.get("content")
            blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
            if not isinstance(blocks, list):
                self.stats.unknown_records += 1
            elif role == "user":
                self.user(blocks)
            else:
                self.assistant(blocks)
        elif kind == "metadata":
            overview = obj.get("metadata", {}).get("overview") if isinstance(obj.get("metadata"), dict) else None
            if isinstance(overview, str) and overview.strip():
                self.t.metadata["title"] = overview.strip()
        elif kind != "turn_ended":  # the end of a turn carries nothing to read
            self.stats.unknown_records += 1

    def finish(self) -> None:
        if self.t.cwd:
            return
        folder = _project_folder(Path(self.t.path))
        if folder is None:
            return
        wanted = _slug(folder)
        for path in self.paths:
            for candidate in (Path(path), *Path(path).parents):
                if _slug(str(candidate)) == wanted:
                    self.t.cwd = str(candidate)
                    return
        self.t.project_scope = FOLDER_SCOPE + folder

    def user(self, blocks: list) -> None:
        texts = []
        for block in blocks:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind == "text" and isinstance(block.get("text"), str):
                texts.append(self.typed(block["text"]))
            elif kind == "image":
                self.stats.images_dropped += 1
                texts.append(IMAGE_PLACEHOLDER)
            elif kind == "tool_result":
                self.tool_result(block)
            else:
                self.stats.dropped_items += 1
        text = "\n\n".join(t for t in texts if t)
        if text:
            self.t.turns.append(Turn(_USER, text))
        elif texts:
            self.stats.dropped_items += 1

    def typed(self, text: str) -> str:
        """What the user typed in a text block: the ``<user_query>``, without the harness's blocks around it."""
        if "<user_info>" in text and not self.t.cwd and (found := _WORKSPACE_PATH.search(text)):
            self.t.cwd = found[1]
        queries, rest = _split_queries(text)
        if "<" in rest:
            rest, n = _HARNESS_BLOCK.subn("", rest)
            if n or (queries and rest.strip()):
                self.stats.harness["ide_context"] += 1
        return "\n\n".join(q for q in queries if q) if queries else rest.strip()

    def assistant(self, blocks: list) -> None:
        for block in blocks:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind == "text" and isinstance(text := block.get("text"), str):
                if text := text.strip():
                    self.t.turns.append(Turn(_ASSISTANT, text))
            elif kind == "tool_use":
                self.tool_use(block)
            elif kind == "tool_result":
                self.tool_result(block)
            else:
                self.stats.dropped_items += 1

    def tool_use(self, block: dict) -> None:
        name = block.get("name") if isinstance(block.get("name"), str) and block["name"] else "tool"
        tool_input = block.get("input")
        call_id = block.get("id") if isinstance(block.get("id"), str) else None
        command = tool_input.get("command") if name in _SHELL_TOOLS and isinstance(tool_input, dict) else None
        text = command if isinstance(command, str) and command else f"{name} {compact_json(tool_input)}"
        if name not in self.names_seen:  # a name says the same each call
            self.names_seen.add(name)
            if name in _EXTERNAL_TOOLS or name.lower().startswith("mcp") or "__" in name:  # web pages, MCP servers
                self.t.metadata["external_context"] = "true"
        if not self.t.cwd and isinstance(tool_input, dict):  # paths only help to find a directory not yet known
            for value in tool_input.values():
                if isinstance(value, str) and value.startswith("/") and len(self.paths) < _MAX_PATHS:
                    self.paths[value] = None
        if call_id:
            self.tool_names[call_id] = name
        self.t.turns.append(Turn(_TOOL_CALL, text, name, call_id))

    def tool_result(self, block: dict) -> None:
        content = block.get("content")
        if isinstance(content, list):
            text = "\n".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
        else:
            text = content if isinstance(content, str) else compact_json(content)
        call_id = block.get("tool_use_id") if isinstance(block.get("tool_use_id"), str) else None
        self.t.turns.append(Turn(TurnKind.TOOL_OUTPUT, strip_ansi(text), tool_name=self.tool_names.get(call_id or ""),
                                 call_id=call_id, is_error=block.get("is_error") is True))


def scope_covers(scope: str, folder: str) -> bool:
    """Whether ``scope`` (a session filed by Cursor's project folder name) is the project rooted at ``folder``:
    Cursor names that folder after the project's path."""
    return scope.startswith(FOLDER_SCOPE) and _slug(scope.removeprefix(FOLDER_SCOPE)) == _slug(folder)


def _split_queries(text: str) -> tuple[list[str], str]:
    """The stripped text of each ``<user_query>`` block, and the text around the blocks. A block runs to the
    first closing tag after it; an opening tag with none after it is left in the text. (``str.find``, not a
    regex: a lazy ``.*?`` tries the closing tag at every character, and a session has thousands of prompts.)"""
    queries, outside, done = [], [], 0
    start = text.find(_QUERY_OPEN)
    while start >= 0 and (end := text.find(_QUERY_CLOSE, start + len(_QUERY_OPEN))) >= 0:
        queries.append(text[start + len(_QUERY_OPEN):end].strip())
        outside.append(text[done:start])
        done = end + len(_QUERY_CLOSE)
        start = text.find(_QUERY_OPEN, done)
    return queries, "".join(outside) + text[done:]


def _project_folder(path: Path) -> str | None:
    """The project folder's name: the folder that holds ``agent-transcripts``."""
    for parent in path.parents:
        if parent.name == _TRANSCRIPTS_DIR:
            return parent.parent.name or None
    return None


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")

