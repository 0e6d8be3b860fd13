"""Pipeline state in DuckDB (``<home>/.nightshift/state.duckdb``): rollouts, jobs, raw memories, runs.

DuckDB allows one writer process, and the run lock (``nightshift.lock``) already keeps runs apart,
so each step opens the database briefly with ``open_state`` and closes it again; that lets
``nightshift status`` read between steps of a running night. The flow keeps one connection through
the quick steps of a pass (``kept_open``, since a connect costs ~15 ms) and lets go of it while it
extracts (``let_go``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path

import duckdb

from nightshift.errors import EXIT_FAILED, UserError
from nightshift.memory import RawMemory, StoredMemory
from nightshift.ingest.redact import redact

DB_NAME = "state.duckdb"
DAMAGED = ".damaged-"  # state.duckdb.damaged-<time>: a damaged database, kept aside for the user
# What DuckDB says of a file that is not a whole database (a zero-byte, garbage, cut-short or bit-flipped
# file). Anything else (a lock, a full disk, a newer storage version) is not damage and moves nothing.
_DAMAGE_SIGNS = ("not a valid DuckDB database file", "Could not read enough bytes", "Corrupt database file",
                 "does not match stored checksum")

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


class StateBusy(RuntimeError):
    """Another process has the database open for writing."""


class StateDamaged(UserError):
    """The state database is damaged, or was and nothing has rebuilt it yet: ``nightshift repair`` does."""

    def __init__(self, path: Path, problem: str):
        home = path.parent.parent
        super().__init__(f"the state database {path} {problem}. Run `nightshift repair --home {home}` to rebuild it from the "
                         "memory home and the transcripts", EXIT_FAILED)


def is_damage(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.Error) and any(sign in str(exc) for sign in _DAMAGE_SIGNS)


def set_aside(path: Path, exc: BaseException, now: datetime | None = None) -> StateDamaged:
    """Move a damaged database (and its write-ahead log) aside, named by the time, and say so."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}{DAMAGED}{stamp}")
    path.rename(aside)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        wal.rename(aside.with_name(aside.name + ".wal"))
    detail = str(exc).strip().splitlines()[0][:200]
    return StateDamaged(path, f"is damaged ({detail}); it was moved aside to {aside.name}")


def damaged_copies(state_dir: Path) -> list[Path]:
    return sorted(p for p in state_dir.glob(f"{DB_NAME}{DAMAGED}*") if not p.name.endswith(".wal"))


def naive_utc(moment: datetime) -> datetime:
    """DuckDB TIMESTAMP columns hold naive UTC; aware datetimes are converted on the way in."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def aware_utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _migrations() -> list[tuple[int, str]]:
    folder = files("nightshift.store") / "migrations"
    found = [(int(f.name.split("_", 1)[0]), f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".sql")]
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply every versioned SQL file the database has not seen, each in its own transaction.

    By the set of applied versions, not the highest: migrations are written in parallel, and one
    numbered below the newest applied one must still run."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    applied = {version for (version,) in con.execute("SELECT version FROM schema_version").fetchall()}
    for version, sql in _migrations():
        if version in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        con.execute(sql)
        con.execute("INSERT INTO schema_version VALUES (?)", [version])
        con.execute("COMMIT")


# Connections kept open by ``kept_open``, by database path: open_state hands out cursors of them.
_kept: dict[Path, duckdb.DuckDBPyConnection] = {}
_kept_guard = threading.Lock()


@contextmanager
def kept_open(state_dir: Path) -> Iterator[None]:
    """Within this block every ``open_state`` on ``state_dir`` is a cursor of one connection.

    A DuckDB connect costs ~15 ms of CPU and a night's pass opens the state about ten times, which on
    a night with nothing new was a third of the pass. The file stays locked to other processes
    meanwhile (``nightshift status`` waits), so long stretches without the database, the extraction,
    run inside ``let_go``.
    """
    path = (state_dir / DB_NAME).resolve()
    with _kept_guard:
        nested = path in _kept
    if nested:
        yield
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only=False, wait_seconds=10.0)
    try:
        migrate(con)
    except BaseException:
        con.close()
        raise
    with _kept_guard:
        _kept[path] = con
    try:
        yield
    finally:
        with _kept_guard:
            con = _kept.pop(path, None)  # let_go may have swapped it for a fresh one
        if con is not None:
            con.close()


@contextmanager
def let_go(state_dir: Path) -> Iterator[None]:
    """Inside ``kept_open``: close the database for the duration of this block, then reopen it."""
    path = (state_dir / DB_NAME).resolve()
    with _kept_guard:
        con = _kept.pop(path, None)
    if con is None:
        yield
        return
    con.close()
    try:
        yield
    finally:
        fresh = _connect(path, read_only=False, wait_seconds=10.0)
        with _kept_guard:
            _kept[path] = fresh


@contextmanager
def open_state(state_dir: Path, *, read_only: bool = False, wait_seconds: float = 10.0) -> Iterator[State]:
    """Open (and migrate) the database, waiting a little if another process holds it."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / DB_NAME
    with _kept_guard:
        kept = _kept.get(path.resolve())
    if kept is not None:
        cursor = kept.cursor()
        try:
            yield State(cursor)
        finally:
            cursor.close()
        return
    con = _connect(path, read_only=read_only and path.exists(), wait_seconds=wait_seconds)
    try:
        if not read_only:
            migrate(con)
        yield State(con)
    finally:
        con.close()


