"""The consolidation agent's sandboxed tools, on a real git memory home with a real DuckDB state."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from nightshift.phase2 import home as memory_home
from nightshift.phase2.contract import DIFF_FILE
from nightshift.phase2.tools import RESULT_CAP, Sandbox
from nightshift.store.state import open_state

MEMORY = "# Memory handbook\n\n## Task group: api\n- use uv\n- run tests\n- use uv\n"


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (the home with .git and .nightshift, and what lies outside it)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    home = tmp_path / "home"
    repo = memory_home.open_home(home)
    (home / "MEMORY.md").write_text(MEMORY)
    (home / "memory_summary.md").write_text("v1\n")
    (home / "raw_memories.md").write_text("# Raw memories\n\n- preference: use uv\n")
    (home / "rollout_summaries").mkdir()
    (home / "rollout_summaries" / "a.md").write_text("# a\nused uv\n")
    memory_home.commit_run(repo, "first", "", [])
    with open_state(home / ".nightshift"):
        pass  # a real state.duckdb to aim at
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("the neighbour's data\n")
    (home / "skills").mkdir()
    os.symlink(tmp_path / "outside" / "secret.txt", home / "leak.md")  # a file link out of the home
    os.symlink(tmp_path / "outside", home / "skills" / "evil")  # a folder link out of the home
    os.symlink("../raw_memories.md", home / "skills" / "raw.md")  # a link onto a read-only input
    os.symlink(".git/config", home / "gitconfig.md")  # a link into git's own data
    diff = home / ".nightshift" / "consolidation.diff"
    diff.write_text("# Tonight's consolidation diff\nA\trollout_summaries/a.md\n")
    return Sandbox(home, diff)


ESCAPES = [
    ("read_file", {"path": "/etc/passwd"}, "absolute paths are refused"),
    ("read_file", {"path": "~/.ssh/id_rsa"}, "absolute paths are refused"),
    ("read_file", {"path": "../outside/secret.txt"}, "'..' is refused"),
    ("write_file", {"path": "../x", "content": "escaped"}, "'..' is refused"),
    ("write_file", {"path": "skills/../../x", "content": "escaped"}, "'..' is refused"),
    ("read_file", {"path": ".git/config"}, "off limits"),
    ("write_file", {"path": ".git/config", "content": "[core]\n"}, "off limits"),
    ("write_file", {"path": "skills/.git/hooks/x", "content": "x"}, "off limits"),
    ("read_file", {"path": ".nightshift/state.duckdb"}, "off limits"),
    ("delete_file", {"path": ".nightshift/state.duckdb"}, "off limits"),
    ("read_file", {"path": "leak.md"}, "leads outside the memory home"),
    ("search", {"pattern": "neighbour", "path": "leak.md"}, "leads outside the memory home"),
    ("write_file", {"path": "skills/evil/SKILL.md", "content": "x"}, "leads outside the memory home"),
    ("read_file", {"path": "gitconfig.md"}, "leads into .git/"),
    ("write_file", {"path": "raw_memories.md", "content": "rewritten"}, "read-only"),
    ("edit_file", {"path": "rollout_summaries/a.md", "old_text": "used uv", "new_text": "used pip"}, "read-only"),
    ("delete_file", {"path": "raw_memories.md"}, "read-only"),
    ("write_file", {"path": "skills/raw.md", "content": "through a link"}, "read-only"),
    ("write_file", {"path": DIFF_FILE, "content": "x"}, "read-only"),
    ("write_file", {"path": "notes.md", "content": "x"}, "read-only"),
    ("list_files", {"path": "/etc"}, "absolute paths are refused"),
    ("search", {"pattern": "root", "path": "../"}, "'..' is refused"),
]


@pytest.mark.parametrize("tool, args, reason", ESCAPES, ids=[f"{t}:{a['path']}" for t, a, _ in ESCAPES])
def test_every_escape_is_refused_with_a_readable_error_and_changes_nothing(box, tool, args, reason):
    before = _snapshot(box.root.parent)
    result = box.call(tool, json.dumps(args))
    assert result.startswith("error: ") and reason in result
    assert _snapshot(box.root.parent) == before
    assert not (box.root.parent / "x").exists()


def test_a_search_of_the_whole_home_skips_what_lies_outside_and_in_git(box):
    result = box.call("search", json.dumps({"pattern": "neighbour|repositoryformatversion"}))
    assert result.startswith("no matches")


def test_allowed_writes_edits_and_deletes_touch_only_their_file(box):
    before = _snapshot(box.root.parent)
    assert box.call("write_file", json.dumps({"path": "skills/run-tests/SKILL.md", "content": "---\nname: x\n---\n"})).startswith("wrote")
    assert box.call("edit_file", json.dumps({"path": "MEMORY.md", "old_text": "- run tests\n", "new_text": "- run tests with uv\n"})) == "edited MEMORY.md at line 5"
    assert box.call("delete_file", json.dumps({"path": "skills/run-tests/SKILL.md"})) == "deleted skills/run-tests/SKILL.md"
    after = _snapshot(box.root.parent)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == {"home/MEMORY.md"}
    assert "- run tests with uv\n" in (box.root / "MEMORY.md").read_text()


def test_an_edit_must_match_exactly_once_and_says_where_it_matched(box):
    ambiguous = box.call("edit_file", json.dumps({"path": "MEMORY.md", "old_text": "- use uv", "new_text": "- use pip"}))
    assert ambiguous == ("error: old_text occurs 2 times in MEMORY.md (at lines 4, 6); include more surrounding text so it occurs once")
    missing = box.call("edit_file", json.dumps({"path": "MEMORY.md", "old_text": "- use poetry", "new_text": "x"}))
    assert missing.startswith("error: old_text was not found in MEMORY.md")
    assert (box.root / "MEMORY.md").read_text() == MEMORY


@pytest.mark.parametrize(
    "name, arguments, expected",
    [
        ("read_file", '{"path": "MEMORY.md"', "not valid JSON"),
        ("read_file", '["MEMORY.md"]', "must be a JSON object"),
        ("read_file", "{}", "'path' is a required property"),
        ("edit_file", '{"path": "MEMORY.md", "old_text": "x"}', "'new_text' is a required property"),
        ("read_file", '{"path": 7}', "7 is not of type 'string'"),
        ("read_file", '{"path": "MEMORY.md", "lines": "1-3"}', "Additional properties are not allowed"),
        ("run_shell", '{"command": "rm -rf /"}', "unknown tool 'run_shell'"),
        ("search", '{"pattern": "("}', "invalid regular expression"),
    ],
)
def test_bad_tool_calls_are_answered_with_an_error_not_raised(box, name, arguments, expected):
    result = box.call(name, arguments)
    assert result.startswith("error: ") and expected in result


def test_read_a_line_range_and_search_with_line_numbers(box):
    assert box.call("read_file", json.dumps({"path": "MEMORY.md", "start_line": 4, "end_line": 5})) == (
        "[MEMORY.md: lines 4-5 of 6]\n- use uv\n- run tests\n"
    )
    assert box.call("search", json.dumps({"pattern": "USE UV", "ignore_case": True})).splitlines() == [
        "MEMORY.md:4: - use uv", "MEMORY.md:6: - use uv", "raw_memories.md:3: - preference: use uv",
    ]
    assert box.call("search", json.dumps({"pattern": "rollout_summaries/a"})) == f"{DIFF_FILE}:2: A\trollout_summaries/a.md"


def test_the_diff_is_readable_and_listed_but_its_real_location_is_not(box):
    listing = box.call("list_files", "{}")
    assert listing.splitlines()[0].startswith(f"{DIFF_FILE}  (") and "read it first" in listing
    assert "MEMORY.md  (" in listing and "writable" in listing and "raw_memories.md  (" in listing
    assert not [line for line in listing.splitlines() if line.startswith((".git ", ".git/", ".nightshift"))]
    assert "A\trollout_summaries/a.md" in box.call("read_file", json.dumps({"path": DIFF_FILE}))


def test_a_big_file_comes_back_in_parts_that_say_where_to_continue(box):
    (box.root / "MEMORY.md").write_text("".join(f"- entry number {n:05d} of a long handbook\n" for n in range(1, 3001)))
    first = box.call("read_file", json.dumps({"path": "MEMORY.md"}))
    assert len(first.encode()) <= RESULT_CAP
    next_line = int(first.rsplit("start_line ", 1)[1].rstrip("]"))
    assert f"- entry number {next_line - 1:05d}" in first and f"- entry number {next_line:05d}" not in first
    second = box.call("read_file", json.dumps({"path": "MEMORY.md", "start_line": next_line}))
    assert second.splitlines()[1] == f"- entry number {next_line:05d} of a long handbook"
    matches = box.call("search", json.dumps({"pattern": "entry"}))
    assert matches.count("\n") == 60 and "stopped at 60 matches" in matches


def test_a_write_the_file_system_refuses_is_reported(box):
    (box.root / "skills" / "notes").write_text("a file, not a folder")
    result = box.call("write_file", json.dumps({"path": "skills/notes/SKILL.md", "content": "x"}))
    assert result == "error: skills/notes/SKILL.md: File exists"  # skills/notes is a file, so no folder can be made


def test_a_runaway_write_is_refused(box):
    result = box.call("write_file", json.dumps({"path": "MEMORY.md", "content": "x" * 600_000}))
    assert result.startswith("error: ") and "limit" in result
    assert (box.root / "MEMORY.md").read_text() == MEMORY


def test_finish_records_the_summary(box):
    assert box.call("finish", json.dumps({"summary": "  "})).startswith("error: finish needs a summary")
    assert box.finished is None
    assert box.call("finish", json.dumps({"summary": "Added the uv rule."})) == "finish received"
    assert box.finished == "Added the uv rule."
