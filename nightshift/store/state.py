"""Pipeline state in DuckDB (``<home>/.nightshift/state.duckdb``): rollouts, jobs, raw memories, runs.

DuckDB allows one writer process, and the run lock (``nightshift.lock``) already keeps runs apart,
so each step opens the database briefly with ``open_state`` and closes it again; that lets
``nightshift status`` read between steps of a running night. The flow keeps one connection through
the quick steps of a pass (``kept_open``, since a connect costs ~15 ms) and lets go of it while it
extracts (``let_go``).

Every SQL statement of nightshift is in this package: this module connects and migrates, and
``State`` gathers the named queries of the table groups (rollouts, jobs, memories, usage, runs,
quarantine), one module each.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib.resources import files
from pathlib import Path

import duckdb

from nightshift.clock import compact_stamp, utcnow
from nightshift.errors import EXIT_FAILED, UserError
from nightshift.store.jobs import Jobs
from nightshift.store.memories import Memories
from nightshift.store.quarantine import Quarantine
from nightshift.store.rollouts import Rollouts
from nightshift.store.runs import Runs
from nightshift.store.usage import Usage

DB_NAME = "state.duckdb"
DAMAGED = ".damaged-"  # state.duckdb.damaged-<time>: a damaged database, kept aside for the user
# What DuckDB says of a file that is not a whole database (a zero-byte, garbage, cut-short or bit-flipped
# file). Anything else (a lock, a full disk, a newer storage version) is not damage and moves nothing.
_DAMAGE_SIGNS = ("not a valid DuckDB database file", "Could not read enough bytes", "Corrupt database file",
                 "does not match stored checksum")


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
    aside = path.with_name(f"{path.name}{DAMAGED}{compact_stamp(now or utcnow())}")
    path.rename(aside)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        wal.rename(aside.with_name(aside.name + ".wal"))
    detail = str(exc).strip().splitlines()[0][:200]
    return StateDamaged(path, f"is damaged ({detail}); it was moved aside to {aside.name}")


def damaged_copies(state_dir: Path) -> list[Path]:
    return sorted(p for p in state_dir.glob(f"{DB_NAME}{DAMAGED}*") if not p.name.endswith(".wal"))


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


class State(Rollouts, Jobs, Memories, Usage, Runs, Quarantine):
    """An open database and every named query over it."""

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
