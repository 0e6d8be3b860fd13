"""``nightshift watch``: the fresh schedule in the foreground, without a Prefect server.

A pass (``schedule.run_pass`` in fresh mode) runs at start and then whenever there is work: the
loop sleeps until a transcript under the sources is created or changed (watchfiles), or until its
timer fires. A change rarely means work at once, since a transcript is read only once idle, so each
wake re-plans the timer: the moment the next known transcript becomes idle, at the latest
``fresh_interval_minutes`` from now. A wake with nothing claimable and no phase 2 due does not
start a run at all, so an active session writing every second leaves no trace in the run history.
Setting ``stop`` (Ctrl-C in the CLI) ends the loop after the pass in progress.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

import watchfiles

from nightshift.clock import utcnow
from nightshift.night import steps as pipeline
from nightshift.ingest.discover import discover, named_like_a_transcript, walk_transcript_files
from nightshift.lock import LockHeld, run_lock
from nightshift.night.schedule import FRESH, PassResult, decide, phase2_inputs, run_pass
from nightshift.settings import Settings
from nightshift.store.state import DB_NAME, StateBusy, open_state

TICK_SECONDS = 1.0  # how often the timer is checked while no file changes


class WatchError(RuntimeError):
    """The watch cannot start (no source folder exists)."""


def seconds_until_next_idle(settings: Settings, now: datetime) -> float | None:
    """When the next transcript that is not idle yet will be, if any."""
    waits = [f.mtime + settings.idle_hours * 3600 - now.timestamp() for f in walk_transcript_files(settings.sources)]
    upcoming = [w for w in waits if w > 0]
    return min(upcoming) if upcoming else None


def work_waiting(settings: Settings, now: datetime) -> bool:
    """A claimable candidate, or phase 2 due; read-only, so it never creates a run."""
    if not (settings.state_dir / DB_NAME).exists():
        return True
    with open_state(settings.state_dir, read_only=True, wait_seconds=1) as db:
        watermarks = db.rollout_watermarks()
        blocked = db.unclaimable_inputs(pipeline.EXTRACT, now)  # by the claim's own rule
        last, new = phase2_inputs(db)
    found = discover(settings.sources, watermarks, now=now, idle_hours=settings.idle_hours, max_age_days=settings.max_age_days)
    if any((c.path, c.size, c.mtime) not in blocked for c in found.candidates):
        return True
    return decide(FRESH, now=now, last_consolidated=last, new_memories=new, cooldown_hours=settings.consolidate_cooldown_hours).run


def _plan(settings: Settings) -> float:
    """Monotonic time of the next timer wake."""
    interval = settings.fresh_interval_minutes * 60
    idle_in = seconds_until_next_idle(settings, utcnow())
    return time.monotonic() + (min(interval, idle_in + 1) if idle_in is not None else interval)


def watch(settings: Settings, stop: threading.Event, on_pass: Callable[[PassResult], None], on_note: Callable[[str], None]) -> None:
    folders = [s for s in settings.sources if s.is_dir()]
    if not folders:
        raise WatchError("none of the source folders exists: " + ", ".join(str(s) for s in settings.sources))

    def maybe_pass() -> float:
        try:
            if work_waiting(settings, utcnow()):
                with run_lock(settings.state_dir):
                    result = run_pass(settings, FRESH)
                on_pass(result)
        except (LockHeld, StateBusy) as exc:
            on_note(f"another run is busy, trying again later ({exc})")
        except Exception as exc:  # recorded as a failed run; a foreground watcher keeps going
            on_note(f"the pass failed and is retried on the next wake: {type(exc).__name__}: {exc}")
        return _plan(settings)

    # The first pass runs on the first tick, once the watcher is live: a transcript written during it is not missed.
    wake_at = 0.0
    for changes in watchfiles.watch(*folders, watch_filter=lambda _change, path: named_like_a_transcript(path), stop_event=stop,
                                    rust_timeout=int(TICK_SECONDS * 1000), yield_on_timeout=True, raise_interrupt=False):
        if stop.is_set():
            break
        if changes or time.monotonic() >= wake_at:
            wake_at = maybe_pass()
