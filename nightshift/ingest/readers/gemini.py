"""Gemini CLI sessions (``~/.gemini/tmp/<project>/chats/session-*.jsonl`` and ``session-*.json``) -> ``Transcript``.

Newer builds append JSON lines: a first metadata line (``sessionId``, ``projectHash``, ``startTime``,
``kind``), message records (``id``, ``type`` user / gemini / info / error / warning, ``content``; a
gemini message carries ``toolCalls`` with ``name``, ``args``, ``result``, ``status``), ``{"$set": {...}}``
metadata updates and ``{"$rewindTo": id}``: the user went back to before that message, which and all
after it are gone. A message that changes (tool calls finish, tokens arrive) is appended again whole
under the same id; Gemini only ever updates its newest message, so the newest one is held until another
arrives. Older builds wrote one JSON document per session (a ``ConversationRecord`` with ``messages``);
``as_records`` turns it into the same records. A sub-agent's session (``kind: "subagent"``, under
``chats/<parentSessionId>/``) is marked as one: its parent holds its report.

The project is filed under ``projectHash``, the SHA-256 of the project's path. The path is recovered
where the session names it (tool arguments, workspace directories) or where newer builds leave a
``.project_root`` file beside ``chats/``, and only when it hashes to ``projectHash``; else the session
is scoped by the hash (``project_scope``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path, PureWindowsPath

from nightshift.ingest.transcript import IMAGE_PLACEHOLDER, Transcript, Turn, TurnKind, compact_json, parse_time, strip_ansi

HASH_SCOPE = "gemini-project:"  # project key of a session whose directory is not known, by its hash
_HARNESS_TYPES = {"info", "error", "warning"}  # the CLI's own notices ("Request cancelled.", quota errors)
_SHELL_TOOL = "run_shell_command"
_FINISHED = {"success", "error", "cancelled"}  # a tool call's status once it has a result
# The shell tool succeeds whatever the command did; its output says how the command ended.
_EXIT_CODE = re.compile(r"Exit Code: (-?\d+)[ \t]*$", re.M)
_EXTERNAL_TOOLS = {"google_web_search", "web_fetch"}
# @file mentions: the CLI appends the files' contents to the prompt it records.
_REFERENCED_FILES = re.compile(r"\n?--- Content from referenced files ---.*?(?:--- End of content ---|\Z)", re.S)
_PROJECT_ROOT_FILE = ".project_root"  # newer builds: tmp/<short id>/.project_root holds the project's path
_MAX_PATHS = 256  # absolute paths tried against the hash; a session names its project early
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")


def looks_like(obj: dict) -> bool:
    if isinstance(obj.get("sessionId"), str) and isinstance(obj.get("projectHash"), str):
        return True  # the metadata line, or a whole legacy document
    if isinstance(obj.get("$rewindTo"), str):
        return True  # a bare {"$set": ...} is too common a shape (database exports) to tell Gemini by
    return obj.get("type") == "gemini" and isinstance(obj.get("id"), str) and "content" in obj


def as_records(document: object) -> Iterator[dict]:
    """A legacy one-document session as the lines the JSONL form writes: metadata, then each message."""
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        yield document  # type: ignore[misc]  # not a Gemini document: the sniffer decides
        return
    yield {k: v for k, v in document.items() if k != "messages"}
    yield from (m for m in document["messages"] if isinstance(m, dict))


def read(records: Iterable[tuple[dict, datetime | None]], transcript: Transcript) -> None:
    reader = _Reader(transcript)
    for obj, when in records:
        reader.add(obj, when)
    reader.finish()


class _Reader:
    def __init__(self, transcript: Transcript) -> None:
        self.t = transcript
        self.stats = transcript.stats
        self.project_hash: str | None = None
        self.paths: dict[str, None] = {}  # absolute paths the session names, in order: candidates for the project
        self.pending: dict | None = None  # the newest message, until another arrives (it may still be updated)
        self.starts: dict[str, int] = {}  # message id -> index of its first turn, for rewinds

    def add(self, obj: dict, when: datetime | None) -> None:
        if isinstance(obj.get("$rewindTo"), str):
            self.rewind(obj["$rewindTo"])
        elif isinstance(obj.get("$set"), dict):
            self.metadata(obj["$set"])
        elif isinstance(obj.get("id"), str):
            if self.pending is not None and self.pending["id"] != obj["id"]:
                self.flush()
            if obj["id"] in self.starts:  # an update of a message already read: never written by Gemini itself
                self.stats.dropped_items += 1
            else:
                self.pending = obj
        elif isinstance(obj.get("sessionId"), str):
            self.metadata(obj)
        else:
            self.stats.unknown_records += 1

    def finish(self) -> None:
        self.flush()
        if self.project_hash:
            self.t.cwd = self.t.cwd or self.project_dir()
            if not self.t.cwd:
                self.t.project_scope = HASH_SCOPE + self.project_hash[:16]

    # --- metadata and rewinds -----------------------------------------------------------------------

    def metadata(self, meta: dict) -> None:
        if isinstance(meta.get("sessionId"), str) and not self.t.session_id:
            self.t.session_id = meta["sessionId"]
        if isinstance(meta.get("projectHash"), str) and not self.project_hash:
            self.project_hash = meta["projectHash"].lower()
        if meta.get("kind") == "subagent":
            self.t.metadata["subagent"] = "true"
        if isinstance(meta.get("summary"), str) and meta["summary"].strip():
            self.t.metadata["title"] = meta["summary"].strip()
        if isinstance(meta.get("directories"), list):  # the workspace's folders, the project's first
            for folder in meta["directories"]:
                self.note_path(folder)
        if start := parse_time(meta.get("startTime")):
            self.t.started_at = self.t.started_at or start
        if last := parse_time(meta.get("lastUpdated")):
            self.t.updated_at = max(self.t.updated_at, last) if self.t.updated_at else last
        if "messages" in meta:  # newer builds restate the model's history (masked, compressed): read already
            self.stats.dropped_items += 1

    def rewind(self, message_id: str) -> None:
        """The user went back to before ``message_id``: it and everything after it are gone. Like Gemini,
        a rewind to a message it does not know takes everything back."""
        newest, self.pending = self.pending, None  # the newest message comes after any other: it goes
        if newest is not None:
            self.stats.harness["abandoned_branch"] += 1
            if newest["id"] == message_id:
                return
        start = self.starts.get(message_id, 0)
        self.stats.harness["abandoned_branch"] += len(self.t.turns) - start
        del self.t.turns[start:]
        self.starts = {k: v for k, v in self.starts.items() if v < start}

    # --- messages -----------------------------------------------------------------------------------

    def flush(self) -> None:
        message, self.pending = self.pending, None
        if message is None:
            return
        self.starts[message["id"]] = len(self.t.turns)
        kind = message.get("type")
        when = parse_time(message.get("timestamp"))
        if kind == "user":
            self.user(message, when)
        elif kind == "gemini":
            self.gemini(message, when)
        elif kind in _HARNESS_TYPES:
            self.stats.dropped_items += 1
        else:
            self.stats.unknown_records += 1

    def user(self, message: dict, when: datetime | None) -> None:
        text = self.parts_text(message.get("content"))
        if _REFERENCED_FILES.search(text):  # @-mentioned files' contents, appended by the CLI
            self.stats.harness["referenced_files"] += 1
            text = _REFERENCED_FILES.sub("", text)
        if message.get("displayContent"):  # what the user typed, where the CLI sent more
            text = _REFERENCED_FILES.sub("", self.parts_text(message["displayContent"]))
        if text.strip():
            self.t.turns.append(Turn(TurnKind.USER, text.strip(), timestamp=when))
        else:
            self.stats.dropped_items += 1

    def gemini(self, message: dict, when: datetime | None) -> None:
        if model := message.get("model"):
            self.t.metadata["model"] = str(model)
        if message.get("thoughts"):
            self.stats.dropped_items += 1
        text = self.parts_text(message.get("content"))
        if text.strip():
            self.t.turns.append(Turn(TurnKind.ASSISTANT, text.strip(), timestamp=when))
        calls = message.get("toolCalls")
        for call in calls if isinstance(calls, list) else ():
            if isinstance(call, dict):
                self.tool_call(call, when)

    def tool_call(self, call: dict, when: datetime | None) -> None:
        name = call.get("name") if isinstance(call.get("name"), str) and call["name"] else "tool"
        args = call.get("args")
        call_id = call.get("id") if isinstance(call.get("id"), str) else None
        command = args.get("command") if name == _SHELL_TOOL and isinstance(args, dict) else None
        text = command if isinstance(command, str) and command else f"{name} {compact_json(args)}"
        if name in _EXTERNAL_TOOLS or "__" in name:  # web pages and MCP servers: outside content
            self.t.metadata["external_context"] = "true"
        for value in args.values() if isinstance(args, dict) else ():
            for path in value if isinstance(value, list) else (value,):
                self.note_path(path)
        self.t.turns.append(Turn(TurnKind.TOOL_CALL, text, tool_name=name, call_id=call_id, timestamp=when))
        output, failed = self.result_text(call.get("result"))
        if not output.strip() and isinstance(call.get("resultDisplay"), str):
            output = call["resultDisplay"]
        status = call.get("status")
        if name == _SHELL_TOOL and (code := _exit_code(output)) is not None and code != 0:
            failed = True
        if status == "cancelled":  # the user declined the call
            output = f"cancelled by the user\n{output}".rstrip()
        if status not in _FINISHED and not output.strip():
            return  # still running (or waiting for approval) when the file was written: no result yet
        self.t.turns.append(Turn(TurnKind.TOOL_OUTPUT, strip_ansi(output), tool_name=name, call_id=call_id,
                                 is_error=failed or status in ("error", "cancelled"), timestamp=when))

    def result_text(self, result: object) -> tuple[str, bool]:
        """A tool result (parts with ``functionResponse``, text parts, a bare string) and whether it failed."""
        if isinstance(result, str):
            return result, False
        texts, failed = [], False
        for part in result if isinstance(result, list) else [result] if isinstance(result, dict) else ():
            called = part.get("functionResponse") if isinstance(part, dict) else None
            response = called.get("response") if isinstance(called, dict) else None
            if isinstance(response, dict):
                failed = failed or "error" in response
                value = response.get("output", response.get("error", response))
                texts.append(value if isinstance(value, str) else compact_json(value))
            elif isinstance(part, dict | str):
                texts.append(self.parts_text([part]))
        return "\n".join(t for t in texts if t), failed

    def parts_text(self, content: object) -> str:
        """Text of a ``PartListUnion``: a string, one part or a list of parts; inline images become a placeholder."""
        if isinstance(content, str):
            return content
        texts = []
        for part in content if isinstance(content, list) else [content] if isinstance(content, dict) else ():
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                if not part.get("thought"):  # thought parts are the model's reasoning
                    texts.append(part["text"])
            elif isinstance(part, dict) and ("inlineData" in part or "fileData" in part):
                self.stats.images_dropped += 1
                texts.append(f"\n{IMAGE_PLACEHOLDER}\n")  # parts join without a separator
            else:
                self.stats.dropped_items += 1
        return "".join(texts)

    # --- which project --------------------------------------------------------------------------------

    def note_path(self, value: object) -> None:
        if isinstance(value, str) and len(self.paths) < _MAX_PATHS and (value.startswith("/") or _WINDOWS_PATH.match(value)):
            self.paths[value] = None

    def project_dir(self) -> str | None:
        """The project's path: the first named path or parent of one that hashes to ``projectHash``; else
        the ``.project_root`` newer builds keep beside ``chats/``, when it hashes so."""
        tried: set[str] = set()
        for path in self.paths:
            windows = bool(_WINDOWS_PATH.match(path))
            folder = PureWindowsPath(path) if windows else Path(path)
            for candidate in (folder, *folder.parents):
                text = str(candidate)
                if text not in tried:
                    tried.add(text)
                    if _hash(text, windows) == self.project_hash:
                        return text
        for up in Path(self.t.path).parents[1:3]:  # chats/<file> and chats/<parent id>/<file>
            marker = up / _PROJECT_ROOT_FILE
            try:
                with marker.open("rb") as fh:  # a path; anything longer is not one
                    root = fh.read(4096).decode("utf-8").strip()
            except (OSError, UnicodeDecodeError):
                root = ""
            if root and _hash(root, bool(_WINDOWS_PATH.match(root))) == self.project_hash:
                return root
        return None


def scope_covers(scope: str, folder: str) -> bool:
    """Whether ``scope`` (a session filed by project hash) is the project rooted at ``folder``: Gemini CLI
    names a project's folder by the SHA-256 of the path it was started in."""
    return scope == HASH_SCOPE + _hash(folder, bool(_WINDOWS_PATH.match(folder)))[:16]


def _hash(path: str, windows: bool) -> str:
    return hashlib.sha256((path.lower() if windows else path).encode("utf-8", "surrogateescape")).hexdigest()


def _exit_code(output: str) -> int | None:
    """The code on the shell tool's ``Exit Code:`` line, which the CLI writes after the command's output:
    looked for from the end, so a long output is not scanned line by line and its own text cannot pass for it."""
    found = _EXIT_CODE.match(output, output.rfind("\nExit Code: ") + 1)  # not found: tried at 0, the output's start
    return int(found[1]) if found else None
