"""The builtin phase 2: ``MEMORY.md`` and ``memory_summary.md`` rendered from the selection by rules.

No model is involved, so it groups and de-duplicates but never generalises; a consolidating agent
does better. The formats written here are also the contract the validators check and the
model-driven consolidator is asked to keep:

* ``MEMORY.md``: ``# Memory handbook``, then one ``## Task group: <name>`` block per project and one
  for global tasks, each with ``scope:`` and ``applies_to:`` lines, ``### Task: <title>`` entries
  (``- outcome:``, ``- rollout_summary:``, ``- keywords:``) and the three knowledge sections.
* ``memory_summary.md``: ``v1``, then four ``##`` sections; in Preferences and General tips every
  entry sits under ``### global`` or ``### project: <project key>`` so the read path can keep the
  current project's entries only (a bullet a user put above any sub-heading counts as global).

Hand edits survive regeneration through a three-way merge against what nightshift wrote last time.
"""

from __future__ import annotations

import difflib
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nightshift.clock import utc
from nightshift.files import write_atomic
from nightshift.ingest.citations import short_ids
from nightshift.memory import (
    Outcome,
    Scope,
    StoredMemory,
    Task,
    changes_a_shaped_value,
    changes_the_value,
    is_about,
    lifted_by,
    mentions,
    mentions_in_name,
    moved_subject,
    replaced_subjects,
    retraction_subject,
    says_the_same,
    valued_settings,
)
from nightshift.phase2.contract import (
    ALL_PROJECTS,
    GROUP_PREFIX,
    HANDBOOK_TITLE,
    INDEX,
    KNOWLEDGE_SECTIONS,
    MEMORY_MD,
    NONE_YET,
    PREFERENCES,
    PROFILE,
    ROLLOUT_SUMMARIES,
    SCOPED_SECTIONS,
    SUMMARY_MD,
    SUMMARY_SECTIONS,
    SUMMARY_VERSION,
    TASK_PREFIX,
    TIPS,
    cap_bytes,
    fit_to_cap,
    tokens,
)
from nightshift.phase2.workspace import one_line, remembered, rollout_summary_names

HANDBOOK_NOTE = "Maintained by nightshift from your coding-agent sessions; edits you make by hand are kept."
MAX_INDEX_KEYWORDS = 10

# --- task groups -------------------------------------------------------------------------------


@dataclass
class _Group:
    scope: Scope
    project_key: str  # "" for the global group
    tasks: list[tuple[StoredMemory, Task]] = field(default_factory=list)  # newest first
    ids: dict[str, str] = field(default_factory=dict)  # rollout id -> the short id a citation may use

    @property
    def name(self) -> str:
        if self.scope is Scope.GLOBAL:
            return "global"
        return re.split(r"[/\\]", self.project_key.rstrip("/\\"))[-1] or self.project_key

    @property
    def applies_to(self) -> str:
        return ALL_PROJECTS if self.scope is Scope.GLOBAL else self.project_key

    @property
    def tag(self) -> str:
        """The summary sub-heading (and index tag) the read path filters on."""
        return "global" if self.scope is Scope.GLOBAL else f"project: {self.project_key}"


def _task_groups(selection: list[StoredMemory]) -> list[_Group]:
    groups: dict[tuple[bool, str], _Group] = {}
    ids = short_ids([m.rollout_id for m in selection])
    for m in remembered(selection):
        for task in m.memory.tasks:
            key = (False, "") if task.scope is Scope.GLOBAL else (True, m.project_key)
            groups.setdefault(key, _Group(task.scope, key[1], ids=ids)).tasks.append((m, task))
    return [groups[key] for key in sorted(groups)]  # global first, then by project key


@dataclass
class _Entry:
    """One de-duplicated line and the weight of the memories that said it (for trimming)."""

    text: str
    usage: int
    recency: float


def _recency(m: StoredMemory) -> float:
    moments = [utc(m.source_updated_at)] + ([utc(m.last_usage)] if m.last_usage else [])
    return max(moments).timestamp()


