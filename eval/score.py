"""Deterministic scoring of one evaluation run against ``eval/labels.json``.

No model judges another model: every figure is phrase matching after one fixed normalisation, so
the same memories always get the same score. The definitions (docs/eval.md explains them too):

* **no-op precision**: of the sessions the extractor answered with a no-op, the share labelled as
  not deserving a memory. **no-op recall**: of the sessions labelled as not deserving a memory, the
  share answered with a no-op. A failed extraction counts as "not a no-op".
* **durable-fact recall**: ``must_contain`` facts found / all facts. ``where: raw`` needs the phrase
  in a memory line of the session's raw memory; ``handbook`` needs it in MEMORY.md, inside the task
  group of the session's project (``scope: project``), the global group (``scope: global``) or
  either of them (no scope); ``both`` needs both. A scoped fact in raw memory must sit in a task of
  that scope.
* **junk rate**: memory lines (the preference, knowledge and failure items of the raw memories)
  that contain none of their session's ``must_contain`` phrases, or any of its ``must_not_contain``
  phrases, over all memory lines.
* **forbidden hits**: every place a session's ``forbidden`` phrase shows up: any field of any raw
  memory, and the name or the text of any file in the memory home. One leak usually counts several
  times (raw memory, handbook, summary), which is the point: each copy is read by later sessions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from nightshift.memory import RawMemory
from nightshift.phase2.quarantine import memory_text

WHERE = ("raw", "handbook", "both")
SCOPES = (None, "project", "global")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "`": None})


def normalise(text: str) -> str:
    """Case, Unicode forms, typographic quotes and dashes, Markdown backticks and spacing do not count."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().split())


def contains(text: str, phrase: str) -> bool:
    return normalise(phrase) in normalise(text)


# --- labels ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    phrase: str
    where: str  # raw | handbook | both
    scope: str | None = None  # project | global | None (either)


@dataclass(frozen=True)
class Label:
    id: str
    file: str  # relative to the sessions folder
    deserves_memory: bool
    must_contain: tuple[Fact, ...] = ()
    must_not_contain: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()


def parse_labels(data: dict[str, Any]) -> list[Label]:
    """The labels file's sessions, checked against the scheme; a ValueError names the bad entry."""
    labels = []
    for entry in data["sessions"]:
        facts = tuple(Fact(f["phrase"], f["where"], f.get("scope")) for f in entry.get("must_contain", []))
        label = Label(entry["id"], entry["file"], bool(entry["deserves_memory"]), facts,
                      tuple(entry.get("must_not_contain", [])), tuple(entry.get("forbidden", [])))
        for fact in facts:
            if fact.where not in WHERE or fact.scope not in SCOPES or not normalise(fact.phrase):
                raise ValueError(f"{label.id}: bad must_contain entry {fact}")
        if facts and not label.deserves_memory:
            raise ValueError(f"{label.id}: a session without a memory cannot have must_contain facts")
        labels.append(label)
    if len({label.id for label in labels}) != len(labels):
        raise ValueError("label ids must be unique")
    return labels


# --- what the pipeline produced --------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    kind: str  # preference | knowledge | failure
    text: str
    scope: str  # the task's scope: project | global


@dataclass(frozen=True)
class Outcome:
    """What the pipeline did with one session."""

    status: str  # memory | no_op | skipped | failed
    project_key: str | None = None
    lines: tuple[Line, ...] = ()
    text: str = ""  # every string of the raw memory (titles, summary, keywords, evidence too)


def outcome_of(status: str, project_key: str | None, memory: RawMemory | None) -> Outcome:
    if memory is None or memory.is_no_op:
        return Outcome(status, project_key)
    lines = []
    for task in memory.tasks:
        scope = task.scope.value
        lines += [Line("preference", p, scope) for p in task.preferences]
        lines += [Line("knowledge", k, scope) for k in task.knowledge]
        lines += [Line("failure", f"{f.symptom} -> {f.fix}", scope) for f in task.failures]
    return Outcome(status, project_key, tuple(lines), memory_text(memory))


@dataclass(frozen=True)
class Group:
    """One ``## Task group:`` block of MEMORY.md."""

    scope: str
    applies_to: str
    text: str


