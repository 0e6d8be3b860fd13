"""kill -9 at random points of a night: the home stays at its last commit, nothing is stuck or lost.

Each trial runs the night's pipeline steps in a real subprocess over its own copy of samples/ (under the
real run lock, as the flow does), waits for a randomly chosen phase to start, sleeps a random moment and
SIGKILLs it. The test then checks the wreck and runs the next night with a clock past every lease. A seeded RNG picks the points, so a failure replays. The CLI itself (Prefect and all) is killed
once at the end, in its own process group so its temporary server goes too.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
import pytest
from conftest import SAMPLES, run_night

from nightshift.lock import run_lock
from nightshift.settings import Settings
from nightshift.store.state import open_state

TRIALS = 20
PHASES = ["begin", "find_work", "extract", "record", "consolidate", "end"]
EXPECTED = ["Always use pnpm instead of npm in this repo.", "pip install -e ."]

NIGHT = textwrap.dedent("""
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from nightshift.night import steps as pipeline
    from nightshift.lock import run_lock
    from nightshift.settings import Settings

    def phase(name):
        print("phase:" + name, flush=True)

    home, sources = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
    settings = Settings(home=home, sources=sources, idle_hours=0, provider="builtin")
    now = datetime.now(UTC)
    with run_lock(settings.state_dir):
        phase("begin")
        run = pipeline.begin_run(settings, now)
        phase("find_work")
        _, claimed = pipeline.find_work(run, now)
        phase("extract")
        results = [pipeline.extract_rollout(f, settings) for f in claimed]
        phase("record")
        pipeline.record_extractions(run, results, now)
        phase("consolidate")
        sha = pipeline.fold(run, now)
        phase("end")
        pipeline.end_run(run, status="ok", now=now, commit_sha=sha, message=pipeline.summary_line(run, sha))
    phase("done")
""")



def check_and_rerun(home: Path, sources: list[Path]) -> dict:
    """What a killed night left, then the next night with a clock past every lease: what it repaired."""
    report: dict = {}
    if (home / ".git").exists() and git.Repo(home).head.is_valid():
        repo = git.Repo(home)
        report["head_ok"] = repo.git.cat_file("-t", "HEAD") == "commit"
        repo.git.fsck("--no-dangling")  # raises on a corrupt object store
    if (home / ".nightshift" / "state.duckdb").exists():
        with open_state(home / ".nightshift") as db:  # DuckDB opens (and replays its WAL)
            report["jobs_running"] = db.con.execute("SELECT count(*) FROM jobs WHERE status = 'running'").fetchone()[0]
    settings = Settings(home=home, sources=sources, idle_hours=0, provider="builtin")
    later = datetime.now(UTC) + timedelta(minutes=settings.job_lease_minutes + 5)
    run, _ = run_night(settings, later)  # takes the run lock itself
    repo = git.Repo(home)
    report |= {"dirty": repo.git.status("--porcelain"), "head_ok_after": repo.git.cat_file("-t", "HEAD") == "commit",
               "memory_md": (home / "MEMORY.md").read_text(), "notes": run.notes}
    with open_state(settings.state_dir) as db:
        report["pending"] = db.pending_rollouts()
        report["unfinished_jobs"] = db.con.execute("SELECT count(*) FROM jobs WHERE status <> 'done'").fetchone()[0]
    return report


def _copy_samples(root: Path) -> list[Path]:
    shutil.copytree(SAMPLES, root / "sources", ignore=shutil.ignore_patterns("README.md"))
    return [root / "sources" / "codex", root / "sources" / "claude"]


def _trial(root: Path, target: str, delay: float) -> dict:
    sources = _copy_samples(root)
    home = root / "home"
    args = [str(home), *map(str, sources)]
    night = subprocess.Popen([sys.executable, "-c", NIGHT, *args], stdout=subprocess.PIPE, text=True)
    reached = None
    for line in night.stdout:
        if line.strip() == f"phase:{target}":
            reached = target
            time.sleep(delay)
            break
    os.kill(night.pid, signal.SIGKILL)
    night.wait()
    return {"home": home, "sources": sources, "target": target, "reached": reached, "killed_rc": night.returncode}


@pytest.mark.slow
def test_kill_9_at_random_points_never_costs_data(tmp_path):
    rng = random.Random(20261121)
    plan = [(PHASES[i % len(PHASES)], rng.uniform(0, 0.4)) for i in range(TRIALS)]  # every phase, random moments
    rng.shuffle(plan)
    with ThreadPoolExecutor(max_workers=4) as pool:  # the killed nights run side by side, each in its own home
        kills = list(pool.map(lambda item: _trial(tmp_path / f"t{item[0]}", *item[1]), enumerate(plan)))
    reports = [kill | check_and_rerun(kill["home"], kill["sources"]) for kill in kills]
    for r in reports:
        where = f"killed in {r['target']}"
        assert r["killed_rc"] in (-signal.SIGKILL, 0), where  # 0: the night finished before the kill landed
        assert r.get("head_ok", True) and r["head_ok_after"], where
        assert r["dirty"] == "", f"{where}: the home is not at its commit: {r['dirty']}"
        assert r["pending"] == 0 and r["unfinished_jobs"] == 0, f"{where}: {r}"
        assert all(text in r["memory_md"] for text in EXPECTED), f"{where}: the handbook lost a memory"
    killed = [r for r in reports if r["killed_rc"] == -signal.SIGKILL]
    assert len(killed) >= TRIALS * 3 // 4 and {r["reached"] for r in killed} >= set(PHASES[:-1])  # every phase but the last few ms


@pytest.mark.slow
def test_kill_9_of_the_cli_during_a_run(tmp_path):
    sources = _copy_samples(tmp_path)
    home = tmp_path / "home"
    cli = str(Path(sys.executable).parent / "nightshift")
    args = ["consolidate", "--home", str(home), "--idle-hours", "0", *[a for s in sources for a in ("--source", str(s))]]
    run = subprocess.Popen([cli, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    state = home / ".nightshift" / "state.duckdb"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not state.exists() and run.poll() is None:
        time.sleep(0.05)  # Prefect is up and the flow has begun the night
    time.sleep(random.Random(7).uniform(0.0, 1.5))
    os.killpg(run.pid, signal.SIGKILL)  # the CLI and the Prefect server it started
    run.wait()
    report = check_and_rerun(home, sources)
    assert report["dirty"] == "" and report["pending"] == 0 and report["unfinished_jobs"] == 0
    assert all(text in report["memory_md"] for text in EXPECTED)
