"""Usage counts, decay and pruning in SQL: which raw memories phase 2 sees (``raw_memories``,
``citations``, ``rollbacks``). The one place the selection rule is written:

* **score** = usage count x 0.5 ^ (days since last use / ``usage_half_life_days``): a memory cited
  often and lately outranks one cited often long ago; ties go to the newer source session.
* **fresh** = the later of last use and source time lies within ``max_unused_days``. A memory that
  is not fresh drops out of the selection whatever its score; its rollout summary then leaves the
  workspace and the next consolidation removes what only it supported (one git commit).
* **held back**: the version of a memory whose consolidation a user rolled back
  (``nightshift rollback``) is never selected, until a changed transcript writes a new version.
* **selected** = fresh, not held back, and among the ``max_raw_memories`` best.
* **pruned**: rows not selected whose later of last use and source time is older than
  ``retention_days``, at most ``prune_batch_size`` per run, never those the caller keeps
  (``nightshift.phase2.retention.prune`` says which).

Usage comes from citations (``nightshift.ingest.citations``): one count per (citing session, memory) pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from nightshift.clock import naive_utc, utc
from nightshift.ingest.citations import SHORT_ID_LEN
from nightshift.memory import RawMemory, StoredMemory
from nightshift.settings import Settings
from nightshift.store.base import Queries

_GLOB_CHARS = "*?["
_SCORE = ("CASE WHEN usage_count = 0 THEN 0.0 "  # most memories were never cited: no pow() for them
          "ELSE usage_count * pow(0.5, greatest(0, epoch($now) - epoch(coalesce(last_usage, $now))) / 86400 / $half_life) END")
_LAST_SEEN = "greatest(source_updated_at, coalesce(last_usage, source_updated_at))"
_FRESH = "(source_updated_at >= $cutoff OR last_usage >= $cutoff)"  # _LAST_SEEN >= $cutoff, in a form the scan filters faster
_HELD = ("EXISTS (SELECT 1 FROM rollbacks r WHERE r.rollout_id = raw_memories.rollout_id "
         "AND r.memory_updated_at = raw_memories.updated_at)")  # rollbacks: see nightshift.commands.rollback
_ORDER = "score DESC, source_updated_at DESC, rollout_id"
_RANKED = f"""
    WITH scored AS (
        SELECT rollout_id, slug, project_key, scope, usage_count, last_usage, source_updated_at,
               {_SCORE} AS score, {_LAST_SEEN} AS last_seen, {_LAST_SEEN} >= $cutoff AS fresh, {_HELD} AS held
        FROM raw_memories
    )
    SELECT *, fresh AND NOT held AND row_number() OVER (PARTITION BY fresh AND NOT held ORDER BY {_ORDER}) <= $limit AS selected
    FROM scored
"""
# A cited id names a memory by its rollout id, a prefix of it at least SHORT_ID_LEN long, or its slug.
# Two equi-joins (prefix bucket, slug) instead of one OR-join, which DuckDB would run as a nested loop.
_RESOLVE = f"""
    SELECT i.citing_session, m.rollout_id, i.cited_at FROM incoming_citations i JOIN raw_memories m
      ON left(m.rollout_id, {SHORT_ID_LEN}) = left(i.cited, {SHORT_ID_LEN}) AND starts_with(m.rollout_id, i.cited)
     AND (length(i.cited) >= {SHORT_ID_LEN} OR m.rollout_id = i.cited)
    UNION ALL
    SELECT i.citing_session, m.rollout_id, i.cited_at FROM incoming_citations i JOIN raw_memories m ON m.slug = i.cited
