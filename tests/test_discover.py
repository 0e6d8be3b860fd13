"""Candidate selection: idle time, age and the size+mtime watermark, on a real folder tree."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from nightshift.ingest.discover import discover

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
HOUR = 3600


def _touch(path: Path, hours_ago: float, content: str = "{}\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    ts = NOW.timestamp() - hours_ago * HOUR
    os.utime(path, (ts, ts))
    return path


def _run(tmp_path: Path, watermarks=None):
    return discover([tmp_path / "codex", tmp_path / "claude", tmp_path / "missing"], watermarks or {},
                    now=NOW, idle_hours=6, max_age_days=10)


def test_idle_age_and_watermark(tmp_path: Path):
    idle = _touch(tmp_path / "codex/sessions/2026/11/19/rollout-a.jsonl", hours_ago=7)
    _touch(tmp_path / "codex/sessions/2026/11/20/rollout-b.jsonl", hours_ago=1)  # still in use
    _touch(tmp_path / "codex/archived_sessions/rollout-c.jsonl", hours_ago=24 * 11)  # too old
    claude = _touch(tmp_path / "claude/-home-dev-x/0b6f.jsonl", hours_ago=8)
    found = _run(tmp_path)
    assert [c.path for c in found.candidates] == [str(idle), str(claude)]  # newest first
    assert (found.scanned, found.not_idle, found.too_old) == (4, 1, 1)

    # Extracted at this size and mtime: unchanged, not a candidate again.
    marks = {c.path: (c.size, c.mtime) for c in found.candidates}
    again = _run(tmp_path, marks)
    assert again.candidates == [] and again.unchanged == 2

    # The session was resumed (appended to) and went idle again: a candidate once more.
    _touch(idle, hours_ago=6.5, content="{}\n{}\n")
    assert [c.path for c in _run(tmp_path, marks).candidates] == [str(idle)]


def test_subagent_files_belong_to_their_parent(tmp_path: Path):
    parent = _touch(tmp_path / "claude/-home-dev-x/1111.jsonl", hours_ago=7)
    _touch(tmp_path / "claude/-home-dev-x/1111/subagents/agent-a1.jsonl", hours_ago=7)
    _touch(tmp_path / "claude/-home-dev-x/agent-b2.jsonl", hours_ago=7)  # older sidechain layout
    _touch(tmp_path / "claude/-home-dev-x/notes.txt", hours_ago=7)
    assert [c.path for c in _run(tmp_path).candidates] == [str(parent)]
