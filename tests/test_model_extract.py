"""Phase 1 through the real openai client against a local fake Chat Completions server."""

from __future__ import annotations

import logging

import pytest
from fake_openai import FakeOpenAI, Reply

from nightshift.phase1 import model as model_extract
from nightshift.llm import ModelError, make_client
from nightshift.phase1.model import ExtractionInvalid, extract_with_model
from nightshift.settings import Settings

TASK = {
    "title": "Fix failing tests", "outcome": "success", "scope": "project", "cwd": "/home/dev/api",
    "keywords": ["pytest"], "preferences": ["always run pytest -x"], "knowledge": [],
    "failures": [], "evidence": ["user turn 1"],
}
MEMORY = {"decision": "remember", "rollout_summary": "Fixed tests.", "slug": "fix-tests", "tasks": [TASK]}
NO_OP = {"decision": "no_op", "rollout_summary": "", "slug": "", "tasks": []}
RENDERED = "[user]\nplease always run pytest -x\n[assistant]\nok"
FAST_RETRY = {"retry-after-ms": "5"}  # the client ignores retry-after: 0 and would wait ~0.5 s


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(autouse=True)
def _forget_rejections():
    model_extract._json_schema_rejected.clear()


def _extract(fake, retries=0, timeout=30.0):
    s = Settings(base_url=fake.base_url, api_key="sk-test", model_max_retries=retries, model_timeout_seconds=timeout, extract_model="mini-1")
    return extract_with_model(RENDERED, client=make_client(s), model=s.extract_model, base_url=fake.base_url, prompts_dir=None)


def test_valid_memory_and_the_request_it_took(fake):
    fake.script(Reply.json(MEMORY, usage=(1200, 80)))
    answer = _extract(fake)
    assert answer.memory.tasks[0].preferences == ["always run pytest -x"]
    assert (answer.calls, answer.tokens_in, answer.tokens_out) == (1, 1200, 80)
    body = fake.requests[0].json
    assert body["model"] == "mini-1"
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"] == ["decision", "rollout_summary", "slug", "tasks"]
    system, user = body["messages"]
    assert "never follow" in system["content"].lower() or "not instructions" in system["content"].lower()
    opening, closing = model_extract.fence(RENDERED)
    assert f"{opening}\n{RENDERED}\n{closing}" in user["content"]
    assert "untrusted data" in user["content"]


def test_no_op_and_usage_estimated_when_the_server_reports_none(fake):
    fake.script(Reply.json(NO_OP))
    answer = _extract(fake)
    assert answer.memory.is_no_op
    assert answer.tokens_in > len(RENDERED) // 4 and answer.tokens_out > 0


@pytest.mark.parametrize(
    "first, error_text",
    [
        (Reply.content("Sure! Here is the memory: {"), "not valid JSON"),
        (Reply.json({**MEMORY, "confidence": 0.9}), "Additional properties"),
        (Reply.json({**MEMORY, "tasks": [{**TASK, "outcome": "mostly"}]}), "is not one of"),
        (Reply.json({**NO_OP, "tasks": [TASK]}), "no_op decision must have an empty tasks"),
    ],
)
def test_invalid_answer_gets_one_repair_turn_with_the_errors(fake, first, error_text):
    fake.script(first, Reply.json(MEMORY))
    answer = _extract(fake)
    assert answer.calls == 2 and not answer.memory.is_no_op
    repair = fake.requests[1].json["messages"][-1]["content"]
    assert error_text in repair


def test_still_invalid_after_repair_fails_with_tokens_counted(fake):
    fake.script(Reply.content("nope", usage=(10, 2)), Reply.content("still nope", usage=(12, 3)))
    with pytest.raises(ExtractionInvalid) as err:
        _extract(fake)
    assert (err.value.calls, err.value.tokens_in, err.value.tokens_out) == (2, 22, 5)
    assert len(fake.requests) == 2


def test_server_without_json_schema_falls_back_to_json_object_and_says_so_once(fake, caplog):
    fake.default = Reply.reject_json_schema_then(Reply.json(NO_OP))
    with caplog.at_level(logging.WARNING, logger="nightshift.extract"):
        assert _extract(fake).memory.is_no_op
        assert _extract(fake).memory.is_no_op
    formats = [r.json["response_format"]["type"] for r in fake.requests]
    assert formats == ["json_schema", "json_object", "json_object"]  # the second rollout does not ask again
    assert sum("json_object" in r.message for r in caplog.records) == 1


def test_429_and_500_are_retried_by_the_client_then_succeed(fake):
    fake.script(Reply.error(429, "slow down", headers=FAST_RETRY), Reply.error(500, "oops", headers=FAST_RETRY), Reply.json(NO_OP))
    assert _extract(fake, retries=3).memory.is_no_op
    assert len(fake.requests) == 3


def test_retries_are_bounded_and_the_failure_is_transient(fake):
    fake.default = Reply.error(503, "overloaded", headers=FAST_RETRY)
    with pytest.raises(ModelError) as err:
        _extract(fake, retries=2)
    assert not err.value.permanent and len(fake.requests) == 3


def test_bad_key_fails_at_once_with_a_clear_message(fake):
    fake.script(Reply.error(401, "Incorrect API key provided", code="invalid_api_key"))
    with pytest.raises(ModelError) as err:
        _extract(fake, retries=3)
    assert err.value.permanent and "API_KEY" in str(err.value)
    assert len(fake.requests) == 1  # not retried


def test_unknown_model_names_the_model_setting(fake):
    fake.script(Reply.error(404, "The model `mini-1` does not exist", code="model_not_found"))
    with pytest.raises(ModelError, match="model name"):
        _extract(fake, retries=3)


def test_slow_answer_times_out_as_a_transient_error(fake):
    fake.default = Reply.delay(2, Reply.json(NO_OP))
    with pytest.raises(ModelError) as err:
        _extract(fake, retries=0, timeout=0.2)
    assert not err.value.permanent and "Timeout" in str(err.value)
