"""`nightshift watch` as a foreground process, and the progress a terminal or a log sees."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from nightshift.clock import utcnow
from nightshift.night import progress
from nightshift.night.schedule import NIGHTLY, run_pass
from nightshift.night.steps import EXTRACT
from nightshift.night.watch import seconds_until_next_idle, work_waiting
from nightshift.store.state import open_state

NIGHTSHIFT = str(Path(sys.executable).parent / "nightshift")


def _lines(stream) -> queue.Queue:
    found: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [found.put(line) for line in stream], daemon=True).start()
    return found


def _next_matching(lines: queue.Queue, needle: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if needle in line:
            return line
    raise AssertionError(f"no line with {needle!r} within {timeout}s")


def test_watch_extracts_a_new_session_at_once_and_stops_cleanly_on_ctrl_c(home, sources):
    session = next(sources[1].rglob("d4a27783-*.jsonl"))
    transcript = session.read_bytes()
    session.unlink()
    args = [NIGHTSHIFT, "watch", "--home", str(home), "--idle-hours", "0", *[a for s in sources for a in ("--source", str(s))]]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NIGHTSHIFT_CONSOLIDATE_COOLDOWN_HOURS": "0"})
    try:
        out = _lines(proc.stdout)
        assert "1 memory," in _next_matching(out, "commit ")  # the pass at start
        session.write_bytes(transcript)  # a new session appears in a watched folder
        assert "1 memory," in _next_matching(out, "commit ")
        assert "Always use pnpm" in (home / "MEMORY.md").read_text()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        assert "nightshift: stopped" in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()


def test_a_wake_without_claimable_work_starts_no_run(settings, sources):
    assert work_waiting(settings, utcnow())  # nothing extracted yet
    run_pass(settings, NIGHTLY)
    assert not work_waiting(settings, utcnow() + timedelta(seconds=1))
    touched = next(sources[0].rglob("*.jsonl"))
    os.utime(touched)
    assert work_waiting(settings, utcnow() + timedelta(seconds=1))


def test_a_wake_sees_work_exactly_when_a_run_could_claim_it(settings, sources):
    run_pass(settings, NIGHTLY)
    touched = next(sources[0].rglob("*.jsonl"))
    os.utime(touched)
    stat, now = touched.stat(), utcnow() + timedelta(seconds=1)
    lease, backoff = timedelta(minutes=settings.job_lease_minutes), timedelta(minutes=settings.job_retry_backoff_minutes)
    with open_state(settings.state_dir) as db:  # a run that died mid-extraction still holds the changed transcript
        db.enqueue(EXTRACT, str(touched), size=stat.st_size, mtime=stat.st_mtime, max_retries=settings.job_max_retries, now=now)
        assert db.claim(EXTRACT, str(touched), "a-run-that-died", lease, now)
    assert not work_waiting(settings, now), "its lease still lives: a pass now could not claim it"
    assert work_waiting(settings, now + lease)
    with open_state(settings.state_dir) as db:  # a run whose extraction failed: the transcript backs off
        assert db.claim(EXTRACT, str(touched), "a-failing-run", lease, now + lease)
        db.fail(EXTRACT, str(touched), "a-failing-run", "model error", backoff, now + lease)
    assert not work_waiting(settings, now + lease + backoff / 2)
    assert work_waiting(settings, now + lease + backoff)


def test_the_timer_wakes_when_the_next_transcript_goes_idle(settings, sources):
    settings.idle_hours = 1
    newest = next(sources[0].rglob("*.jsonl"))
    os.utime(newest, (time.time() - 600, time.time() - 600))  # touched ten minutes ago
    for other in [p for s in sources for p in s.rglob("*.jsonl") if p != newest]:
        os.utime(other, (time.time() - 7200, time.time() - 7200))
    assert 2990 < seconds_until_next_idle(settings, utcnow()) <= 3000


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_lines_in_a_log_and_nothing_when_quiet(settings):
    assert type(progress.for_terminal(quiet=True, stream=_Terminal())) is progress.Reporter
    log = io.StringIO()
    with progress.use(progress.for_terminal(quiet=False, stream=log)):
        run_pass(settings, NIGHTLY)
    lines = log.getvalue().splitlines()
    assert lines[:2] == ["nightshift: discovering transcripts", "nightshift: 8 candidates, 8 claimed for extraction"]
    assert lines[-1].startswith("nightshift: extracted 8/8: ") and len(lines) == 10
    terminal = _Terminal()
    settings.home = settings.home.with_name("second_home")
    with progress.use(progress.for_terminal(quiet=False, stream=terminal)):
        run_pass(settings, NIGHTLY)
    assert "extracting" in terminal.getvalue() and "8/8" in terminal.getvalue()
