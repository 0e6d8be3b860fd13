"""One DuckDB connection for a night's pass, released while it extracts so `nightshift status` can read."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from conftest import run_night

from nightshift.store import state
from nightshift.store.state import kept_open, let_go, open_state


def _status_can_read(state_dir: Path) -> bool:
    """What `nightshift status` does: open the database read-only from another process."""
    script = textwrap.dedent(f"""
        from pathlib import Path
        from nightshift.store.state import StateBusy, open_state
        try:
            with open_state(Path({str(state_dir)!r}), read_only=True, wait_seconds=0.5) as db:
                print(db.con.execute("SELECT count(*) FROM runs").fetchone()[0])
        except StateBusy:
            print("busy")
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip() != "busy"


def test_a_pass_connects_once_and_lets_go_while_extracting(settings, monkeypatch):
    run_night(settings)  # the state exists, with one run
    connects = []
    real_connect = duckdb.connect
    monkeypatch.setattr(state.duckdb, "connect", lambda *a, **k: connects.append(a) or real_connect(*a, **k))
    with kept_open(settings.state_dir):
        run_night(settings, datetime.now(UTC) + timedelta(minutes=1))  # a pass opens the state about ten times
        assert len(connects) == 1
        assert not _status_can_read(settings.state_dir)  # held: status says a run is in progress
        with let_go(settings.state_dir):
            assert _status_can_read(settings.state_dir)  # the long stretch without the database
        with open_state(settings.state_dir) as db:
            assert db.con.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
        assert len(connects) == 2  # reconnected once after letting go
    assert _status_can_read(settings.state_dir)
