"""Gemini CLI and Cursor's agent CLI as sources (issue 18): each shape of their files (tests/fixtures/shapes/
gemini_*, cursor_*) laid out as the agents lay them out and read by a real ``nightshift consolidate`` on the
builtin provider; then what the readers hand on, for the rules and for a model; then discovery and defaults."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from clirun import nightshift, source_args
from test_shapes import SHAPES, both, user_texts

from nightshift.ingest.discover import discover
from nightshift.ingest.readers import read_transcript
from nightshift.phase1.builtin import extract_builtin
from nightshift.ingest.transcript import SUBAGENT_NOTE, TurnKind
from nightshift.settings import default_sources
from nightshift.store.state import open_state

LEDGER_HASH = hashlib.sha256(b"/home/dev/ledger").hexdigest()
ORBIT_HASH = hashlib.sha256(b"/home/dev/orbit").hexdigest()
PARENT = "5b1e0c2a-7d41-4f0e-9a63-2c8e41d07b19"  # the rewind fixture's session: the sub-agent's parent
QUILL_CHAT, KITE_CHAT = "4a7c2e91-0b3d-4f6a-8c15-e2d9b0a73f48", "9e1b5d03-7c2a-4e8f-b6d4-1a0c3f7e92b5"
SECRETS = ("sk-proj-Lm3nB8vQ2xR7tY5wK9pZ4cD1fG6hJ0aE2sU8iO4", "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngOnly12345ab")


def agent_tree(root: Path) -> dict[str, Path]:
    """The fixtures where the agents write them: ~/.gemini/tmp/<project>/chats/ and
    ~/.cursor/projects/<project>/agent-transcripts/<id>/<id>.jsonl. Returns fixture name -> path."""
    gemini, cursor = root / "gemini" / "tmp", root / "cursor" / "projects"
    places = {
        "gemini_rewind.jsonl": gemini / LEDGER_HASH / "chats" / "session-2026-11-24T09-23-5b1e0c2a.jsonl",
        "gemini_subagent.jsonl": gemini / LEDGER_HASH / "chats" / PARENT / "codebase_investigator-4f2a9c1e.jsonl",
        "gemini_set_metadata.jsonl": gemini / "atlas" / "chats" / "session-2026-11-25T14-02-c3f5a8e1.jsonl",
        "gemini_legacy.json": gemini / ORBIT_HASH / "chats" / "session-2025-09-30T16-40-8e4b1f0c.json",
        "gemini_damaged.jsonl": gemini / "quill" / "chats" / "session-2026-11-26T20-10-71d0e9b3.jsonl",
        "cursor_session.jsonl": cursor / "home-dev-quill" / "agent-transcripts" / QUILL_CHAT / f"{QUILL_CHAT}.jsonl",
        "cursor_damaged.jsonl": cursor / "home-dev-kite-app" / "agent-transcripts" / KITE_CHAT / f"{KITE_CHAT}.jsonl",
    }
    for name, path in places.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHAPES / name, path)
    # Newer Gemini builds name a project's folder after it and keep its path beside chats/.
    (gemini / "quill" / ".project_root").write_text("/home/dev/quill", encoding="utf-8")
    # A Cursor sub-agent writes under its parent's folder: part of the parent, never read on its own.
    child = cursor / "home-dev-quill" / "agent-transcripts" / QUILL_CHAT / "subagents" / "explorer.jsonl"
    child.parent.mkdir()
    child.write_text('{"role":"user","message":{"content":[{"type":"text","text":"<user_query>\\nList the date helpers.\\n</user_query>"}]}}\n')
    return places


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> dict:
    """One `nightshift consolidate` over both agents' folders, and what it left behind."""
    root = tmp_path_factory.mktemp("agents")
    places = agent_tree(root)
    home = root / "memory_home"
    sources = [root / "gemini" / "tmp", root / "cursor" / "projects"]
    done = nightshift("consolidate", "--home", home, *source_args(sources), "--idle-hours", "0", "--provider", "builtin")
    assert done.returncode == 0, done.stderr
    with open_state(home / ".nightshift") as db:
        rows = db.con.execute("SELECT path, format, outcome, project_key, note FROM rollouts").fetchall()
    by_path = {row[0]: dict(zip(("path", "format", "outcome", "project_key", "note"), row)) for row in rows}
    memory = (home / "MEMORY.md").read_text(encoding="utf-8")
    everything = "\n".join(p.read_text(encoding="utf-8") for p in home.rglob("*.md"))
    return {"done": done, "home": home, "rows": {name: by_path.get(str(path)) for name, path in places.items()},
            "paths": set(by_path), "root": root, "memory": memory, "everything": everything,
            "status": nightshift("status", "--home", home).stdout}


