"""The ``jobs`` table: a job per rollout to extract (and one for phase 2), claimed under a lease.

A run claims a job, renews its lease while it works, and finishes or fails it; a failed job waits a
backoff that doubles with each failure and has a number of attempts, renewed when its input changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from nightshift.clock import naive_utc
from nightshift.ingest.redact import redact
from nightshift.store.base import Queries

# How enqueue treats an existing job (shared by ``enqueue`` and ``enqueue_many``).
_ENQUEUE_CONFLICT = """
ON CONFLICT (kind, key) DO UPDATE SET
    status = CASE
        WHEN jobs.status = 'running' AND jobs.lease_until > excluded.updated_at THEN 'running'
        WHEN jobs.source_size IS DISTINCT FROM excluded.source_size
          OR jobs.source_mtime IS DISTINCT FROM excluded.source_mtime OR jobs.status = 'done' THEN 'pending'
        ELSE jobs.status END,
    -- a job that succeeded starts over with its full retries; else old failures add up until it can never run
    attempts_left = CASE WHEN jobs.source_size IS DISTINCT FROM excluded.source_size
                           OR jobs.source_mtime IS DISTINCT FROM excluded.source_mtime OR jobs.status = 'done'
                         THEN excluded.attempts_left ELSE jobs.attempts_left END,
    failures = CASE WHEN jobs.source_size IS DISTINCT FROM excluded.source_size
                      OR jobs.source_mtime IS DISTINCT FROM excluded.source_mtime
                    THEN 0 ELSE jobs.failures END,
    retry_at = CASE WHEN jobs.source_size IS DISTINCT FROM excluded.source_size
                      OR jobs.source_mtime IS DISTINCT FROM excluded.source_mtime
                    THEN NULL ELSE jobs.retry_at END,
    source_size = excluded.source_size, source_mtime = excluded.source_mtime,
    updated_at = excluded.updated_at
"""

# The claim rule, the one definition: ``$owner`` may take the job at ``$now``. ``claim_many`` takes
# by it; ``unclaimable_inputs`` (``nightshift watch``: is there work?) asks by it.
_CLAIMABLE = """attempts_left > 0
    AND (status IN ('pending', 'failed') OR (status = 'running' AND (lease_until <= $now OR owner = $owner)))
    AND (retry_at IS NULL OR retry_at <= $now)"""


class Jobs(Queries):
    def enqueue(self, kind: str, key: str, *, size: int | None, mtime: float | None, max_retries: int, now: datetime) -> None:
        """Create the job, or give it a fresh set of attempts when its input changed since the last one."""
        now = naive_utc(now)
        self.con.execute(
            "INSERT INTO jobs (kind, key, status, attempts_left, failures, source_size, source_mtime, updated_at)\n"
            "VALUES (?, ?, 'pending', ?, 0, ?, ?, ?)\n" + _ENQUEUE_CONFLICT,
            [kind, key, max_retries + 1, size, mtime, now],
        )

    def enqueue_many(self, kind: str, files: list[tuple[str, int, float]], *, max_retries: int, now: datetime) -> None:
        """``enqueue`` for many (key, size, mtime) at once: one statement over an Arrow table."""
        if not files:
            return
        with self._files_view("enqueued_files", "key", files):
            self.con.execute(
                "INSERT INTO jobs (kind, key, status, attempts_left, failures, source_size, source_mtime, updated_at)\n"
                "SELECT $kind, key, 'pending', $attempts, 0, size, mtime, $now FROM enqueued_files\n" + _ENQUEUE_CONFLICT,
                {"kind": kind, "attempts": max_retries + 1, "now": naive_utc(now)},
            )

    def claim(self, kind: str, key: str, owner: str, lease: timedelta, now: datetime) -> bool:
        """Take the job for ``owner`` unless another owner's lease still lives, it waits for a retry, or it has no attempts left."""
        return bool(self.claim_many(kind, [key], owner, lease, now))

    def claim_many(self, kind: str, keys: list[str], owner: str, lease: timedelta, now: datetime) -> set[str]:
        """``claim`` for many keys in one statement; returns the keys now held by ``owner``."""
        now = naive_utc(now)
        rows = self.con.execute(
            f"""
            UPDATE jobs SET status = 'running', owner = $owner, lease_until = $lease_until, updated_at = $now
            WHERE kind = $kind AND list_contains($keys, key) AND {_CLAIMABLE}
            RETURNING key
            """,
            {"owner": owner, "lease_until": now + lease, "now": now, "kind": kind, "keys": keys},
        ).fetchall()
        return {key for (key,) in rows}

    def unclaimable_inputs(self, kind: str, now: datetime) -> set[tuple[str, int | None, float | None]]:
        """(key, size, mtime) of the jobs a new run could not claim at ``now`` if it enqueued the same input
        again: backing off, out of attempts, or leased to a live run. A changed input, or a done job
        whose input comes back, is enqueued afresh (``_ENQUEUE_CONFLICT``) and so is claimable."""
        rows = self.con.execute(
            f"SELECT key, source_size, source_mtime FROM jobs WHERE kind = $kind AND status <> 'done' AND NOT ({_CLAIMABLE})",
            {"kind": kind, "now": naive_utc(now), "owner": ""},  # a new run's owner: it holds no lease yet
        ).fetchall()
        return set(rows)

    def renew(self, kind: str, key: str, owner: str, lease: timedelta, now: datetime) -> bool:
        """Heartbeat: extend the lease; False means the lease was lost and the work must stop."""
        now = naive_utc(now)
        row = self.con.execute(
            "UPDATE jobs SET lease_until = ?, updated_at = ? WHERE kind = ? AND key = ? AND owner = ? AND status = 'running' RETURNING key",
            [now + lease, now, kind, key, owner],
        ).fetchone()
        return row is not None

    def finish(self, kind: str, key: str, owner: str, now: datetime, *, tokens_in: int = 0, tokens_out: int = 0) -> None:
        self.con.execute(
            """
            UPDATE jobs SET status = 'done', owner = NULL, lease_until = NULL, last_error = NULL, retry_at = NULL, failures = 0,
                   tokens_in = tokens_in + ?, tokens_out = tokens_out + ?, updated_at = ?
            WHERE kind = ? AND key = ? AND owner = ?
            """,
            [tokens_in, tokens_out, naive_utc(now), kind, key, owner],
        )

    def release_claims(self, owner: str, now: datetime) -> int:
        """A run that stops early (a stop signal, an error) hands back the jobs it claimed and did not finish,
        so the next run takes them at once instead of waiting for their leases to expire."""
        return len(self.con.execute(
            "UPDATE jobs SET status = 'pending', owner = NULL, lease_until = NULL, updated_at = ? "
            "WHERE owner = ? AND status = 'running' RETURNING key", [naive_utc(now), owner]).fetchall())

    def fail(self, kind: str, key: str, owner: str, error: str, backoff: timedelta, now: datetime) -> None:
        """Record the error; the next attempt waits ``backoff``, doubled for each failure before it."""
        now = naive_utc(now)
        self.con.execute(
            """
            UPDATE jobs SET status = 'failed', owner = NULL, lease_until = NULL, last_error = ?,
                   attempts_left = attempts_left - 1, failures = failures + 1, updated_at = ?,
                   retry_at = ? + to_microseconds(CAST(? * pow(2, failures) AS BIGINT))
            WHERE kind = ? AND key = ? AND owner = ?
            """,
            [redact(error)[:2000], now, now, backoff / timedelta(microseconds=1), kind, key, owner],  # errors can quote model output
        )

    def job(self, kind: str, key: str) -> dict | None:
        cur = self.con.execute("SELECT * FROM jobs WHERE kind = ? AND key = ?", [kind, key])
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row)) if row else None

    def job_counts(self) -> dict[str, int]:
        return dict(self.con.execute("SELECT status, count(*) FROM jobs WHERE kind = 'extract' GROUP BY status").fetchall())

    def failing_jobs(self, limit: int) -> list[dict]:
        """The jobs that failed last, with their error and when they are tried again."""
        return self._dicts("""
            SELECT kind, key, failures, attempts_left, retry_at, last_error FROM jobs WHERE status = 'failed'
            ORDER BY updated_at DESC LIMIT ?""", [limit])
