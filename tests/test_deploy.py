"""Scheduling on a real Prefect server: `make serve` (flows.serve) starts a server on loopback,
deploys prefect.yaml and starts a worker; a triggered run consolidates and publishes artifacts;
`nightshift consolidate` runs on that server instead of a temporary one; `make stop` ends exactly
the processes serve started."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


def _consolidate(env: dict, home: Path, sources: list[Path], *flags: str) -> subprocess.CompletedProcess:
    args = [NIGHTSHIFT, "consolidate", *flags, "--home", str(home), "--idle-hours", "0", *[a for s in sources for a in ("--source", str(s))]]
    return subprocess.run(args, capture_output=True, text=True, timeout=180, env=env)


def test_consolidate_runs_on_the_server_make_serve_started_without_a_temporary_one(served, home, sources):
    done = _consolidate(served.env, home, sources, "--json", "--verbose")  # no PREFECT_API_URL: only the record says where
    assert done.returncode == 0, done.stderr
    assert f"nightshift: using the Prefect server from `make serve` at {served.api_url}" in done.stderr
    assert "temporary server" not in done.stderr  # Prefect says "Starting temporary server" at INFO, shown by --verbose
    result = json.loads(done.stdout)
    with _client(served.api_url) as client:
        run = client.read_flow_run(result["flow_run_id"])
        flow = client.read_flow(run.flow_id)
    assert flow.name == "consolidate" and run.state.is_completed()
    assert run.parameters["settings"]["home"] == str(home)


def test_prefect_api_url_set_by_the_user_wins_over_the_served_record(served, tmp_path, home, sources):
    """The record names a server that answers its health check but is no Prefect API: were it used, the run would fail."""
    class HealthOnly(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path.endswith("/health") else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    impostor = ThreadingHTTPServer(("127.0.0.1", 0), HealthOnly)
    threading.Thread(target=impostor.serve_forever, daemon=True).start()
    other_home = tmp_path / "prefect-home"
    other_home.mkdir()
    (other_home / "nightshift-serve.json").write_text(json.dumps(
        {"api_url": f"http://127.0.0.1:{impostor.server_port}/api", "server": None, "worker": None}))
    try:
        env = served.env | {"PREFECT_HOME": str(other_home), "PREFECT_API_URL": served.api_url}
        done = _consolidate(env, home, sources, "--json", "--verbose")
    finally:
        impostor.shutdown()
        impostor.server_close()
    assert done.returncode == 0, done.stderr
    assert f"nightshift: using Prefect API {served.api_url} (PREFECT_API_URL)" in done.stderr
    with _client(served.api_url) as client:
        assert client.read_flow_run(json.loads(done.stdout)["flow_run_id"]).state.is_completed()


def test_a_stale_record_falls_back_to_a_temporary_server(tmp_path, home, sources):
    """What a reboot leaves behind: the recorded server's pid is gone and nothing listens on its port."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    prefect_home = tmp_path / "prefect-home"
    prefect_home.mkdir()
    (prefect_home / "nightshift-serve.json").write_text(json.dumps(
        {"api_url": f"http://127.0.0.1:{_free_port()}/api", "server": {"pid": gone.pid, "marker": "server start"}, "worker": None}))
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"PREFECT_HOME": str(prefect_home)}
    done = _consolidate(env, home, sources, "--verbose")
    assert done.returncode == 0, done.stderr
    assert "nightshift: using a temporary Prefect server for this run" in done.stderr
    assert "Stopping temporary server" in done.stderr  # and it ended with the command
    assert "Nightshift-Rollout: " in git.Repo(home).head.commit.message


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
