"""The run lock across real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nightshift.lock import LockHeld, lock_holder, run_lock

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from nightshift.lock import run_lock
    with run_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(60)
    """
)


def test_second_run_is_refused_and_names_the_holder(tmp_path: Path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert lock_holder(tmp_path) == holder.pid
        with pytest.raises(LockHeld) as err:
            with run_lock(tmp_path):
                pass
        assert err.value.pid == holder.pid and str(holder.pid) in str(err.value)
    finally:
        holder.kill()
        holder.wait()
    # The holder died without cleaning up: its stale lock is taken over.
    assert lock_holder(tmp_path) is None
    with run_lock(tmp_path):
        assert lock_holder(tmp_path) == os.getpid()
