"""Two runs at once, a full disk, an unwritable home: one clear outcome each, never a partial commit.

The tests run as root, where chmod does not stop writes, and neither a small tmpfs nor a loop device can
be mounted in CI. A full disk is therefore made with RLIMIT_FSIZE in a subprocess: the kernel refuses
every write that would grow a file past the limit (EFBIG, with SIGXFSZ ignored), which is what a
full disk does to the same writes (ENOSPC). The disk "fills" at the start of phase 2 (the DuckDB WAL
fails first), just before the handbook is written, or just before the git commit. An unwritable home
is a regular file where the home's state folder must be: every write below it fails, root or not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import git
import pytest
from conftest import run_night

from nightshift.store.state import open_state

NIGHTSHIFT = str(Path(sys.executable).parent / "nightshift")
NEW_RULE = "Never use default exports in this codebase."

FULL_DISK = textwrap.dedent("""
    import resource, signal, sys
    from datetime import UTC, datetime, timedelta
    from pathlib import Path
    from nightshift.night import steps as pipeline
    from nightshift.settings import Settings
    home, where, sources = Path(sys.argv[1]), sys.argv[2], [Path(p) for p in sys.argv[3:]]
    s = Settings(home=home, sources=sources, idle_hours=0, provider="builtin")
    now = datetime.now(UTC) + timedelta(minutes=10)
    run = pipeline.begin_run(s, now)
    _, claimed = pipeline.find_work(run, now)
    pipeline.record_extractions(run, [pipeline.extract_rollout(f, s) for f in claimed], now)

    def fill_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256, 256))  # from here on, no file can grow past 256 bytes

    def full_before(module, name):
        real = getattr(module, name)
        def wrapper(*args, **kwargs):
            fill_disk()
            return real(*args, **kwargs)
        setattr(module, name, wrapper)

    if where == "phase2":
        fill_disk()
    elif where == "handbook":
        full_before(pipeline.handbook, "apply_builtin")
    else:
        full_before(pipeline.memory_home, "commit_run")
    try:
        pipeline.fold(run, now)
    except Exception as exc:
        print(type(exc).__name__, str(exc).replace(chr(10), " ")[:300])
        sys.exit(1)
""")


def _add_rule(sources: list[Path]) -> None:
    session = next((sources[1] / "projects" / "-home-dev-webshop").glob("a6167d38*.jsonl"))
    line = json.loads(session.read_text().splitlines()[-1])
    line.update(type="user", uuid="0e0e0e0e-0000-4000-8000-000000000001", message={"role": "user", "content": NEW_RULE})
    with session.open("a") as f:
        f.write(json.dumps(line) + "\n")


@pytest.mark.slow
@pytest.mark.parametrize("where", ["phase2", "handbook", "commit"])
def test_a_disk_that_fills_during_phase_2_leaves_the_last_commit_and_the_next_night_completes(settings, sources, where):
    _, first = run_night(settings)
    _add_rule(sources)
    done = subprocess.run([sys.executable, "-c", FULL_DISK, str(settings.home), where, *map(str, sources)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr  # failed, with a message, not a crash or a hang
    # EFBIG in this process; a git child gets SIGXFSZ back at its default (subprocess restores it) and dies of it
    assert any(sign in done.stdout.lower() for sign in ("file too large", "errno 27", "exit code(-25)")), done.stdout
    repo = git.Repo(settings.home)
    assert repo.head.commit.hexsha == first  # no partial commit
    run, sha = run_night(settings)  # space again: the next night repairs and completes
    assert sha is not None and repo.head.commit.hexsha == sha and repo.head.commit.parents[0].hexsha == first
    assert repo.git.status("--porcelain") == ""
    assert NEW_RULE in (settings.home / "MEMORY.md").read_text()
    with open_state(settings.state_dir) as db:
        assert db.con.execute("SELECT count(*) FROM jobs WHERE status <> 'done'").fetchone()[0] == 0


def test_an_unwritable_home_fails_with_a_clear_message_and_exit_1(home, sources):
    home.mkdir()
    (home / ".nightshift").write_text("a file where the state folder must be\n")
    done = subprocess.run([NIGHTSHIFT, "consolidate", "--home", str(home), "--idle-hours", "0",
                           *[a for s in sources for a in ("--source", str(s))]], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert f"cannot write to the memory home {home}" in done.stderr and "Nothing was committed" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (home / ".git").exists()


@pytest.mark.slow
def test_two_runs_started_together_one_runs_the_other_exits_3(home, sources):
    args = ["consolidate", "--home", str(home), "--idle-hours", "0", *[a for s in sources for a in ("--source", str(s))]]
    first = subprocess.Popen([NIGHTSHIFT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen([NIGHTSHIFT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = {}
    for name, proc in (("first", first), ("second", second)):
        out, err = proc.communicate(timeout=240)
        results[name] = (proc.returncode, out, err)
    codes = sorted(code for code, _, _ in results.values())
    assert codes == [0, 3], results
    loser = next(r for r in results.values() if r[0] == 3)
    assert "another nightshift run holds the lock" in loser[2] and "try again later" in loser[2]
    assert len(list(git.Repo(home).iter_commits())) == 1  # one night, one commit


def test_the_lock_is_taken_once_per_run_and_exclusive_across_processes(tmp_path):
    from nightshift.lock import LockHeld, run_lock

    state = tmp_path / ".nightshift"
    probe = ("import sys; from pathlib import Path; from nightshift.lock import run_lock, LockHeld\n"
             "try:\n    with run_lock(Path(sys.argv[1])): print('got it')\nexcept LockHeld as e: print('held', e.pid)")
    with run_lock(state):
        other = subprocess.run([sys.executable, "-c", probe, str(state)], capture_output=True, text=True, timeout=60)
        assert other.stdout.split() == ["held", str(os.getpid())]
        with pytest.raises(LockHeld):  # a second take inside the same run is a bug, refused like a second run
            with run_lock(state):
                pass
        again = subprocess.run([sys.executable, "-c", probe, str(state)], capture_output=True, text=True, timeout=60)
        assert again.stdout.split() == ["held", str(os.getpid())], "the refused inner take left the lock held"
    free = subprocess.run([sys.executable, "-c", probe, str(state)], capture_output=True, text=True, timeout=60)
    assert free.stdout.strip() == "got it"
