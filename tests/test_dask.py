"""The extract step on a Dask cluster (prefect-dask): same results, computed in the workers' processes."""

from __future__ import annotations

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

    assert sorted(results, key=lambda r: r.file.path) == expected
    assert len(workers) == 2  # four batches of two sessions, spread over both worker processes