# --- through nightshift consolidate ------------------------------------------------------------------


@pytest.mark.slow
def test_gemini_rewind_keeps_only_what_the_user_did_not_take_back(night):
    row = night["rows"]["gemini_rewind.jsonl"]
    assert (row["format"], row["outcome"], row["project_key"]) == ("gemini", "memory", "/home/dev/ledger")  # cwd from the tool's path
    assert "always round half-up in this project" in night["memory"]
    assert "half-even" not in night["everything"]


@pytest.mark.slow
def test_gemini_set_records_scope_and_the_cli_s_additions_stay_out(night):
    row = night["rows"]["gemini_set_metadata.jsonl"]
    assert (row["outcome"], row["project_key"]) == ("memory", "/home/dev/atlas")  # from $set.directories, checked against the hash
    assert "derive it from the viewport" in night["memory"]
    # neither a referenced file's contents nor the restated (compressed) history is the user speaking
    assert "MAX_TILES" not in night["everything"] and "41% of frame time" not in night["everything"]


@pytest.mark.slow
def test_gemini_legacy_document_is_read_and_scoped_by_its_project_hash(night):
    row = night["rows"]["gemini_legacy.json"]
    assert (row["outcome"], row["project_key"]) == ("memory", f"gemini-project:{ORBIT_HASH[:16]}")
    assert "imperative mood" in night["memory"]
    assert "sessions read: Cursor 2, Gemini CLI 4 (1 scoped by project hash: no directory in the session)" in night["status"]


@pytest.mark.slow
def test_a_session_scoped_by_its_project_hash_reaches_sessions_in_that_project(night):
    """Gemini CLI names a project's folder by the hash of its path: `summary --cwd` in that project (or a folder
    inside it) is given the session's rule; another project is not."""
    def summary(cwd: str) -> str:
        done = nightshift("summary", "--home", night["home"], "--cwd", cwd)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "imperative mood" in summary("/home/dev/orbit") and "imperative mood" in summary("/home/dev/orbit/src/api")
    assert "imperative mood" not in summary("/home/dev/ledger")


@pytest.mark.slow
def test_gemini_subagent_is_part_of_its_parent(night):
    row = night["rows"]["gemini_subagent.jsonl"]
    assert (row["outcome"], row["note"]) == ("skipped", SUBAGENT_NOTE)
    assert "formats money" not in night["everything"]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "project", "kept", "lost"), [
    ("gemini_damaged.jsonl", "/home/dev/quill", "run the linter with --fix", "Renaming dra"),
    ("cursor_damaged.jsonl", "/home/dev/kite-app", "put API handlers in src/routes", "and the web"),
])
def test_a_malformed_line_and_a_cut_last_line_are_skipped_and_the_rest_read(night, name, project, kept, lost):
    row = night["rows"][name]
    assert (row["outcome"], row["project_key"]) == ("memory", project)  # .project_root; Cursor's folder name matched to a path
    assert "malformed 2" in row["note"]
    assert kept in night["memory"] and lost not in night["everything"]


@pytest.mark.slow
def test_cursor_session_keeps_the_query_and_drops_the_harness_blocks(night):
    row = night["rows"]["cursor_session.jsonl"]
    assert (row["format"], row["outcome"], row["project_key"]) == ("cursor", "memory", "/home/dev/quill")  # <user_info> Workspace Path
    assert "Use date-fns for all date handling in this repo, never moment." in night["memory"]
    assert "haiku" not in night["everything"]  # a <rules> block around the query
    assert not any(p.endswith("explorer.jsonl") for p in night["paths"])  # the sub-agent is not a session
    assert "left out: abandoned branch 2, referenced files 2, ide context 1" in night["status"]


