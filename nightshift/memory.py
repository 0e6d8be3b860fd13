"""The RawMemory structure: phase 1's output, checked by the JSON Schema and by pydantic.

``schemas/raw_memory.schema.json`` is the contract a model is asked to follow; the pydantic model
adds what JSON Schema in strict structured-output mode cannot say (a no-op has no tasks).
``tests/test_memory_schema.py`` keeps the two in sync.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

import jsonschema
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nightshift.resources import load_schema


class Decision(str, Enum):
    REMEMBER = "remember"
    NO_OP = "no_op"


class Outcome(str, Enum):
    SUCCESS = "success"
    PARTIAL = "partial"
    UNCERTAIN = "uncertain"
    FAIL = "fail"


class Scope(str, Enum):
    PROJECT = "project"
    GLOBAL = "global"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Failure(_Strict):
    symptom: str = Field(min_length=1)
    fix: str


class Task(_Strict):
    title: str = Field(min_length=1)
    outcome: Outcome
    scope: Scope
    cwd: str | None
    keywords: list[str]
    preferences: list[str]
    knowledge: list[str]
    failures: list[Failure]
    evidence: list[str]


class RawMemory(_Strict):
    decision: Decision
    rollout_summary: str
    slug: str = Field(pattern=r"^([a-z0-9]+(-[a-z0-9]+)*)?$", max_length=60)
    tasks: list[Task]

    @model_validator(mode="after")
    def _no_op_is_empty(self) -> RawMemory:
        if self.decision is Decision.NO_OP and self.tasks:
            raise ValueError("a no_op decision must have an empty tasks list")
        if self.decision is Decision.REMEMBER and not self.tasks:
            raise ValueError("a remember decision needs at least one task")
        return self

    @property
    def is_no_op(self) -> bool:
        return self.decision is Decision.NO_OP

    @classmethod
    def no_op(cls) -> RawMemory:
        return cls(decision=Decision.NO_OP, rollout_summary="", slug="", tasks=[])


class InvalidMemory(ValueError):
    """Model output that is not a valid RawMemory; ``errors`` are shown to the model on repair."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema("raw_memory"))  # built once: it is immutable and thread-safe


def parse_raw_memory(data: str | dict[str, Any]) -> RawMemory:
    """Validate with the JSON Schema first (the model's contract), then pydantic (the extra rules)."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InvalidMemory([f"not valid JSON: {exc}"]) from exc
    validator = _validator()
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if errors:
        raise InvalidMemory(errors)
    try:
        return RawMemory.model_validate(data)
    except ValidationError as exc:
        raise InvalidMemory([f"{'/'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()]) from exc


@dataclass(frozen=True, slots=True)
class StoredMemory:
    """A raw memory as phase 2 sees it: the model's answer plus where it came from."""

    rollout_id: str  # the session/thread id; what citations name
    source_path: str
    source_format: str  # "codex" | "claude" | "import"
    project_key: str  # normalised git remote, else repo root, else cwd (see nightshift.scope)
    memory: RawMemory
    source_updated_at: datetime  # the transcript's mtime when it was extracted
    usage_count: int = 0
    last_usage: datetime | None = None
