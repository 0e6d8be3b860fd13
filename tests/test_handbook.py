"""The builtin phase 2: MEMORY.md and memory_summary.md, their validators, and hand edits kept by
a real ``git merge-file`` three-way merge."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nightshift.phase2.handbook import (
    MEMORY_MD,
    SUMMARY_MD,
    apply_builtin,
    merge_hand_edits,
    render_memory_md,
    render_summary_md,
    validate_memory_md,
    validate_summary_md,
)
from nightshift.memory import RawMemory, StoredMemory
from nightshift.phase2.workspace import rollout_summary_filename, sync_workspace

CAP = 2500
API = "github.com/acme/api"
TOOL = "/home/u/tool"


def task(title="Fix the flaky test", *, scope="project", preferences=(), knowledge=(), failures=(), keywords=("pytest",)):
    return {
        "title": title, "outcome": "success", "scope": scope, "cwd": None, "keywords": list(keywords),
        "preferences": list(preferences), "knowledge": list(knowledge),
        "failures": [{"symptom": s, "fix": f} for s, f in failures], "evidence": [],
    }


def stored(rollout_id, *tasks, project=API, day=1, usage=0):
    memory = RawMemory.model_validate(
        {"decision": "remember", "rollout_summary": "A session.", "slug": "work", "tasks": list(tasks) or [task()]}
    )
    return StoredMemory(
        rollout_id=rollout_id, source_path=f"/sessions/{rollout_id}.jsonl", source_format="codex", project_key=project,
        memory=memory, source_updated_at=datetime(2026, 3, 1, tzinfo=UTC).replace(day=day), usage_count=usage,
    )


def section(text: str, heading: str) -> list[str]:
    """The lines under ``heading`` up to the next heading of the same or a higher level."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    level = len(heading.split(" ")[0])
    ends = (i for i in range(start, len(lines)) if lines[i].startswith("#") and len(lines[i].split(" ")[0]) <= level)
    end = next(ends, len(lines))
    return [line for line in lines[start:end] if line.strip()]


def group(text: str, name: str) -> str:
    """One task-group block of MEMORY.md."""
    head = f"## Task group: {name}"
    rest = text[text.index(head):]
    nxt = rest.find("\n## ", 1)
    return rest if nxt == -1 else rest[:nxt]


@pytest.fixture
def selection():
    return [
        stored("aaaaaaaa-api-old", task("Set up CI", preferences=["Run pytest with -q"],
                                        failures=[("tests hang", "set a timeout")], keywords=["ci", "pytest"]), day=1),
        stored("bbbbbbbb-api-new", task("Fix migration", preferences=["run pytest with -q.", "never touch prod"],
                                        knowledge=["migrations live in db/migrations"], keywords=["duckdb"]),
               task("Be brief", scope="global", preferences=["Answer in one paragraph"]), day=5, usage=2),
        stored("cccccccc-tool", task("Add a CLI", preferences=["use typer"], failures=[("segfault in build", "")]),
               project=TOOL, day=3),
    ]


# --- MEMORY.md -------------------------------------------------------------------------------------


def test_handbook_groups_by_project_with_global_first_and_validates(selection):
    text = render_memory_md(selection)
    assert validate_memory_md(text) == []
    assert text.startswith("# Memory handbook\n")
    headings = [line for line in text.splitlines() if line.startswith("## Task group:")]
    assert headings == ["## Task group: global", "## Task group: tool", "## Task group: api"]  # global, then by key

    api, glob, tool = group(text, "api"), group(text, "global"), group(text, "tool")
    assert f"scope: project\napplies_to: {API}\n" in api
    assert "scope: global\napplies_to: all projects\n" in glob
    assert section(glob, "### User preferences") == ["- Answer in one paragraph"]
    assert "use typer" not in api and "never touch prod" not in tool, "one project's rules stay in its block"
    # The same preference said in two sessions (different case, final full stop) is one line naming both.
    assert section(api, "### User preferences") == ["- Run pytest with -q (sources: aaaaaaaa, bbbbbbbb)", "- never touch prod"]
    assert section(api, "### Failures and fixes") == ["- tests hang -> set a timeout"]
    assert section(tool, "### Failures and fixes") == ["- segfault in build -> (no fix found yet)"]
    assert section(tool, "### Reusable knowledge") == ["- (none yet)"]


