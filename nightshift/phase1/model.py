"""Phase 1 with a model: one strict-JSON Chat Completions call per transcript, validated locally.

The request carries the RawMemory JSON Schema as ``response_format`` (strict). A server that rejects
``json_schema`` gets ``json_object`` instead (said once in the log). Whatever comes back is checked
with jsonschema and pydantic; an invalid answer gets one repair turn showing the errors, and a
second invalid answer fails the job.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nightshift.llm import ChatResult, ModelError, chat
from nightshift.memory import InvalidMemory, RawMemory, parse_raw_memory
from nightshift.resources import fill_prompt, load_schema, prompt_path

if TYPE_CHECKING:  # imported by nightshift.llm when a model is first called
    import openai

log = logging.getLogger("nightshift.extract")

MAX_ANSWER_CHARS = 64_000  # a raw memory is a few KB; anything this large is a runaway model, never stored
_json_schema_rejected: set[str] = set()  # base URLs that said no to json_schema; warned about once
_rejected_lock = threading.Lock()


class ExtractionInvalid(RuntimeError):
    """The model's answer stayed invalid after the repair turn; the tokens were spent all the same."""

    def __init__(self, message: str, calls: int, tokens_in: int, tokens_out: int):
        super().__init__(message)
        self.calls, self.tokens_in, self.tokens_out = calls, tokens_in, tokens_out


@dataclass
class ModelAnswer:
    memory: RawMemory
    calls: int
    tokens_in: int
    tokens_out: int


def wire_schema() -> dict:
    """The schema as sent: JSON Schema metadata keys that strict servers reject are left out."""
    return {k: v for k, v in load_schema("raw_memory").items() if k not in ("$schema", "$id", "title")}


def fence(text: str) -> tuple[str, str]:
    """Fence lines whose marker is derived from the text, so the text cannot contain its own closing line."""
    marker = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"<<<TRANSCRIPT {marker} BEGIN>>>", f"<<<TRANSCRIPT {marker} END>>>"


@functools.cache
def _schema_text() -> str:
    return json.dumps(wire_schema(), indent=1)  # the same for every transcript; dumping it cost ~1 ms each


def build_messages(rendered: str, prompts_dir: Path | None) -> list[dict]:
    """The system prompt (extract.md) and the transcript inside its fence (extract_input.md)."""
    instructions = prompt_path("extract.md", prompts_dir).read_text(encoding="utf-8")
    opening, closing = fence(rendered)
    framing = prompt_path("extract_input.md", prompts_dir).read_text(encoding="utf-8")
    user = fill_prompt(framing, {"fence_open": opening, "transcript": rendered, "fence_close": closing, "schema": _schema_text()})
    return [{"role": "system", "content": instructions}, {"role": "user", "content": user}]


def _response_format(json_schema_ok: bool) -> dict:
    if json_schema_ok:
        return {"type": "json_schema", "json_schema": {"name": "raw_memory", "schema": wire_schema(), "strict": True}}
    return {"type": "json_object"}


def _is_format_rejection(exc: ModelError) -> bool:
    text = str(exc).lower()
    return exc.status in (400, 422) and ("response_format" in text or "json_schema" in text)


def _ask(client: openai.OpenAI, model: str, messages: list[dict], base_url: str) -> ChatResult:
    with _rejected_lock:
        json_schema_ok = base_url not in _json_schema_rejected
    try:
        return chat(client, model, messages, response_format=_response_format(json_schema_ok))
    except ModelError as exc:
        if not json_schema_ok or not _is_format_rejection(exc):
            raise
    with _rejected_lock:
        if base_url not in _json_schema_rejected:
            _json_schema_rejected.add(base_url)
            log.warning("%s rejected response_format json_schema; using json_object mode with local validation", base_url)
    return chat(client, model, messages, response_format=_response_format(False))


def extract_with_model(rendered: str, *, client: openai.OpenAI, model: str, base_url: str, prompts_dir: Path | None) -> ModelAnswer:
    messages = build_messages(rendered, prompts_dir)
    calls = tokens_in = tokens_out = 0
    errors: list[str] = []
    for attempt in range(2):  # the answer, then at most one repair turn
        result = _ask(client, model, messages, base_url)
        calls, tokens_in, tokens_out = calls + 1, tokens_in + result.tokens_in, tokens_out + result.tokens_out
        if len(result.content or "") > MAX_ANSWER_CHARS:  # no repair turn: echoing a runaway answer costs it again
            raise ExtractionInvalid(f"the answer has {len(result.content):,} characters, over the {MAX_ANSWER_CHARS:,} limit",
                                    calls, tokens_in, tokens_out)
        try:
            return ModelAnswer(parse_raw_memory(result.content or ""), calls, tokens_in, tokens_out)
        except InvalidMemory as exc:
            errors = exc.errors
        if attempt == 0:
            messages = messages + [
                {"role": "assistant", "content": result.content or ""},
                {"role": "user", "content": "That answer is not valid:\n- " + "\n- ".join(errors[:20])
                 + "\nReply again with only the corrected JSON object."},
            ]
    raise ExtractionInvalid(f"invalid model output after one repair turn: {'; '.join(errors[:5])}", calls, tokens_in, tokens_out)

