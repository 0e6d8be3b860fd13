"""Preparing a transcript at scale: the streamed render, bounded memory, one redaction per kept turn."""

from __future__ import annotations

import gc
import random
from pathlib import Path

import orjson
import pytest

from bench.generate import FAKE_AWS_KEY, FAKE_OPENAI_KEY, write_session
from nightshift.ingest import prepare, render
from nightshift.ingest.prepare import prepare_rollout
from nightshift.ingest.readers import NotATranscript, read_transcript
from nightshift.ingest.redact import redact
from nightshift.ingest.render import TurnWindow, render_transcript
from nightshift.settings import Settings
from nightshift.ingest.transcript import Transcript, Turn, TurnKind


def planned_on_the_whole_list(t: Transcript, token_budget: int, cap_tokens: int) -> str:
    """The render as planned with every turn in memory and every turn's full text at hand."""
    budget, cap = token_budget * 4, cap_tokens * 4
    header = redact(render._header(t))
    is_user = [turn.kind is TurnKind.USER for turn in t.turns]
    sizes = [render._estimate(turn, cap) for turn in t.turns]
    dropped = bytearray(len(sizes))
    render._drop_from_middle(sizes, is_user, dropped, budget - len(header.encode()))
    blocks = {}
    for i, turn in enumerate(t.turns):
        if not dropped[i]:
            text = turn.text.rstrip() if turn.kind is TurnKind.TOOL_OUTPUT else turn.text
            blocks[i] = render._render_turn(turn if text is turn.text else Turn(turn.kind, text, turn.tool_name, turn.call_id, turn.is_error), len(text), cap)
            sizes[i] = len(blocks[i].encode()) + 2
    render._drop_from_middle(sizes, is_user, dropped, budget - len(header.encode()))
    return render._cut_middle(render._join(header, blocks, dropped), budget)


def random_turns(rnd: random.Random, count: int) -> list[Turn]:
    turns = []
    for i in range(count):
        kind = rnd.choice([TurnKind.USER, TurnKind.ASSISTANT, TurnKind.TOOL_CALL, TurnKind.TOOL_OUTPUT, TurnKind.TOOL_OUTPUT])
        size = rnd.choice([20, 300, 5_000, 60_000, 300_000]) if kind is TurnKind.TOOL_OUTPUT else rnd.choice([10, 200, 2_000])
        text = f"turn {i} " + "".join(rnd.choice("abc déf\n") for _ in range(64)) * (size // 64) + ("  \n" if i % 3 else "")
        turns.append(Turn(kind, text, tool_name="exec_command" if kind is not TurnKind.USER else None, is_error=i % 5 == 0))
    return turns


@pytest.mark.parametrize("seed, budget", [(1, 1_000), (2, 5_000), (3, 20_000), (4, 200_000)])
def test_the_window_renders_exactly_what_planning_on_the_whole_list_does(seed, budget):
    t = Transcript("s-1", "codex", "/tmp/s.jsonl", cwd="/home/dev/x", turns=random_turns(random.Random(seed), 300))
    expected = planned_on_the_whole_list(t, budget, 500)
    assert render_transcript(t, budget, 500) == expected
    assert len(expected.encode()) <= budget * 4


@pytest.mark.parametrize("budget, cut, exact", [(1_500, 80, False), (2_000, 80, True), (2_800, 20, True), (10_000_000, 80, True)],
                         ids=["tail-forgot-some", "undone-in-tail", "undone-in-head", "everything-fits"])
def test_turns_rolled_back_mid_stream_leave_no_trace(budget, cut, exact):
    # About 110 bytes a turn: a 2,000-token budget keeps ~70 turns at each end, 2,800 ~100.
    turns = [Turn(TurnKind.USER if i % 10 == 0 else TurnKind.ASSISTANT, f"turn {i:03d} " + "x" * 90) for i in range(cut + 250)]
    kept, undone, later = turns[:cut], turns[cut:cut + 100], turns[cut + 100:]  # each outgrows a window end
    window = TurnWindow(budget, 500)
    for turn in kept + undone:
        window.append(turn)
    del window[cut:]  # what a reader does on a thread rollback
    for turn in later:
        window.append(turn)
    t = Transcript("s-1", "codex", "/tmp/s.jsonl", cwd="/home/dev/x", turns=kept + later)
    text = window.render(t)
    assert not any(f"turn {i:03d} " in text for i in range(cut, cut + 100)) and len(text.encode()) <= budget * 4
    if exact:  # nothing that survives was forgotten to make room: as if the undone turns were never read
        assert text == planned_on_the_whole_list(t, budget, 500)


def test_a_streamed_session_keeps_only_a_budgets_worth_of_turns(tmp_path: Path):
    path = write_session(tmp_path / "big.jsonl", "claude", 20_000_000, seed=9)
    window = TurnWindow(100_000, 2_000)
    transcript = read_transcript(path, turns=window)
    text = window.render(transcript)
    kept = sum(len(turn.text) for turn, _ in window.kept.values())
    assert len(window.sizes) > 1_000 and len(window.kept) < len(window.sizes) / 2
    assert kept < 3_000_000  # 20 MB in, a few hundred kB of budget out: not the file's size
    assert text == render_transcript(read_transcript(path), 100_000, 2_000)  # same as reading it whole


def test_the_model_reads_every_user_turn_and_no_secret(tmp_path: Path):
    users: list[str] = []
    path = write_session(tmp_path / "s.jsonl", "codex", 3_000_000, seed=4, user_turns=users)
    assert FAKE_OPENAI_KEY.encode() in path.read_bytes()  # the generator's env dumps carry the secrets
    s = Settings(home=tmp_path / "home", sources=[], provider="openai", base_url="http://127.0.0.1:9/v1")
    prepared = prepare_rollout(path, s)
    text = prepared.model_input or ""
    assert all(user in text for user in users) and len(users) > 5
    assert FAKE_OPENAI_KEY[:16] not in text and FAKE_AWS_KEY not in text
    assert len(text.encode()) <= s.rollout_token_budget * 4


def test_only_the_turns_that_reach_the_model_are_redacted(tmp_path: Path, monkeypatch):
    calls = []
    monkeypatch.setattr(render, "redact", lambda text: calls.append(len(text)) or redact(text))
    path = write_session(tmp_path / "s.jsonl", "codex", 20_000_000, seed=2)
    s = Settings(home=tmp_path / "home", sources=[], provider="openai", base_url="http://127.0.0.1:9/v1")
    prepare_rollout(path, s)
    turns = len(read_transcript(path).turns)
    assert len(calls) < turns / 3  # the header and the survivors (both ends of a long output), once each
    assert sum(calls) < path.stat().st_size / 5  # a clipped output's ends, not every line of the file


def test_the_builtin_rules_read_each_turn_redacted_and_outputs_clipped(tmp_path: Path):
    key = "sk-proj-Xq7vR2mN9bT4kLw8ZcY1pD6sHf3JgA0e5UoQiE7rWt2yB9nM4xKv"
    lines = [
        {"timestamp": "2026-11-18T08:12:03.000Z", "type": "session_meta", "payload": {"id": "s-1", "cwd": "/home/dev/x"}},
        {"timestamp": "2026-11-18T08:12:04.000Z", "type": "response_item",
         "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": f"use key {key}"}]}},
        {"timestamp": "2026-11-18T08:12:05.000Z", "type": "response_item",
         "payload": {"type": "function_call", "name": "shell_command", "call_id": "c1", "arguments": '{"command": "env"}'}},
        {"timestamp": "2026-11-18T08:12:06.000Z", "type": "response_item",
         "payload": {"type": "function_call_output", "call_id": "c1", "output": "x" * 500_000 + f"\nOPENAI_API_KEY={key}\n"}},
    ]
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    s = Settings(home=tmp_path / "home", sources=[], provider="builtin", tool_output_token_cap=500)
    prepared = prepare_rollout(path, s)
    texts = [turn.text for turn in prepared.transcript.turns]
    assert prepared.model_input is None
    assert texts[0] == "use key [REDACTED:openai]"
    assert len(texts[2].encode()) <= 2_000 and texts[2].endswith("OPENAI_API_KEY=[REDACTED:openai]")
    assert not any(key[:12] in text for text in texts)


