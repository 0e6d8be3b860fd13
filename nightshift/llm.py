"""One Chat Completions call through the ``openai`` client, with errors sorted for the job system.

Transport faults (timeouts, connection errors, 429, 5xx) are retried by the client itself with
exponential backoff and jitter, ``model_max_retries`` times; what still fails is a transient
``ModelError`` and the job backs off. Any other 4xx (bad key, unknown model, bad request) is
permanent and says what to fix.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nightshift.phase2.contract import BYTES_PER_TOKEN
from nightshift.settings import Settings

if TYPE_CHECKING:
    import openai


class ModelError(RuntimeError):
    """``unreachable``: no answer at all (connection refused, DNS, timeout), so the endpoint, not the transcript, is at fault."""

    def __init__(self, message: str, *, status: int | None = None, permanent: bool = False, unreachable: bool = False):
        super().__init__(message)
        self.status = status
        self.permanent = permanent
        self.unreachable = unreachable


@dataclass
class ChatResult:
    content: str | None
    tool_calls: list[Any] = field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0


def make_client(s: Settings) -> openai.OpenAI:
    return _new_client(*_endpoint(s))


def shared_client(s: Settings) -> openai.OpenAI:
    """One client per endpoint per process, shared by the extract threads (the client is thread-safe).

    A new client loads the CA bundle into a fresh TLS context (~0.1 s of CPU under the GIL), which
    per transcript cost more than the model call's own latency when 8 extractions run at once.
    """
    return _shared_client(*_endpoint(s))


def _endpoint(s: Settings) -> tuple[str | None, str, int, float]:
    key = s.api_key.get_secret_value() if s.api_key else "not-needed"  # local servers accept any key
    return s.base_url, key, s.model_max_retries, s.model_timeout_seconds


def _new_client(base_url: str | None, key: str, retries: int, timeout: float) -> openai.OpenAI:
    import openai  # on first use: importing it costs ~0.4 s, and a night with nothing new makes no call

    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=retries, timeout=timeout)


_shared_client = functools.lru_cache(maxsize=8)(_new_client)


def estimate_tokens(payload: Any) -> int:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, default=str)
    return max(1, len(text.encode("utf-8")) // BYTES_PER_TOKEN)


def _explain(exc: openai.APIStatusError) -> str:
    hints = {
        401: "authentication failed: check NIGHTSHIFT_API_KEY / OPENAI_API_KEY",
        403: "permission denied for this key or model",
        404: "not found: check the model name and NIGHTSHIFT_BASE_URL",
    }
    detail = exc.message or str(exc)
    return f"HTTP {exc.status_code}: {hints[exc.status_code]} ({detail})" if exc.status_code in hints else f"HTTP {exc.status_code}: {detail}"


def chat(client: openai.OpenAI, model: str, messages: list[dict], **options: Any) -> ChatResult:
    import openai  # already loaded: the client exists

    try:
        response = client.chat.completions.create(model=model, messages=messages, **options)
    except openai.APIStatusError as exc:
        transient = exc.status_code == 429 or exc.status_code >= 500
        raise ModelError(_explain(exc), status=exc.status_code, permanent=not transient) from exc
    except (openai.APITimeoutError, openai.APIConnectionError) as exc:
        raise ModelError(f"cannot reach the model endpoint {client.base_url}: {type(exc).__name__}: {exc}", unreachable=True) from exc
    if not response.choices:
        raise ModelError("the model returned no choices")
    message = response.choices[0].message
    usage = response.usage
    if usage is not None:
        return ChatResult(message.content, list(message.tool_calls or []), usage.prompt_tokens or 0, usage.completion_tokens or 0)
    answer = [message.content or "", [c.model_dump() for c in message.tool_calls or []]]  # no usage reported: estimate
    return ChatResult(message.content, list(message.tool_calls or []), estimate_tokens(messages), estimate_tokens(answer))
