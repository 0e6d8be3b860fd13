"""Reading Codex CLI rollouts and Claude Code sessions into the normalised Transcript."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from nightshift.ingest.readers import MAX_LINE_BYTES, read_transcript
from nightshift.ingest.transcript import NotATranscript, Transcript, TurnKind

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
THREAD = "019cb1f2-6a3e-7d10-9b8e-2f4c1a7e5d33"
SESSION = "7d1e2f30-5a6b-4c8d-9e0f-112233445566"


def write_lines(path: Path, lines: list) -> Path:
    """dicts are written as JSON, bytes and str verbatim; one per line."""
    with path.open("wb") as fh:
        for line in lines:
            if isinstance(line, dict):
                line = orjson.dumps(line)
            fh.write((line.encode() if isinstance(line, str) else line) + b"\n")
    return path


def codex_line(kind: str, payload: dict, second: int = 0) -> dict:
    return {"timestamp": f"2026-03-02T09:14:{second:02d}.000Z", "type": kind, "payload": payload}


def item(payload: dict, second: int = 0) -> dict:
    return codex_line("response_item", payload, second)


def user_msg(*texts: str, second: int = 0) -> dict:
    return item({"type": "message", "role": "user", "content": [{"type": "input_text", "text": t} for t in texts]}, second)


def assistant_msg(text: str, second: int = 0) -> dict:
    return item({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}, second)


def session_meta(**extra) -> dict:
    payload = {"id": THREAD, "timestamp": "2026-03-02T09:14:07.498Z", "cwd": "/home/dev/acme-api", "source": "cli"}
    payload.update(extra)
    return codex_line("session_meta", payload, 7)


def read_codex(tmp_path: Path, lines: list, name: str = f"rollout-2026-03-02T10-14-07-{THREAD}.jsonl") -> Transcript:
    return read_transcript(write_lines(tmp_path / name, lines))


def kinds_and_texts(t: Transcript) -> list[tuple[TurnKind, str]]:
    return [(turn.kind, turn.text) for turn in t.turns]


# --- Codex ----------------------------------------------------------------------------------------


def test_codex_rollout_keeps_conversation_and_identity(tmp_path):
    t = read_codex(
        tmp_path,
        [
            session_meta(git={"branch": "main", "repository_url": "git@github.com:acme/acme-api.git"}),
            item({"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "<permissions instructions>sandbox</permissions instructions>"}]}, 9),
            user_msg("# AGENTS.md instructions for /home/dev/acme-api\n\n<INSTRUCTIONS>\nRun make test.\n</INSTRUCTIONS>", second=9),
            codex_line("turn_context", {"cwd": "/home/dev/acme-api", "model": "gpt-5.3-codex"}, 9),
            user_msg("GET /orders returns 500 when limit is omitted. Fix it.", second=10),
            codex_line("event_msg", {"type": "user_message", "message": "GET /orders returns 500 when limit is omitted. Fix it."}, 10),
            item({"type": "reasoning", "summary": [{"type": "summary_text", "text": "thinking"}], "encrypted_content": "gAAAA"}, 11),
            item({"type": "function_call", "name": "exec_command", "arguments": '{"cmd":"rg -n limit src","workdir":"/x"}', "call_id": "c1"}, 12),
            item({"type": "function_call_output", "call_id": "c1", "output": "41: limit = int(args['limit'])"}, 13),
            assistant_msg("Defaulted limit to 50.", 31),
        ],
    )
    assert t.source_format == "codex"
    assert t.session_id == THREAD
    assert (t.cwd, t.git_remote, t.git_branch) == ("/home/dev/acme-api", "git@github.com:acme/acme-api.git", "main")
    assert t.started_at == datetime(2026, 3, 2, 9, 14, 7, tzinfo=UTC)
    assert t.updated_at == datetime(2026, 3, 2, 9, 14, 31, tzinfo=UTC)
    assert t.metadata["model"] == "gpt-5.3-codex"
    assert kinds_and_texts(t) == [
        (TurnKind.USER, "GET /orders returns 500 when limit is omitted. Fix it."),
        (TurnKind.TOOL_CALL, "rg -n limit src"),
        (TurnKind.TOOL_OUTPUT, "41: limit = int(args['limit'])"),
        (TurnKind.ASSISTANT, "Defaulted limit to 50."),
    ]
    assert t.turns[2].tool_name == "exec_command" and t.turns[2].call_id == "c1"
    assert t.stats.unknown_records == 0  # event_msg mirrors are not "unknown"
    assert t.stats.dropped_items == 3  # developer message, AGENTS.md block, reasoning


def test_codex_session_id_falls_back_to_the_uuid_in_the_file_name(tmp_path):
    t = read_codex(tmp_path, [user_msg("hello")])
    assert t.session_id == THREAD


def test_legacy_pre_envelope_rollout(tmp_path):
    path = write_lines(
        tmp_path / "rollout-2025-05-07T17-24-21-5973b6c0-94b8-487b-a530-2aeb6098ae0e.jsonl",
        [
            {"id": "5973b6c0-94b8-487b-a530-2aeb6098ae0e", "timestamp": "2025-05-07T17:24:21.123Z", "instructions": "Prefer pytest."},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "<user_instructions>\n\nPrefer pytest.\n\n</user_instructions>"}]},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "find foo"}]},
            {"record_type": "state"},
            {"type": "function_call", "name": "shell", "arguments": '{"command":["rg","-n","def foo"]}', "call_id": "call_1"},
            {"type": "function_call_output", "call_id": "call_1", "output": '{"output":"src/a.py:3:def foo():\\n","metadata":{"exit_code":0,"duration_seconds":0.1}}'},
        ],
    )
    os.utime(path, (1_746_640_000, 1_746_640_000))
    t = read_transcript(path)
    assert t.source_format == "codex"
    assert t.session_id == "5973b6c0-94b8-487b-a530-2aeb6098ae0e"
    assert t.started_at == datetime(2025, 5, 7, 17, 24, 21, 123000, tzinfo=UTC)
    assert t.updated_at == datetime.fromtimestamp(1_746_640_000, UTC)  # no line times: file mtime
    assert kinds_and_texts(t) == [
        (TurnKind.USER, "find foo"),
        (TurnKind.TOOL_CALL, "rg -n 'def foo'"),
        (TurnKind.TOOL_OUTPUT, "Exit code: 0\nsrc/a.py:3:def foo():\n"),
    ]
    assert not t.turns[2].is_error
    assert t.stats.malformed_lines == t.stats.unknown_records == 0


def test_injected_user_fragments_are_dropped_and_environment_kept_as_metadata(tmp_path):
    env = (
        "<environment_context>\n  <cwd>/home/dev/acme-api</cwd>\n  <shell>zsh</shell>\n"
        "  <current_date>2026-03-02</current_date>\n  <timezone>Europe/Berlin</timezone>\n</environment_context>"
    )
    t = read_codex(
        tmp_path,
        [
            user_msg(env),
            user_msg("<skill>\n<name>deploy</name>\n<path>/s/SKILL.md</path>\nsteps\n</skill>", "Deploy to staging please."),
            user_msg("<user_instructions>Prefer pytest.</user_instructions>"),
            user_msg("<turn_aborted>\nThe user interrupted the turn.\n</turn_aborted>"),
            user_msg('<subagent_notification>{"agent":"review","status":"done"}</subagent_notification>'),
            user_msg("   "),
        ],
    )
    assert t.user_texts() == ["Deploy to staging please."]
    assert t.metadata["cwd"] == "/home/dev/acme-api"
    assert t.metadata["shell"] == "zsh"
    assert t.metadata["current_date"] == "2026-03-02"
    assert t.metadata["timezone"] == "Europe/Berlin"
    assert t.cwd == "/home/dev/acme-api"  # no session_meta: the environment tells
    assert t.stats.dropped_items == 5


def test_codex_images_are_dropped_and_counted(tmp_path):
    image = {"type": "input_image", "image_url": "data:image/png;base64," + "iVBORw0KGgo" * 1000}
    t = read_codex(
        tmp_path,
        [
            item({"type": "message", "role": "user", "content": [image, {"type": "input_text", "text": "what is in this screenshot?"}]}),
            item({"type": "message", "role": "user", "content": [image]}),
            item({"type": "function_call", "name": "view_image", "arguments": '{"path":"a.png"}', "call_id": "v1"}),
            item({"type": "function_call_output", "call_id": "v1", "output": [image, {"type": "input_text", "text": "image a.png"}]}),
        ],
    )
    # The bytes go; a placeholder stays where each image was, so "this screenshot" still refers to something.
    assert t.user_texts() == ["[image]\n\nwhat is in this screenshot?", "[image]"]
    assert t.turns[-1].text == "[image]\nimage a.png"
    assert t.stats.images_dropped == 3
    assert all("base64" not in turn.text for turn in t.turns)


@pytest.mark.parametrize(
    ("output", "text", "is_error"),
    [
        pytest.param("plain text result", "plain text result", False, id="plain-string"),
        pytest.param([{"type": "input_text", "text": "a"}, {"type": "input_text", "text": "b"}], "a\nb", False, id="content-items"),
        pytest.param('{"output":"ok\\n","metadata":{"exit_code":0,"duration_seconds":0.1}}', "Exit code: 0\nok\n", False, id="shell-json-ok"),
        pytest.param('{"output":"boom\\n","metadata":{"exit_code":2}}', "Exit code: 2\nboom\n", True, id="shell-json-failed"),
        pytest.param("Exit code: 1\nWall time: 1.2 seconds\nOutput:\nE   AssertionError\n", "Exit code: 1\nE   AssertionError\n", True, id="shell-command-header"),
        pytest.param(
            "Chunk ID: 7f21ac\nWall time: 0.0412 seconds\nProcess exited with code 0\nOriginal token count: 14\nOutput:\n41: limit\n",
            "Exit code: 0\n41: limit\n",
            False,
            id="exec-command-header",
        ),
        pytest.param(
            "Chunk ID: 1\nWall time: 3 seconds\nProcess exited with code 127\nOutput:\nzsh: command not found: pnpm\n",
            "Exit code: 127\nzsh: command not found: pnpm\n",
            True,
            id="exec-command-failed",
        ),
        pytest.param('[{"text":"issue #12: login broken","type":"text"}]', "issue #12: login broken", False, id="mcp-list"),
        pytest.param('{"content":"permission denied","success":false}', "permission denied", True, id="error-object-string"),
        pytest.param({"content": [{"type": "text", "text": "denied"}], "success": False}, "denied", True, id="error-object"),
        pytest.param("log says: Exit code: 1\nbut this is just text", "log says: Exit code: 1\nbut this is just text", False, id="no-header"),
        pytest.param('{"status": "green"}', '{"status": "green"}', False, id="json-that-is-just-output"),
    ],
)
def test_codex_tool_output_shapes(tmp_path, output, text, is_error):
    t = read_codex(
        tmp_path,
        [
            item({"type": "function_call", "name": "shell_command", "arguments": '{"command":"make test"}', "call_id": "c9"}),
            item({"type": "function_call_output", "call_id": "c9", "output": output}),
        ],
    )
    result = t.turns[-1]
    assert (result.kind, result.text, result.is_error) == (TurnKind.TOOL_OUTPUT, text, is_error)
    assert result.tool_name == "shell_command"


def test_codex_tool_calls_are_readable(tmp_path):
    t = read_codex(
        tmp_path,
        [
            item({"type": "function_call", "name": "shell", "arguments": '{"command":["bash","-lc","pytest -q tests/"]}', "call_id": "a"}),
            item({"type": "function_call", "name": "shell", "arguments": '{"command":["git","commit","-m","fix: x y"]}', "call_id": "b"}),
            item({"type": "function_call", "name": "shell_command", "arguments": '{"command":"ls -la"}', "call_id": "c"}),
            item({"type": "local_shell_call", "call_id": "d", "status": "completed", "action": {"type": "exec", "command": ["make", "lint"]}}),
            item({"type": "custom_tool_call", "name": "apply_patch", "call_id": "e", "input": "*** Begin Patch\n*** End Patch"}),
            item({"type": "function_call", "name": "update_plan", "arguments": '{"plan": [{"step": "fix", "status": "done"}]}', "call_id": "f"}),
        ],
    )
    assert [turn.text for turn in t.turns] == [
        "pytest -q tests/",
        "git commit -m 'fix: x y'",
        "ls -la",
        "make lint",
        "apply_patch\n*** Begin Patch\n*** End Patch",
        'update_plan {"plan":[{"step":"fix","status":"done"}]}',
    ]
    assert [turn.tool_name for turn in t.turns] == ["shell", "shell", "shell_command", "local_shell", "apply_patch", "update_plan"]
    assert all(turn.kind is TurnKind.TOOL_CALL for turn in t.turns)
    assert "external_context" not in t.metadata


@pytest.mark.parametrize(
    "call",
    [
        {"type": "web_search_call", "status": "completed", "action": {"type": "search", "query": "vitest mock timers"}},
        {"type": "function_call", "name": "github__get_issue", "arguments": '{"number": 12}', "call_id": "m"},
    ],
    ids=["web-search", "mcp-tool"],
)
def test_outside_content_is_flagged(tmp_path, call):
    t = read_codex(tmp_path, [item(call)])
    assert t.metadata["external_context"] == "true"
    assert t.turns[0].kind is TurnKind.TOOL_CALL


def test_codex_subagent_thread_is_marked(tmp_path):
    spawned = read_codex(tmp_path, [session_meta(source={"subagent": {"thread_spawn": {"parent_thread_id": THREAD, "depth": 1}}})])
    interactive = read_codex(tmp_path, [session_meta()], name="interactive.jsonl")
    assert spawned.metadata["subagent"] == "true"
    assert "subagent" not in interactive.metadata


def test_codex_unknown_types_are_counted_not_fatal(tmp_path):
    t = read_codex(
        tmp_path,
        [
            session_meta(),
            codex_line("hologram_record", {"x": 1}),
            item({"type": "telepathy_call", "call_id": "z"}),
            item({"type": "message", "role": "oracle", "content": []}),
            codex_line("event_msg", {"type": "token_count", "info": None}),
            codex_line("world_state", {"anything": True}),
            codex_line("compacted", {"message": "Summary: fixed it"}),
            item({"type": "ghost_snapshot", "ghost_commit": {"id": "abc"}}),
            user_msg("still read"),
        ],
    )
    assert t.user_texts() == ["still read"]
    assert t.stats.unknown_records == 3
    assert t.stats.dropped_items == 2  # compacted summary, ghost snapshot


def _rolled_back_session() -> list:
    """Two turns, the second (and what followed it) undone in Codex, then a new second turn."""
    return [
        session_meta(),
        user_msg("Add a limit parameter to GET /orders.", second=10),
        assistant_msg("Added `limit` with a default of 50.", second=11),
        user_msg("Always use tabs in this repo.", second=12),
        assistant_msg("Converting every indentation to tabs, file by file. " * 16, second=12),  # ~850 bytes
        item({"type": "function_call", "name": "shell", "arguments": '{"command": ["sed", "-i", "s/    /\\t/", "x.py"]}',
              "call_id": "c1"}, 13),
        item({"type": "function_call_output", "call_id": "c1", "output": "done"}, 14),
        codex_line("event_msg", {"type": "thread_rolled_back", "num_turns": 1}, 15),
        user_msg("Now paginate /invoices the same way.", second=16),
        assistant_msg("Done: /invoices takes `limit` too.", second=17),
    ]


def test_a_codex_thread_rollback_takes_the_undone_turns_out(tmp_path):
    t = read_codex(tmp_path, _rolled_back_session())
    assert kinds_and_texts(t) == [
        (TurnKind.USER, "Add a limit parameter to GET /orders."),
        (TurnKind.ASSISTANT, "Added `limit` with a default of 50."),
        (TurnKind.USER, "Now paginate /invoices the same way."),
        (TurnKind.ASSISTANT, "Done: /invoices takes `limit` too."),
    ]
    assert t.stats.unknown_records == 0


@pytest.mark.parametrize("budget", [100_000, 150], ids=["all-fits", "window-full"])
def test_a_rollback_streamed_into_a_turn_window_leaves_no_trace_of_the_undone_turns(tmp_path, budget):
    from nightshift.ingest.render import TurnWindow, render_transcript

    path = write_lines(tmp_path / f"rollout-2026-03-02T10-14-07-{THREAD}.jsonl", _rolled_back_session())
    window = TurnWindow(budget, 50)
    t = read_transcript(path, turns=window)
    rendered = window.render(t)
    assert "tabs" not in rendered and "sed -i" not in rendered and "done" not in rendered.split("[tool")[0]
    assert "Now paginate /invoices the same way." in rendered and "Add a limit parameter" in rendered  # user turns stay
    if budget == 100_000:  # nothing was forgotten to make room: exactly the render of the surviving turns
        assert rendered == render_transcript(read_codex(tmp_path, _rolled_back_session()), budget, 50)


# --- Claude Code ----------------------------------------------------------------------------------


def claude_line(kind: str, message: dict | None, uuid: str, second: int = 0, **extra) -> dict:
    line = {
        "parentUuid": None,
        "isSidechain": False,
        "userType": "external",
        "cwd": "/home/dev/webshop",
        "sessionId": SESSION,
        "version": "2.1.41",
        "gitBranch": "main",
        "type": kind,
        "uuid": uuid,
        "timestamp": f"2026-11-18T14:02:{second:02d}.000Z",
    }
    if message is not None:
        line["message"] = message
    line.update(extra)
    return line


def claude_user(content, uuid: str, second: int = 0, **extra) -> dict:
    return claude_line("user", {"role": "user", "content": content}, uuid, second, **extra)


def claude_assistant(block: dict, uuid: str, message_id: str = "msg_A", second: int = 0, **extra) -> dict:
    message = {"id": message_id, "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "content": [block]}
    return claude_line("assistant", message, uuid, second, **extra)


def read_claude(tmp_path: Path, lines: list, name: str = f"{SESSION}.jsonl") -> Transcript:
    return read_transcript(write_lines(tmp_path / name, lines))


def test_claude_session_keeps_conversation_and_tools(tmp_path):
    t = read_claude(
        tmp_path,
        [
            {"type": "summary", "summary": "Cart tests with pnpm", "leafUuid": "u5"},
            {"type": "file-history-snapshot", "messageId": "m0", "snapshot": {}, "isSnapshotUpdate": False},
            claude_user("Add tests for the cart total.", "u1", 1),
            claude_assistant({"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "pnpm test:unit", "description": "Run"}}, "u2", second=2),
            claude_user([{"type": "tool_result", "tool_use_id": "t1", "content": "4 passed"}], "u3", 3, toolUseResult={"stdout": "4 passed"}),
            claude_assistant({"type": "tool_use", "id": "t2", "name": "Read", "input": {"file_path": "/a.ts"}}, "u4", "msg_B", 4),
            claude_user([{"type": "tool_result", "tool_use_id": "t2", "content": [{"type": "text", "text": "     1\texport {}"}], "is_error": True}], "u5", 5),
            claude_line("system", None, "u6", 6, subtype="turn_duration", content="Turn took 5s"),
            {"type": "progress", "uuid": "u7", "sessionId": SESSION, "data": {}},
            {"type": "last-prompt", "lastPrompt": "Add tests", "sessionId": SESSION},
            {"type": "tachyon-beam", "uuid": "u8", "sessionId": SESSION},
        ],
    )
    assert t.source_format == "claude"
    assert (t.session_id, t.cwd, t.git_branch, t.git_remote) == (SESSION, "/home/dev/webshop", "main", None)
    assert t.metadata["title"] == "Cart tests with pnpm"
    assert t.started_at == datetime(2026, 11, 18, 14, 2, 1, tzinfo=UTC)
    assert t.updated_at == datetime(2026, 11, 18, 14, 2, 6, tzinfo=UTC)
    assert kinds_and_texts(t) == [
        (TurnKind.USER, "Add tests for the cart total."),
        (TurnKind.TOOL_CALL, "pnpm test:unit"),
        (TurnKind.TOOL_OUTPUT, "4 passed"),
        (TurnKind.TOOL_CALL, 'Read {"file_path":"/a.ts"}'),
        (TurnKind.TOOL_OUTPUT, "     1\texport {}"),
    ]
    assert [turn.is_error for turn in t.turns] == [False, False, False, False, True]
    assert [turn.tool_name for turn in t.turns[1:]] == ["Bash", "Bash", "Read", "Read"]
    assert t.turns[2].call_id == "t1"
    assert t.stats.unknown_records == 1  # only the made-up record type


def test_claude_drops_harness_text_thinking_and_images(tmp_path):
    reminder = "<system-reminder>\nContents of CLAUDE.md: use strict mode\n</system-reminder>"
    t = read_claude(
        tmp_path,
        [
            claude_user("<local-command-caveat>Caveat: generated by local commands.</local-command-caveat>", "u1", isMeta=True),
            claude_user("<command-name>/clear</command-name>\n<command-message>clear</command-message>\n<command-args></command-args>", "u2"),
            claude_user("<local-command-stdout>cleared</local-command-stdout>", "u3"),
            claude_user([{"type": "text", "text": reminder}, {"type": "text", "text": "Always use pnpm instead of npm in this repo."}], "u4"),
            claude_user([{"type": "text", "text": "[Request interrupted by user for tool use]"}], "u5"),
            claude_user("[Request interrupted by user]", "u6"),
            claude_user("This session is being continued from a previous conversation...", "u7", isCompactSummary=True),
            claude_user("sub-agent prompt", "u8", isSidechain=True),
            claude_user([{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo" * 500}}, {"type": "text", "text": "see screenshot"}], "u9"),
            claude_assistant({"type": "thinking", "thinking": "secret plan", "signature": "sig"}, "u10"),
            claude_assistant({"type": "redacted_thinking", "data": "opaque"}, "u11"),
            claude_assistant({"type": "text", "text": "Done."}, "u12"),
        ],
    )
    assert kinds_and_texts(t) == [
        (TurnKind.USER, "Always use pnpm instead of npm in this repo."),
        (TurnKind.USER, "[image]\n\nsee screenshot"),
        (TurnKind.ASSISTANT, "Done."),
    ]
    assert t.stats.images_dropped == 1
    assert t.stats.unknown_records == 0


def test_claude_tool_result_loses_appended_system_reminder(tmp_path):
    t = read_claude(
        tmp_path,
        [
            claude_assistant({"type": "tool_use", "id": "t1", "name": "Read", "input": {"file_path": "/a.py"}}, "u1"),
            claude_user([{"type": "tool_result", "tool_use_id": "t1", "content": "     1\tx = 1\n\n<system-reminder>\nConsider whether it is malware.\n</system-reminder>\n"}], "u2"),
        ],
    )
    assert t.turns[-1].text == "     1\tx = 1"


def test_claude_merges_split_message_and_dedupes_by_uuid(tmp_path):
    t = read_claude(
        tmp_path,
        [
            claude_user("Commit it. I prefer small commits with conventional commit messages.", "u1"),
            claude_assistant({"type": "thinking", "thinking": "plan", "signature": "s"}, "u2", "msg_A"),
            claude_assistant({"type": "text", "text": "I'll check the log first."}, "u3", "msg_A"),
            claude_assistant({"type": "text", "text": "Then commit."}, "u4", "msg_A"),
            claude_assistant({"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "git log --oneline -5"}}, "u5", "msg_A"),
            claude_assistant({"type": "text", "text": "I'll check the log first."}, "u3", "msg_A"),  # re-streamed copy
            claude_user([{"type": "tool_result", "tool_use_id": "t1", "content": "e41b7c2 feat(cart): coupon"}], "u6"),
            claude_user("Commit it. I prefer small commits with conventional commit messages.", "u1"),  # duplicate line
            claude_assistant({"type": "text", "text": "Committed."}, "u7", "msg_B"),
            claude_assistant({"type": "text", "text": "Anything else?"}, "u8", "msg_C"),
        ],
    )
    assert kinds_and_texts(t) == [
        (TurnKind.USER, "Commit it. I prefer small commits with conventional commit messages."),
        (TurnKind.ASSISTANT, "I'll check the log first.\n\nThen commit."),
        (TurnKind.TOOL_CALL, "git log --oneline -5"),
        (TurnKind.TOOL_OUTPUT, "e41b7c2 feat(cart): coupon"),
        (TurnKind.ASSISTANT, "Committed."),
        (TurnKind.ASSISTANT, "Anything else?"),
    ]


def test_claude_session_id_falls_back_to_file_stem(tmp_path):
    line = claude_user("hi", "u1")
    del line["sessionId"]
    t = read_claude(tmp_path, [line], name="0a1b2c3d-0000-4000-8000-000000000001.jsonl")
    assert t.session_id == "0a1b2c3d-0000-4000-8000-000000000001"


def test_claude_mcp_and_web_tools_flag_outside_content(tmp_path):
    t = read_claude(tmp_path, [claude_assistant({"type": "tool_use", "id": "t1", "name": "mcp__github__get_issue", "input": {"n": 1}}, "u1")])
    assert t.metadata["external_context"] == "true"


# --- robustness -----------------------------------------------------------------------------------


def test_bad_lines_are_skipped_and_counted(tmp_path):
    t = read_codex(
        tmp_path,
        [
            session_meta(),
            '{"timestamp":"2026-03-02T09:14:08.000Z","type":"response_item","payload":{"type":"mess',  # truncated
            "not json at all",
            "[1, 2, 3]",
            "42",
            b'{"type":"response_item","payload":{"text":"caf\xe9"}}',  # Latin-1, not UTF-8
            "",
            user_msg("survives", second=20),
        ],
    )
    assert t.user_texts() == ["survives"]
    assert t.stats.malformed_lines == 5
    assert t.stats.lines == 7  # blank lines are not counted


def test_truncated_last_line_without_newline(tmp_path):
    path = write_lines(tmp_path / "s.jsonl", [session_meta(), user_msg("first")])
    with path.open("ab") as fh:
        fh.write(b'{"timestamp":"2026-03-02T09:15:00.000Z","type":"event_msg","payload":{"type":"tok')
    t = read_transcript(path)
    assert t.user_texts() == ["first"]
    assert t.stats.malformed_lines == 1


def test_over_long_line_is_skipped_and_the_rest_read(tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("wb") as fh:
        fh.write(orjson.dumps(session_meta()) + b"\n")
        fh.write(b'{"type":"response_item","payload":{"type":"function_call_output","output":"')
        chunk = b"x" * (1024 * 1024)
        for _ in range(MAX_LINE_BYTES // len(chunk) + 1):
            fh.write(chunk)
        fh.write(b'"}}\n')
        fh.write(orjson.dumps(user_msg("after the giant line", second=30)) + b"\n")
    t = read_transcript(path)
    assert t.user_texts() == ["after the giant line"]
    assert t.stats.malformed_lines == 1


def test_lone_surrogate_escape_does_not_lose_the_line(tmp_path):
    line = orjson.dumps(claude_user("emoji cut in half: X", "u1")).replace(b"X", b"\\ud83d")
    t = read_claude(tmp_path, [line])
    assert t.user_texts() == ["emoji cut in half: \ufffd"]
    assert t.stats.malformed_lines == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"\n\n  \n", "empty", id="blank-lines"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary", id="binary"),
        pytest.param(b"just some notes\nnothing structured\n", "no JSON object", id="plain-text"),
        pytest.param(b'{"name": "a", "value": 1}\n{"name": "b", "value": 2}\n', "neither", id="other-jsonl"),
    ],
)
def test_non_transcripts_raise(tmp_path, content, reason):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    with pytest.raises(NotATranscript, match=reason):
        read_transcript(path)


def test_format_comes_from_content_not_the_file_name(tmp_path):
    claude_in_codex_name = read_claude(tmp_path, [claude_user("hi", "u1")], name=f"rollout-2026-03-02T10-14-07-{THREAD}.jsonl")
    codex_in_odd_name = read_codex(tmp_path, [session_meta(), user_msg("hi")], name="notes.txt")
    assert claude_in_codex_name.source_format == "claude"
    assert codex_in_odd_name.source_format == "codex"


# --- bundled samples ------------------------------------------------------------------------------


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.rglob("*.jsonl") if "subagents" not in p.parts)


def test_every_sample_reads_cleanly():
    files = sample_files()
    assert len(files) == 10  # Codex 4, Claude Code 4, Gemini CLI 1, Cursor 1
    for path in files:
        t = read_transcript(path)
        assert t.turns, path
        assert t.user_texts(), path
        assert t.stats.unknown_records == 0, path
        expected_malformed = 1 if "archived_sessions" in path.parts else 0
        assert t.stats.malformed_lines == expected_malformed, path
        for turn in t.turns:  # sanitising held: no harness text survives in what a model would read
            for marker in ("<system-reminder>", "AGENTS.md instructions", "<environment_context>", "permissions instructions", "[Request interrupted", "<command-name>"):
                assert marker not in turn.text, (path, marker)


def test_sample_preferences_session():
    (path,) = [p for p in sample_files() if "-home-dev-webshop" in str(p) and "pnpm" in p.read_text()]
    t = read_transcript(path)
    users = t.user_texts()
    assert "Always use pnpm instead of npm in this repo." in users
    assert "No. Never run the full e2e suite locally, it takes 20 minutes; run `pnpm test:unit` instead." in users
    assert "Commit it. I prefer small commits with conventional commit messages." in users
    assert users.count("Commit it. I prefer small commits with conventional commit messages.") == 1  # duplicate uuid
    calls = [turn for turn in t.turns if turn.kind is TurnKind.TOOL_CALL]
    assert ("Bash", "npm install") in [(c.tool_name, c.text) for c in calls]
    rejected = next(turn for turn in t.turns if turn.kind is TurnKind.TOOL_OUTPUT and turn.is_error)
    assert rejected.tool_name == "Bash"
    assert t.cwd == "/home/dev/webshop"
    assert t.session_id == path.stem


def test_sample_failure_then_fix_session():
    (path,) = [p for p in sample_files() if "2026/11/18" in p.as_posix()]
    t = read_transcript(path)
    assert (t.cwd, t.git_remote) == ("/home/dev/acme-api", "git@github.com:acme/acme-api.git")
    steps = [(turn.kind, turn.text.splitlines()[0], turn.is_error) for turn in t.turns if turn.kind in (TurnKind.TOOL_CALL, TurnKind.TOOL_OUTPUT)]
    assert steps == [
        (TurnKind.TOOL_CALL, "pytest", False),
        (TurnKind.TOOL_OUTPUT, "Exit code: 1", True),
        (TurnKind.TOOL_CALL, "pip install -e .", False),
        (TurnKind.TOOL_OUTPUT, "Exit code: 0", False),
        (TurnKind.TOOL_CALL, "pytest", False),
        (TurnKind.TOOL_OUTPUT, "Exit code: 0", False),
    ]
    assert "ModuleNotFoundError: No module named 'acme_api'" in t.turns[2].text
    assert "fix the failing tests" in t.user_texts()[0]
    assert t.metadata["timezone"] == "Europe/Berlin"


def test_sample_subagent_file_is_all_sidechain():
    (path,) = SAMPLES.rglob("subagents/agent-*.jsonl")
    t = read_transcript(path)
    assert t.turns == []
    assert t.session_id == path.parent.parent.name  # the parent session