def test_citations_are_read_while_turns_stream_past(tmp_path: Path):
    rollout = "01a1edb6-81d4-76a2-807c-afd56071b068"
    lines = [{"type": "user", "sessionId": "s-2", "uuid": f"u{i}", "timestamp": "2026-11-18T08:12:03.000Z",
              "message": {"role": "user", "content": f"step {i} " + "log " * 50_000}} for i in range(3)]
    lines.insert(1, {"type": "assistant", "sessionId": "s-2", "uuid": "a1", "timestamp": "2026-11-18T08:12:04.000Z",
                     "message": {"id": "m1", "role": "assistant", "content": [{"type": "text", "text": f"Done as remembered. [memory: {rollout}]"}]}})
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    s = Settings(home=tmp_path / "home", sources=[], provider="openai", base_url="http://127.0.0.1:9/v1", rollout_token_budget=1_000)
    prepared = prepare_rollout(path, s)
    assert prepared.cited.ids == (rollout,)
    assert "[memory:" not in (prepared.model_input or "")  # the budget dropped that turn, the citation still counts


def test_a_citation_in_the_last_turn_counts_on_the_model_path_as_on_the_builtin_one(tmp_path: Path):
    # Codex appends its citation block to the final answer: often the session's very last turn.
    rollout = "01a1edb6-81d4-76a2-807c-afd56071b068"
    lines = [{"type": "user", "sessionId": "s-3", "uuid": "u1", "timestamp": "2026-11-18T08:12:03.000Z",
              "message": {"role": "user", "content": "fix the flaky test"}},
             {"type": "assistant", "sessionId": "s-3", "uuid": "a1", "timestamp": "2026-11-18T08:12:04.000Z",
              "message": {"id": "m1", "role": "assistant", "content": [{"type": "text", "text": f"Fixed as before. [memory: {rollout}]"}]}}]
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    for provider in ("openai", "builtin"):
        s = Settings(home=tmp_path / "home", sources=[], provider=provider, base_url="http://127.0.0.1:9/v1")
        assert prepare_rollout(path, s).cited.ids == (rollout,), provider


def test_the_cycle_collector_is_paused_while_reading_and_restored_after(tmp_path: Path, monkeypatch):
    path = write_session(tmp_path / "s.jsonl", "cursor", 20_000, seed=2)
    s = Settings(home=tmp_path / "home", sources=[], provider="openai", base_url="http://127.0.0.1:9/v1")
    seen = []
    real_read = prepare.read_transcript

    def read(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_read(*args, **kwargs)

    monkeypatch.setattr(prepare, "read_transcript", read)
    assert gc.isenabled()
    prepare_rollout(path, s)
    assert seen == [False] and gc.isenabled()
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(NotATranscript):
        prepare_rollout(empty, s)
    assert gc.isenabled()
    gc.disable()  # a caller that paused it itself gets it back paused
    try:
        prepare_rollout(path, s)
        assert not gc.isenabled()
    finally:
        gc.enable()
