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

Across sessions (``relations`` in the labels):

* **contradictions resolved**: of the ``supersedes`` pairs, those whose newer rule (``new``) is in the
  newer session's task group and whose older rule (``old``) is in neither MEMORY.md nor the summary.
* **retractions honoured**: of the ``retracts`` pairs, those whose retracted rule is in neither file.
* **duplicate lines**: for each ``duplicate`` group (one rule said in several sessions), the lines of
  its project's task group holding the rule's ``key`` beyond the first; 0 when every repetition merged.
* **scope correct**: of the scoped handbook facts that reached memory_summary.md, those that
  ``nightshift summary --cwd`` shows in the session's own project, and in an unrelated folder exactly
  when the fact is global.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from nightshift.memory import RawMemory
from nightshift.phase2.quarantine import memory_text

WHERE = ("raw", "handbook", "both")
RELATION_KINDS = ("supersedes", "retracts", "duplicate")
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
    cwd: str | None = None  # where the session ran: the folder a user of its project runs `summary` in


def parse_labels(data: dict[str, Any]) -> list[Label]:
    """The labels file's sessions, checked against the scheme; a ValueError names the bad entry."""
    labels = []
    for entry in data["sessions"]:
        facts = tuple(Fact(f["phrase"], f["where"], f.get("scope")) for f in entry.get("must_contain", []))
        label = Label(entry["id"], entry["file"], bool(entry["deserves_memory"]), facts,
                      tuple(entry.get("must_not_contain", [])), tuple(entry.get("forbidden", [])), entry.get("cwd"))
        for fact in facts:
            if fact.where not in WHERE or fact.scope not in SCOPES or not normalise(fact.phrase):
                raise ValueError(f"{label.id}: bad must_contain entry {fact}")
        if facts and not label.deserves_memory:
            raise ValueError(f"{label.id}: a session without a memory cannot have must_contain facts")
        labels.append(label)
    if len({label.id for label in labels}) != len(labels):
        raise ValueError("label ids must be unique")
    return labels


@dataclass(frozen=True)
class Relation:
    """A label across sessions, oldest session first (see the module docstring)."""

    kind: str  # supersedes | retracts | duplicate
    sessions: tuple[str, ...]
    old: str = ""  # the replaced or retracted rule
    new: str = ""  # the rule that replaces it
    key: str = ""  # a duplicated rule's key phrase

    @property
    def name(self) -> str:
        return f"{self.kind} {' -> '.join(self.sessions)}"


def parse_relations(data: dict[str, Any], labels: list[Label]) -> list[Relation]:
    ids = {label.id for label in labels}
    relations = []
    for entry in data.get("relations", []):
        rel = Relation(entry["kind"], tuple(entry["sessions"]), entry.get("old", ""), entry.get("new", ""), entry.get("key", ""))
        needs = {"supersedes": (rel.old, rel.new), "retracts": (rel.old,), "duplicate": (rel.key,)}.get(rel.kind)
        if (needs is None or len(rel.sessions) < 2 or not set(rel.sessions) <= ids or not all(map(normalise, needs))
                or (rel.new and contains(rel.new, rel.old))):  # the replaced rule is looked for everywhere
            raise ValueError(f"bad relation {entry}")
        relations.append(rel)
    return relations


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
    contradictions: Ratio = Ratio(0, 0)
    retractions: Ratio = Ratio(0, 0)
    duplicate_lines: int = 0
    scope: Ratio = Ratio(0, 0)
    relation_misses: list[str] = field(default_factory=list)  # one line per relation or scoped fact gone wrong


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


_TASK_FIELD = re.compile(r"^- (?:outcome|rollout_summary|keywords):")


def _entry_lines(group_text: str) -> list[str]:
    """The knowledge bullets of a task group (a task's outcome, summary and keyword lines are not knowledge)."""
    return [line for line in group_text.splitlines() if line.startswith("- ") and not _TASK_FIELD.match(line)]


def _relations(relations: list[Relation], outcomes: dict[str, Outcome], groups: list[Group], home_files: dict[str, str]) -> tuple[Ratio, Ratio, int, list[str]]:
    """(contradictions resolved, retractions honoured, duplicate lines, what went wrong)."""
    home = "\n".join(home_files.get(name, "") for name in ("MEMORY.md", "memory_summary.md"))
    resolved = honoured = supersedes = retracts = extra = 0
    misses = []
    for rel in relations:
        key = outcomes[rel.sessions[-1]].project_key
        group = "\n".join(g.text for g in groups if g.scope == "project" and g.applies_to == key)
        if rel.kind == "supersedes":
            supersedes += 1
            kept_new, kept_old = contains(group, rel.new), contains(home, rel.old)
            resolved += kept_new and not kept_old
            misses += [f"{rel.name}: the newer rule {rel.new!r} is missing"] if not kept_new else []
            misses += [f"{rel.name}: the replaced rule {rel.old!r} is still there"] if kept_old else []
        elif rel.kind == "retracts":
            retracts += 1
            honoured += not contains(home, rel.old)
            misses += [f"{rel.name}: the retracted rule {rel.old!r} is still there"] if contains(home, rel.old) else []
        else:
            lines = [line for line in _entry_lines(group) if contains(line, rel.key)]
            extra += max(0, len(lines) - 1)
            misses += [f"{rel.name}: {len(lines)} lines hold {rel.key!r}"] if len(lines) != 1 else []
    return Ratio(resolved, supersedes), Ratio(honoured, retracts), extra, misses


def _scope(labels: list[Label], views: dict[str, tuple[str, str]], summary_md: str) -> tuple[Ratio, list[str]]:
    """Scoped facts the summary holds, checked through what the read path shows in the session's own
    project and in an unrelated folder (``views``: label id -> both texts)."""
    right = total = 0
    misses = []
    for label in labels:
        for fact in label.must_contain:
            if fact.scope is None or fact.where == "raw" or not contains(summary_md, fact.phrase) or label.id not in views:
                continue
            own, elsewhere = (contains(text, fact.phrase) for text in views[label.id])
            ok = own and elsewhere == (fact.scope == "global")
            total, right = total + 1, right + ok
            if not ok:
                seen = "in its project" if own else "not in its project"
                misses.append(f"`{label.id}`: {fact.phrase!r} ({fact.scope}) shown {seen}, {'and' if elsewhere else 'not'} elsewhere")
    return Ratio(right, total), misses


def score(labels: list[Label], outcomes: dict[str, Outcome], memory_md: str, home_files: dict[str, str],
          relations: list[Relation] | None = None, views: dict[str, tuple[str, str]] | None = None) -> Score:
    """Score every labelled session; ``outcomes`` is keyed by label id, ``home_files`` by path in the home,
    ``views`` by label id: what ``nightshift summary`` shows in the session's project and elsewhere."""
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
    contradictions, retractions, duplicate_lines, misses = _relations(relations or [], outcomes, groups, home_files)
    scope, scope_misses = _scope(labels, views or {}, home_files.get("memory_summary.md", ""))
    return Score(
        noop_precision=Ratio(correct_noop, answered_noop),
        noop_recall=Ratio(correct_noop, labelled_noop),
        fact_recall=Ratio(found, facts),
        junk_rate=Ratio(junk, lines),
        wrong_hits=wrong,
        forbidden_hits=_forbidden_hits(labels, outcomes, home_files),
        sessions=sessions,
        contradictions=contradictions,
        retractions=retractions,
        duplicate_lines=duplicate_lines,
        scope=scope,
        relation_misses=misses + scope_misses,
    )