def _dedupe(said: list[tuple[str, StoredMemory]]) -> list[_Entry]:
    """Same text up to case, spacing and a final full stop is one entry; the newest wording wins."""
    entries: dict[str, _Entry] = {}
    for raw, m in said:
        text = one_line(raw)
        key = text.casefold().rstrip(".")
        if not key:
            continue
        if key not in entries:
            entries[key] = _Entry(text, m.usage_count, _recency(m))
        else:
            entries[key].usage = max(entries[key].usage, m.usage_count)
            entries[key].recency = max(entries[key].recency, _recency(m))
    return list(entries.values())


@dataclass
class _Rule:
    """A preference or piece of knowledge as it stands after the newer memories of its group were applied."""

    kind: str  # preference | knowledge
    text: str  # the wording kept: the shortest of the near-duplicates
    said: list[str]  # every wording, oldest first
    memories: list[StoredMemory]  # every memory that said it, oldest first


@dataclass(frozen=True)
class Change:
    """What a newer memory did to an older line: the commit message names it."""

    kind: str  # replaced | retracted | merged
    old: str
    new: str
    rollout_id: str  # the newer memory's session


def _replaces(new: str, old: str) -> bool:
    """A newer rule replaces an older one about the same tool or setting: "use pnpm instead of yarn"
    replaces "always use yarn"; "target python 3.12" replaces "target python 3.10"; "CI moved to github
    actions" replaces "CI is jenkins"; "use British spelling in these docs from now on" replaces "use American
    spelling in these docs"."""
    if any(mentions(old, word) and word not in replaced_subjects(old) for word in replaced_subjects(new)):
        return True
    if (moved := moved_subject(new)) and is_about(old, moved) and moved_subject(old) is None:
        return True
    if changes_the_value(new, old) or changes_a_shaped_value(new, old):
        return True
    before = valued_settings(old)
    return any(before.get(word) not in (None, value) for word, value in valued_settings(new).items())


def _resolve(group: _Group) -> tuple[list[_Rule], list[Change]]:
    """The group's preferences and knowledge after applying, oldest memory first, what each newer one
    says: a retraction removes the older lines it names, a rule replaces the older rules about the same
    subject, and a near-duplicate merges into one line that keeps every memory that said it."""
    rules: list[_Rule] = []
    changes: list[Change] = []
    for m, task in sorted(group.tasks, key=lambda mt: utc(mt[0].source_updated_at)):  # oldest first
        for kind, lines in (("preference", task.preferences), ("knowledge", task.knowledge)):
            for raw in lines:
                text = one_line(raw)
                if not text:
                    continue
                older = [r for r in rules if m not in r.memories]
                if (subject := retraction_subject(text)) is not None:
                    for r in (r for r in older if subject and any(mentions_in_name(said, subject) for said in r.said)):
                        rules.remove(r)
                        changes.append(Change("retracted", r.text, text, m.rollout_id))
                    continue  # a retraction is an instruction to phase 2, not a line of the handbook
                replaced = [r for r in older if _replaces(text, r.text)]
                for r in replaced:
                    rules.remove(r)
                    changes.append(Change("replaced", r.text, text, m.rollout_id))
                others = [r for r in older if r not in replaced]
                for r in [others[i] for i in lifted_by(text, [r.text for r in others])] if not replaced else []:
                    rules.remove(r)  # the line stays: it says what holds now ("the friday freeze is lifted")
                    changes.append(Change("retracted", r.text, text, m.rollout_id))
                # Near-duplicates merge across sessions; one session's own lines are distinct by its extractor's choice.
                same = next((r for r in rules if r.kind == kind and any(_same(text, said, m not in r.memories) for said in r.said)), None)
                if same is None:
                    rules.append(_Rule(kind, text, [text], [m]))
                    continue
                if m not in same.memories:
                    same.memories.append(m)
                    changes.append(Change("merged", same.text, text, m.rollout_id))
                if text not in same.said:
                    same.said.append(text)
                same.text = min(same.said, key=len)
    return rules, changes


def _same(a: str, b: str, near: bool) -> bool:
    return a.casefold().rstrip(".") == b.casefold().rstrip(".") or (near and says_the_same(a, b))