@pytest.mark.slow
def test_secrets_in_either_format_never_reach_the_memory_home(night):
    assert not any(secret in night["everything"] for secret in SECRETS)


# --- what the readers hand on ---------------------------------------------------------------------------


def test_gemini_rewind_and_updated_messages(tmp_path):
    p, rendered = both("gemini_rewind.jsonl", tmp_path)
    assert user_texts(p) == ["Read the CSV importer and tell me why the monthly totals are a few cents off.",
                             "Use Decimal for money, and always round half-up in this project."]
    assert "half-even" not in rendered and p.transcript.stats.harness["abandoned_branch"] == 2
    # the tool call was written twice under one id: once running, once with its result; read once, finished
    calls = [(t.kind, t.tool_name, t.text.splitlines()[0]) for t in p.transcript.turns if t.tool_name]
    assert calls == [(TurnKind.TOOL_CALL, "read_file", 'read_file {"absolute_path":"/home/dev/ledger/src/ledger/io.py"}'),
                     (TurnKind.TOOL_OUTPUT, "read_file", "def parse_amount(cell):"),
                     (TurnKind.TOOL_CALL, "run_shell_command", "pytest -q tests/test_io.py"),
                     (TurnKind.TOOL_OUTPUT, "run_shell_command", "Output: 6 passed in 0.31s")]
    assert "[REDACTED:openai]" in rendered and SECRETS[0] not in rendered
    assert p.transcript.started_at == datetime(2026, 11, 24, 9, 23, 40, 512000, tzinfo=UTC)  # the session's own start


def test_gemini_set_records_give_title_and_directory_and_the_cli_s_additions_go(tmp_path):
    p, rendered = both("gemini_set_metadata.jsonl", tmp_path)
    t = p.transcript
    assert (t.cwd, t.metadata["title"]) == ("/home/dev/atlas", "Tile cache sized from the viewport")
    assert user_texts(p) == ["Why does @src/tiles/cache.ts evict tiles so early?", "Here is the profile I took: @profile.txt",
                             "Never hard-code the tile cache size in any of my map projects; always derive it from the viewport.\n[image]"]
    assert "Content from" not in rendered and "Quota exceeded" not in rendered and "Request cancelled" not in rendered
    assert "MAX_TILES at 64" not in rendered  # $set.messages restates the history; the records were read
    assert t.stats.harness["referenced_files"] == 2 and t.stats.images_dropped == 1


def test_gemini_legacy_document_reads_like_the_jsonl_form(tmp_path):
    p, rendered = both("gemini_legacy.json", tmp_path)
    t = p.transcript
    assert (t.source_format, t.session_id, t.cwd, t.project_scope) == (
        "gemini", "8e4b1f0c-5d2a-4c7e-b3f9-0a6d2e8c1b74", None, f"gemini-project:{ORBIT_HASH[:16]}")
    assert [turn.kind for turn in t.turns] == [TurnKind.USER, TurnKind.ASSISTANT, TurnKind.USER, TurnKind.ASSISTANT,
                                               TurnKind.TOOL_CALL, TurnKind.TOOL_OUTPUT]
    assert (t.started_at, t.updated_at) == (datetime(2025, 9, 30, 16, 40, 2, 118000, tzinfo=UTC),
                                            datetime(2025, 9, 30, 16, 44, 51, 905000, tzinfo=UTC))
    assert "Imperative subject lines" not in rendered  # thoughts


def test_gemini_document_cut_off_mid_write_is_not_a_transcript(tmp_path):
    path = tmp_path / "session-2025-09-30T16-40-8e4b1f0c.json"
    path.write_bytes((SHAPES / "gemini_legacy.json").read_bytes()[:600])
    with pytest.raises(Exception, match="no JSON object"):
        read_transcript(path)


def test_gemini_subagent_is_marked(tmp_path):
    p, _ = both("gemini_subagent.jsonl", tmp_path)
    assert p.transcript.metadata["subagent"] == "true"


