"""Rendering a Transcript for a model: labels, clipping, the budget, redaction."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nightshift.ingest import render
from nightshift.ingest.readers import read_transcript
from nightshift.ingest.render import render_transcript
from nightshift.ingest.transcript import Transcript, Turn, TurnKind

KEY = "sk-proj-Xq7vR2mN9bT4kLw8ZcY1pD6sHf3JgA0e5UoQiE7rWt2yB9nM4xKv"


def transcript(*turns: Turn, **fields) -> Transcript:
    base = {"session_id": "s-1", "source_format": "codex", "path": "/tmp/s.jsonl"}
    base.update(fields)
    return Transcript(**base, turns=list(turns))


def size(text: str) -> int:
    return len(text.encode())


def test_header_and_labelled_blocks():
    t = transcript(
        Turn(TurnKind.USER, "Fix the failing tests."),
        Turn(TurnKind.TOOL_CALL, "pytest", tool_name="exec_command", call_id="c1"),
        Turn(TurnKind.TOOL_OUTPUT, "Exit code: 1\nE   ModuleNotFoundError", tool_name="exec_command", call_id="c1", is_error=True),
        Turn(TurnKind.TOOL_OUTPUT, "Exit code: 0\n14 passed"),
        Turn(TurnKind.ASSISTANT, "Fixed."),
        cwd="/home/dev/acme-api",
        git_remote="git@github.com:acme/acme-api.git",
        git_branch="main",
        started_at=datetime(2026, 11, 18, 8, 12, 3, 412000, tzinfo=UTC),
        updated_at=datetime(2026, 11, 18, 8, 20, 0, tzinfo=UTC),
    )
    text = render_transcript(t, 10_000, 2_000)
    assert text == (
        "session: s-1 (codex)\n"
        "cwd: /home/dev/acme-api\n"
        "git remote: git@github.com:acme/acme-api.git\n"
        "git branch: main\n"
        "started: 2026-11-18T08:12:03Z\n"
        "updated: 2026-11-18T08:20:00Z\n"
        "\n[user]\nFix the failing tests.\n"
        "\n[tool call: exec_command]\npytest\n"
        "\n[tool output, failed]\nExit code: 1\nE   ModuleNotFoundError\n"
        "\n[tool output]\nExit code: 0\n14 passed\n"
        "\n[assistant]\nFixed."
    )


def test_long_tool_output_keeps_head_and_tail_within_the_cap():
    output = "HEAD-LINE first\n" + "noise line\n" * 20_000 + "E   AssertionError: the real failure\n"
    text = render_transcript(transcript(Turn(TurnKind.TOOL_OUTPUT, output, is_error=True)), 100_000, 100)
    block = text.split("[tool output, failed]\n", 1)[1]
    assert block.startswith("HEAD-LINE first")
    assert block.endswith("E   AssertionError: the real failure")
    clipped = int(re.search(r"\[\.\.\. ([\d,]+) characters clipped \.\.\.\]", block)[1].replace(",", ""))
    assert clipped > 200_000
    assert size(block) <= 100 * 4


def test_clipping_never_splits_a_multibyte_character():
    output = "ä" * 50_000  # 2 bytes each: any byte cut could land mid-character
    text = render_transcript(transcript(Turn(TurnKind.TOOL_OUTPUT, output)), 100_000, 101)
    block = text.split("[tool output]\n", 1)[1]
    assert "\ufffd" not in block
    assert size(block) <= 101 * 4


def conversation(rounds: int, rnd: random.Random) -> list[Turn]:
    turns = []
    for i in range(rounds):
        turns.append(Turn(TurnKind.USER, f"user request {i}: please handle ticket {i} ✓"))
        turns.append(Turn(TurnKind.ASSISTANT, "Looking into it. " * rnd.randint(1, 40)))
        turns.append(Turn(TurnKind.TOOL_CALL, f"pytest -k case_{i}", tool_name="exec_command"))
        turns.append(Turn(TurnKind.TOOL_OUTPUT, "output línea " * rnd.randint(1, 3_000)))
    return turns


@pytest.mark.parametrize("budget", [50, 200, 1_000, 3_000, 10_000, 40_000])
def test_budget_is_never_exceeded(budget):
    rnd = random.Random(budget)
    t = transcript(*conversation(60, rnd), cwd="/home/dev/x", started_at=datetime(2026, 1, 1, tzinfo=UTC))
    text = render_transcript(t, budget, 500)
    assert size(text) <= budget * 4


def test_user_turns_survive_when_the_middle_is_dropped():
    rnd = random.Random(7)
    t = transcript(*conversation(30, rnd))
    full = render_transcript(t, 10_000_000, 500)
    text = render_transcript(t, 3_000, 500)
    assert size(full) > 3_000 * 4  # the budget really bites
    assert size(text) <= 3_000 * 4
    for i in range(30):
        assert f"[user]\nuser request {i}: please handle ticket {i} ✓" in text
    assert re.search(r"\[\.\.\. [\d,]+ turns? omitted \.\.\.\]", text)
    assert text.startswith("session: s-1 (codex)")
    assert "pytest -k case_0" in text and "pytest -k case_29" in text  # the ends go last
    assert "pytest -k case_15" not in text  # the middle goes first


def test_nothing_is_omitted_when_it_fits():
    t = transcript(*conversation(3, random.Random(1)))
    text = render_transcript(t, 1_000_000, 1_000_000)
    assert "omitted" not in text and "clipped" not in text and "cut from the middle" not in text


def test_only_user_text_left_is_cut_in_the_middle_within_budget():
    t = transcript(Turn(TurnKind.USER, "START " + "words " * 50_000 + " END"))
    text = render_transcript(t, 1_000, 100)
    assert size(text) <= 4_000
    assert "START" in text and "END" in text and "cut from the middle" in text


def test_secrets_are_redacted_everywhere():
    t = transcript(
        Turn(TurnKind.USER, f"my key is {KEY}"),
        Turn(TurnKind.TOOL_CALL, f"curl -H 'Authorization: Bearer {KEY}' https://api.example.com", tool_name="shell"),
        Turn(TurnKind.TOOL_OUTPUT, "x" * 200_000 + f"\nOPENAI_API_KEY={KEY}\n"),  # in the kept tail of a clipped output
        git_remote="https://dev:hunter2pass@git.example.com/acme/api.git",
    )
    text = render_transcript(t, 100_000, 200)
    assert KEY[:12] not in text and "hunter2pass" not in text
    assert "my key is [REDACTED:openai]" in text
    assert "git remote: https://dev:[REDACTED:url_password]@git.example.com/acme/api.git" in text
    assert "OPENAI_API_KEY=[REDACTED:openai]" in text


@pytest.mark.parametrize("offset", range(-60, 61, 7))
def test_a_clip_never_leaves_half_a_secret(offset):
    cap_tokens = 100
    head_bytes = (cap_tokens * 4 - 56) // 2  # where the head of a clipped output ends
    start = max(0, head_bytes + offset)
    output = "a" * start + " " + KEY + " " + "b" * 5_000
    text = render_transcript(transcript(Turn(TurnKind.TOOL_OUTPUT, output)), 100_000, cap_tokens)
    for i in range(0, len(KEY) - 8):
        assert KEY[i : i + 8] not in text


def test_renders_the_bundled_failure_sample_with_the_key_redacted():
    samples = Path(__file__).resolve().parent.parent / "samples"
    (path,) = samples.glob("codex/sessions/2026/11/18/*.jsonl")
    text = render_transcript(read_transcript(path), 100_000, 2_000)
    assert "sk-proj-" not in text and "[REDACTED:openai]" in text
    assert "[tool output, failed]\nExit code: 1" in text
    assert "ModuleNotFoundError: No module named 'acme_api'" in text


def dropped_one_at_a_time(sizes: list[int], is_user: list[bool], dropped: bytearray, room: int) -> None:
    """The drop rule as stated, recounting everything before each step: nearest the middle first (the lower
    of two as near), never a user turn, until the kept sizes plus one marker per run of dropped turns fit."""
    middle = len(sizes) - 1
    for i in sorted(range(len(sizes)), key=lambda i: (abs(2 * i - middle), i)):
        total = sum(size for size, gone in zip(sizes, dropped) if not gone)
        runs = sum(1 for j, gone in enumerate(dropped) if gone and (j == 0 or not dropped[j - 1]))
        if total + runs * render._GAP_MARKER_MAX <= room or all(user or gone for user, gone in zip(is_user, dropped)):
            return
        if not is_user[i] and not dropped[i]:
            dropped[i] = 1


@pytest.mark.parametrize("seed", range(48))
def test_dropping_ring_by_ring_equals_dropping_one_turn_at_a_time(seed):
    rnd = random.Random(seed)
    count = rnd.choice([0, 1, 2, 3, 255, 256, 511, 513, 1_300])
    sizes = [rnd.choice([5, 40, 300, 4_000] if seed % 4 else [5, 10, 60]) for _ in range(count)]  # small: markers weigh
    is_user = [rnd.random() < rnd.choice([0.0, 0.05, 0.5, 1.0]) for _ in range(count)]
    already = bytearray(1 if not user and rnd.random() < 0.1 else 0 for user in is_user) if seed % 3 == 0 else bytearray(count)
    room = int(sum(sizes) * rnd.choice([0.0, 0.01, 0.2, 0.5, 0.9, 1.1]))
    expected, got = bytearray(already), bytearray(already)
    dropped_one_at_a_time(sizes, is_user, expected, room)
    render._drop_from_middle(sizes, bytearray(is_user) if seed % 2 else is_user, got, room)
    assert got == expected


@pytest.mark.parametrize("room", range(60_000, 82_000, 2_000))
def test_dropping_ring_by_ring_counts_a_marker_for_each_run_it_drops(room):
    # every other turn a user's: each dropped turn is a run of its own, and the markers decide where it stops
    sizes, is_user = [100] * 1_300, [i % 2 == 0 for i in range(1_300)]
    expected, got = bytearray(1_300), bytearray(1_300)
    dropped_one_at_a_time(sizes, is_user, expected, room)
    render._drop_from_middle(sizes, is_user, got, room)
    assert got == expected