def test_tasks_are_newest_first_and_point_at_their_rollout_summary(selection, tmp_path: Path):
    text = group(render_memory_md(selection), "api")
    assert text.index("### Task: Fix migration") < text.index("### Task: Set up CI")
    sync_workspace(tmp_path, selection)
    pointers = [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("- rollout_summary:")]
    assert pointers == [f"rollout_summaries/{rollout_summary_filename(selection[i])}" for i in (1, 0)]
    assert all((tmp_path / p).is_file() for p in pointers)
    assert "- keywords: ci, pytest" in text


def test_empty_selection_renders_valid_files():
    assert validate_memory_md(render_memory_md([])) == []
    summary = render_summary_md([], CAP)
    assert validate_summary_md(summary, CAP) == []
    assert section(summary, "## Preferences") == ["- (none yet)"]


# --- memory_summary.md -----------------------------------------------------------------------------


def test_summary_starts_with_v1_and_keeps_scope_sub_headings(selection):
    text = render_summary_md(selection, CAP)
    assert text.splitlines()[0] == "v1"
    assert validate_summary_md(text, CAP) == []
    prefs = section(text, "## Preferences")
    assert prefs[0] == "### global" and prefs[1] == "- Answer in one paragraph"
    assert section(text, f"### project: {API}") == ["- Run pytest with -q (sources: aaaaaaaa, bbbbbbbb)", "- never touch prod"]
    assert section(text, f"### project: {TOOL}") == ["- use typer"]
    tips = section(text, "## General tips")
    assert "- tests hang -> set a timeout" in tips and "- migrations live in db/migrations" in tips
    assert not any("segfault" in line for line in tips), "a failure nobody fixed is no tip"
    index = section(text, "## What's in memory")
    assert index[0].startswith("- [global] global (1 task)")
    assert any(line.startswith(f"- [project: {API}] api (2 tasks): ") and line.endswith("-> MEMORY.md") for line in index)
    assert "2 projects" in section(text, "## User profile")[0]


def test_summary_respects_the_cap_by_dropping_whole_least_used_lines():
    many = [
        stored(f"{i:08d}-x", task(f"Task {i}", preferences=[f"preference number {i} " + "detail " * 20],
                                  knowledge=[f"tip {i} " + "word " * 20]), project=f"github.com/acme/p{i % 5}",
               day=1 + i % 28, usage=i % 7)
        for i in range(200)
    ]
    many.append(stored("zzzzzzzz-loved", task("Loved", preferences=["always use uv"]), day=1, usage=50))
    full = render_summary_md(many, 100_000)
    text = render_summary_md(many, 1000)

    assert validate_summary_md(text, 1000) == []
    assert len(text.encode()) <= 4000
    assert set(text.splitlines()) <= set(full.splitlines()), "lines are dropped whole, never cut"
    assert "- always use uv" in text, "the most used entry survives"
    assert "preference number 0 " not in text, "unused entries go first"
    assert len(section(text, "## What's in memory")) == 6, "every task group is still listed"


# --- validators ------------------------------------------------------------------------------------


def test_memory_validator_names_what_is_missing(selection):
    good = render_memory_md(selection)
    assert any("'### Reusable knowledge'" in e and "'api'" in e for e in validate_memory_md(good.replace(
        group(good, "api"), group(good, "api").replace("### Reusable knowledge\n", ""))))
    assert any("scope" in e for e in validate_memory_md(good.replace("scope: global\n", "")))
    assert any("applies_to" in e for e in validate_memory_md(good.replace(f"applies_to: {TOOL}\n", "")))
    no_task = "# Memory handbook\n\n## Task group: x\nscope: global\napplies_to: all projects\n\n" \
              "### User preferences\n### Reusable knowledge\n### Failures and fixes\n"
    assert any("at least one" in e for e in validate_memory_md(no_task))
    assert any("duplicates" in e for e in validate_memory_md(good + "\n" + group(good, "api")))
    assert validate_memory_md("hello\n")  # no title


def test_summary_validator_catches_v1_cap_and_sections(selection):
    good = render_summary_md(selection, CAP)
    assert any("'v1'" in e for e in validate_summary_md(good.replace("v1\n", "", 1), CAP))
    assert any("over the cap" in e for e in validate_summary_md(good, 10))
    assert any("## General tips" in e for e in validate_summary_md(good.replace("## General tips\n", ""), CAP))
    assert any("### Testing" in e for e in validate_summary_md(good.replace("### global", "### Testing"), CAP))