def _entries(rules: list[_Rule], kind: str, ids: dict[str, str]) -> list[_Entry]:
    """A rule's entry; one said in several sessions names every one of them, so each stays citable."""
    entries = []
    for r in (r for r in rules if r.kind == kind):
        sources = list(dict.fromkeys(ids[m.rollout_id] for m in r.memories))
        text = r.text if len(sources) < 2 else f"{r.text} (sources: {', '.join(sources)})"
        entries.append(_Entry(text, max(m.usage_count for m in r.memories), max(_recency(m) for m in r.memories)))
    return entries


def changes(selection: list[StoredMemory]) -> list[Change]:
    """Every replacement, retraction and merge the selection's newer memories make."""
    return [c for group in _task_groups(selection) for c in _resolve(group)[1]]


def _failure(symptom: str, fix: str) -> str:
    return f"{one_line(symptom)} -> {one_line(fix) or '(no fix found yet)'}"


def _preferences(group: _Group) -> list[_Entry]:
    return _entries(_resolve(group)[0], "preference", group.ids)


def _knowledge(group: _Group) -> list[_Entry]:
    return _entries(_resolve(group)[0], "knowledge", group.ids)


def _failures(group: _Group, fixed_only: bool = False) -> list[_Entry]:
    said = [(_failure(f.symptom, f.fix), m) for m, t in group.tasks for f in t.failures if f.fix.strip() or not fixed_only]
    return _dedupe(said)


def _bullets(entries: list[_Entry]) -> list[str]:
    return [f"- {e.text}" for e in entries] or [NONE_YET]


# --- MEMORY.md -----------------------------------------------------------------------------------


def render_memory_md(selection: list[StoredMemory]) -> str:
    names = rollout_summary_names(selection)
    lines = [HANDBOOK_TITLE, "", HANDBOOK_NOTE]
    for group in _task_groups(selection):
        lines += ["", f"{GROUP_PREFIX}{group.name}", f"scope: {group.scope.value}", f"applies_to: {group.applies_to}"]
        for m, task in group.tasks:
            keywords = ", ".join(e.text for e in _dedupe([(k, m) for k in task.keywords])) or "(none)"
            lines += [
                "",
                f"{TASK_PREFIX}{one_line(task.title)}",
                f"- outcome: {task.outcome.value}",
                f"- rollout_summary: {ROLLOUT_SUMMARIES}/{names[m.rollout_id]}",
                f"- keywords: {keywords}",
            ]
        for heading, entries in zip(KNOWLEDGE_SECTIONS, (_preferences(group), _knowledge(group), _failures(group))):
            lines += ["", heading, *_bullets(entries)]
    return "\n".join(lines) + "\n"


# --- memory_summary.md ---------------------------------------------------------------------------

# A summary line and its keep-priority: None = never dropped, else lower tuples are dropped first
# (tier, then usage, then recency). Tiers: 0 per-project profile lines, 1 preferences and tips,
# 2 the overall profile line, 3 the index of what is in memory.
_Row = tuple[str, tuple[int, int, float] | None]


def _summary_rows(selection: list[StoredMemory]) -> list[_Row]:
    groups = _task_groups(selection)
    return [
        (SUMMARY_VERSION, None),
        *_section_rows(PROFILE, _profile_rows(remembered(selection))),
        *_section_rows(PREFERENCES, _scoped_rows(groups, _preferences)),
        *_section_rows(TIPS, _scoped_rows(groups, lambda g: _knowledge(g) + _failures(g, fixed_only=True))),
        *_section_rows(INDEX, _index_rows(groups)),
    ]


def _section_rows(heading: str, body: list[_Row]) -> list[_Row]:
    return [("", None), (heading, None), *(body or [(NONE_YET, None)])]