def test_cursor_query_user_info_and_tools(tmp_path):
    p, rendered = both("cursor_session.jsonl", tmp_path)
    t = p.transcript
    assert (t.source_format, t.cwd, t.metadata["title"]) == ("cursor", "/home/dev/quill", "Settle the date library for the booking form")
    assert user_texts(p)[1] == "Use date-fns for all date handling in this repo, never moment."
    assert "user_info" not in rendered and "haiku" not in rendered and t.stats.harness["ide_context"] == 1
    assert [(turn.tool_name, turn.text) for turn in t.turns if turn.kind is TurnKind.TOOL_CALL][0] == ("Shell", 'rg -n "new Date(" src/booking')
    assert not any(turn.kind is TurnKind.TOOL_OUTPUT for turn in t.turns)  # Cursor keeps results out of the transcript
    assert "[REDACTED:github]" in rendered and SECRETS[1] not in rendered
    assert t.stats.unknown_records == 0 and t.stats.malformed_lines == 0


@pytest.mark.parametrize("typed, kept, harness", [
    ("<user_query>\n  first\n</user_query><rules>r</rules><user_query> second \u00a0</user_query>", "first\n\nsecond", 1),
    ("<user_query>\n\n</user_query><user_query>only <user_query> this</user_query>", "only <user_query> this", 0),
    ("<user_query>never closed", "<user_query>never closed", 0),
    ("<rules>r</rules> said <user_query>asked</user_query> after", "asked", 1),
])
def test_cursor_query_blocks_run_to_the_first_closing_tag(tmp_path, typed, kept, harness):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"role": "user", "message": {"content": [{"type": "text", "text": typed}]}}) + "\n")
    t = read_transcript(path)
    assert ([turn.text for turn in t.turns], t.stats.harness["ide_context"]) == ([kept], harness)


@pytest.mark.parametrize("tools, external", [(["Shell", "Shell"], False), (["Shell", "Shell", "WebFetch"], True),
                                             (["mcp_github_search"], True), (["Read", "linear__create_issue", "Read"], True)])
def test_cursor_session_that_read_the_web_or_an_mcp_server_is_marked(tmp_path, tools, external):
    calls = [{"type": "tool_use", "name": name, "id": f"t{i}", "input": {"command": "ls"}} for i, name in enumerate(tools)]
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"role": "assistant", "message": {"content": calls}}) + "\n")
    assert ("external_context" in read_transcript(path).metadata) is external


def test_cursor_without_a_directory_is_scoped_by_its_project_folder(tmp_path):
    path = tmp_path / "projects" / "home-dev-kite" / "agent-transcripts" / KITE_CHAT / f"{KITE_CHAT}.jsonl"
    path.parent.mkdir(parents=True)
    # the tool's path is in another project (kite-app), so it does not name this one
    shutil.copyfile(SHAPES / "cursor_damaged.jsonl", path)
    t = read_transcript(path)
    assert (t.cwd, t.project_scope, t.session_id) == (None, "cursor-project:home-dev-kite", KITE_CHAT)


@pytest.mark.parametrize("name", ["gemini_rewind.jsonl", "gemini_legacy.json", "cursor_session.jsonl"])
def test_format_comes_from_content(tmp_path, name):
    renamed = tmp_path / "notes.txt"
    shutil.copyfile(SHAPES / name, renamed)
    assert read_transcript(renamed).source_format == name.split("_")[0]