def _files_table(name: str, files: list[tuple[str, int, float]]):
    """(name, size, mtime) rows as an Arrow table, which DuckDB scans in one statement."""
    import pyarrow as pa  # on use: the read path (`nightshift summary`, at every session start) never needs it

    names, sizes, mtimes = zip(*files)
    return pa.table({name: pa.array(names, pa.string()), "size": pa.array(sizes, pa.int64()), "mtime": pa.array(mtimes, pa.float64())})


def _connect(path: Path, *, read_only: bool, wait_seconds: float, fresh: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect, waiting while another process holds the file. A damaged file is moved aside (StateDamaged);
    a missing one whose damaged predecessor lies beside it is not silently replaced by an empty one
    (a new state would drop every memory the old one held) unless ``fresh`` (``nightshift repair``)."""
    if not fresh and not path.exists() and (kept := damaged_copies(path.parent)):
        raise StateDamaged(path, f"was damaged and moved aside to {kept[-1].name}")
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if is_damage(exc):
                raise set_aside(path, exc) from None
            if not (isinstance(exc, duckdb.IOException) and "lock" in str(exc)):
                raise
            if time.monotonic() >= deadline:  # the file lock of another process
                raise StateBusy(f"{path} is in use by another process: {exc}") from exc
            time.sleep(0.2)


@contextmanager
def fresh_state(state_dir: Path) -> Iterator[State]:
    """A new, empty state database where a damaged one was (``nightshift repair``); the caller holds the run lock."""
    path = state_dir / DB_NAME
    con = _connect(path, read_only=False, wait_seconds=0, fresh=True)
    try:
        migrate(con)
        yield State(con)
    finally:
        con.close()


class State:
    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # --- rollouts -------------------------------------------------------------------------

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

    @contextmanager
    def _files_view(self, view: str, name: str, files: list[tuple[str, int, float]]) -> Iterator[None]:
        """(name, size, mtime) rows as the view ``view`` for one statement. executemany would run one
        statement per row (8 ms each); an Arrow table is one scan."""
        self.con.register(view, _files_table(name, files))
        try:
            yield
        finally:
            self.con.unregister(view)

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
        row = self.con.execute(
            "SELECT count(*) FROM rollouts WHERE extracted_size IS DISTINCT FROM size OR extracted_mtime IS DISTINCT FROM mtime"
        ).fetchone()
        return row[0]

    # --- jobs -----------------------------------------------------------------------------

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
            """
            UPDATE jobs SET status = 'running', owner = $owner, lease_until = $lease_until, updated_at = $now
            WHERE kind = $kind AND list_contains($keys, key) AND attempts_left > 0
              AND (status IN ('pending', 'failed') OR (status = 'running' AND (lease_until <= $now OR owner = $owner)))
              AND (retry_at IS NULL OR retry_at <= $now)
            RETURNING key
            """,
            {"owner": owner, "lease_until": now + lease, "now": now, "kind": kind, "keys": keys},
        ).fetchall()
        return {key for (key,) in rows}

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

    # --- raw memories ---------------------------------------------------------------------

    def store_memory(self, m: StoredMemory, body_md: str, now: datetime) -> None:
        scopes = {t.scope for t in m.memory.tasks}
        scope = scopes.pop().value if len(scopes) == 1 else "mixed"
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
            [m.rollout_id, m.source_path, m.source_format, m.project_key, scope, m.memory.slug, m.memory.rollout_summary,
             m.memory.model_dump_json(), body_md, naive_utc(m.source_updated_at), now, now],
        )

    def all_memories(self) -> list[StoredMemory]:
        rows = self.con.execute(
            "SELECT rollout_id, source_path, source_format, project_key, body_json, source_updated_at FROM raw_memories ORDER BY rollout_id"
        ).fetchall()
        return [StoredMemory(rollout_id=r[0], source_path=r[1], source_format=r[2], project_key=r[3],
                             memory=RawMemory.model_validate_json(r[4]), source_updated_at=aware_utc(r[5])) for r in rows]

    def delete_memory(self, rollout_id: str) -> bool:
        return self.con.execute("DELETE FROM raw_memories WHERE rollout_id = ? RETURNING rollout_id", [rollout_id]).fetchone() is not None

    def select_memories(self, *, limit: int, max_unused_days: float, now: datetime, half_life_days: float = 30) -> list[StoredMemory]:
        """The raw memories phase 2 may see, ranked by decayed usage then recency: see nightshift.phase2.selection."""
        from nightshift.phase2 import selection as usage  # usage builds on State, so it is imported on use

        return usage.select_memories(self, usage.Policy(limit, max_unused_days, half_life_days), now)

    def memory_count(self) -> int:
        return self.con.execute("SELECT count(*) FROM raw_memories").fetchone()[0]

    def stored_memory(self, rollout_id: str) -> StoredMemory | None:
        row = self.con.execute(
            "SELECT rollout_id, source_path, source_format, project_key, body_json, source_updated_at, usage_count, last_usage "
            "FROM raw_memories WHERE rollout_id = ?", [rollout_id]).fetchone()
        if row is None:
            return None
        return StoredMemory(row[0], row[1], row[2], row[3], RawMemory.model_validate_json(row[4]), aware_utc(row[5]), row[6], aware_utc(row[7]))

    def rewrite_memory(self, m: StoredMemory, body_md: str, now: datetime) -> None:
        """Replace a memory's body (``nightshift scope``): a new version, so a rollback's hold-back of the old one ends."""
        scopes = {t.scope.value for t in m.memory.tasks}
        self.con.execute(
            "UPDATE raw_memories SET body_json = ?, body_md = ?, scope = ?, updated_at = ? WHERE rollout_id = ?",
            [m.memory.model_dump_json(), body_md, scopes.pop() if len(scopes) == 1 else "mixed", naive_utc(now), m.rollout_id],
        )

    # --- runs -----------------------------------------------------------------------------

    def start_run(self, run_id: str, provider: str, now: datetime) -> None:
        self.con.execute("INSERT INTO runs (run_id, started_at, status, provider) VALUES (?, ?, 'running', ?)", [run_id, naive_utc(now), provider])

    def end_run(self, run_id: str, *, status: str, now: datetime, counts: dict[str, int], commit_sha: str | None, message: str,
                model_usage: dict[tuple[str, str], list[int]] | None = None, harness: dict[str, int] | None = None) -> None:
        if model_usage:
            self.con.executemany("INSERT OR REPLACE INTO run_model_usage VALUES (?, ?, ?, ?, ?, ?)",
                                 [[run_id, phase, model, *used] for (phase, model), used in model_usage.items()])
        columns = ("discovered", "memories", "no_ops", "failed", "skipped", "model_calls", "tokens_in", "tokens_out")
        assignments = ", ".join(f"{c} = ?" for c in columns)
        self.con.execute(
            f"UPDATE runs SET status = ?, ended_at = ?, commit_sha = ?, message = ?, harness_dropped = ?, {assignments} WHERE run_id = ?",
            [status, naive_utc(now), commit_sha, redact(message), json.dumps(dict(sorted(harness.items()))) if harness else None,
             *(counts.get(c, 0) for c in columns), run_id],
        )

    def last_runs(self, n: int = 5) -> list[dict]:
        cur = self.con.execute("SELECT * FROM runs ORDER BY started_at DESC LIMIT ?", [n])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