def _profile_rows(memories: list[StoredMemory]) -> list[_Row]:
    if not memories:
        return []
    projects = sorted({m.project_key for m in memories})
    tasks = sum(len(m.memory.tasks) for m in memories)
    newest = utc(memories[0].source_updated_at).date().isoformat()
    overall = (
        f"- {_count(len(memories), 'session')} remembered ({_count(tasks, 'task')}) "
        f"across {_count(len(projects), 'project')}, newest {newest}"
    )
    rows: list[_Row] = [(overall, (2, 0, 0.0))]
    for key in projects:
        of_project = [m for m in memories if m.project_key == key]  # newest first
        weight = (0, max(m.usage_count for m in of_project), max(_recency(m) for m in of_project))
        last = utc(of_project[0].source_updated_at).date().isoformat()
        rows.append((f"- worked in {key}: {_count(len(of_project), 'session')}, last {last}", weight))
    return rows


def _scoped_rows(groups: list[_Group], entries_of: Callable[[_Group], list[_Entry]]) -> list[_Row]:
    rows: list[_Row] = []
    for group in groups:
        if entries := entries_of(group):
            rows.append((f"### {group.tag}", None))
            rows += [(f"- {e.text}", (1, e.usage, e.recency)) for e in entries]
    return rows


def _index_rows(groups: list[_Group]) -> list[_Row]:
    rows: list[_Row] = []
    for group in groups:
        counts = Counter(e.text.casefold() for m, t in group.tasks for e in _dedupe([(k, m) for k in t.keywords]))
        keywords = ", ".join(k for k, _ in counts.most_common(MAX_INDEX_KEYWORDS)) or one_line(group.tasks[0][1].title)
        weight = (3, max(m.usage_count for m, _ in group.tasks), max(_recency(m) for m, _ in group.tasks))
        rows.append((f"- [{group.tag}] {group.name} ({_count(len(group.tasks), 'task')}): {keywords} -> {MEMORY_MD}", weight))
    return rows


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _fit(rows: list[_Row], token_cap: int) -> str:
    """Drop whole lines, lowest priority first, until the cap holds (``contract.fit_to_cap``)."""
    lines = [line for line, _ in rows]
    fitted = fit_to_cap(lines, [rank for _, rank in rows], cap_bytes(token_cap))
    return "\n".join(lines[i] for i in fitted.kept) + "\n"


def render_summary_md(selection: list[StoredMemory], token_cap: int) -> str:
    return _fit(_summary_rows(selection), token_cap)


def _fit_merged(merged: str, selection: list[StoredMemory], token_cap: int) -> str:
    """Trim a merged summary by dropping generated lines only; lines a user wrote are never dropped."""
    ranks = {line: rank for line, rank in reversed(_summary_rows(selection)) if rank is not None}
    return _fit([(line, ranks.get(line)) for line in _lines(merged)], token_cap)


# --- validation ----------------------------------------------------------------------------------