@pytest.mark.parametrize(("name", "text"), [
    ("session-settings.json", json.dumps({"theme": "dark", "messages": []}, indent=2)),
    ("changes.jsonl", '{"$set": {"status": "paid"}}\n{"$set": {"status": "shipped"}}\n'),  # a database's update log
])
def test_look_alikes_are_not_transcripts(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(Exception, match="neither"):
        read_transcript(path)


def test_gemini_rewind_to_a_message_it_does_not_have_takes_everything_back(tmp_path):
    lines = [{"sessionId": "s", "projectHash": ORBIT_HASH}, {"id": "a", "type": "user", "content": "Use tabs."},
             {"id": "b", "type": "gemini", "content": "Done."}, {"$rewindTo": "gone"}, {"id": "c", "type": "user", "content": "Use spaces."}]
    path = tmp_path / "session.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    t = read_transcript(path)
    assert t.user_texts() == ["Use spaces."] and t.stats.harness["abandoned_branch"] == 2


# --- discovery and default sources ------------------------------------------------------------------------


def test_discovery_finds_both_agents_files_by_idle_time_age_and_watermark(tmp_path):
    places = agent_tree(tmp_path)
    sources = [tmp_path / "gemini" / "tmp", tmp_path / "cursor" / "projects"]
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    ages = {"gemini_rewind.jsonl": timedelta(hours=1), "gemini_legacy.json": timedelta(days=30)}  # not idle; too old
    for name, path in places.items():
        when = (now - ages.get(name, timedelta(hours=8))).timestamp()
        os.utime(path, (when, when))
    seen = {str(places["cursor_session.jsonl"]): (places["cursor_session.jsonl"].stat().st_size, places["cursor_session.jsonl"].stat().st_mtime)}
    found = discover(sources, seen, now=now, idle_hours=6, max_age_days=10)
    assert {Path(c.path).name for c in found.candidates} == {places[n].name for n in
                                                              ("gemini_subagent.jsonl", "gemini_set_metadata.jsonl", "gemini_damaged.jsonl",
                                                               "cursor_damaged.jsonl")}
    assert (found.not_idle, found.too_old, found.unchanged) == (1, 1, 1)
    # a resumed legacy session is rewritten as .jsonl beside the old document: the new file is the session
    legacy = places["gemini_legacy.json"]
    resumed = legacy.with_name(legacy.name + "l")
    resumed.write_bytes(b"")
    os.utime(resumed, (now.timestamp() - 3600, now.timestamp() - 3600))
    later = discover(sources, {}, now=now, idle_hours=0, max_age_days=100)
    assert str(legacy) not in {c.path for c in later.candidates} and str(resumed) in {c.path for c in later.candidates}


def test_gemini_and_cursor_folders_are_default_sources_only_where_they_exist(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert [p.relative_to(tmp_path).as_posix() for p in default_sources()] == [".codex/sessions", ".codex/archived_sessions", ".claude/projects"]
    (tmp_path / ".gemini" / "tmp").mkdir(parents=True)
    (tmp_path / ".cursor" / "projects").mkdir(parents=True)
    assert [p.relative_to(tmp_path).as_posix() for p in default_sources()][3:] == [".gemini/tmp", ".cursor/projects"]


def _gemini_shell(call_id: str, when: str, command: str, output: str, failed: bool) -> str:
    result = {"functionResponse": {"id": call_id, "name": "run_shell_command",
                                   "response": {"output": f"Command: {command}\nOutput: {output}\nExit Code: {1 if failed else 0}"}}}
    return json.dumps({"id": f"msg-{call_id}", "timestamp": when, "type": "gemini", "content": "", "model": "gemini-2.5-pro",
                       "toolCalls": [{"id": call_id, "name": "run_shell_command", "args": {"command": command},
                                      "status": "error" if failed else "success", "timestamp": when, "result": [result]}]})


def test_a_gemini_shell_command_that_failed_then_passed_after_a_fix_is_remembered_with_the_fix(tmp_path: Path) -> None:
    lines = [
        json.dumps({"sessionId": "0d9c1e7a-5b2f-4c8e-a1d3-6f4e2b7c9a10", "projectHash": "ab" * 32,
                    "startTime": "2026-11-30T10:00:00.000Z", "lastUpdated": "2026-11-30T10:05:00.000Z", "kind": "main"}),
        json.dumps({"id": "u1", "timestamp": "2026-11-30T10:00:05.000Z", "type": "user",
                    "content": [{"text": "run the tests in /home/dev/tiles please"}]}),
        _gemini_shell("c1", "2026-11-30T10:00:20.000Z", "pytest -q", "E   ModuleNotFoundError: No module named 'tiles'", True),
        _gemini_shell("c2", "2026-11-30T10:01:00.000Z", "pip install -e .", "Successfully installed tiles-0.3.0", False),
        _gemini_shell("c3", "2026-11-30T10:01:40.000Z", "pytest -q", "12 passed in 0.41s", False),
    ]
    path = tmp_path / "session-2026-11-30T10-00-0d9c1e7a.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    memory = extract_builtin(read_transcript(path))

    [failure] = [f for task in memory.tasks for f in task.failures]
    assert "pytest -q" in failure.symptom and "pip install -e ." in failure.fix
