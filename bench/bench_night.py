"""A night with nothing new: a real ``nightshift consolidate`` process on an already-consolidated tree.

The tree holds a few thousand sessions, all extracted before (one real pass in this process, then
every other file's watermark set as an earlier night would have left it). The measured run points
at a fake model server in another process, which counts requests: there must be none. The baseline
is a process that starts Prefect the same way and runs an empty flow; what the night costs beyond
it (imports, settings, lock, discovery, DuckDB, git, the flow's tasks) must stay under 5% of the
night's wall time. The run record's own span (begin to end of the pass) is reported beside it.

Then the same night with ``make serve`` running (``python -m flows.serve start``: a Prefect server
and a worker, recorded in a PREFECT_HOME of its own), so the command reports to that server instead
of starting a temporary one; its baseline is the temporary-server night of the same round, both
measured while the served processes run. Target: at most 2 s wall.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench.bench_discovery import _mark_all_extracted
from bench.fake_model import fake_model
from bench.generate import TREE_SOURCES, write_tree
from bench.run import REPO, Row, row, verdict
from nightshift.night import schedule
from nightshift.settings import Settings
from nightshift.store.state import open_state

# Without flow run heartbeats, as the command runs its flow (flows.consolidate.run_with_settings).
_EMPTY_FLOW = """
from prefect import flow
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
@flow
def nothing():
    pass
with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
    nothing()
"""


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{args[:2]} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return took, done.stdout


@contextmanager
def _served(prefect_home: Path, env: dict[str, str]) -> Iterator[dict[str, str]]:
    """``make serve`` in ``prefect_home`` (server, work pool, deployment, worker); stopped on the way out."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = env | {"PREFECT_HOME": str(prefect_home)}
    serve = [sys.executable, "-m", "flows.serve"]
    try:
        _timed([*serve, "start", "--port", str(port)], served)
        yield served
    finally:
        subprocess.run([*serve, "stop"], env=served, cwd=REPO, capture_output=True, timeout=120)


def run(smoke: bool = False) -> list[Row]:
    count = 200 if smoke else 3_000
    rounds = 1 if smoke else 5
    with tempfile.TemporaryDirectory(prefix="nightshift-bench-") as tmp:
        root = Path(tmp)
        write_tree(root / "sources", count)
        sources = [root / "sources" / name for name in TREE_SOURCES]
        s = Settings(home=root / "home", sources=sources, provider="builtin", idle_hours=6)
        schedule.run_pass(s)  # a real first night: handbook, commit, jobs, 64 rollouts read
        _mark_all_extracted(s, datetime.now(UTC))  # and earlier nights read the rest
        # Prefect homes of the benchmark's own: with the user's, a `make serve` they run would serve every night.
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env |= {"PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_HOME": str(root / "prefect-temporary")}
        nightshift = [str(Path(sys.executable).with_name("nightshift")), "consolidate", "--home", str(s.home),
                      *(arg for src in sources for arg in ("--source", str(src))), "--idle-hours", "6", "--provider", "openai"]
        empty = [sys.executable, "-c", _EMPTY_FLOW]
        with fake_model(latency=0) as model:
            env |= {"NIGHTSHIFT_BASE_URL": model.base_url, "NIGHTSHIFT_API_KEY": "sk-bench"}
            if not smoke:  # Prefect's first start in a PREFECT_HOME creates its database: not a night's cost
                _timed(empty, env)
            baseline, night = [], []
            for _ in range(rounds):  # interleaved, so a burst of load on the machine hits both alike
                baseline.append(_timed(empty, env)[0])
                took, out = _timed(nightshift, env)
                night.append(took)
            # Then with `make serve` running, which keeps two more processes busy: measured after the rows above.
            with _served(root / "prefect-served", env) as served_env:
                if not smoke:  # a served flow's first run registers the flow: not a night's cost
                    _timed(nightshift, served_env)
                temporary, served = [], []
                for _ in range(rounds):
                    temporary.append(_timed(nightshift, env)[0])
                    took, served_out = _timed(nightshift, served_env)
                    served.append(took)
        with open_state(s.state_dir, read_only=True) as db:
            span, commits = db.con.execute(
                "SELECT epoch(max_by(ended_at, started_at) - max_by(started_at, started_at)), count(commit_sha) FROM runs"
            ).fetchone()
    # Each round's night minus the empty flow just before it, and the median of those: a pair shares
    # the machine's load of the moment, which a difference of two separate minima does not.
    base, total = statistics.median(baseline), statistics.median(night)
    work = statistics.median(n - b for n, b in zip(night, baseline))  # within the noise it can come out negative
    calls_ok = model.requests == 0 and "0 model calls" in out and "0 model calls" in served_out
    with_serve, without = statistics.median(served), statistics.median(temporary)
    return [
        row(f"nothing-new night, {count:,} files: the run's own work", work, total,
            f"seconds, median of {rounds} paired rounds; ratio = share of the night's wall time beyond an empty Prefect flow's ({base:.1f} s); "
            f"target < 5%: {verdict(work / total < 0.05, smoke)}; model requests: {model.requests} ({'none, as required' if calls_ok else 'WRONG'})"),
        row(f"nothing-new night, {count:,} files: the pass itself", span, total,
            f"seconds; the run record's begin-to-end span as a share of the night's wall time; "
            f"commits by the measured nights: {commits - 1} (required: 0)"),
        row(f"nothing-new night, {count:,} files, with `make serve` running", with_serve, without,
            f"seconds, median of {rounds} rounds; baseline: the same night on a temporary Prefect server, same rounds; "
            f"target <= 2 s wall: {verdict(with_serve <= 2.0, smoke)}"),
    ]
