"""A backfill: transcripts copied or synced onto this machine today (mtime now, sessions months old).

Discovery takes a file by its mtime; the memory it yields must then live by the same clock, so one
run never extracts a memory and prunes it again, and the commit message, `status` and `usage` agree."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
from conftest import run_night

from nightshift.commands.status import gather_status, render_status
from nightshift.phase2 import retention
from nightshift.settings import Settings
from nightshift.store.state import open_state
from nightshift.store.usage import Policy

SHAPES = Path(__file__).resolve().parent / "fixtures" / "shapes"
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # the fixtures' sessions are from 2026-07-14: 140 days before
# Fixtures the builtin rules keep a memory from, and their session ids.
REMEMBERED = {
    "codex_ide_wrapper.jsonl": ("codex/sessions/2026/07/14/rollout-2026-07-14T10-00-00-019f0a55-6f70-7182-8394-0e1f20314253.jsonl",
                                "019f0a55-6f70-7182-8394-0e1f20314253"),
    "claude_ask_user_question.jsonl": ("claude/projects/-home-kim-lumen/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b.jsonl",
                                       "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"),
}


def _copied_today(root: Path, extra: dict[str, str] | None = None) -> list[Path]:
    """The fixtures copied under ``root`` as a sync would leave them: content old, mtime a day before NOW."""
    stamp = (NOW - timedelta(days=1)).timestamp()
    for name, (target, _) in REMEMBERED.items():
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SHAPES / name, path)
        os.utime(path, (stamp, stamp))
    return [root / "codex", root / "claude"]


def test_a_backfill_keeps_every_memory_it_extracted(tmp_path):
    settings = Settings(home=tmp_path / "home", sources=_copied_today(tmp_path / "src"), idle_hours=6, provider="builtin")
    run, sha = run_night(settings, NOW)
    assert run.counts["memories"] == 2
    ids = sorted(rollout for _, rollout in REMEMBERED.values())

    commit = git.Repo(settings.home).commit(sha)
    assert commit.summary == "nightshift: 2 new or updated memories"
    assert sorted(v for k, v in commit.trailers_list if k == "Nightshift-Rollout") == ids
    with open_state(settings.state_dir) as db:  # what `nightshift usage` shows, on the same clock
        rows = db.usage_rows(Policy.of(settings), NOW)
    assert sorted((r["rollout_id"], r["status"]) for r in rows) == [(rid, "selected") for rid in ids]
    assert gather_status(settings)["raw_memories"] == 2

    _, again = run_night(settings, NOW + timedelta(hours=1))  # and the next night loses nothing either
    with open_state(settings.state_dir) as db:
        assert db.memory_count() == 2
    assert again is None


def test_the_commit_message_counts_only_the_memories_the_commit_holds(tmp_path):
    settings = Settings(home=tmp_path / "home", sources=_copied_today(tmp_path / "src"), idle_hours=6, provider="builtin",
                        max_raw_memories=1)
    _, sha = run_night(settings, NOW)
    commit = git.Repo(settings.home).commit(sha)
    assert commit.summary == "nightshift: 1 new or updated memory"
    assert "Not in this commit: 1 memory extracted tonight but outside the selection" in commit.message
    assert len([k for k, _ in commit.trailers_list if k == "Nightshift-Rollout"]) == 1


def test_prune_never_deletes_what_the_run_extracted(tmp_path):
    settings = Settings(home=tmp_path / "home", sources=_copied_today(tmp_path / "src"), idle_hours=6, provider="builtin")
    run_night(settings, NOW)
    later = NOW + timedelta(days=400)  # everything is long past retention now
    keep = REMEMBERED["codex_ide_wrapper.jsonl"][1]
    with open_state(settings.state_dir) as db:
        shutil.rmtree(settings.home / ".git")  # no commit protects them any more
        assert retention.prune(db, settings, later, keep=[keep]) == 1
        assert [r["rollout_id"] for r in db.usage_rows(Policy.of(settings), later)] == [keep]


def test_status_shows_what_the_readers_left_out(tmp_path):
    source = tmp_path / "src" / "claude" / "projects" / "-home-kim-lumen"
    source.mkdir(parents=True)
    stamp = (NOW - timedelta(days=1)).timestamp()
    for name in ("claude_task_notification.jsonl", "claude_branches.jsonl"):
        shutil.copy(SHAPES / name, source / name.replace("claude_", "s-"))
        os.utime(source / name.replace("claude_", "s-"), (stamp, stamp))
    settings = Settings(home=tmp_path / "home", sources=[tmp_path / "src" / "claude"], idle_hours=6, provider="builtin")
    run, _ = run_night(settings, NOW)
    assert run.harness == {"task_notification": 2, "abandoned_branch": 2}
    report = gather_status(settings)
    assert report["runs"][0]["harness_dropped"] == {"abandoned_branch": 2, "task_notification": 2}
    assert "    left out: abandoned branch 2, task notification 2" in render_status(report)