def _sections(lines: list[str], prefix: str) -> list[tuple[int, str, list[str]]]:
    """(line number, heading, body) for every heading starting with ``prefix``; bodies end at the next ``##``."""
    found: list[tuple[int, str, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            found.append((number, line, []))
        elif found:
            found[-1][2].append(line)
    return [s for s in found if s[1].startswith(prefix)]


def validate_memory_md(text: str) -> list[str]:
    lines = text.splitlines()
    errors: list[str] = []
    if next((line.strip() for line in lines if line.strip()), "") != HANDBOOK_TITLE:
        errors.append(f"MEMORY.md must start with '{HANDBOOK_TITLE}'")
    seen: dict[tuple[str, str], int] = {}
    for number, heading, body in _sections(lines, GROUP_PREFIX.strip()):
        where = f"task group at line {number}"
        name = heading.removeprefix(GROUP_PREFIX.strip()).strip()
        if not name:
            errors.append(f"{where}: the heading needs a name ('{GROUP_PREFIX}<name>')")
        else:
            where = f"task group '{name}' (line {number})"
        scopes = [line.split(":", 1)[1].strip() for line in body if line.startswith("scope:")]
        targets = [line.split(":", 1)[1].strip() for line in body if line.startswith("applies_to:")]
        if len(scopes) != 1 or scopes[0] not in {s.value for s in Scope}:
            errors.append(f"{where}: needs exactly one 'scope: project' or 'scope: global' line")
        if len(targets) != 1 or not targets[0]:
            errors.append(f"{where}: needs exactly one non-empty 'applies_to:' line")
        elif scopes == ["global"] and targets[0] != ALL_PROJECTS:
            errors.append(f"{where}: a global group applies_to '{ALL_PROJECTS}'")
        elif scopes == ["project"] and targets[0] == ALL_PROJECTS:
            errors.append(f"{where}: a project group applies_to its project key, not '{ALL_PROJECTS}'")
        elif scopes and targets:
            if (scopes[0], targets[0]) in seen:
                errors.append(f"{where}: duplicates the group at line {seen[scopes[0], targets[0]]}; merge them")
            seen[scopes[0], targets[0]] = number
        errors += _task_errors(where, body)
        for section in KNOWLEDGE_SECTIONS:
            count = sum(line.strip() == section for line in body)
            if count != 1:
                errors.append(f"{where}: needs exactly one '{section}' section (found {count})")
    return errors


def _task_errors(where: str, body: list[str]) -> list[str]:
    outcomes = {o.value for o in Outcome}
    tasks: list[tuple[str, list[str]]] = []
    lines_of_task: list[str] | None = None  # None while inside a section that is not a task
    for line in body:
        if line.startswith("### "):
            lines_of_task = [] if line.startswith(TASK_PREFIX.strip()) else None
            if lines_of_task is not None:
                tasks.append((line, lines_of_task))
        elif lines_of_task is not None:
            lines_of_task.append(line)
    if not tasks:
        return [f"{where}: needs at least one '{TASK_PREFIX}<title>' entry"]
    errors = []
    for heading, lines in tasks:
        title = heading.removeprefix(TASK_PREFIX.strip()).strip()
        found = [line.split(":", 1)[1].strip() for line in lines if line.startswith("- outcome:")]
        if not title:
            errors.append(f"{where}: a task heading has no title")
        if len(found) != 1 or found[0] not in outcomes:
            errors.append(f"{where}: task '{title}' needs one '- outcome:' line, one of {', '.join(sorted(outcomes))}")
    return errors


def validate_summary_md(text: str, token_cap: int) -> list[str]:
    lines = text.splitlines()
    errors: list[str] = []
    if not lines or lines[0] != SUMMARY_VERSION:
        errors.append(f"{SUMMARY_MD}: the first line must be exactly '{SUMMARY_VERSION}'")
    if len(text.encode("utf-8")) > cap_bytes(token_cap):
        errors.append(f"{SUMMARY_MD}: about {tokens(text)} tokens, over the cap of {token_cap}")
    for section in SUMMARY_SECTIONS:
        if section not in lines:
            errors.append(f"memory_summary.md: missing the '{section}' section")
    for _, heading, body in _sections(lines, "## "):
        if heading not in SCOPED_SECTIONS:
            continue
        for line in body:
            if line.startswith("### ") and line != "### global" and not re.fullmatch(r"### project: \S.*", line):
                errors.append(f"memory_summary.md: '{line}' under '{heading}' must be '### global' or '### project: <key>'")
    return errors


# --- hand edits ----------------------------------------------------------------------------------

_MARKER = 32  # conflict markers this long never occur in memory text
_TASK_FIELD = re.compile(r"- (outcome|rollout_summary|keywords):")


def merge_hand_edits(current: str, base: str, generated: str) -> str:
    """Three-way merge: what nightshift wrote last (``base``) -> the file now (``current``) and -> the
    new generation. Where the two touch the same lines, the user's lines and deletions are kept and the
    generation's additions and removals still apply: a generated line lost in a conflict would look
    deleted by hand next time and never come back."""
    with tempfile.TemporaryDirectory(prefix="nightshift-merge-") as tmp:
        paths = []
        for name, text in (("current", current), ("base", base), ("generated", generated)):
            path = Path(tmp) / name
            path.write_bytes(_with_final_newline(text).encode("utf-8"))
            paths.append(str(path))
        proc = subprocess.run(
            ["git", "merge-file", "-p", "--diff3", f"--marker-size={_MARKER}",
             "-L", "current", "-L", "base", "-L", "generated", *paths],
            capture_output=True,
            check=False,
        )
    if not 0 <= proc.returncode <= 127:  # the exit code counts conflicts; above 127 is an error
        raise RuntimeError(f"git merge-file failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return "\n".join(_drop_stale_placeholders(_resolve_conflicts(_lines(proc.stdout.decode("utf-8"))))) + "\n"


def _with_final_newline(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"


def _lines(text: str) -> list[str]:
    """Split on newlines only: str.splitlines would also split a user's form feeds and U+2028."""
    return _with_final_newline(text).split("\n")[:-1]


def _resolve_conflicts(lines: list[str]) -> list[str]:
    out: list[str] = []
    sides: dict[str, list[str]] | None = None
    side = ""
    for line in lines:
        if line.startswith("<" * _MARKER):
            sides, side = {"current": [], "base": [], "generated": []}, "current"
        elif sides is not None and line.startswith("|" * _MARKER):
            side = "base"
        elif sides is not None and line == "=" * _MARKER:
            side = "generated"
        elif sides is not None and line.startswith(">" * _MARKER):
            out += _resolve_hunk(sides["current"], sides["base"], sides["generated"])
            sides = None
        else:
            (sides[side] if sides is not None else out).append(line)
    return out


def _edits(base: list[str], side: list[str]) -> tuple[list[bool], dict[int, list[str]]]:
    """Which base lines a side kept, and the lines it inserted before each base position."""
    kept = [False] * len(base)
    inserted: dict[int, list[str]] = {}
    for op, b1, b2, s1, s2 in difflib.SequenceMatcher(None, base, side, autojunk=False).get_opcodes():
        if op == "equal":
            kept[b1:b2] = [True] * (b2 - b1)
        elif s2 > s1:
            inserted.setdefault(b1, []).extend(side[s1:s2])
    return kept, inserted


def _resolve_hunk(current: list[str], base: list[str], generated: list[str]) -> list[str]:
    """A base line stays only if neither side removed it; both sides' insertions stay, the user's first.
    An entry both sides added is kept once (a task's field lines are not entries: a generated task
    must keep all of them even when a hand-written task next to it has the same ones)."""
    kept_by_user, added_by_user = _edits(base, current)
    kept_by_gen, added_by_gen = _edits(base, generated)
    out: list[str] = []
    for i in range(len(base) + 1):
        mine = added_by_user.get(i, [])
        out += mine + [line for line in added_by_gen.get(i, []) if not (_is_entry(line) and line in mine)]
        if i < len(base) and kept_by_user[i] and kept_by_gen[i]:
            out.append(base[i])
    return out


def _is_entry(line: str) -> bool:
    return line.startswith("- ") and not _TASK_FIELD.match(line)


def _drop_stale_placeholders(lines: list[str]) -> list[str]:
    """``- (none yet)`` goes once its section (between two headings) has a real entry."""
    out: list[str] = []
    start = 0
    for i, line in enumerate([*lines, "#"]):
        if line.startswith("#"):
            section = lines[start:i]
            has_entries = any(s.startswith("- ") and s != NONE_YET for s in section)
            out += [s for s in section if not (has_entries and s == NONE_YET)]
            if i < len(lines):
                out.append(line)
            start = i + 1
    return out


# --- the builtin phase 2 -------------------------------------------------------------------------


def apply_builtin(home: Path, selection: list[StoredMemory], token_cap: int, bases: dict[str, str | None]) -> dict[str, str]:
    """Write both files (merged with hand edits) and return what was generated: the caller keeps it as
    the next run's bases once the run is committed."""
    generated = {MEMORY_MD: render_memory_md(selection), SUMMARY_MD: render_summary_md(selection, token_cap)}
    home.mkdir(parents=True, exist_ok=True)
    for name, text in generated.items():
        path = home / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        base = bases.get(name)
        # Without a base we cannot tell hand edits from our own output, so the generation wins.
        result = text if current is None or base is None else merge_hand_edits(current, base, text)
        if name == SUMMARY_MD and validate_summary_md(result, token_cap):
            result = _fit_merged(result, selection, token_cap)
            if validate_summary_md(result, token_cap):
                result = text  # hand edits alone break the cap or the structure; they stay in git history
        write_atomic(path, result)
    return generated
