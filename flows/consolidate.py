"""The ``consolidate`` Prefect flow: discover -> extract (mapped, bounded) -> consolidate.

Thin orchestration over ``nightshift.pipeline``: the run lock, the run record and every write stay
in this flow's process; the mapped extract task is pure, so any task runner can execute it.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from nightshift import pipeline
from nightshift.discover import FileStat
from nightshift.lock import run_lock
from nightshift.settings import Settings, load_settings


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
def extract_task(file: FileStat, settings: Settings) -> pipeline.Extraction:
    return pipeline.extract_rollout(file, settings)


@task(name="consolidate", cache_policy=NO_CACHE)
def consolidate_task(run: pipeline.Run) -> str | None:
    return pipeline.consolidate(run, pipeline.utcnow())


def run_consolidation(settings: Settings) -> dict:
    """The flow body, callable with a ready Settings object (the CLI builds it from its flags)."""
    logger = get_run_logger()
    with run_lock(settings.state_dir):
        run = pipeline.begin_run(settings, pipeline.utcnow())
        commit_sha = None
        try:
            claimed = discover_task(run)
            futures = extract_task.map(claimed, settings=unmapped(settings)) if claimed else []
            results = [f.result() for f in futures]
            pipeline.record_extractions(run, results, pipeline.utcnow())
            for note in run.notes:
                logger.info(note)
            commit_sha = consolidate_task(run)
        except BaseException as exc:
            pipeline.end_run(run, status="failed", now=pipeline.utcnow(), commit_sha=None, message=f"{type(exc).__name__}: {exc}")
            raise
        line = pipeline.summary_line(run, commit_sha)
        pipeline.end_run(run, status="ok", now=pipeline.utcnow(), commit_sha=commit_sha, message=line)
        logger.info(line)
        return {"run_id": run.run_id, "counts": run.counts, "commit": commit_sha, "summary": line, "notes": run.notes}


@flow(name="consolidate", task_runner=ThreadPoolTaskRunner(max_workers=8), log_prints=True)
def consolidate_flow(
    home: str | None = None,
    sources: list[str] | None = None,
    idle_hours: float | None = None,
    provider: str | None = None,
) -> dict:
    """Entry point for deployments; parameters left at None come from nightshift.toml / environment."""
    settings = load_settings(home=home and Path(home), sources=sources and [Path(s) for s in sources],
                             idle_hours=idle_hours, provider=provider)
    return run_consolidation(settings)


def run_with_settings(settings: Settings) -> dict:
    """Run the flow in this process with ``extract_concurrency`` threads for the mapped extract step."""
    bounded = consolidate_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=settings.extract_concurrency))
    return bounded(home=str(settings.home), sources=[str(s) for s in settings.sources],
                   idle_hours=settings.idle_hours, provider=settings.provider)
