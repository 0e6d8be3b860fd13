"""The normalised transcript: what every reader produces and every later stage consumes.

Readers (``nightshift.ingest.readers``) turn a Codex CLI rollout or a Claude Code session file into a
``Transcript``; rendering, extraction and citation parsing only ever see this model, never the
on-disk formats.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum

import orjson

# The note a sub-agent's file is skipped with: its parent session holds its report (status counts neither).
SUBAGENT_NOTE = "sub-agent thread: part of its parent session"
IMAGE_PLACEHOLDER = "[image]"  # where an image was: "look at the screenshot" then still refers to something
# Terminal control sequences in tool output (colours, cursor moves, OSC hyperlinks): noise to a reader.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


class TurnKind(str, Enum):
    USER = "user"  # text a human typed
    ASSISTANT = "assistant"  # text the agent said
    TOOL_CALL = "tool_call"  # the agent invoked a tool; ``text`` is the call (command, arguments)
    TOOL_OUTPUT = "tool_output"  # what the tool returned


@dataclass(slots=True)
class Turn:
    kind: TurnKind
    text: str
    tool_name: str | None = None  # set on TOOL_CALL / TOOL_OUTPUT when known
    call_id: str | None = None  # pairs a TOOL_OUTPUT with its TOOL_CALL
    is_error: bool = False  # TOOL_OUTPUT that the format marks as failed (exit code, is_error)
    timestamp: datetime | None = None
    question: str | None = None  # on a USER turn typed into a question tool: the question it answers


@dataclass(slots=True)
class ReadStats:
    """What a reader skipped, so a run can report it instead of failing."""

    lines: int = 0
    malformed_lines: int = 0  # not JSON, not an object, invalid UTF-8, over the line cap
    unknown_records: int = 0  # valid JSON of a type the reader does not know
    dropped_items: int = 0  # known but deliberately dropped (developer/system, reasoning, injected blocks)
    images_dropped: int = 0
    # Text the harness wrote in the user's place, dropped, by kind (task_notification, ide_context,
    # inherited, compaction_output, agent_config, foreign_summary, referenced_files) and turns on abandoned
    # branches (rewinds included): counted so a run can say what it left out.
    harness: Counter = field(default_factory=Counter)


@dataclass(slots=True)
class Transcript:
    session_id: str
    source_format: str  # "codex" | "claude" | "gemini" | "cursor"
    path: str
    cwd: str | None = None
    # Where no cwd is known, the project key the agent's own filing gives (Gemini's hash of the project path,
    # Cursor's project folder name), so a session is still scoped to its project; see nightshift.scope.
    project_scope: str | None = None
    git_remote: str | None = None
    git_branch: str | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None
    turns: list[Turn] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)  # e.g. environment_context values
    stats: ReadStats = field(default_factory=ReadStats)

    def user_texts(self) -> list[str]:
        return [t.text for t in self.turns if t.kind is TurnKind.USER]


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text) if "\x1b" in text else text


def compact_json(value: object) -> str:
    """A tool's arguments or result as one line of text: a string as it is, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


class NotATranscript(ValueError):
    """The file is empty or holds no recognisable transcript; reported and skipped, never fatal."""
