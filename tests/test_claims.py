"""Discovery's job claims, set-wise: the same outcome as enqueueing and claiming one file at a time."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nightshift.night import steps as pipeline
from nightshift.settings import Settings
from nightshift.store.state import open_state

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
LEASE = timedelta(minutes=60)


def _prior_jobs(db) -> None:
    """One job in each state a night can find: done, failed and backing off, held by another run, lease expired."""
    for key, size in [("done-same", 1), ("done-changed", 1), ("failed-same", 1), ("failed-changed", 1),
                      ("held", 1), ("expired", 1), ("exhausted", 1)]:
        db.enqueue("extract", key, size=size, mtime=1.0, max_retries=1, now=NOW - timedelta(hours=3))
    db.claim("extract", "done-same", "old", LEASE, NOW - timedelta(hours=3))
    db.finish("extract", "done-same", "old", NOW - timedelta(hours=3))
    db.claim("extract", "done-changed", "old", LEASE, NOW - timedelta(hours=3))
    db.finish("extract", "done-changed", "old", NOW - timedelta(hours=3))
    for key in ("failed-same", "failed-changed"):  # backing off: the retry is due in three hours
        db.claim("extract", key, "old", LEASE, NOW - timedelta(hours=3))
        db.fail("extract", key, "old", "boom", timedelta(hours=6), NOW - timedelta(hours=3))
    for _ in range(2):  # both attempts used up
        assert db.claim("extract", "exhausted", "old", LEASE, NOW - timedelta(hours=3))
        db.fail("extract", "exhausted", "old", "boom", timedelta(0), NOW - timedelta(hours=3))
    db.claim("extract", "held", "other-run", LEASE, NOW - timedelta(minutes=5))
    db.claim("extract", "expired", "crashed-run", LEASE, NOW - timedelta(hours=2))


def _state_after(tmp_path: Path, name: str, batch: bool) -> list[tuple]:
    files = [("done-same", 1, 1.0), ("done-changed", 2, 1.0), ("failed-same", 1, 1.0), ("failed-changed", 2, 1.0),
             ("held", 2, 1.0), ("expired", 1, 1.0), ("exhausted", 1, 1.0), ("new", 5, 1.0)]
    with open_state(tmp_path / name) as db:
        _prior_jobs(db)
        if batch:
            db.enqueue_many("extract", files, max_retries=1, now=NOW)
            held = db.claim_many("extract", [key for key, _, _ in files], "me", LEASE, NOW)
        else:
            held = set()
            for key, size, mtime in files:
                db.enqueue("extract", key, size=size, mtime=mtime, max_retries=1, now=NOW)
                if db.claim("extract", key, "me", LEASE, NOW):
                    held.add(key)
        rows = db.con.execute("SELECT * EXCLUDE (updated_at) FROM jobs ORDER BY key").fetchall()
    return rows + [tuple(sorted(held))]


def test_enqueue_and_claim_many_equal_one_at_a_time(tmp_path: Path):
    one_by_one = _state_after(tmp_path, "single", batch=False)
    assert _state_after(tmp_path, "batch", batch=True) == one_by_one
    assert one_by_one[-1] == ("done-changed", "done-same", "expired", "failed-changed", "new")


def _session(folder: Path, name: str, hours_ago: float) -> None:
    path = folder / f"{name}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}\n")
    stamp = NOW.timestamp() - hours_ago * 3600
    os.utime(path, (stamp, stamp))


def test_a_night_claims_the_newest_free_sessions_up_to_its_limit(tmp_path: Path):
    source = tmp_path / "sessions"
    for i in range(10):
        _session(source, f"s{i}", hours_ago=7 + i)  # s0 is the newest
    s = Settings(home=tmp_path / "home", sources=[source], provider="builtin", max_rollouts_per_run=4)
    with open_state(s.state_dir) as db:  # another run is reading the two newest right now
        for name in ("s0", "s1"):
            path = str(source / f"{name}.jsonl")
            db.enqueue("extract", path, size=3, mtime=NOW.timestamp() - (7 + int(name[1])) * 3600, max_retries=3, now=NOW)
            assert db.claim("extract", path, "other-run", LEASE, NOW)
    run = pipeline.Run(run_id="r1", owner="me", settings=s)
    found, claimed = pipeline.find_work(run, NOW)
    assert [Path(c.path).stem for c in claimed] == ["s2", "s3", "s4", "s5"]
    assert run.counts == {"waiting": 2, "deferred": 4, "discovered": 10, "model_calls": 0, "tokens_in": 0, "tokens_out": 0}
    with open_state(s.state_dir) as db:
        statuses = dict(db.con.execute("SELECT status, count(*) FROM jobs GROUP BY status").fetchall())
    assert statuses == {"running": 6}  # the deferred four get their jobs on a later night, as before
