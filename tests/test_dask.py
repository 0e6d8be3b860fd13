"""The extract step on a Dask cluster (prefect-dask): same results, computed in the workers' processes."""

from __future__ import annotations

import json
from dataclasses import replace
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("prefect_dask")  # in the dev extra, so CI runs this

from bench.generate import write_tree  # noqa: E402
from nightshift.night import steps as pipeline  # noqa: E402
from nightshift.ingest.discover import walk_transcript_files  # noqa: E402
from nightshift.settings import Settings  # noqa: E402


@pytest.mark.slow
def test_the_extract_step_runs_on_a_dask_cluster_of_two_worker_processes(tmp_path: Path, monkeypatch):
    from distributed import Client, LocalCluster, get_task_stream
    from prefect import flow

    from flows.consolidate import PREFECT_STEPS

    write_tree(tmp_path / "sources", 8)
    files = sorted(walk_transcript_files([tmp_path / "sources"]), key=lambda f: f.path)
    settings = Settings(home=tmp_path / "home", sources=[tmp_path / "sources"], provider="builtin", extract_concurrency=4)
    expected = [pipeline.extract_rollout(f, settings) for f in files]
    assert all(e.outcome == "memory" for e in expected)  # raw memories travel back from the workers

    def not_here(*args, **kwargs):
        raise AssertionError("extracted in the flow's process, not on the cluster")

    monkeypatch.setattr(pipeline, "extract_rollout", not_here)  # the workers import their own, unpatched

    @flow(name="extract-on-dask")
    def extract_step(files, settings):
        return list(PREFECT_STEPS.extract(files, settings))

    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        with get_task_stream(client) as stream:  # what ran where, as the scheduler saw it
            results = extract_step(files, settings.model_copy(update={"dask_address": cluster.scheduler_address}))
        workers = {task["worker"] for task in stream.data}

    same_but_where = [replace(r, worker=e.worker) for r, e in zip(sorted(results, key=lambda r: r.file.path), expected)]
    assert same_but_where == expected
    assert all(r.worker != expected[0].worker for r in results)  # each names a worker process, not this one
    assert len(workers) == 2  # four batches of two sessions, spread over both worker processes


def _consolidate(home: Path, sources: Path, *flags: str) -> subprocess.CompletedProcess:
    """The real CLI in a process of its own; ``args`` holds its pid, the process the flow runs in."""
    with subprocess.Popen([sys.executable, "-m", "nightshift.cli", "consolidate", "--home", str(home), "--source", str(sources),
                           "--idle-hours", "0", "--provider", "builtin", "--json", *flags],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        out, err = proc.communicate(timeout=280)
    return subprocess.CompletedProcess(proc.pid, proc.returncode, out, err)


@pytest.mark.slow
def test_the_cli_extracts_on_a_local_dask_cluster_when_asked(tmp_path: Path):
    write_tree(tmp_path / "sources", 4)
    done = _consolidate(tmp_path / "home", tmp_path / "sources", "--task-runner", "dask")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["counts"]["memories"] == 4
    # Extracted in the cluster's worker processes, not in the process that ran the flow.
    pids = {int(worker.rsplit(":", 1)[1]) for worker in result["extracted_on"]}
    assert pids and done.args not in pids, result["extracted_on"]


@pytest.mark.slow
def test_the_cli_extracts_on_the_dask_scheduler_it_is_given(tmp_path: Path):
    import os

    from distributed import Client, LocalCluster

    write_tree(tmp_path / "sources", 4)
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        worker_pids = set(client.run(os.getpid).values())
        done = _consolidate(tmp_path / "home", tmp_path / "sources", "--dask-address", cluster.scheduler_address)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["counts"]["memories"] == 4
    assert {int(worker.rsplit(":", 1)[1]) for worker in result["extracted_on"]} <= worker_pids  # that cluster's workers


@pytest.mark.slow
def test_a_dask_scheduler_that_is_not_there_fails_with_its_address(tmp_path: Path):
    write_tree(tmp_path / "sources", 2)
    with socket.socket() as s:  # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    done = _consolidate(tmp_path / "home", tmp_path / "sources", "--dask-address", address)
    assert done.returncode == 1
    assert f"cannot reach the Dask scheduler at {address}" in done.stderr
    assert "Traceback" not in done.stderr.split("nightshift: cannot reach")[-1]

