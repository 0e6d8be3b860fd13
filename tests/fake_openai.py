"""A real HTTP server on 127.0.0.1 that speaks enough of the OpenAI Chat Completions API for tests.

The openai client sends through httpx2, which respx cannot intercept, so tests point the real client at this
server instead:

    with FakeOpenAI() as fake:
        fake.script(Reply.content("hello", usage=(3, 1)))
        client = openai.OpenAI(base_url=fake.base_url, api_key="test", max_retries=0)

Each POST /v1/chat/completions consumes the next scripted item (a Reply, or a callable taking the request JSON
and returning a Reply); once the script is empty `default` answers, and without a default the server answers
500 with a message saying so.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Union

# One counter for every generated id, so tool-call ids never repeat within a conversation.
_ids = itertools.count(1)


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, JSON payload and extra headers, sent `wait` seconds after it is chosen."""

    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    wait: float = 0.0

    @classmethod
    def content(cls, text: str, usage: tuple[int, int] | None = None) -> Reply:
        """A plain assistant answer; without `usage` the response has no usage key at all."""
        return cls._completion({"role": "assistant", "content": text}, "stop", usage)

    @classmethod
    def json(cls, obj: Any, usage: tuple[int, int] | None = None) -> Reply:
        return cls.content(json.dumps(obj), usage)

    @classmethod
    def tool_calls(cls, calls: list[tuple[str, dict[str, Any] | str]], usage: tuple[int, int] | None = None) -> Reply:
        """Function calls; a str argument is sent verbatim so tests can feed malformed JSON."""
        tool_calls = [
            {
                "id": f"call_{next(_ids)}",
                "type": "function",
                "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)},
            }
            for name, args in calls
        ]
        return cls._completion({"role": "assistant", "content": None, "tool_calls": tool_calls}, "tool_calls", usage)

    @classmethod
    def error(cls, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None) -> Reply:
        kind = "server_error" if status >= 500 else "invalid_request_error"
        error = {"message": message, "type": kind, "code": code, "param": None}
        return cls(status, {"error": error}, dict(headers or {}))

    @staticmethod
    def delay(seconds: float, then: Reply) -> Reply:
        return replace(then, wait=then.wait + seconds)

    @staticmethod
    def reject_json_schema_then(reply: Reply) -> Callable[[dict[str, Any]], Reply]:
        """Answers like a server without structured outputs: 400 for json_schema, `reply` for anything else."""

        def answer(request: dict[str, Any]) -> Reply:
            if (request.get("response_format") or {}).get("type") == "json_schema":
                return Reply.error(400, "response_format json_schema is not supported", code="unsupported_response_format")
            return reply

        return answer

    @classmethod
    def _completion(cls, message: dict[str, Any], finish_reason: str, usage: tuple[int, int] | None) -> Reply:
        payload: dict[str, Any] = {
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
        }
        if usage is not None:
            prompt, completion = usage
            payload["usage"] = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        return cls(200, payload)


Item = Union[Reply, Callable[[dict[str, Any]], Reply]]


@dataclass(frozen=True)
class Request:
    path: str  # without the query string
    headers: dict[str, str]  # lower-case names
    body: str
    json: Any  # the parsed body, None when it is empty or not JSON


def _failure(message: str) -> Reply:
    # A mistake in the test's script, not a server hiccup: tell the client not to retry it away.
    return Reply.error(500, f"FakeOpenAI: {message}", code="fake_openai", headers={"x-should-retry": "false"})


_MODELS = Reply(200, {"object": "list", "data": [{"id": "fake-model", "object": "model", "created": 0, "owned_by": "fake"}]})


class FakeOpenAI:
    """Context manager running the fake server in a daemon thread; see the module docstring."""

    def __init__(self, *, default: Item | None = None, latency: float = 0.0, max_requests: int = 1000) -> None:
        self.default = default
        self.latency = latency  # seconds added to every request
        self.max_requests = max_requests  # beyond it every request gets a 500, so a runaway loop ends
        self._lock = threading.Lock()
        self._script: deque[Item] = deque()
        self._requests: list[Request] = []
        self._count = 0
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        # A short poll interval, because shutdown() waits for serve_forever to notice: exiting costs ~50 ms, not 0.5 s.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-openai", daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()  # wakes handlers sleeping in a delay, so server_close joins them promptly
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def requests(self) -> list[Request]:
        """A snapshot of the requests received so far (within the budget), oldest first."""
        with self._lock:
            return list(self._requests)

    def script(self, *items: Item) -> None:
        with self._lock:
            self._script.extend(items)

    def reset(self) -> None:
        """Forgets the script, the recorded requests and the budget used; keeps default, latency, max_requests."""
        with self._lock:
            self._script.clear()
            self._requests.clear()
            self._count = 0

    def _answer(self, method: str, request: Request) -> Reply:
        with self._lock:
            self._count += 1
            if self._count > self.max_requests:
                return _failure(f"request budget exhausted ({self.max_requests} requests)")
            self._requests.append(request)
        self._sleep(self.latency)  # outside the lock, so concurrent requests wait in parallel
        if method == "GET" and request.path == "/v1/models":
            return _MODELS
        if method == "POST" and request.path == "/v1/chat/completions":
            return self._scripted(request)
        return Reply.error(404, f"FakeOpenAI has no route for {method} {request.path}")

    def _scripted(self, request: Request) -> Reply:
        if not isinstance(request.json, dict):
            return Reply.error(400, "FakeOpenAI: the request body is not a JSON object")
        with self._lock:
            item = self._script.popleft() if self._script else self.default
        if item is None:
            return _failure("the script is exhausted and no default reply is set")
        if callable(item):
            try:
                item = item(request.json)
            except Exception as exc:  # surfaced to the client instead of a dropped connection
                return _failure(f"scripted callable raised {exc!r}")
        self._sleep(item.wait)
        if "choices" not in item.payload:
            return item
        stamp = {"id": f"chatcmpl-{next(_ids)}", "created": int(time.time()), "model": request.json.get("model", "fake-model")}
        return replace(item, payload={**stamp, **item.payload})

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    # ThreadingHTTPServer already uses daemon handler threads and joins them in server_close.
    request_queue_size = 128  # the default listen backlog of 5 drops connections when many clients start at once
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    # Left at HTTP/1.0, so each connection closes after its response: no keep-alive handler thread lingers
    # waiting for a next request that never comes, and server_close returns promptly.
    timeout = 10  # a client that connects and goes silent cannot hold its handler thread forever
    server: _Server

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode("utf-8", "replace")
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.path.split("?", 1)[0], headers, body, parsed)
        reply = self.server.fake._answer(self.command, request)
        data = json.dumps(reply.payload).encode()
        try:
            self.send_response(reply.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (say its timeout fired during a delay); there is no one left to answer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet
