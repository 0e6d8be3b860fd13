"""The ``rollouts`` table: every transcript file discovery saw, and how far extraction got (its watermark)."""

from __future__ import annotations

import re
from datetime import datetime

from nightshift.clock import naive_utc
from nightshift.ingest.redact import redact
from nightshift.store.base import Queries

# A rollout waits for extraction while the file's stat differs from what was last extracted.
_WAITING = "extracted_size IS DISTINCT FROM size OR extracted_mtime IS DISTINCT FROM mtime"


class Rollouts(Queries):
    def rollout_watermarks(self) -> dict[str, tuple[int | None, float | None]]:
        # Column-wise through Arrow: a row-by-row fetch of 50,000 watermarks costs as much as the walk.
        # On a cursor, because a relation refuses to run beside an unfinished execute() result.
        cursor = self.con.cursor()
        try:
            table = cursor.sql("SELECT path, extracted_size, extracted_mtime FROM rollouts").to_arrow_table()
        finally:
            cursor.close()
        paths, sizes, mtimes = (column.to_pylist() for column in table.columns)
        return dict(zip(paths, zip(sizes, mtimes)))

    def upsert_seen(self, files: list[tuple[str, int, float]], now: datetime) -> None:
        """Record the latest stat of files discovery found changed (set-wise, one statement)."""
        if not files:
            return
        with self._files_view("seen_files", "path", files):
            self.con.execute(
                """
                INSERT INTO rollouts (path, size, mtime, first_seen, updated_at) SELECT path, size, mtime, $now, $now FROM seen_files
                ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, updated_at = excluded.updated_at
                """,
                {"now": naive_utc(now)},
            )

    def mark_extracted(
        self,
        path: str,
        *,
        size: int,
        mtime: float,
        outcome: str,
        now: datetime,
        rollout_id: str | None = None,
        fmt: str | None = None,
        project_key: str | None = None,
        note: str | None = None,
    ) -> None:
        """Move the watermark: this version of the file is done (memory, no-op or skipped)."""
        self.con.execute(
            """
            UPDATE rollouts SET extracted_size = ?, extracted_mtime = ?, outcome = ?, rollout_id = coalesce(?, rollout_id),
                   format = coalesce(?, format), project_key = coalesce(?, project_key), note = ?, updated_at = ?
            WHERE path = ?
            """,
            [size, mtime, outcome, rollout_id, fmt, project_key, note, naive_utc(now), path],
        )

    def mark_failed(self, path: str, note: str, now: datetime) -> None:
        self.con.execute("UPDATE rollouts SET outcome = 'failed', note = ?, updated_at = ? WHERE path = ?", [redact(note), naive_utc(now), path])

    def pending_rollouts(self) -> int:
        return self.con.execute(f"SELECT count(*) FROM rollouts WHERE {_WAITING}").fetchone()[0]

    def waiting_rollouts(self, limit: int) -> list[dict]:
        """The newest rollouts waiting for extraction, with their extract job's status and next retry."""
        return self._dicts(f"""
            SELECT r.path, j.status, j.retry_at FROM rollouts r LEFT JOIN jobs j ON j.kind = 'extract' AND j.key = r.path
            WHERE {_WAITING}
            ORDER BY r.mtime DESC LIMIT ?""", [limit])

    def sessions_per_agent(self, scoped_prefixes: list[str], skipped_note: str) -> list[dict]:
        """Per transcript format: the files read (those skipped with ``skipped_note``, sub-agent threads, left
        out) and how many of them have a project key starting with one of ``scoped_prefixes``."""
        scoped = "^(?:" + "|".join(re.escape(prefix) for prefix in scoped_prefixes) + ")"
        return self._dicts("""
            SELECT format, count(*) AS sessions, count(*) FILTER (WHERE regexp_matches(project_key, ?)) AS scoped_by_agent
            FROM rollouts WHERE format IS NOT NULL AND note IS DISTINCT FROM ? GROUP BY format ORDER BY format""",
            [scoped, skipped_note])
