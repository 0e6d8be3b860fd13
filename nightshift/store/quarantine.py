"""The ``quarantine`` table: text the injection scanner flagged, kept out of the memory home
(the gates: ``nightshift.phase2.quarantine``)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from nightshift.clock import naive_utc
from nightshift.ingest.redact import redact
from nightshift.store.base import Queries


class Quarantine(Queries):
    def record_quarantine(self, *, source: str, reasons: list[str], content: str, now: datetime,
                          rollout_id: str | None = None, source_path: str | None = None, run_id: str | None = None) -> None:
        """Upsert one finding; the same text from the same place is one row whose ``last_seen`` moves.

        Content and reasons (which quote it) are redacted first: the table is as private as the memory home."""
        content = redact(content)
        key = hashlib.sha256(f"{source}\0{rollout_id or source_path or ''}\0{content}".encode()).hexdigest()[:20]
        moment = naive_utc(now)
        self.con.execute(
            """
            INSERT INTO quarantine (id, source, rollout_id, source_path, reasons, content, run_id, created_at, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, run_id = excluded.run_id
            """,
            [key, source, rollout_id, source_path, redact("\n".join(reasons)), content, run_id, moment, moment],
        )

    def quarantined_in_run(self, run_id: str) -> dict[str, str]:
        """Transcript path -> the scanner's reasons, for the raw memories this run quarantined."""
        rows = self.con.execute("SELECT source_path, reasons FROM quarantine WHERE run_id = ? AND source = 'raw_memory'", [run_id]).fetchall()
        return {path: reasons for path, reasons in rows}

    def quarantined(self, limit: int) -> list[dict]:
        """The findings seen last: where (rollout id or file) and why."""
        return self._dicts("""
            SELECT source, coalesce(rollout_id, source_path) AS place, replace(reasons, chr(10), '; ') AS reasons, last_seen
            FROM quarantine ORDER BY last_seen DESC LIMIT ?""", [limit])