"""


@dataclass(frozen=True, slots=True)
class Policy:
    limit: int
    max_unused_days: float
    half_life_days: float
    retention_days: float = 90
    prune_batch: int = 200

    @classmethod
    def of(cls, s: Settings) -> Policy:
        return cls(s.max_raw_memories, s.max_unused_days, s.usage_half_life_days, s.retention_days, s.prune_batch_size)

    def params(self, now: datetime) -> dict:
        now = naive_utc(now)
        return {"now": now, "half_life": self.half_life_days, "cutoff": now - timedelta(days=self.max_unused_days), "limit": self.limit}


class Usage(Queries):
    def select_memories(self, policy: Policy, now: datetime) -> list[StoredMemory]:
        """The raw memories phase 2 may see, best first."""
        rows = self.con.execute(
            f"""
            SELECT rollout_id, source_path, source_format, project_key, body_json, source_updated_at, usage_count, last_usage,
                   {_SCORE} AS score
            FROM raw_memories WHERE {_FRESH} AND NOT {_HELD}
            ORDER BY {_ORDER} LIMIT $limit
            """,
            policy.params(now),
        ).fetchall()
        return [
            StoredMemory(
                rollout_id=r[0], source_path=r[1], source_format=r[2], project_key=r[3],
                memory=RawMemory.model_validate_json(r[4]), source_updated_at=utc(r[5]),
                usage_count=r[6], last_usage=utc(r[7]),
            )
            for r in rows
        ]

    def usage_rows(self, policy: Policy, now: datetime) -> list[dict]:
        """Every raw memory with its usage, score and whether (and why not) phase 2 sees it."""
        rows = []
        for row in self._dicts(f"{_RANKED} ORDER BY selected DESC, {_ORDER}", policy.params(now)):
            idle_days = (utc(now) - row["last_seen"]).total_seconds() / 86400
            row["status"] = ("selected" if row["selected"] else "held back by a rollback" if row["held"]
                             else "over the limit" if row["fresh"] else f"unused for {idle_days:.0f} days")
            row["score"] = round(row["score"], 4)
            del row["fresh"], row["held"]
            rows.append(row)
        return rows

    def record_citations(self, cited: Sequence[tuple[str, datetime, Sequence[str]]]) -> int:
        """Bump ``usage_count`` and ``last_usage`` once per new (citing session, memory) pair, set-wise.

        ``cited`` holds (citing session id, when that session was last active, the ids it cited). Ids
        that name no memory are ignored; a session never counts as using its own memory. Returns the
        number of new uses recorded."""
        rows = [(session, naive_utc(at), c) for session, at, ids in cited for c in ids if session]
        if not rows:
            return 0
        import pyarrow as pa  # imported on use: the read path opens the store at every session start

        sessions, times, ids = zip(*rows)
        incoming = pa.table({"citing_session": sessions, "cited_at": pa.array(times, pa.timestamp("us")), "cited": ids})
        # A cursor of its own: registering a table is refused while the shared connection has a result
        # not fetched to the end (a fetchone() earlier in the run).
        con = self.con.cursor()
        con.register("incoming_citations", incoming)
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE fresh_citations AS
                SELECT r.citing_session, r.rollout_id, max(r.cited_at) AS cited_at FROM ({_RESOLVE}) r
                WHERE r.rollout_id <> r.citing_session
                  AND NOT EXISTS (SELECT 1 FROM citations c WHERE c.citing_session = r.citing_session AND c.rollout_id = r.rollout_id)
                GROUP BY r.citing_session, r.rollout_id
                """
            )
            con.execute("INSERT INTO citations SELECT citing_session, rollout_id, cited_at FROM fresh_citations")
            con.execute(
                """
                UPDATE raw_memories SET usage_count = usage_count + f.uses, last_usage = greatest(last_usage, f.used_at)
                FROM (SELECT rollout_id, count(*) AS uses, max(cited_at) AS used_at FROM fresh_citations GROUP BY rollout_id) f
                WHERE raw_memories.rollout_id = f.rollout_id
                """
            )
            recorded = con.execute("SELECT count(*) FROM fresh_citations").fetchone()[0]
            con.execute("DROP TABLE fresh_citations")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.close()
        return recorded

    def find_memories(self, target: str) -> list[dict]:
        """Memories a user names: a rollout id or a prefix of one (at least SHORT_ID_LEN long), a slug,
        or a glob pattern (``*``, ``?``, ``[...]``) over rollout ids and slugs."""
        if any(c in target for c in _GLOB_CHARS):
            where, params = "rollout_id GLOB $t OR slug GLOB $t", {"t": target}
        else:
            where = "(starts_with(rollout_id, $t) AND (length($t) >= $n OR rollout_id = $t)) OR slug = $t"
            params = {"t": target, "n": SHORT_ID_LEN}
        return self._dicts(
            f"SELECT rollout_id, slug, project_key, usage_count, source_updated_at FROM raw_memories WHERE {where} ORDER BY rollout_id", params
        )

    def prune_unselected(self, policy: Policy, now: datetime, keep: Sequence[str]) -> int:
        """Hard-delete one batch of memories past retention that are not selected, never those in ``keep``.
        Returns the count."""
        params = policy.params(now) | {
            "retain_after": naive_utc(now) - timedelta(days=policy.retention_days),
            "keep": sorted(keep),
            "batch": policy.prune_batch,
        }
        deleted = self.con.execute(
            f"""
            DELETE FROM raw_memories WHERE rollout_id IN (
                SELECT rollout_id FROM ({_RANKED})
                WHERE NOT selected AND last_seen < $retain_after AND NOT list_contains(CAST($keep AS VARCHAR[]), rollout_id)
                ORDER BY last_seen, rollout_id LIMIT $batch
            ) RETURNING rollout_id
            """,
            params,
        ).fetchall()
        self._drop_orphan_citations()
        return len(deleted)

    def delete_memories(self, rollout_ids: Sequence[str]) -> int:
        deleted = self.con.execute(
            "DELETE FROM raw_memories WHERE list_contains(CAST($ids AS VARCHAR[]), rollout_id) RETURNING rollout_id", {"ids": list(rollout_ids)}
        ).fetchall()
        self._drop_orphan_citations()
        return len(deleted)

    def _drop_orphan_citations(self) -> None:
        """Citations of deleted memories (by prune, forget or a no-op re-extraction) count for nothing."""
        self.con.execute("DELETE FROM citations WHERE rollout_id NOT IN (SELECT rollout_id FROM raw_memories)")

    # --- rollbacks -------------------------------------------------------------------------------

    def hold_back(self, rollout_id: str, reverted_commit: str, revert_commit: str, now: datetime) -> bool:
        """Keep the memory's current version out of the selection (a rollback); False when there is no such memory
        or it is held back for that commit already."""
        return self.con.execute(
            """
            INSERT INTO rollbacks SELECT rollout_id, updated_at, ?, ?, ? FROM raw_memories WHERE rollout_id = ?
            ON CONFLICT DO NOTHING RETURNING rollout_id
            """,
            [reverted_commit, revert_commit, naive_utc(now), rollout_id],
        ).fetchone() is not None

    def held_back(self, limit: int) -> list[dict]:
        """The memories a rollback holds back now (their version is the one rolled back), newest first."""
        return self._dicts("""
            SELECT m.rollout_id, m.slug, r.reverted_commit, r.rolled_back_at FROM rollbacks r
            JOIN raw_memories m ON m.rollout_id = r.rollout_id AND m.updated_at = r.memory_updated_at
            ORDER BY r.rolled_back_at DESC LIMIT ?""", [limit])


def export_parquet(rows: list[dict], path: Path) -> None:
    """``Usage.usage_rows`` as a Parquet file, typed, for analysis elsewhere (DuckDB, pandas, Spark)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    stamp = pa.timestamp("us", tz="UTC")
    schema = pa.schema([
        ("rollout_id", pa.string()), ("slug", pa.string()), ("project_key", pa.string()), ("scope", pa.string()),
        ("usage_count", pa.int32()), ("last_usage", stamp), ("source_updated_at", stamp), ("last_seen", stamp),
        ("score", pa.float64()), ("selected", pa.bool_()), ("status", pa.string()),
    ])
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
