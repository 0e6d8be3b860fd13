"""Scheduling on a real Prefect server: `make serve` (flows.serve) starts a server on loopback,
deploys prefect.yaml and starts a worker; a triggered run consolidates and publishes artifacts;
`make stop` ends exactly the processes serve started."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import git
import pytest
from conftest import REPO

pytestmark = pytest.mark.slow
NIGHTSHIFT = str(Path(sys.executable).parent / "nightshift")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(action: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.serve", action, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=240)


def _running(pid: int) -> bool:
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    return bool(state) and not state.startswith("Z")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    prefect_home = tmp_path_factory.mktemp("served-prefect-home")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(prefect_home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
            "PREFECT_WORKER_QUERY_SECONDS": "1", "NIGHTSHIFT_TIMEZONE": "Europe/Berlin"}
    started = _serve("start", env, "--port", str(_free_port()))
    assert started.returncode == 0, started.stdout + started.stderr
    record = json.loads((prefect_home / "nightshift-serve.json").read_text())
    yield SimpleNamespace(env=env, record=record, api_url=record["api_url"], prefect_home=prefect_home)
    _serve("stop", env)  # a no-op when the last test already stopped everything


@contextmanager
def _client(api_url: str):
    """A client of the served API (this test process itself has no PREFECT_API_URL)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        yield client


def _artifacts(client, flow_run_id) -> dict:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    found = client.read_artifacts(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return {a.key: a for a in found}


def test_the_deployment_from_prefect_yaml_runs_one_at_a_time_nightly_in_the_chosen_zone(served):
    with _client(served.api_url) as client:
        deployment = client.read_deployment_by_name("consolidate/nightshift")
    assert deployment.work_pool_name == "nightshift" and deployment.global_concurrency_limit.limit == 1
    schedules = {s.parameters["mode"]: s for s in deployment.schedules}
    assert schedules["nightly"].active and schedules["nightly"].schedule.cron == "0 3 * * *"
    assert schedules["nightly"].schedule.timezone == "Europe/Berlin"
    assert not schedules["fresh"].active and schedules["fresh"].schedule.interval.total_seconds() == 3600


def test_a_triggered_deployment_run_consolidates_and_publishes_its_report(served, home, sources):
    from prefect.deployments import run_deployment

    with _client(served.api_url) as client:
        run = run_deployment("consolidate/nightshift", timeout=180, poll_interval=1,
                             parameters={"home": str(home), "sources": [str(s) for s in sources], "idle_hours": 0, "provider": "builtin"})
        assert run.state.is_completed(), run.state
        found = _artifacts(client, run.id)
    commit = git.Repo(home).head.commit
    assert "Nightshift-Rollout: " in commit.message
    report = found["nightshift-run"].data
    assert f"## Commit `{commit.hexsha[:10]}`" in report and "MEMORY.md" in report and "files changed" in report
    rows = json.loads(found["nightshift-rollouts"].data)
    assert len(rows) == 8 and sorted({r["outcome"] for r in rows}) == ["memory", "no-op"]


def test_consolidate_json_prints_the_result_and_its_flow_run_has_the_artifacts(served, home, sources):
    env = served.env | {"PREFECT_API_URL": served.api_url}
    args = [NIGHTSHIFT, "consolidate", "--json", "--home", str(home), "--idle-hours", "0", *[a for s in sources for a in ("--source", str(s))]]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["counts"]["memories"] == 2 and result["phase2"]["ran"] and result["commit"]
    assert "extracted" not in done.stderr  # --json means no progress lines either
    with _client(served.api_url) as client:
        found = _artifacts(client, result["flow_run_id"])
    assert result["summary"] in found["nightshift-run"].data


def test_stop_ends_exactly_the_processes_serve_started(served):
    # A bystander whose command line looks like a Prefect server: `pkill -f "prefect server"` would end it.
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "prefect", "server", "start"])
    try:
        pids = [served.record["worker"]["pid"], served.record["server"]["pid"]]
        assert all(_running(pid) for pid in pids)
        stopped = _serve("stop", served.env)
        assert stopped.returncode == 0 and all(str(pid) in stopped.stdout for pid in pids)
        assert not any(_running(pid) for pid in pids)
        assert bystander.poll() is None
        assert not (served.prefect_home / "nightshift-serve.json").exists()
    finally:
        bystander.kill()
        bystander.wait()
