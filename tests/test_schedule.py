"""The nightly and fresh modes: when phase 2 runs, on real transcripts, DuckDB and git (no Prefect)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import git
import pytest

from nightshift.night.schedule import FRESH, NIGHTLY, decide, run_pass
from nightshift.phase2.retention import forget_lines
from nightshift.store.state import open_state

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "mode, last_hours_ago, new, runs, reason_part",
    [
        (NIGHTLY, 1, 0, True, "nightly"),
        (FRESH, None, 3, True, "3 new raw memories"),  # never consolidated
        (FRESH, 7, 2, True, "2 new raw memories"),
        (FRESH, 2, 2, False, "cooldown 6 h"),
        (FRESH, 7, 0, False, "no new raw memories"),
    ],
)
def test_fresh_mode_folds_only_with_new_memories_after_the_cooldown(mode, last_hours_ago, new, runs, reason_part):
    last = NOW - timedelta(hours=last_hours_ago) if last_hours_ago is not None else None
    decision = decide(mode, now=NOW, last_consolidated=last, new_memories=new, cooldown_hours=6)
    assert decision.run is runs and reason_part in decision.reason


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown mode"):
        decide("hourly", now=NOW, last_consolidated=None, new_memories=1, cooldown_hours=6)


def _hide_pnpm_session(sources):
    """Take the session with the pnpm rule out of the sources; returns a function that puts it back."""
    session = next(sources[1].rglob("d4a27783-*.jsonl"))
    parked = session.with_suffix(".parked")
    session.rename(parked)
    return lambda: parked.rename(session)


def test_fresh_passes_extract_every_time_but_fold_only_when_due(settings, sources):
    bring_back = _hide_pnpm_session(sources)
    first = run_pass(settings, FRESH)
    assert first.phase2.run and first.commit  # nothing consolidated yet, and new memories exist

    bring_back()
    second = run_pass(settings, FRESH)
    assert second.run.counts["memories"] == 1 and second.commit is None
    assert "consolidation not due" in second.summary and "cooldown 6 h" in second.summary
    assert "Always use pnpm" not in (settings.home / "MEMORY.md").read_text()

    settings.consolidate_cooldown_hours = 0  # the cooldown has passed: the waiting memory goes in, nothing re-extracted
    third = run_pass(settings, FRESH)
    assert third.run.counts.get("discovered") == 0 and third.commit
    assert "Always use pnpm" in (settings.home / "MEMORY.md").read_text()

    fourth = run_pass(settings, FRESH)
    assert not fourth.phase2.run and "no new raw memories" in fourth.phase2.reason
    assert len(list(git.Repo(settings.home).iter_commits())) == 2


def test_a_nightly_pass_folds_what_a_fresh_pass_left_waiting(settings, sources):
    bring_back = _hide_pnpm_session(sources)
    run_pass(settings, FRESH)
    bring_back()
    run_pass(settings, FRESH)
    nightly = run_pass(settings, NIGHTLY)
    assert nightly.commit and "Always use pnpm" in (settings.home / "MEMORY.md").read_text()
    result = json.loads(json.dumps(nightly.as_dict()))  # what `consolidate --json` and `watch --json` print
    assert result["mode"] == "nightly" and result["phase2"] == {"ran": True, "reason": "nightly run"} and result["commit"]
    with open_state(settings.state_dir) as db:
        runs = db.con.execute("SELECT mode, consolidated_at IS NOT NULL FROM runs ORDER BY started_at").fetchall()
    assert runs == [("fresh", True), ("fresh", False), ("nightly", True)]


def test_the_nightly_cron_runs_in_this_machines_time_zone_unless_told(monkeypatch):
    from flows.serve import local_timezone

    monkeypatch.setenv("TZ", "America/New_York")
    assert local_timezone() == "America/New_York"
    monkeypatch.setenv("TZ", "Nowhere/Atlantis")  # not a zone: the system's own setting decides, else UTC
    assert local_timezone() != "Nowhere/Atlantis"


def test_a_night_that_would_fold_what_it_folded_last_time_skips_phase_2(settings, sources):
    first = run_pass(settings, NIGHTLY)
    repo = git.Repo(settings.home)
    assert first.commit and "Always use pnpm" in (settings.home / "MEMORY.md").read_text()

    quiet = run_pass(settings, NIGHTLY)
    assert not quiet.phase2.run and quiet.phase2.reason == "nothing changed since the last consolidation"
    assert "consolidation not due: nothing changed" in quiet.summary and quiet.run.counts["model_calls"] == 0

    # Each input phase 2 reads brings it back: a forgotten line, a setting that shapes the handbook, a hand edit.
    with open_state(settings.state_dir) as db:
        assert forget_lines(db, settings.state_dir, "Always use pnpm", NOW)
    forgot = run_pass(settings, NIGHTLY)
    assert forgot.phase2.run and forgot.commit and "Always use pnpm" not in (settings.home / "MEMORY.md").read_text()

    settings.summary_token_cap = 300
    assert run_pass(settings, NIGHTLY).phase2.run
    assert not run_pass(settings, NIGHTLY).phase2.run

    memory = settings.home / "MEMORY.md"
    memory.write_text(memory.read_text() + "\n- A line the user wrote by hand.\n")
    edited = run_pass(settings, NIGHTLY)
    assert edited.phase2.run and not repo.is_dirty(untracked_files=True)
    assert "A line the user wrote by hand." in repo.head.commit.tree["MEMORY.md"].data_stream.read().decode()
