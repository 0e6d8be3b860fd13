"""The normalised transcript: what every reader produces and every later stage consumes.

Readers (``nightshift.ingest.readers``) turn a Codex CLI rollout or a Claude Code session file into a
``Transcript``; rendering, extraction and citation parsing only ever see this model, never the
on-disk formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


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


@dataclass(slots=True)
class ReadStats:
    """What a reader skipped, so a run can report it instead of failing."""

    lines: int = 0
    malformed_lines: int = 0  # not JSON, not an object, invalid UTF-8, over the line cap
    unknown_records: int = 0  # valid JSON of a type the reader does not know
    dropped_items: int = 0  # known but deliberately dropped (developer/system, reasoning, injected blocks)
    images_dropped: int = 0


@dataclass(slots=True)
class Transcript:
    session_id: str
    source_format: str  # "codex" | "claude"
    path: str
    cwd: str | None = None
    git_remote: str | None = None
    git_branch: str | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None
    turns: list[Turn] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)  # e.g. environment_context values
    stats: ReadStats = field(default_factory=ReadStats)

    def user_texts(self) -> list[str]:
        return [t.text for t in self.turns if t.kind is TurnKind.USER]


class NotATranscript(ValueError):
    """The file is empty or holds no recognisable transcript; reported and skipped, never fatal."""
