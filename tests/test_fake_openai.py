"""The fake OpenAI server, exercised through the real openai client."""

from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

from fake_openai import FakeOpenAI, Reply

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


def client(fake: FakeOpenAI, **options) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake.base_url, api_key="test", **{"max_retries": 0, **options})


def chat(fake: FakeOpenAI, **options):
    return client(fake, **options).chat.completions.create(model="m-1", messages=MESSAGES)


def test_content_reply_with_usage(fake):
    fake.script(Reply.content("hello", usage=(3, 5)))
    resp = chat(fake)
    assert resp.choices[0].message.content == "hello"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.model == "m-1"
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (3, 5, 8)


def test_usage_is_absent_when_not_scripted(fake):
    fake.script(Reply.content("hello"))
    assert chat(fake).usage is None


def test_json_reply(fake):
    fake.script(Reply.json({"ok": True, "items": [1, 2]}))
    assert json.loads(chat(fake).choices[0].message.content) == {"ok": True, "items": [1, 2]}


def test_tool_calls_are_parsed_by_the_client(fake):
    fake.script(Reply.tool_calls([("read_file", {"path": "a.txt"}), ("broken", "{not json")]))
    choice = chat(fake).choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    first, second = choice.message.tool_calls
    assert first.function.name == "read_file"
    assert json.loads(first.function.arguments) == {"path": "a.txt"}
    assert second.function.arguments == "{not json"
    assert first.id.startswith("call_") and first.id != second.id


def test_unauthorized_raises_authentication_error(fake):
    fake.script(Reply.error(401, "bad key", code="invalid_api_key"))
    with pytest.raises(openai.AuthenticationError, match="bad key") as caught:
        chat(fake)
    assert caught.value.code == "invalid_api_key"


def test_rate_limit_then_success_with_client_retries(fake):
    # retry-after-ms keeps the client's pause short; retry-after: 0 falls back to its ~0.5 s backoff.
    fake.script(Reply.error(429, "slow down", headers={"retry-after-ms": "10"}), Reply.content("finally"))
    assert chat(fake, max_retries=2).choices[0].message.content == "finally"
    assert len(fake.requests) == 2


def test_server_error_without_retries(fake):
    fake.script(Reply.error(500, "boom"))
    with pytest.raises(openai.InternalServerError, match="boom"):
        chat(fake)
    assert len(fake.requests) == 1


def test_delay_beyond_client_timeout_raises_and_does_not_hold_up_shutdown():
    start = time.monotonic()
    with FakeOpenAI() as fake:
        fake.script(Reply.delay(5, Reply.content("too late")))
        with pytest.raises(openai.APITimeoutError):
            chat(fake, timeout=0.2)
    assert time.monotonic() - start < 2


def test_requests_are_recorded(fake):
    fake.script(Reply.content("a"))
    chat(fake)
    (request,) = fake.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer test"
    assert request.json["model"] == "m-1"
    assert request.json["messages"] == MESSAGES
    assert json.loads(request.body) == request.json
    fake.reset()
    assert fake.requests == []


def test_exhausted_script_fails_clearly_then_default_answers(fake):
    with pytest.raises(openai.InternalServerError, match="script is exhausted"):
        chat(fake, max_retries=2)
    assert len(fake.requests) == 1  # x-should-retry: false stops the client retrying a test mistake
    fake.default = Reply.content("fallback")
    assert [chat(fake).choices[0].message.content for _ in range(2)] == ["fallback", "fallback"]


def test_request_budget(fake):
    fake.max_requests = 2
    fake.default = Reply.content("ok")
    chat(fake)
    chat(fake)
    with pytest.raises(openai.InternalServerError, match="request budget exhausted"):
        chat(fake)
    assert len(fake.requests) == 2


def test_json_schema_rejection_then_json_object_fallback(fake):
    fake.default = Reply.reject_json_schema_then(Reply.json({"answer": 42}))
    schema = {"type": "json_schema", "json_schema": {"name": "a", "schema": {"type": "object"}}}
    with pytest.raises(openai.BadRequestError) as caught:
        client(fake).chat.completions.create(model="m", messages=MESSAGES, response_format=schema)
    assert caught.value.code == "unsupported_response_format"
    resp = client(fake).chat.completions.create(model="m", messages=MESSAGES, response_format={"type": "json_object"})
    assert json.loads(resp.choices[0].message.content) == {"answer": 42}


def test_callable_sees_the_request(fake):
    fake.script(lambda request: Reply.content(request["messages"][-1]["content"].upper()))
    assert chat(fake).choices[0].message.content == "HI"


def test_models_endpoint(fake):
    assert [model.id for model in client(fake).models.list()] == ["fake-model"]


def test_concurrent_requests_wait_in_parallel(fake):
    fake.latency = 0.2
    fake.default = Reply.content("ok")
    shared = client(fake)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(lambda _: shared.chat.completions.create(model="m", messages=MESSAGES), range(16)))
    assert time.monotonic() - start < 8 * 0.2  # serial handling would take 16 * 0.2 s
    assert len(replies) == len(fake.requests) == 16


def test_port_refuses_connections_after_exit():
    with FakeOpenAI() as fake:
        port = int(fake.base_url.rsplit(":", 1)[1].split("/")[0])
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
