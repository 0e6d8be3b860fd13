"""The ``runs`` and ``run_model_usage`` tables: one row per night's pass, and the model use it had."""

from __future__ import annotations

import json
from datetime import datetime

from nightshift.clock import naive_utc, utc
from nightshift.ingest.redact import redact
from nightshift.store.base import Queries

_COUNTS = ("discovered", "memories", "no_ops", "failed", "skipped", "model_calls", "tokens_in", "tokens_out")


class Runs(Queries):
    def start_run(self, run_id: str, provider: str, now: datetime) -> None:
        self.con.execute("INSERT INTO runs (run_id, started_at, status, provider) VALUES (?, ?, 'running', ?)", [run_id, naive_utc(now), provider])

    def end_run(self, run_id: str, *, status: str, now: datetime, counts: dict[str, int], commit_sha: str | None, message: str,
                model_usage: dict[tuple[str, str], list[int]] | None = None, harness: dict[str, int] | None = None) -> None:
        if model_usage:
            self.con.executemany("INSERT OR REPLACE INTO run_model_usage VALUES (?, ?, ?, ?, ?, ?)",
                                 [[run_id, phase, model, *used] for (phase, model), used in model_usage.items()])
        assignments = ", ".join(f"{c} = ?" for c in _COUNTS)
        # A failed run's message quotes an exception, which can quote anything; an ok run's is nightshift's own
        # summary (counts, a commit, a fixed reason), and a quiet night need not compile the redactor for it.
        message = redact(message) if status != "ok" else message
        self.con.execute(
            f"UPDATE runs SET status = ?, ended_at = ?, commit_sha = ?, message = ?, harness_dropped = ?, {assignments} WHERE run_id = ?",
            [status, naive_utc(now), commit_sha, message, json.dumps(dict(sorted(harness.items()))) if harness else None,
             *(counts.get(c, 0) for c in _COUNTS), run_id],
        )

    def record_mode(self, run_id: str, mode: str, consolidated_at: datetime | None) -> None:
        """The pass's mode (nightly or fresh), and when its phase 2 completed (None: it did not)."""
        self.con.execute("UPDATE runs SET mode = ?, consolidated_at = ? WHERE run_id = ?",
                         [mode, naive_utc(consolidated_at) if consolidated_at else None, run_id])

    def last_consolidated(self) -> datetime | None:
        """When phase 2 last completed."""
        return utc(self.con.execute("SELECT max(consolidated_at) FROM runs").fetchone()[0])

    def last_runs(self, n: int = 5) -> list[dict]:
        return self._dicts("SELECT * FROM runs ORDER BY started_at DESC LIMIT ?", [n])

    def model_use_of_runs(self, run_ids: list[str]) -> list[dict]:
        """Tokens per phase and model of these runs, one row per (run, phase, model)."""
        return self._dicts("SELECT * FROM run_model_usage WHERE run_id IN (SELECT unnest(?))", [run_ids])

    def model_use_since(self, moment: datetime) -> list[dict]:
        """Tokens per phase and model over the runs started since ``moment``."""
        return self._dicts("""
            SELECT u.phase, u.model, sum(u.calls)::BIGINT AS calls, sum(u.tokens_in)::BIGINT AS tokens_in, sum(u.tokens_out)::BIGINT AS tokens_out
            FROM run_model_usage u JOIN runs r USING (run_id)
            WHERE r.started_at >= ? GROUP BY ALL ORDER BY u.phase DESC, u.model""", [naive_utc(moment)])

    def tables(self) -> set[str]:
        """The tables this database has: a read-only open is not migrated, so newer ones may be missing."""
        return {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
