"""The ``consolidate`` Prefect flow: discover -> extract (mapped, bounded) -> consolidate if due.

Thin orchestration: ``nightshift.night.schedule.run_pass`` owns the order, the run lock, the run record
and the phase 2 decision; this flow supplies Prefect tasks for its steps and publishes the run's
artifacts (a markdown report and a per-rollout table). Every write stays in the flow's process;
the mapped extract task is pure, so any task runner can execute it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from flows import runners
from nightshift.night import report as artifacts
from nightshift.night import steps as pipeline
from nightshift.night import schedule
from nightshift.ingest.discover import FileStat
from nightshift.lock import run_lock
from nightshift.settings import Settings, load_settings
from nightshift.store.state import kept_open


# Tasks take live objects (settings, the run), so Prefect's input hashing for caching is off.
@task(name="discover", cache_policy=NO_CACHE)
def discover_task(run: pipeline.Run) -> list[FileStat]:
    found, claimed = pipeline.find_work(run, pipeline.utcnow())
    get_run_logger().info(
        "scanned %d files: %d candidates (%d claimed), %d unchanged, %d not idle yet, %d too old",
        found.scanned, len(found.candidates), len(claimed), found.unchanged, found.not_idle, found.too_old,
    )
    return claimed


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(files: list[FileStat], settings: Settings) -> list[pipeline.Extraction]:
    """One batch of rollouts, one after another; ``runners.batches`` says why batches."""
    return [pipeline.extract_rollout(file, settings) for file in files]


@task(name="consolidate", cache_policy=NO_CACHE)
def consolidate_task(run: pipeline.Run) -> str | None:
    return pipeline.consolidate(run, pipeline.utcnow())


def _extract_with_tasks(files: list[FileStat], settings: Settings) -> Iterator[pipeline.Extraction]:
    with runners.mapped(extract_task, runners.batches(files, settings), settings) as futures:  # threads, or Dask
        for future in as_completed(futures):  # as each batch finishes, so progress moves
            yield from future.result()


PREFECT_STEPS = schedule.Steps(find=discover_task, extract=_extract_with_tasks, consolidate=consolidate_task)


def run_consolidation(settings: Settings, mode: str = schedule.NIGHTLY) -> dict:
    """The flow body, callable with a ready Settings object (the CLI builds it from its flags)."""
    logger = get_run_logger()
    # One database connection for the pass (the extract step lets go of it), taken under the run lock.
    with run_lock(settings.state_dir), kept_open(settings.state_dir):
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


@flow(name="consolidate", task_runner=ThreadPoolTaskRunner(max_workers=8), log_prints=True)
def consolidate_flow(
    home: str | None = None,
    sources: list[str] | None = None,
    idle_hours: float | None = None,
    provider: str | None = None,
    mode: Literal["nightly", "fresh"] = "nightly",
) -> dict:
    """Entry point for deployments; parameters left at None come from nightshift.toml / environment.
    ``mode="fresh"`` consolidates only when it is due (see nightshift.night.schedule)."""
    settings = load_settings(home=home and Path(home), sources=sources and [Path(s) for s in sources],
                             idle_hours=idle_hours, provider=provider)
    return run_consolidation(settings, mode)


def run_with_settings(settings: Settings, mode: str = schedule.NIGHTLY) -> dict:
    """Run the flow in this process with ``extract_concurrency`` threads for the mapped extract step."""
    bounded = consolidate_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=settings.extract_concurrency))
    return bounded(home=str(settings.home), sources=[str(s) for s in settings.sources],
                   idle_hours=settings.idle_hours, provider=settings.provider, mode=mode)
