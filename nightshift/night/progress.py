"""Progress of a run for the person (or script) watching it.

A run reports through ``current()``; the CLI picks the reporter with ``use(...)``: a rich progress
bar on a terminal, one plain line per event when stderr is a file or a pipe (cron, CI logs), and
nothing with ``--quiet`` or ``--json``. Everything goes to stderr so stdout stays the result. The
reporter travels in a context variable because the run happens inside the Prefect flow, whose
parameters must stay plain data.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO


class Reporter:
    """Reports nothing: the default, and what ``--quiet`` and ``--json`` use."""

    def discovering(self) -> None: ...

    def discovered(self, candidates: int, claimed: int) -> None: ...

    def extracting(self, total: int) -> None: ...

    def extracted(self, outcome: str, path: str) -> None: ...

    def finished(self) -> None: ...


class LineReporter(Reporter):
    """One line per event, for logs: readable later, no terminal control codes."""

    def __init__(self, stream: TextIO):
        self.stream, self.done, self.total = stream, 0, 0

    def _say(self, text: str) -> None:
        print(f"nightshift: {text}", file=self.stream, flush=True)

    def discovering(self) -> None:
        self._say("discovering transcripts")

    def discovered(self, candidates: int, claimed: int) -> None:
        self._say(f"{candidates} candidates, {claimed} claimed for extraction")

    def extracting(self, total: int) -> None:
        self.done, self.total = 0, total

    def extracted(self, outcome: str, path: str) -> None:
        self.done += 1
        self._say(f"extracted {self.done}/{self.total}: {outcome} {path}")


class BarReporter(Reporter):
    """A rich progress bar on the terminal's stderr."""

    def __init__(self, stream: TextIO):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=Console(file=stream))
        self.task = None

    def discovering(self) -> None:
        self.bar.start()
        self.task = self.bar.add_task("discovering transcripts", total=None)

    def discovered(self, candidates: int, claimed: int) -> None:
        self.bar.update(self.task, description=f"discovered {candidates} candidates", total=claimed, completed=claimed)

    def extracting(self, total: int) -> None:
        self.task = self.bar.add_task("extracting", total=total)

    def extracted(self, outcome: str, path: str) -> None:
        self.bar.advance(self.task)

    def finished(self) -> None:
        self.bar.stop()


_current: ContextVar[Reporter] = ContextVar("nightshift_progress", default=Reporter())


def current() -> Reporter:
    return _current.get()


def for_terminal(*, quiet: bool, stream: TextIO = sys.stderr) -> Reporter:
    if quiet:
        return Reporter()
    return BarReporter(stream) if stream.isatty() else LineReporter(stream)


@contextmanager
def use(reporter: Reporter) -> Iterator[Reporter]:
    token = _current.set(reporter)
    try:
        yield reporter
    finally:
        reporter.finished()
        _current.reset(token)
