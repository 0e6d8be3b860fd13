"""One pass of nightshift, and when its phase 2 is due.

Two modes share one pass:

* ``nightly``: extract what became idle, then fold (phase 2; the cron schedule, ``make consolidate``),
  unless phase 2 would read exactly what it read last time (``steps.phase2_digest``).
* ``fresh`` (opt-in, every ``fresh_interval_minutes``): extract what became idle, but run phase 2
  only when new raw memories arrived since the last consolidation *and* that consolidation is older
  than ``consolidate_cooldown_hours``, so memory stays fresh without a consolidation every hour.

``run_pass`` is the whole pass under the run lock. Its steps are pluggable: the Prefect flow passes
its tasks, ``nightshift watch`` and the tests run them in this process; the order, the lock, the run
record and the phase 2 decision are written only here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from nightshift.night import steps as pipeline
from nightshift.ingest.discover import FileStat
from nightshift.night.progress import Reporter, count, current
from nightshift.errors import EXIT_FAILED, UserError
from nightshift.settings import Settings
from nightshift.clock import utcnow
from nightshift.store.state import State, kept_open, open_state

NIGHTLY, FRESH = "nightly", "fresh"
MODES = (NIGHTLY, FRESH)


@dataclass(frozen=True)
class Phase2:
    run: bool
    reason: str


def decide(mode: str, *, now: datetime, last_consolidated: datetime | None, new_memories: int, cooldown_hours: float) -> Phase2:
    """The rule, without any I/O: nightly always folds (phase 2); fresh only when it is due. ``decide_for``
    adds the one check that needs I/O: neither folds when phase 2 would read what it read last time."""
    if mode == NIGHTLY:
        return Phase2(True, "nightly run")
    if mode != FRESH:
        raise ValueError(f"unknown mode {mode!r} (use {' or '.join(MODES)})")
    if new_memories == 0:
        return Phase2(False, "no new raw memories since the last consolidation")
    if last_consolidated is not None and now - last_consolidated < timedelta(hours=cooldown_hours):
        hours = (now - last_consolidated) / timedelta(hours=1)
        return Phase2(False, f"{count(new_memories, 'new raw memory', 'new raw memories')} {'waits' if new_memories == 1 else 'wait'}: last consolidation {hours:.1f} h ago, cooldown {cooldown_hours:g} h")
    return Phase2(True, count(new_memories, "new raw memory", "new raw memories"))


def phase2_inputs(db: State) -> tuple[datetime | None, int]:
    """When phase 2 last completed, and how many raw memories were written since."""
    last = db.last_consolidated()
    return last, db.memories_written_since(last)


def decide_for(settings: Settings, mode: str, now: datetime) -> Phase2:
    with open_state(settings.state_dir) as db:
        last, new = phase2_inputs(db)
    phase2 = decide(mode, now=now, last_consolidated=last, new_memories=new, cooldown_hours=settings.consolidate_cooldown_hours)
    if phase2.run and pipeline.unchanged_since_last_phase2(settings, now):  # it would write what is there already
        return Phase2(False, "nothing changed since the last consolidation")
    return phase2


# --- the pass ------------------------------------------------------------------------------------

Clock = Callable[[], datetime]


def _find_here(run: pipeline.Run, now: datetime) -> list[FileStat]:
    return pipeline.find_work(run, now)[1]


def _extract_here(files: list[FileStat], settings: Settings) -> Iterator[pipeline.Extraction]:
    with ThreadPoolExecutor(max_workers=settings.extract_concurrency) as pool:
        futures = [pool.submit(pipeline.extract_rollout, f, settings) for f in files]
        for future in as_completed(futures):
            yield future.result()


@dataclass(frozen=True)
class Steps:
    """How each step runs; the defaults run in this process (the Prefect flow passes its tasks)."""

    find: Callable[[pipeline.Run, datetime], list[FileStat]] = _find_here
    extract: Callable[[list[FileStat], Settings], Iterator[pipeline.Extraction]] = _extract_here
    fold: Callable[[pipeline.Run, datetime], str | None] = pipeline.fold


@dataclass
class PassResult:
    run: pipeline.Run
    mode: str
    phase2: Phase2
    commit: str | None
    summary: str
    results: list[pipeline.Extraction] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"run_id": self.run.run_id, "mode": self.mode, "counts": self.run.counts, "commit": self.commit,
                "phase2": {"ran": self.phase2.run, "reason": self.phase2.reason}, "summary": self.summary, "notes": self.run.notes,
                "extracted_on": sorted({r.worker for r in self.results})}  # host:pid of each process that extracted


def run_pass(settings: Settings, mode: str = NIGHTLY, steps: Steps = Steps(), report: Reporter | None = None,
             clock: Clock = utcnow) -> PassResult:
    """Discover, extract, record, then fold (phase 2) if due: the one place that says in which order.

    The caller holds the run lock (nightshift.lock): the CLI, the deployment's flow and ``watch`` each take
    it once, before they start a pass. One database connection serves the pass's quick steps (the extract
    step lets go of it)."""
    report = report or current()
    with kept_open(settings.state_dir):
        run = pipeline.begin_run(settings, clock())
        try:
            report.discovering()
            claimed = steps.find(run, clock())
            report.discovered(run.counts.get("discovered", 0), len(claimed))
            report.extracting(len(claimed))
            results = []
            for extraction in steps.extract(claimed, settings):
                results.append(extraction)
                report.extracted(extraction.outcome, extraction.file.path)
            pipeline.record_extractions(run, results, clock())
            _stop_when_unreachable(results)
            phase2 = decide_for(settings, mode, clock())
            commit = steps.fold(run, clock()) if phase2.run else None
            _record_mode(run, mode, clock(), consolidated=phase2.run and _phase2_completed(settings))
        except BaseException as exc:
            pipeline.end_run(run, status="failed", now=clock(), commit_sha=None, message=f"{type(exc).__name__}: {exc}")
            raise
        summary = pipeline.summary_line(run, commit) + ("" if phase2.run else f"; consolidation not due: {phase2.reason}")
        pipeline.end_run(run, status="ok", now=clock(), commit_sha=commit, message=summary)
    return PassResult(run, mode, phase2, commit, summary, results)


class EndpointUnreachable(UserError):
    """No extraction reached the model: the run fails (exit 1) and its transcripts wait, failed, for the next run."""

    def __init__(self, message: str):
        super().__init__(message, EXIT_FAILED)


def _stop_when_unreachable(results: list[pipeline.Extraction]) -> None:
    """A run that could not reach the model at all is a failed run, not a night with some failed transcripts."""
    unreachable = [r for r in results if r.unreachable]
    if unreachable and not any(r.model_calls for r in results):
        raise EndpointUnreachable(f"{unreachable[0].error.removeprefix('model error (transient): ').rstrip('.')}; "
                                  f"{count(len(unreachable), 'transcript')} wait for the next run (check base_url and that the server is up)")


def _phase2_completed(settings: Settings) -> bool:
    """pipeline.fold returns None both for "nothing to commit" and for "could not claim phase 2";
    only the first counts as a consolidation for the cooldown."""
    with open_state(settings.state_dir) as db:
        job = db.job(pipeline.PHASE2_JOB, "global")
    return bool(job and job["status"] == "done")


def _record_mode(run: pipeline.Run, mode: str, now: datetime, *, consolidated: bool) -> None:
    with open_state(run.settings.state_dir) as db:
        db.record_mode(run.run_id, mode, now if consolidated else None)
