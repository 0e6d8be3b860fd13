"""Claude Code session files (``~/.claude/projects/<encoded cwd>/<session>.jsonl``) -> ``Transcript``.

Only ``user`` and ``assistant`` lines hold the conversation; their ``message`` is an Anthropic
Messages API message. Claude Code streams one content block per line, so the lines of one API
response share ``message.id`` and their text is merged back into one turn.

The harness also writes as the user: task notifications (``origin.kind``), IDE context blocks, queued
notifications. Those are dropped and counted by kind in ``ReadStats.harness``; a prompt the user typed
while the agent worked (a ``queued_command`` attachment) and an answer given through ``AskUserQuestion``
are the user's and become user turns. Records form a tree by ``parentUuid``: a message edited and sent
again, or a rewind, starts a new branch from an earlier record, and the branch it leaves is dropped as
the new one begins (the file is written in time order, so the last branch is the live one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import orjson

from nightshift.ingest.transcript import IMAGE_PLACEHOLDER, Transcript, Turn, TurnKind, strip_ansi

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
# Harness blocks counted by kind when dropped: what the IDE showed, and background task notices.
_IDE_BLOCK = re.compile(r"<(ide_opened_file|ide_selection)>(.*?)</\1>", re.S)
_OPENED_FILE = re.compile(r"opened the file (\S+)")
_TASK_NOTIFICATION = "<task-notification>"
_QUESTION_TOOL = "AskUserQuestion"
_ANSWER_PAIR = re.compile(r'"([^"]+)"="([^"]*)"')  # 'User has answered your questions: "Q"="A". ...'

_EXTERNAL_TOOLS = {"WebSearch", "WebFetch"}


def looks_like(obj: dict) -> bool:
    return obj.get("type") in _RECORD_TYPES and any(key in obj for key in _IDENTIFYING_KEYS)


def read(records: Iterable[tuple[dict, datetime | None]], transcript: Transcript) -> None:
    reader = _Reader(transcript)
    for obj, when in records:
        reader.add(obj, when)
    reader.finish()


def _answers(text: str, structured: object, questions: list[str]) -> list[tuple[str | None, str]]:
    """(question, answer) pairs of an AskUserQuestion result: from ``toolUseResult.answers`` where the
    line has it, else from the result text's ``"question"="answer"`` pairs."""
    given = structured.get("answers") if isinstance(structured, dict) else None
    if isinstance(given, dict) and given:
        return [(q, a.strip()) for q, a in given.items() if isinstance(q, str) and isinstance(a, str) and a.strip()]
    pairs = [(q, a.strip()) for q, a in _ANSWER_PAIR.findall(text) if q in questions and a.strip()]
    return pairs


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
        self.questions: dict[str, list[str]] = {}  # AskUserQuestion tool_use id -> its questions
        self.ends: dict[str, int] = {}  # record uuid -> number of turns once it was read: where its branch stands
        self.last_uuid: str | None = None
        self.summaries: list[tuple[str, str]] = []  # (leafUuid, summary); kept once the leaf is known to be here
        self.root_prompt: int | None = None  # where the branch began whose root is a prompt (parentUuid null)
        self.linked = False  # a record since that root named its parent: the file links its records

    def add(self, obj: dict, when: datetime | None) -> None:
        kind = obj.get("type")
        if kind in ("user", "assistant"):
            self.conversation(obj, kind, when)
        elif kind == "summary":
            if isinstance(obj.get("summary"), str) and isinstance(obj.get("leafUuid"), str):
                self.summaries.append((obj["leafUuid"], obj["summary"]))
        elif kind == "attachment":
            self.attachment(obj.get("attachment"), when)
        elif kind not in _IGNORED_TYPES:
            self.stats.unknown_records += 1
        uuid = obj.get("uuid")
        if isinstance(uuid, str):
            self.ends.setdefault(uuid, len(self.t.turns))  # a resumed session repeats lines: the first one counts
            self.last_uuid = uuid
            parent = obj.get("parentUuid", "")
            if parent is None and kind != "user":
                self.root_prompt = None  # a compaction boundary: the turns before it stay the session's
            self.linked = self.linked or isinstance(parent, str)

    def finish(self) -> None:
        """A summary names the leaf of the session it titles; one whose leaf is in another file is not ours."""
        for leaf, summary in self.summaries:
            if leaf in self.ends and "title" not in self.t.metadata:
                self.t.metadata["title"] = summary
            elif leaf not in self.ends:
                self.stats.harness["foreign_summary"] += 1

    def branch(self, obj: dict) -> None:
        """A prompt whose parent is an earlier record, not the latest one, starts a new branch (an edited
        message, a rewind): the turns read since that parent belong to the abandoned branch."""
        parent = obj.get("parentUuid", "")
        if parent is None:  # a new root: the first prompt, or (in a file that links its records) the first
            # prompt edited and sent again after replies
            start = self.root_prompt if self.linked else None
            self.root_prompt, self.linked = len(self.t.turns) if start is None else min(start, len(self.t.turns)), False
            if start is None:
                return
        elif not isinstance(parent, str) or parent == self.last_uuid or parent not in self.ends:
            return
        else:
            start = min(self.ends[parent], len(self.t.turns))
        if start < len(self.t.turns):
            self.stats.harness["abandoned_branch"] += len(self.t.turns) - start
            del self.t.turns[start:]
            self.open_text = self.open_message_id = None

    def attachment(self, attachment: object, when: datetime | None) -> None:
        """A prompt typed while the agent worked arrives as a ``queued_command``; so does a task notice."""
        if not isinstance(attachment, dict) or attachment.get("type") != "queued_command":
            return
        prompt = attachment.get("prompt")
        origin = attachment.get("origin")
        if not isinstance(prompt, str) or not prompt.strip():
            return
        if (attachment.get("commandMode") not in (None, "prompt") or isinstance(origin, dict) and origin.get("kind") not in (None, "human")
                or prompt.lstrip().startswith(_TASK_NOTIFICATION)):
            self.stats.harness["task_notification"] += 1
            return
        self.add_user_text([prompt], when)

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
        origin = obj.get("origin")
        if kind == "user" and isinstance(origin, dict) and origin.get("kind") == "task-notification":
            self.stats.harness["task_notification"] += 1  # a background task finished: the harness speaking
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
            if any(isinstance(b, dict) and b.get("type") == "text" for b in content):
                self.branch(obj)  # only a prompt starts a branch: parallel tool results point at their own calls
            self.user(content, when, obj.get("toolUseResult"))
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

    def user(self, blocks: list, when: datetime | None, structured: object = None) -> None:
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
                self.tool_result(block, when, structured)
            elif kind == "image":
                self.stats.images_dropped += 1
                texts.append(IMAGE_PLACEHOLDER)
            else:
                self.stats.dropped_items += 1
        self.add_user_text(texts, when)

    def add_user_text(self, texts: list[str], when: datetime | None) -> None:
        if not texts:
            return
        text = _strip_injected("\n\n".join(texts))
        if "<ide_" in text:
            text = _IDE_BLOCK.sub(self.ide_block, text)
        text = text.strip()
        if text.startswith(_TASK_NOTIFICATION):  # older builds mark notices only by their text
            self.stats.harness["task_notification"] += 1
        elif text:
            self.t.turns.append(Turn(TurnKind.USER, text, timestamp=when))
        else:
            self.stats.dropped_items += 1

    def ide_block(self, match: re.Match) -> str:
        """An IDE context block goes; the file the user has open stays as context."""
        self.stats.harness["ide_context"] += 1
        if match[1] == "ide_opened_file" and (opened := _OPENED_FILE.search(match[2])):
            self.t.metadata["active_file"] = opened[1]
        return ""

    def tool_result(self, block: dict, when: datetime | None, structured: object = None) -> None:
        content = block.get("content")
        if isinstance(content, list):
            parts = []
            for part in content:
                if isinstance(part, dict) and part.get("type") == "image":
                    self.stats.images_dropped += 1
                    parts.append(IMAGE_PLACEHOLDER)
                elif isinstance(part, dict) and isinstance(part.get("text"), str):
                    parts.append(part["text"])
            text = "\n".join(parts)
        else:
            text = content if isinstance(content, str) else ""
        call_id = block.get("tool_use_id") if isinstance(block.get("tool_use_id"), str) else None
        if call_id in self.questions and block.get("is_error") is not True:
            answers = _answers(text, structured, self.questions.pop(call_id))
            for question, answer in answers:  # the user's own words, given through the question tool
                self.t.turns.append(Turn(TurnKind.USER, answer, call_id=call_id, timestamp=when, question=question))
            if answers:
                return
        self.t.turns.append(
            Turn(
                TurnKind.TOOL_OUTPUT,
                strip_ansi(_strip_injected(text)),  # Claude Code appends system reminders to file reads
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
            if name == _QUESTION_TOOL:
                asked = tool_input.get("questions") if isinstance(tool_input, dict) else None
                self.questions[call_id] = [q["question"] for q in asked or () if isinstance(q, dict) and isinstance(q.get("question"), str)]
        self.t.turns.append(Turn(TurnKind.TOOL_CALL, text, tool_name=name, call_id=call_id, timestamp=when))
