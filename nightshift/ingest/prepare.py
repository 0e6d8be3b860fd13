"""Reading one rollout for extraction: stream, sanitise, redact once, render within the budget.

A model reads only the rendered text, so on that path the reader streams turns into a
``render.TurnWindow``: memory stays near the token budget whatever the file's size, and only the turns
that survive the budget are ever redacted. The builtin rules read the turns themselves, so that path
keeps them all and redacts each once (``render.sanitise_turns``), clipping tool outputs as a render
would. Either way a secret is redacted before anything leaves this module, and citations are read
from the assistant turns first, while their text is whole and unredacted.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nightshift.ingest.citations import Cited, cite_from, parse_citations
from nightshift.ingest.readers import read_transcript
from nightshift.ingest.render import TurnWindow, sanitise_turns
from nightshift.settings import Settings
from nightshift.ingest.transcript import Transcript, Turn, TurnKind


@dataclass(frozen=True)
class Prepared:
    transcript: Transcript  # identity, scope and read stats; whole redacted turns on the builtin path only
    cited: Cited
    model_input: str | None  # the rendered transcript a model reads; None on the builtin path


def prepare_rollout(path: Path, s: Settings) -> Prepared:
    """Read ``path`` for ``s.provider``; raises what ``read_transcript`` raises."""
    with _no_cycle_collection():
        return _prepare(path, s)


def _prepare(path: Path, s: Settings) -> Prepared:
    if s.provider == "builtin":
        transcript = read_transcript(path)
        cited = parse_citations(transcript)
        return Prepared(sanitise_turns(transcript, s.tool_output_token_cap), cited, None)
    citations = _Citations()
    window = TurnWindow(s.rollout_token_budget, s.tool_output_token_cap, on_turn=citations.see)
    transcript = read_transcript(path, turns=window)
    model_input = window.render(transcript)  # first: the window shows ``on_turn`` its newest turn only now
    return Prepared(transcript, citations.result(), model_input)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused while one transcript is read: orjson makes a few containers per line, which
    the collector would walk every 700 allocations (about 5% of preparing a 100 MB Cursor session), yet a read
    makes no reference cycles, so reference counting frees everything it drops either way."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


_ASSISTANT = TurnKind.ASSISTANT  # looked up once: each TurnKind.X is a descriptor call on Python 3.11


class _Citations:
    """Citations gathered turn by turn, as the window streams past, in order of first mention."""

    def __init__(self) -> None:
        self.ids: dict[str, None] = {}
        self.malformed = 0

    def see(self, turn: Turn) -> None:
        if turn.kind is _ASSISTANT:
            self.malformed += cite_from(turn.text, self.ids)

    def result(self) -> Cited:
        return Cited(tuple(self.ids), self.malformed)
