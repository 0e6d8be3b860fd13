"""The ``raw_memories`` table: one raw memory per rollout, as phase 1 wrote it (usage: ``nightshift.store.usage``)."""

from __future__ import annotations

from datetime import datetime

from nightshift.clock import naive_utc, utc
from nightshift.memory import RawMemory, StoredMemory
from nightshift.store.base import Queries


def _scope(m: StoredMemory) -> str:
    scopes = {t.scope.value for t in m.memory.tasks}
    return scopes.pop() if len(scopes) == 1 else "mixed"


class Memories(Queries):
    def store_memory(self, m: StoredMemory, body_md: str, now: datetime) -> None:
        now = naive_utc(now)
        self.con.execute(
            """
            INSERT INTO raw_memories (rollout_id, source_path, source_format, project_key, scope, slug, summary,
                                      body_json, body_md, source_updated_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (rollout_id) DO UPDATE SET
                source_path = excluded.source_path, source_format = excluded.source_format,
                project_key = excluded.project_key, scope = excluded.scope, slug = excluded.slug,
                summary = excluded.summary, body_json = excluded.body_json, body_md = excluded.body_md,
                source_updated_at = excluded.source_updated_at, updated_at = excluded.updated_at
            """,
            [m.rollout_id, m.source_path, m.source_format, m.project_key, _scope(m), m.memory.slug, m.memory.rollout_summary,
             m.memory.model_dump_json(), body_md, naive_utc(m.source_updated_at), now, now],
        )

    def rewrite_memory(self, m: StoredMemory, body_md: str, now: datetime) -> None:
        """Replace a memory's body (``nightshift scope``): a new version, so a rollback's hold-back of the old one ends."""
        self.con.execute(
            "UPDATE raw_memories SET body_json = ?, body_md = ?, scope = ?, updated_at = ? WHERE rollout_id = ?",
            [m.memory.model_dump_json(), body_md, _scope(m), naive_utc(now), m.rollout_id],
        )

    def all_memories(self) -> list[StoredMemory]:
        rows = self.con.execute(
            "SELECT rollout_id, source_path, source_format, project_key, body_json, source_updated_at FROM raw_memories ORDER BY rollout_id"
        ).fetchall()
        return [StoredMemory(rollout_id=r[0], source_path=r[1], source_format=r[2], project_key=r[3],
                             memory=RawMemory.model_validate_json(r[4]), source_updated_at=utc(r[5])) for r in rows]

    def stored_memory(self, rollout_id: str) -> StoredMemory | None:
        row = self.con.execute(
            "SELECT rollout_id, source_path, source_format, project_key, body_json, source_updated_at, usage_count, last_usage "
            "FROM raw_memories WHERE rollout_id = ?", [rollout_id]).fetchone()
        if row is None:
            return None
        return StoredMemory(row[0], row[1], row[2], row[3], RawMemory.model_validate_json(row[4]), utc(row[5]), row[6], utc(row[7]))

    def memory_body_json(self, rollout_id: str) -> str | None:
        """The stored RawMemory as JSON, to tell whether a new one says anything different."""
        row = self.con.execute("SELECT body_json FROM raw_memories WHERE rollout_id = ?", [rollout_id]).fetchone()
        return row[0] if row else None

    def rollout_ids(self) -> list[str]:
        return [row[0] for row in self.con.execute("SELECT rollout_id FROM raw_memories").fetchall()]

    def memory_count(self) -> int:
        return self.con.execute("SELECT count(*) FROM raw_memories").fetchone()[0]

    def memories_written_since(self, moment: datetime | None) -> int:
        """Raw memories stored or rewritten after ``moment`` (all of them when None)."""
        moment = naive_utc(moment) if moment else None
        return self.con.execute("SELECT count(*) FROM raw_memories WHERE ?::TIMESTAMP IS NULL OR updated_at > ?",
                                [moment, moment]).fetchone()[0]

    def delete_memory(self, rollout_id: str) -> bool:
        return self.con.execute("DELETE FROM raw_memories WHERE rollout_id = ? RETURNING rollout_id", [rollout_id]).fetchone() is not None

    def mark_external(self, rollout_id: str) -> None:
        """The session pulled in external content (web pages, MCP tools): said beside its memory."""
        self.con.execute("UPDATE raw_memories SET external_context = true WHERE rollout_id = ?", [rollout_id])