def handbook_groups(memory_md: str) -> list[Group]:
    groups: list[Group] = []
    for block in re.split(r"^(?=## )", memory_md, flags=re.M):
        if not block.startswith("## Task group:"):
            continue
        fields = dict(re.findall(r"^(scope|applies_to):[ \t]*(.*?)[ \t]*$", block, flags=re.M))
        groups.append(Group(fields.get("scope", ""), fields.get("applies_to", ""), block))
    return groups


# --- the score -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    hit: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hit / self.total if self.total else None

    def __str__(self) -> str:
        return f"{self.value:.2f} ({self.hit}/{self.total})" if self.total else "n/a (0/0)"


@dataclass
class SessionScore:
    id: str
    verdict_ok: bool  # memory or no-op as labelled
    status: str
    missed: list[str] = field(default_factory=list)  # "phrase (raw)" / "phrase (handbook)"
    junk: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)  # lines holding a must_not_contain phrase

    @property
    def clean(self) -> bool:
        return self.verdict_ok and not (self.missed or self.junk)


@dataclass
class Score:
    noop_precision: Ratio
    noop_recall: Ratio
    fact_recall: Ratio
    junk_rate: Ratio
    wrong_hits: int
    forbidden_hits: list[tuple[str, str, str]]  # (session id, phrase, where it was found)
    sessions: list[SessionScore]


def _fact_in_raw(fact: Fact, outcome: Outcome) -> bool:
    return any(contains(line.text, fact.phrase) for line in outcome.lines if fact.scope in (None, line.scope))


def _fact_in_handbook(fact: Fact, project_key: str | None, groups: list[Group]) -> bool:
    def relevant(g: Group) -> bool:
        is_project = g.scope == "project" and g.applies_to == project_key
        return (fact.scope != "global" and is_project) or (fact.scope != "project" and g.scope == "global")

    return any(contains(g.text, fact.phrase) for g in groups if relevant(g))


def _missed(fact: Fact, outcome: Outcome, groups: list[Group]) -> list[str]:
    missing = []
    if fact.where in ("raw", "both") and not _fact_in_raw(fact, outcome):
        missing.append(f"{fact.phrase} (raw)")
    if fact.where in ("handbook", "both") and not _fact_in_handbook(fact, outcome.project_key, groups):
        missing.append(f"{fact.phrase} (handbook)")
    return missing


def _forbidden_hits(labels: list[Label], outcomes: dict[str, Outcome], home_files: dict[str, str]) -> list[tuple[str, str, str]]:
    places = [(f"raw memory of {sid}", o.text) for sid, o in sorted(outcomes.items()) if o.text]
    places += [(name, f"{name}\n{text}") for name, text in sorted(home_files.items())]  # a slug can leak too
    hits = []
    for label in labels:
        for phrase in label.forbidden:
            hits += [(label.id, phrase, where) for where, text in places if contains(text, phrase)]
    return hits


def score(labels: list[Label], outcomes: dict[str, Outcome], memory_md: str, home_files: dict[str, str]) -> Score:
    """Score every labelled session; ``outcomes`` is keyed by label id, ``home_files`` by path in the home."""
    groups = handbook_groups(memory_md)
    sessions: list[SessionScore] = []
    facts = found = lines = junk = wrong = answered_noop = labelled_noop = correct_noop = 0
    for label in labels:
        outcome = outcomes[label.id]
        is_noop = outcome.status in ("no_op", "skipped")
        answered_noop += is_noop
        labelled_noop += not label.deserves_memory
        correct_noop += is_noop and not label.deserves_memory
        s = SessionScore(label.id, verdict_ok=is_noop != label.deserves_memory, status=outcome.status)
        for fact in label.must_contain:
            missing = _missed(fact, outcome, groups)
            facts, found = facts + 1, found + (not missing)
            s.missed += missing
        for line in outcome.lines:
            bad = [p for p in label.must_not_contain if contains(line.text, p)]
            if bad:
                s.wrong.append(line.text)
            if bad or not any(contains(line.text, f.phrase) for f in label.must_contain):
                s.junk.append(f"{line.kind}: {line.text}")
        lines += len(outcome.lines)
        junk += len(s.junk)
        wrong += len(s.wrong)
        sessions.append(s)
    return Score(
        noop_precision=Ratio(correct_noop, answered_noop),
        noop_recall=Ratio(correct_noop, labelled_noop),
        fact_recall=Ratio(found, facts),
        junk_rate=Ratio(junk, lines),
        wrong_hits=wrong,
        forbidden_hits=_forbidden_hits(labels, outcomes, home_files),
        sessions=sessions,
    )
