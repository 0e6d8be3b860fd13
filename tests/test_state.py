"""Jobs, leases and watermarks on a real DuckDB file, including a second process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nightshift.store.state import open_state

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
LEASE = timedelta(minutes=60)
BACKOFF = timedelta(minutes=60)


def _enqueue(db, key="a.jsonl", size=10, mtime=1.0, now=NOW, retries=2):
    db.enqueue("extract", key, size=size, mtime=mtime, max_retries=retries, now=now)


def test_second_claimer_is_refused_while_the_lease_lives(tmp_path: Path):
    with open_state(tmp_path) as db:
        _enqueue(db)
        assert db.claim("extract", "a.jsonl", "owner-1", LEASE, NOW)
        assert not db.claim("extract", "a.jsonl", "owner-2", LEASE, NOW + timedelta(minutes=59))
        # A crashed owner never finishes: once the lease expires, another owner takes over.
        assert db.claim("extract", "a.jsonl", "owner-2", LEASE, NOW + timedelta(minutes=61))
        assert db.job("extract", "a.jsonl")["owner"] == "owner-2"


def test_failed_job_backs_off_then_gives_up_until_the_rollout_changes(tmp_path: Path):
    with open_state(tmp_path) as db:
        _enqueue(db, retries=1)  # two attempts in all
        assert db.claim("extract", "a.jsonl", "o", LEASE, NOW)
        db.fail("extract", "a.jsonl", "o", "boom", BACKOFF, NOW)
        job = db.job("extract", "a.jsonl")
        assert job["status"] == "failed" and job["last_error"] == "boom"
        assert not db.claim("extract", "a.jsonl", "o", LEASE, NOW + timedelta(minutes=30)), "still backing off"
        later = NOW + timedelta(minutes=61)
        _enqueue(db, retries=1, now=later)  # same input: retries are not reset
        assert db.claim("extract", "a.jsonl", "o", LEASE, later)
        db.fail("extract", "a.jsonl", "o", "boom again", BACKOFF, later)
        # The second failure doubles the backoff.
        assert db.job("extract", "a.jsonl")["retry_at"] == (later + 2 * BACKOFF).replace(tzinfo=None)
        much_later = NOW + timedelta(days=2)
        _enqueue(db, retries=1, now=much_later)
        assert not db.claim("extract", "a.jsonl", "o", LEASE, much_later), "out of attempts"
        _enqueue(db, retries=1, size=20, now=much_later)  # the rollout grew: a fresh set of attempts
        assert db.claim("extract", "a.jsonl", "o", LEASE, much_later)


def test_finished_job_records_tokens(tmp_path: Path):
    with open_state(tmp_path) as db:
        _enqueue(db)
        assert db.claim("extract", "a.jsonl", "o", LEASE, NOW)
        db.finish("extract", "a.jsonl", "o", NOW, tokens_in=120, tokens_out=30)
        job = db.job("extract", "a.jsonl")
        assert (job["status"], job["tokens_in"], job["tokens_out"]) == ("done", 120, 30)


def test_lease_is_refused_to_a_second_process(tmp_path: Path):
    with open_state(tmp_path) as db:
        _enqueue(db)
        assert db.claim("extract", "a.jsonl", "first-process", LEASE, datetime.now(UTC))
    script = textwrap.dedent(
        f"""
        from datetime import UTC, datetime, timedelta
        from pathlib import Path
        from nightshift.store.state import open_state
        with open_state(Path({str(tmp_path)!r})) as db:
            print(db.claim("extract", "a.jsonl", "second-process", timedelta(minutes=60), datetime.now(UTC)))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_watermarks_and_migrations_survive_reopening(tmp_path: Path):
    with open_state(tmp_path) as db:
        db.upsert_seen([("a.jsonl", 10, 1.5)], NOW)
        db.mark_extracted("a.jsonl", size=10, mtime=1.5, outcome="no_op", now=NOW, rollout_id="r1", fmt="codex")
    with open_state(tmp_path) as db:
        assert db.rollout_watermarks() == {"a.jsonl": (10, 1.5)}
        newest = max(int(f.name.split("_", 1)[0]) for f in (Path(__file__).parent.parent / "nightshift" / "store" / "migrations").glob("*.sql"))
        assert db.con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == newest
        assert db.pending_rollouts() == 0
