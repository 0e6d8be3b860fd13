"""The run lock: one nightshift run per memory home at a time.

An ``fcntl.flock`` on ``<home>/.nightshift/run.lock``: the kernel drops it when the holder dies, so a
lock left behind by a killed run (a "stale" lock whose pid is dead) is simply taken over. The file
also records the holder's pid so the second run can name it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "run.lock"


class LockHeld(RuntimeError):
    def __init__(self, pid: int | None, path: Path):
        who = f"pid {pid}" if pid else "another process"
        super().__init__(f"another nightshift run holds the lock on this memory home ({who}, {path})")
        self.pid = pid


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip() or 0) or None
    except (OSError, ValueError):
        return None


def lock_holder(state_dir: Path) -> int | None:
    """The pid of a live run holding the lock, or None. Does not take the lock, and opens the file read-only:
    status must work on a home it cannot write to."""
    path = state_dir / LOCK_NAME
    try:
        handle = open(path)
    except OSError:  # no lock file yet (or none readable): no run to name
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_pid(path)
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


@contextmanager
def run_lock(state_dir: Path) -> Iterator[None]:
    """Hold the run lock, or raise LockHeld naming the holder. Taken once per run, by whoever starts it:
    the CLI before Prefect's slow start (of two runs started together, one answers exit 3 at once), a
    deployment's flow, ``watch`` per pass. Not re-entrant: taking it twice in one process is refused
    like any second run, so a nested take shows up as a bug instead of passing silently."""
    with _flock(state_dir, (state_dir / LOCK_NAME).resolve()):
        yield


@contextmanager
def _flock(state_dir: Path, path: Path) -> Iterator[None]:
    state_dir.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(_read_pid(path), path) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # closing the descriptor releases the flock
