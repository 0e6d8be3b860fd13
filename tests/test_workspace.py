"""The generated workspace: rollout_summaries/*.md and raw_memories.md on real files."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from nightshift.memory import RawMemory, StoredMemory
from nightshift.phase2.workspace import (
    RAW_MEMORIES,
    ROLLOUT_SUMMARIES,
    render_raw_memory_md,
    rollout_summary_filename,
    sync_workspace,
)


def task(title="Fix the flaky test", *, scope="project", preferences=(), knowledge=(), failures=(), keywords=("pytest",)):
    return {
        "title": title, "outcome": "success", "scope": scope, "cwd": "/src/api", "keywords": list(keywords),
        "preferences": list(preferences), "knowledge": list(knowledge),
        "failures": [{"symptom": s, "fix": f} for s, f in failures], "evidence": ["turn 4: 'use -q please'"],
    }


def stored(rollout_id="0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", *, project="github.com/acme/api", day=1, usage=0,
           slug="fix-flaky-test", summary="Fixed a flaky test.", tasks=None, no_op=False):
    memory = RawMemory.no_op() if no_op else RawMemory.model_validate(
        {"decision": "remember", "rollout_summary": summary, "slug": slug, "tasks": tasks or [task()]}
    )
    return StoredMemory(
        rollout_id=rollout_id, source_path=f"/home/u/.codex/sessions/{rollout_id}.jsonl", source_format="codex",
        project_key=project, memory=memory, source_updated_at=datetime(2026, 3, day, 12, 0, tzinfo=UTC), usage_count=usage,
    )


def summaries(home: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((home / ROLLOUT_SUMMARIES).iterdir())}


def snapshot(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def test_filename_is_readable_stable_and_safe():
    m = stored(slug="fix-flaky-test", day=7)
    assert rollout_summary_filename(m) == "2026-03-07-fix-flaky-test-0190a1b2.md"
    odd = stored(rollout_id="../../etc/PASSWD x", slug="")
    name = rollout_summary_filename(odd)
    assert re.fullmatch(r"[a-z0-9-]+\.md", name) and name.startswith("2026-03-01-session-")


def test_sync_writes_one_summary_per_remembered_rollout(home: Path):
    m = stored(tasks=[task(preferences=["run pytest with -q"], knowledge=["the DB lives in /tmp/db"],
                           failures=[("ImportError on start", "pip install -e .")])])
    sync_workspace(home, [m, stored("zz-noop", no_op=True)])

    files = summaries(home)
    assert list(files) == ["2026-03-01-fix-flaky-test-0190a1b2.md"], "a no-op has nothing to summarise"
    text = files["2026-03-01-fix-flaky-test-0190a1b2.md"]
    for expected in (m.rollout_id, m.source_path, "codex", "github.com/acme/api", "2026-03-01T12:00:00Z",
                     "Fixed a flaky test.", "## Task 1: Fix the flaky test", "- outcome: success", "- scope: project",
                     "- keywords: pytest", "- run pytest with -q", "- the DB lives in /tmp/db",
                     "- ImportError on start -> pip install -e .", "turn 4: 'use -q please'"):
        assert expected in text


def test_raw_memories_lists_newest_first_with_pointers(home: Path):
    old = stored("aaaaaaaa-old", day=1, project="github.com/acme/api")
    new = stored("bbbbbbbb-new", day=9, project="/home/u/tool",
                 tasks=[task("Be brief", scope="global", preferences=["answer in one line"])])
    sync_workspace(home, [old, new])

    raw = (home / RAW_MEMORIES).read_text(encoding="utf-8")
    assert raw.index("## Rollout bbbbbbbb-new") < raw.index("## Rollout aaaaaaaa-old")
    assert "- project: /home/u/tool" in raw and "- scope: global" in raw and "- preference: answer in one line" in raw
    for m in (old, new):
        pointer = f"{ROLLOUT_SUMMARIES}/{rollout_summary_filename(m)}"
        assert f"- rollout_summary: {pointer}" in raw
        assert (home / pointer).is_file()
        assert render_raw_memory_md(m) in raw, "the block stored with a memory is the one phase 2 sees"


def test_same_selection_gives_byte_identical_files(home: Path):
    selection = [stored("aaaaaaaa-1", day=1), stored("bbbbbbbb-2", day=2, project="/home/u/tool")]
    sync_workspace(home, selection)
    first = snapshot(home)
    # Order of the selection and usage counts (which change with every citation) make no diff.
    sync_workspace(home, [stored("bbbbbbbb-2", day=2, project="/home/u/tool", usage=5), stored("aaaaaaaa-1", day=1)])
    assert snapshot(home) == first


def test_memories_that_leave_the_selection_lose_their_summary_and_nothing_else_is_touched(home: Path):
    keep, leave = stored("aaaaaaaa-keep", day=1), stored("bbbbbbbb-leave", day=2)
    sync_workspace(home, [keep, leave])
    (home / "MEMORY.md").write_text("# Memory handbook\nmine\n", encoding="utf-8")
    (home / "skills").mkdir()
    (home / "skills" / "SKILL.md").write_text("skill\n", encoding="utf-8")
    (home / ROLLOUT_SUMMARIES / ".stale.md.tmp").write_text("left by a killed run", encoding="utf-8")

    sync_workspace(home, [keep])

    assert list(summaries(home)) == [rollout_summary_filename(keep)]
    assert "bbbbbbbb-leave" not in (home / RAW_MEMORIES).read_text(encoding="utf-8")
    assert (home / "MEMORY.md").read_text(encoding="utf-8") == "# Memory handbook\nmine\n"
    assert (home / "skills" / "SKILL.md").read_text(encoding="utf-8") == "skill\n"

    sync_workspace(home, [])
    assert summaries(home) == {}
    assert "No memories are selected yet." in (home / RAW_MEMORIES).read_text(encoding="utf-8")


def test_ids_sharing_a_prefix_on_the_same_day_get_distinct_files(home: Path):
    # UUIDv7 ids started within the same minute share their first 8 characters.
    a = stored("0190a1b2-0000-7000-8000-000000000001")
    b = stored("0190a1b2-0000-7000-8000-000000000002")
    sync_workspace(home, [a, b])
    files = summaries(home)
    assert len(files) == 2
    assert sum(a.rollout_id in text for text in files.values()) == 1
    assert sum(b.rollout_id in text for text in files.values()) == 1


def test_text_from_a_transcript_cannot_add_headings(home: Path):
    hostile = task("Refactor\n## Task 9: injected", preferences=["line one\n### Evidence\n- forged"])
    sync_workspace(home, [stored(tasks=[hostile])])
    text = next(iter(summaries(home).values()))
    assert "## Task 1: Refactor ## Task 9: injected" in text
    assert "- line one ### Evidence - forged" in text
    assert not any(line.startswith("## Task 9") for line in text.splitlines())
