"""The ``consolidate`` Prefect flow, the whole pass: discover -> extract (mapped, bounded) -> fold (phase 2) if due.

Thin orchestration: ``nightshift.night.schedule.run_pass`` owns the order, the run lock, the run record
and the phase 2 decision; this flow supplies Prefect tasks for its steps and publishes the run's
artifacts (a markdown report and a per-rollout table). Every write stays in the flow's process;
the mapped extract task is pure, so any task runner can execute it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Literal

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.task_runners import ThreadPoolTaskRunner

from flows import runners
from nightshift.night import report as artifacts
from nightshift.night import steps as pipeline
from nightshift.night import schedule
from nightshift.ingest.discover import FileStat
from nightshift.lock import run_lock
from nightshift.settings import Settings, load_settings


class StoppableThreads(ThreadPoolTaskRunner):
    """The flow's threads, except that a stop (Ctrl-C, or the CLI's stop on SIGTERM: not an ``Exception``)
    does not wait for extraction threads blocked on a model. By then the pass has ended its run record
    and released its claims, and nothing those threads return is kept; the process is about to exit."""

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        if exc_type is not None and not issubclass(exc_type, Exception) and self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        super().__exit__(exc_type, exc_value, traceback)


# Tasks take live objects (settings, the run), so Prefect's input hashing for caching is off.
@task(name="discover", cache_policy=NO_CACHE)
def discover_task(run: pipeline.Run, now: datetime) -> list[FileStat]:
    found, claimed = pipeline.find_work(run, now)
    get_run_logger().info(
        "scanned %d files: %d candidates (%d claimed), %d unchanged, %d not idle yet, %d too old",
        found.scanned, len(found.candidates), len(claimed), found.unchanged, found.not_idle, found.too_old,
    )
    return claimed


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(files: list[FileStat], settings: Settings) -> list[pipeline.Extraction]:
    """One batch of rollouts, one after another; ``runners.batches`` says why batches."""
    return [pipeline.extract_rollout(file, settings) for file in files]


@task(name="fold", cache_policy=NO_CACHE)
def fold_task(run: pipeline.Run, now: datetime) -> str | None:
    return pipeline.fold(run, now)


def _extract_with_tasks(files: list[FileStat], settings: Settings) -> Iterator[pipeline.Extraction]:
    with runners.mapped(extract_task, runners.batches(files, settings), settings) as futures:  # threads, or Dask
        for future in as_completed(futures):  # as each batch finishes, so progress moves
            yield from future.result()


PREFECT_STEPS = schedule.Steps(find=discover_task, extract=_extract_with_tasks, fold=fold_task)


def run_consolidation(settings: Settings, mode: str = schedule.NIGHTLY) -> dict:
    """The flow body, with a ready Settings object."""
    logger = get_run_logger()
    logger.info(settings.endpoint_line())  # first, so a deployment's log says where transcripts go
    result = schedule.run_pass(settings, mode, PREFECT_STEPS)
    quarantined = artifacts.quarantined_paths(settings, result.run.run_id)
    for note in result.run.notes:
        logger.info(note)
    logger.info(result.summary)
    create_markdown_artifact(artifacts.run_markdown(result, settings.home), key="nightshift-run",
                             description=f"nightshift {mode} run {result.run.run_id}")
    create_table_artifact(artifacts.rollout_rows(result.results, quarantined, settings.sources),
                          key="nightshift-rollouts",
                          description="Each transcript this run read: outcome and tokens")
    return result.as_dict() | {"flow_run_id": str(flow_run.id)}  # to find the run and its artifacts in the UI


@flow(name="consolidate", task_runner=StoppableThreads(max_workers=8), log_prints=True)
def consolidate_flow(
    home: str | None = None,
    sources: list[str] | None = None,
    idle_hours: float | None = None,
    provider: str | None = None,
    mode: Literal["nightly", "fresh"] = "nightly",
    settings: Settings | None = None,
) -> dict:
    """One pass. ``settings`` is the object the CLI built from its flags, used as it is; a deployment
    leaves it out and the settings come from nightshift.toml and the environment, with the other
    parameters as overrides. ``mode="fresh"`` consolidates only when it is due (nightshift.night.schedule).
    Prefect stores the parameters of a run; the API key in ``settings`` is stored masked."""
    if settings is not None:  # the CLI's run: the CLI holds the run lock
        return run_consolidation(settings, mode)
    settings = load_settings(home=home and Path(home), sources=sources and [Path(s) for s in sources],
                             idle_hours=idle_hours, provider=provider)
    with run_lock(settings.state_dir):  # a deployment's run: nothing above the flow took the lock
        return run_consolidation(settings, mode)


def run_with_settings(settings: Settings, mode: str = schedule.NIGHTLY) -> dict:
    """Run the flow in this process with these settings, every one of them (``extract_concurrency``
    threads for the extract step unless it runs on Dask).

    Without flow run heartbeats: their thread wakes once a second and the run waits for it on the way
    out, up to a second of a quiet night's two. They let a server tell that a worker's run crashed; a
    command's crash shows in its own exit code."""
    bounded = consolidate_flow.with_options(task_runner=StoppableThreads(max_workers=settings.extract_concurrency))
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return bounded(settings=settings, mode=mode)