# --- hand edits --------------------------------------------------------------------------------------


def run(home: Path, selection, bases, cap=CAP):
    generated = apply_builtin(home, selection, cap, bases)
    return generated, (home / MEMORY_MD).read_text(encoding="utf-8"), (home / SUMMARY_MD).read_text(encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_first_run_writes_the_generation_and_returns_it_as_the_next_bases(home: Path, selection):
    generated, memory_md, summary = run(home, selection, {})
    assert generated == {MEMORY_MD: memory_md, SUMMARY_MD: summary}
    assert memory_md == render_memory_md(selection) and validate_memory_md(memory_md) == []
    # Same selection again: nothing changes.
    assert run(home, selection, generated)[1:] == (memory_md, summary)


def test_hand_added_lines_survive_next_to_new_generated_lines(home: Path, selection):
    bases, _, _ = run(home, selection[:1], {})
    # The user adds a preference right where the next generation also adds one (a real conflict).
    edit(home / MEMORY_MD, "- Run pytest with -q\n", "- Run pytest with -q\n- prefer small commits\n")
    edit(home / SUMMARY_MD, "## Preferences\n", "## Preferences\n- reply in English\n")

    _, memory_md, summary = run(home, selection, bases)

    api = group(memory_md, "api")
    assert "- prefer small commits" in section(api, "### User preferences")
    assert "- never touch prod" in section(api, "### User preferences"), "new content appears too"
    assert "### Task: Fix migration" in api and "## Task group: tool" in memory_md
    assert validate_memory_md(memory_md) == []
    assert "- reply in English" in summary and "- use typer" in summary
    assert validate_summary_md(summary, CAP) == []


def test_hand_added_preference_replaces_the_placeholder(home: Path, selection):
    bases, _, _ = run(home, selection[:1], {})
    edit(home / MEMORY_MD, "### Reusable knowledge\n- (none yet)\n", "### Reusable knowledge\n- ci runs on arm64\n")
    _, memory_md, _ = run(home, selection, bases)
    knowledge = section(group(memory_md, "api"), "### Reusable knowledge")
    assert knowledge == ["- ci runs on arm64", "- migrations live in db/migrations"]


def test_a_hand_written_task_next_to_a_new_generated_task_keeps_both_whole(home: Path, selection):
    bases, _, _ = run(home, selection[:1], {})
    hand_task = "### Task: Hand-written note\n- outcome: success\n- keywords: ci\n\n"
    edit(home / MEMORY_MD, "### Task: Set up CI\n", hand_task + "### Task: Set up CI\n")
    # The user also wrote down a preference that the next session teaches anyway.
    edit(home / MEMORY_MD, "- Run pytest with -q\n", "- never touch prod\n- Run pytest with -q\n")

    _, memory_md, _ = run(home, selection, bases)

    assert validate_memory_md(memory_md) == []
    api = group(memory_md, "api")
    assert "### Task: Hand-written note" in api and "### Task: Fix migration" in api
    assert api.count("- never touch prod") == 1


def test_a_hand_deleted_line_stays_deleted(home: Path, selection):
    bases, _, _ = run(home, selection, {})
    edit(home / MEMORY_MD, "- never touch prod\n", "")
    edit(home / SUMMARY_MD, "- never touch prod\n", "")
    more = stored("dddddddd-more", task("More", preferences=["keep PRs small"]), day=9)
    bases, memory_md, summary = run(home, selection + [more], bases)
    assert "never touch prod" not in memory_md and "never touch prod" not in summary
    assert "- keep PRs small" in memory_md and "- keep PRs small" in summary
    # ...and on the run after that, too.
    _, memory_md, _ = run(home, selection, bases)
    assert "never touch prod" not in memory_md


def test_a_memory_that_leaves_the_selection_disappears_but_hand_edits_stay(home: Path, selection):
    bases, _, _ = run(home, selection, {})
    edit(home / MEMORY_MD, "- use typer\n", "- use typer\n- hand note about the tool\n")
    edit(home / MEMORY_MD, "## Task group: global\n", "## Notes\nmy own section\n\n## Task group: global\n")

    _, memory_md, summary = run(home, selection[:2], bases)  # the tool session is forgotten

    assert "Add a CLI" not in memory_md and "use typer" not in memory_md and "segfault" not in memory_md
    assert "use typer" not in summary and TOOL not in summary
    assert "my own section" in memory_md
    assert "## Task group: api" in memory_md and validate_summary_md(summary, CAP) == []


def test_without_a_base_the_generation_wins(home: Path, selection):
    home.mkdir()
    (home / MEMORY_MD).write_text("# something else\n", encoding="utf-8")
    _, memory_md, _ = run(home, selection, {MEMORY_MD: None})
    assert memory_md == render_memory_md(selection)


def test_summary_hand_edits_that_break_the_cap_end_valid(home: Path, selection):
    bases, _, _ = run(home, selection, {}, cap=400)
    edit(home / SUMMARY_MD, "## General tips\n", "## General tips\n- " + "my long hand-written tip " * 30 + "\n")
    _, _, summary = run(home, selection, bases, cap=400)
    assert validate_summary_md(summary, 400) == []

    bases, _, _ = run(home, selection, {}, cap=CAP)
    edit(home / SUMMARY_MD, "## General tips\n", "## General tips\n- short hand tip\n")
    _, _, summary = run(home, selection, bases, cap=len(render_summary_md(selection, CAP)) // 4 + 1)
    assert "- short hand tip" in summary, "generated lines are dropped before the user's"


def test_merge_hand_edits_directly():
    base = "a\nb\nc\nd\n"
    assert merge_hand_edits("a\nb\nX\nc\nd\n", base, "a\nb\nc\nd\ne\n") == "a\nb\nX\nc\nd\ne\n"
    assert merge_hand_edits("a\nc\nd\n", base, "a\nb\nc\nd\n") == "a\nc\nd\n"  # deletion kept
    assert merge_hand_edits("a\nb\nmine\n", "a\nb\n", "a\nb\ntheirs\n") == "a\nb\nmine\ntheirs\n"  # both kept
    assert merge_hand_edits("a\nb\nc\nd\n", base, "a\nc\nd\n") == "a\nc\nd\n"  # left the selection


# --- rules said in the user's other words across sessions ---------------------------------------


def _two_nights(old: str, new: str) -> str:
    """MEMORY.md after an older and a newer session of one project said ``old`` and ``new``."""
    return render_memory_md([stored("aaaaaaaa-older", task("Older", preferences=[old]), day=1),
                             stored("bbbbbbbb-newer", task("Newer", preferences=[new]), day=5)])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Log runs to wandb project fjord-dev.", "Log runs to mlflow instead, the wandb stuff is dead."),
        ("Use American spelling in these docs.", "Use British spelling in these docs from now on."),
        ("We deploy with `fly deploy`.", "We ripped fly out, deploys go through the render dashboard."),
        ("Run tests with jest in this repo.", "Jest was replaced by vitest, run `npx vitest`."),
    ],
)
def test_a_newer_rule_that_names_the_change_in_other_words_replaces_the_older(old: str, new: str) -> None:
    text = _two_nights(old, new)
    assert new in text and old not in text


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Always squash PRs when merging.", "The squash rule is gone, we keep the full history."),
        ("New components go in src/legacy-widgets.", "Ignore my earlier note on the widgets folder, it no longer applies."),
        ("Run mypy --strict before you commit.", "You can stop running mypy, CI does it."),
    ],
)
def test_a_rule_taken_back_in_other_words_leaves_with_its_retraction(old: str, new: str) -> None:
    text = _two_nights(old, new)
    assert old not in text and new not in text


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Don't run seed.py with --all.", "Webhooks are tested with stripe listen, not with curl."),  # "not with" names curl, not "with"
        ("Never commit to main directly.", "Never commit to develop directly."),  # one word apart, but no change said
    ],
)
def test_a_newer_rule_about_something_else_leaves_the_older_alone(old: str, new: str) -> None:
    text = _two_nights(old, new)
    assert old in text and new in text


def test_the_same_long_option_in_other_words_is_one_line_citing_both_sessions() -> None:
    text = _two_nights("Always build with cargo build --locked.", "Every cargo command gets --locked.")
    lines = [line for line in text.splitlines() if "--locked" in line]
    assert len(lines) == 1 and "aaaaaaaa" in lines[0] and "bbbbbbbb" in lines[0]
