"""Where the mapped extract step runs: threads of the flow's process, or a Dask cluster.

Extraction is pure (a transcript path and the settings in, a validated raw memory out) and every
write happens in the flow's process, so the extract step alone can move to other processes or
machines. ``task_runner = "dask"`` starts a local ``distributed.LocalCluster`` for the step (worker
processes, so parsing big transcripts is not bound by one GIL); ``dask_address`` connects to an
existing scheduler instead. The cluster is only started when there is something to extract, so a
night with nothing new never pays for it. Discovery and consolidation stay in the flow's process.

A Dask worker must see the transcripts at the same paths, reach the model endpoint and the Prefect
API, and have nightshift installed (the task is pickled by reference to ``flows.consolidate``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect import Task, unmapped
from prefect.client.orchestration import get_client
from prefect.futures import PrefectFuture
from prefect.settings import PREFECT_API_URL, temporary_settings

from nightshift.ingest.discover import FileStat
from nightshift.settings import Settings
from nightshift.store.state import let_go


def uses_dask(settings: Settings) -> bool:
    return settings.task_runner == "dask" or settings.dask_address is not None


def local_cluster_kwargs(settings: Settings) -> dict[str, Any]:
    """``extract_concurrency`` slots over at most one worker process per core."""
    workers = max(1, min(settings.extract_concurrency, os.cpu_count() or 1))
    return {"n_workers": workers, "threads_per_worker": math.ceil(settings.extract_concurrency / workers), "processes": True}


def batches(files: list[FileStat], settings: Settings) -> list[list[FileStat]]:
    """``extract_concurrency`` batches, dealt round-robin so each mixes newer and older sessions.

    One Prefect task per batch, not per rollout: a task run costs Prefect a few milliseconds of CPU
    under the GIL; with 64 rollouts, 8 at a time and 200 ms model latency, one task per rollout took
    1.4-1.5x the ideal wall time on a busy 2-core machine, batches 1.1-1.2x (docs/benchmarks.md).
    The price is a static split: when model latencies vary a lot, one batch can finish after the others.
    """
    count = min(settings.extract_concurrency, len(files))
    return [files[i::count] for i in range(count)]


@contextmanager
def mapped(task: Task, groups: list[list[FileStat]], settings: Settings) -> Iterator[list[PrefectFuture]]:
    """Futures of ``task(group, settings)`` for every group of files, on the runner the settings ask for."""
    if not groups:
        yield []
        return
    with let_go(settings.state_dir), _runner_futures(task, groups, settings) as futures:  # no database while extracting
        yield futures


@contextmanager
def _runner_futures(task: Task, groups: list[list[FileStat]], settings: Settings) -> Iterator[list[PrefectFuture]]:
    if not uses_dask(settings):
        yield list(task.map(groups, settings=unmapped(settings)))  # the flow's ThreadPoolTaskRunner
    else:
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as exc:
            raise RuntimeError("task_runner dask needs prefect-dask: pip install 'nightshift[dask]'") from exc
        runner = (DaskTaskRunner(address=settings.dask_address) if settings.dask_address
                  else DaskTaskRunner(cluster_kwargs=local_cluster_kwargs(settings)))
        # Each task carries the caller's Prefect settings to its worker; without an API URL in them a
        # worker would start a temporary server of its own, so name the one this flow reports to.
        with runner, temporary_settings(updates={PREFECT_API_URL: _api_url()}):
            yield list(runner.map(task, {"files": groups, "settings": unmapped(settings)}))


def _api_url() -> str:
    """The API this flow run reports to: PREFECT_API_URL, or the temporary server Prefect started."""
    with get_client(sync_client=True) as client:
        return str(client.api_url)
