"""Real-world transcript shapes (tests/fixtures/shapes/, one anonymised file per shape): what reaches
phase 1 must be what happened in the session, for the builtin rules (the turns) and a model (the
rendered text) alike. docs/formats.md lists every record type and what nightshift does with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from nightshift.ingest.prepare import Prepared, prepare_rollout
from nightshift.ingest.transcript import TurnKind
from nightshift.settings import Settings

SHAPES = Path(__file__).resolve().parent / "fixtures" / "shapes"


def both(name: str, tmp_path: Path) -> tuple[Prepared, str]:
    """The fixture prepared for the builtin rules (turns) and for a model (the rendered text)."""
    builtin = prepare_rollout(SHAPES / name, Settings(home=tmp_path, sources=[], provider="builtin"))
    model = prepare_rollout(SHAPES / name, Settings(home=tmp_path, sources=[], provider="openai", base_url="http://127.0.0.1:9/v1"))
    assert model.model_input is not None
    return builtin, model.model_input


def user_texts(p: Prepared) -> list[str]:
    return [t.text for t in p.transcript.turns if t.kind is TurnKind.USER]


# --- harness text is not the user speaking ---------------------------------------------------------


def test_claude_task_notifications_are_not_user_turns(tmp_path):
    p, rendered = both("claude_task_notification.jsonl", tmp_path)
    assert user_texts(p) == ["Start the docs build in the background and tell me when it is done."]
    assert "task-notification" not in rendered and "Always rebuild the docs" not in rendered
    assert p.transcript.stats.harness["task_notification"] == 2  # by origin.kind, and by text in an older build


def test_claude_queued_prompt_is_the_users_and_a_queued_notification_is_not(tmp_path):
    p, rendered = both("claude_queued_command.jsonl", tmp_path)
    assert user_texts(p) == ["Migrate the settings page to the new form library.", "and keep the old validation messages word for word"]
    assert "[user]\nand keep the old validation messages word for word" in rendered
    assert "task-notification" not in rendered
    assert p.transcript.stats.harness["task_notification"] == 1


def test_claude_ide_blocks_leave_the_request_and_the_open_file(tmp_path):
    p, rendered = both("claude_ide_tags.jsonl", tmp_path)
    assert user_texts(p) == ["Add a readiness route next to this one."]
    assert "ide_opened_file" not in rendered and "may or may not be related" not in rendered
    assert p.transcript.metadata["active_file"] == "/home/kim/lumen/src/api/routes.ts"
    assert p.transcript.stats.harness["ide_context"] == 2


def test_codex_ide_wrapper_keeps_only_what_the_user_typed(tmp_path):
    p, rendered = both("codex_ide_wrapper.jsonl", tmp_path)
    # The request is the user's message; a wrapper with no request is context only.
    assert user_texts(p) == ["Always round invoice totals half-up, never banker's rounding.",
                             "Look at this screenshot of the broken table.\n\n[image]"]
    assert "Context from my IDE setup" not in rendered and "Open tabs" not in rendered
    assert p.transcript.metadata["active_file"] == "src/billing/tax.py"
    assert p.transcript.stats.harness["ide_context"] == 2


def test_codex_inherited_and_compacted_items_are_not_said_in_this_session(tmp_path):
    p, rendered = both("codex_item_metadata.jsonl", tmp_path)
    assert user_texts(p) == ["Rename the `draw` module to `render` and fix the imports."]
    assert "linter" not in rendered and "yarn over npm" not in rendered
    assert p.transcript.stats.harness == {"inherited": 1, "compaction_output": 1}


def test_codex_2026_item_types_are_read_not_counted_unknown(tmp_path):
    p, rendered = both("codex_new_items.jsonl", tmp_path)
    t = p.transcript
    assert t.stats.unknown_records == 0 and t.stats.harness["agent_config"] == 2
    assert [(turn.kind, turn.tool_name) for turn in t.turns[1:4]] == [
        (TurnKind.TOOL_CALL, "tool_search"), (TurnKind.TOOL_OUTPUT, "tool_search"), (TurnKind.TOOL_OUTPUT, "agent /root/profiler")]
    assert "found tools: mcp__perf.flamegraph" in rendered
    assert "serialising dates one by one" in rendered  # the sub-agent's report, as context
    assert user_texts(p) == ["Find out why the nightly export job is slow."]  # another agent is not the user


@pytest.mark.parametrize(("name", "title"), [("claude_foreign_summary.jsonl", "Dark mode toggle"), ("claude_summary_only.jsonl", None)])
def test_claude_summaries_of_other_sessions_are_not_this_sessions_title(tmp_path, name, title):
    p, rendered = both(name, tmp_path)
    assert p.transcript.metadata.get("title") == title
    assert "Payment webhook retries" not in rendered and "auth middleware" not in rendered
    assert p.transcript.stats.harness["foreign_summary"] == 1


# --- the user's answers through question tools --------------------------------------------------------


def test_codex_request_user_input_answers_are_user_turns_marked_as_answers(tmp_path):
    p, rendered = both("codex_request_user_input.jsonl", tmp_path)
    answers = [(t.question, t.text) for t in p.transcript.turns if t.kind is TurnKind.USER and t.question]
    assert answers == [("What should the new module optimise for?", "Speed\nFavour low-level data layouts over convenience in all my projects."),
                       ("Which language for the parser?", "Rust")]
    assert "[user, answering: What should the new module optimise for?]\nSpeed\nFavour low-level data layouts" in rendered
    assert "user_note" not in rendered


def test_claude_ask_user_question_answer_is_a_user_turn(tmp_path):
    p, rendered = both("claude_ask_user_question.jsonl", tmp_path)
    answer = [t for t in p.transcript.turns if t.question]
    assert [(t.kind, t.question, t.text) for t in answer] == [
        (TurnKind.USER, "Which style should the linter enforce?", "Strict, and I always want import sorting on")]
    assert "[user, answering: Which style should the linter enforce?]\nStrict, and I always want import sorting on" in rendered


# --- failure signal ---------------------------------------------------------------------------------


def test_codex_code_mode_and_structured_exec_outputs_carry_their_failures(tmp_path):
    p, rendered = both("codex_code_mode.jsonl", tmp_path)
    outputs = [(t.tool_name, t.is_error) for t in p.transcript.turns if t.kind is TurnKind.TOOL_OUTPUT]
    assert outputs == [("exec", True), ("exec", True), ("wait", True), ("exec_command", False)]
    assert rendered.count("[tool output, failed]") == 3
    assert "Exit code: 1\nScript completed" in rendered  # the exit code inside the script's JSON result


def test_claude_is_error_results_fail_and_ansi_and_images_are_cleaned(tmp_path):
    p, rendered = both("claude_noise.jsonl", tmp_path)
    turns = p.transcript.turns
    assert user_texts(p) == ["The build breaks like in this screenshot.\n\n[image]"]
    failed = [t for t in turns if t.kind is TurnKind.TOOL_OUTPUT and t.is_error]
    assert [t.text for t in failed] == ["Exit code 1\nerror TS2304: Cannot find name 'Layout'.\nsrc/app.tsx"]
    assert "\x1b" not in rendered and all("\x1b" not in t.text for t in turns)
    assert "[tool output]\n[image]" in rendered and "iVBORw0KGgo" not in rendered


# --- turns the user took back -------------------------------------------------------------------------


def test_claude_branch_left_by_an_edited_message_is_pruned(tmp_path):
    p, rendered = both("claude_branches.jsonl", tmp_path)
    assert user_texts(p) == ["Set up the formatter for this repo.", "Always indent with four spaces."]
    assert "tabs" not in rendered
    # Parallel tool results point at their own tool_use line: not a branch, both stay.
    assert [t.text for t in p.transcript.turns if t.kind is TurnKind.TOOL_OUTPUT] == ["root = true", '{"name": "lumen"}']
    assert p.transcript.stats.harness["abandoned_branch"] == 2


def test_claude_first_message_edited_after_replies_starts_over_but_a_compaction_does_not(tmp_path):
    p, rendered = both("claude_first_prompt_edited.jsonl", tmp_path)
    assert user_texts(p) == ["Write the changelog in English, one line per change.", "Now add the release date to the heading."]
    assert "German" not in rendered and "Deutsch" not in rendered
    assert p.transcript.stats.harness["abandoned_branch"] == 2


def test_codex_fork_reads_only_its_own_lines_after_the_parents_history(tmp_path):
    p, rendered = both("codex_forked_ordinals.jsonl", tmp_path)
    assert user_texts(p) == ["In this fork, try the new deploy script instead."]
    assert "Parent thread" not in rendered  # the copied history, the parent's assistant turns included
    assert p.transcript.stats.harness["inherited"] == 2
