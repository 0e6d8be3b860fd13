"""The read path: the block a new agent session loads (``nightshift summary``).

``memory_summary.md`` holds every project's entries; a session gets the global ones plus those of
the project its directory belongs to (``nightshift.scope.project_key``), wrapped in the preamble
``prompts/read_path.md``. Each entry is tagged ``(<age>d, <id>)``: the age and id come from the
selected raw memory that says the same thing, so the agent can judge staleness and cite the entry
(``nightshift.ingest.citations``). An entry no memory says word for word (a hand edit, a consolidating
model's rewording) gets the age of the commit that last wrote its line (``git blame``), and no id.
The whole block stays under ``summary_token_cap``: lines are dropped, the index first, then the
profile, tips and preferences, older before newer.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import git

from nightshift.ingest import citations
from nightshift.ingest.readers import filed_under
from nightshift.ingest.scanner import find_injections
from nightshift.phase2.contract import (
    INDEX,
    MEMORY_MD,
    NONE_YET,
    PROFILE,
    SCOPED_SECTIONS,
    SUMMARY_MD,
    SUMMARY_VERSION,
    TIPS,
    cap_bytes,
    fit_to_cap,
    tokens,
)
from nightshift.resources import fill_prompt, prompt_path
from nightshift.scope import project_key
from nightshift.settings import Settings
from nightshift.store.state import DB_NAME, StateBusy, StateDamaged, open_state
from nightshift.store.usage import Policy

PROMPT = "read_path.md"
NOTHING_HERE = "- (nothing for this project)"
_INDEX_TAG = re.compile(r"- \[(global|project: [^\]]+)\] ")
_PROFILE_PROJECT = re.compile(r"- worked in (.+): \d+ sessions?, last \d{4}-\d\d-\d\d")
# Drop order when over the cap: lower tiers go first.
_TIERS = {INDEX: 0, PROFILE: 1, TIPS: 2}
_DEFAULT_TIER = 3  # preferences, and sections a user added


class ReadPathError(RuntimeError):
    """There is no summary to render yet."""


class CapTooSmall(ReadPathError):
    """``summary_token_cap`` cannot hold the preamble and the summary's headings: a configuration error."""


@dataclass
class Row:
    text: str
    section: str
    number: int  # line number in memory_summary.md (1-based), 0 for lines added here
    age_days: int | None = None
    cite: str | None = None

    @property
    def is_entry(self) -> bool:
        return self.text.startswith("- ") and self.text != NONE_YET and self.number > 0


@dataclass(frozen=True)
class ReadPath:
    text: str
    project: str
    memory_md: Path
    entries: list[Row]
    dropped: int

    @property
    def tokens(self) -> int:
        return tokens(self.text)


def render(s: Settings, cwd: Path, now: datetime) -> ReadPath:
    home = s.home.resolve()
    summary = home / SUMMARY_MD
    if not summary.is_file():
        raise ReadPathError(f"no memory summary yet in {home}; run `nightshift consolidate` first")
    cwd = cwd.resolve()
    key = project_key(str(cwd))
    rows = scope_rows(summary.read_text(encoding="utf-8"), key, cwd)
    for row in rows:  # a flagged line never reaches a session; the note keeps it visible (nightshift.phase2.quarantine)
        if reasons := find_injections(row.text):
            row.text, row.number = f"- (withheld by nightshift: flagged as {reasons[0].split(':')[0]}; see `nightshift status`)", 0
    _annotate(rows, memory_index(s, now), _blame(home), now)
    template = prompt_path(PROMPT, s.prompts_dir).read_text(encoding="utf-8")

    def fill(text: str) -> str:
        return fill_prompt(template, {"project": key, "memory_md": home / MEMORY_MD, "home": home, "summary": text})

    budget = cap_bytes(s.summary_token_cap) - len(fill("").encode("utf-8"))
    if budget < 0:
        raise CapTooSmall(f"summary_token_cap {s.summary_token_cap} is smaller than the read-path preamble ({PROMPT})")
    kept, dropped = _fit(rows, budget)
    return ReadPath(fill("\n".join(_line(r) for r in kept)), key, home / MEMORY_MD, [r for r in kept if r.is_entry], dropped)


# --- scoping -------------------------------------------------------------------------------------


def scope_rows(text: str, key: str, cwd: Path) -> list[Row]:
    """The summary's lines that concern everyone or this project. The ``v1`` marker goes; a bullet
    above any ``###`` sub-heading (a user's own) counts as global. Blank lines are normalised to one
    before each section, since hidden sub-sections take theirs along."""
    rows: list[Row] = []
    section, visible = "", True
    for number, line in enumerate(text.split("\n"), start=1):
        if (number == 1 and line.strip() == SUMMARY_VERSION) or not line.strip():
            continue
        if line.startswith("## "):
            _fill_empty(rows, section)
            section, visible = line.strip(), True
            rows += [Row("", section, 0)] if rows else []
        elif line.startswith("### ") and section in SCOPED_SECTIONS:
            visible = _concerns(line[4:].strip(), key, cwd)
        elif section == INDEX and (tag := _INDEX_TAG.match(line)):
            if not _concerns(tag[1], key, cwd):
                continue
        elif section == PROFILE and (worked := _PROFILE_PROJECT.fullmatch(line.strip())):
            if not same_project(worked[1], key, cwd):
                continue
        if visible:
            rows.append(Row(line, section, number))
    _fill_empty(rows, section)
    return rows


def _concerns(tag: str, key: str, cwd: Path) -> bool:
    """``global``, this project, or a heading a user made up (kept: we cannot tell)."""
    return not tag.startswith("project:") or same_project(tag.removeprefix("project:").strip(), key, cwd)


def same_project(project: str, key: str, cwd: Path) -> bool:
    """Whether a scope written in the memory files (a project key) is the project of ``cwd`` (key ``key``)."""
    if project == key or filed_under(project, cwd):
        return True
    # A project known only by its directory also covers the folders inside it.
    folder = Path(project)
    return folder.is_absolute() and folder != Path(folder.anchor) and cwd.is_relative_to(folder)


def _fill_empty(rows: list[Row], section: str) -> None:
    """A section whose entries all belong to other projects says so instead of looking broken."""
    if section and not any(r.section == section and r.text.startswith("- ") for r in rows):
        rows.append(Row(NOTHING_HERE, section, 0))


# --- ages and ids --------------------------------------------------------------------------------


def entry_key(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".")


def memory_index(s: Settings, now: datetime) -> dict[str, tuple[datetime, str]]:
    """Entry text -> (when the newest memory saying it was learnt, that memory's short id)."""
    if not (s.state_dir / DB_NAME).is_file():
        return {}
    try:
        with open_state(s.state_dir, read_only=True, wait_seconds=2) as db:
            selection = db.select_memories(Policy.of(s), now)
            ids = db.rollout_ids()
    except (StateBusy, StateDamaged, duckdb.Error):  # a run is writing, an older schema, damage: entries keep their blame age
        return {}
    short = citations.short_ids(ids)
    index: dict[str, tuple[datetime, str]] = {}
    for m in selection:
        for task in m.memory.tasks:
            # A failure is rendered "symptom -> fix"; its symptom alone identifies it.
            for text in (*task.preferences, *task.knowledge, *(f.symptom for f in task.failures)):
                key = entry_key(text)
                if key not in index or index[key][0] < m.source_updated_at:
                    index[key] = (m.source_updated_at, short[m.rollout_id])
    return index


def _blame(home: Path) -> dict[int, datetime]:
    """Line number -> when the commit that last wrote it was made (uncommitted lines: now)."""
    try:
        out = git.Repo(home).git.blame("--line-porcelain", "--", SUMMARY_MD)
    except (git.GitCommandError, git.InvalidGitRepositoryError, git.NoSuchPathError):
        return {}
    times: dict[int, datetime] = {}
    moment = None
    for line in out.split("\n"):
        if line.startswith("committer-time "):
            moment = datetime.fromtimestamp(int(line.split()[1]), UTC)
        elif line.startswith("\t") and moment is not None:
            times[len(times) + 1] = moment
    return times


# A line several sessions said, merged by phase 2: "<rule> (sources: 019c1f2a, 7b3e90aa)".
_SOURCES = re.compile(r"\s*\(sources:\s*([^()]+)\)$")


def _annotate(rows: list[Row], index: dict[str, tuple[datetime, str]], blamed: dict[int, datetime], now: datetime) -> None:
    for row in rows:
        if not row.is_entry or row.section in (INDEX, PROFILE):  # no single memory stands behind these lines
            continue
        body = row.text[2:]
        sources = _SOURCES.search(body)
        if sources:  # every session stays citable; the age is the newest statement's
            body = body[: sources.start()]
            row.text = f"- {body}"
        found = index.get(entry_key(body)) or index.get(entry_key(body.split(" -> ", 1)[0]))
        moment = found[0] if found else blamed.get(row.number)
        if moment is not None:
            row.age_days = max(0, (now - moment).days)
            row.cite = sources[1].strip() if sources else found[1] if found else None


def _line(row: Row) -> str:
    if row.age_days is None:
        return row.text
    return f"{row.text} ({row.age_days}d, {row.cite})" if row.cite else f"{row.text} ({row.age_days}d)"


# --- the cap -------------------------------------------------------------------------------------


def _fit(rows: list[Row], budget: int) -> tuple[list[Row], int]:
    """Drop entries (lowest tier, then oldest, then lowest in the file first) until the lines fit."""
    ranks = [(_TIERS.get(r.section, _DEFAULT_TIER), -(r.age_days or 0)) if r.is_entry else None for r in rows]
    fitted = fit_to_cap([_line(r) for r in rows], ranks, budget)
    if not fitted.fits:
        raise CapTooSmall("summary_token_cap leaves no room for the summary's headings after the preamble")
    return [rows[i] for i in fitted.kept], fitted.dropped


# --- integration ---------------------------------------------------------------------------------


AGENT_SENTENCE = (
    "Memory from my earlier sessions is available through the nightshift tools: at the start of a task call "
    "memory_summary with the project directory, and memory_search before guessing a project's commands or conventions; "
    "call memory_cite with the ids of entries that changed what you did, and memory_note when I ask you to remember something."
)


def install_hint(home: Path, executable: str) -> str:
    """Ready-to-paste lines that give Claude Code and Codex CLI sessions this memory: the MCP server (tools), or
    the summary block alone (a SessionStart hook, an AGENTS.md line)."""
    command = f"{shlex.quote(executable)} summary --home {shlex.quote(str(home))}"
    hook = {"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": f'{command} --cwd "$CLAUDE_PROJECT_DIR"'}]}]}}
    return "\n".join([
        "# With tools (search, read, cite, note, forget): the nightshift MCP server, for both agents.",
        "# Claude Code: run once (every project of this user).",
        f"claude mcp add --scope user nightshift -- {shlex.quote(executable)} mcp --home {shlex.quote(str(home))}",
        "# Codex CLI: add to ~/.codex/config.toml.",
        "[mcp_servers.nightshift]",
        f"command = {json.dumps(executable)}",
        f"args = {json.dumps(['mcp', '--home', str(home)])}",
        "# Then this line in ~/.claude/CLAUDE.md and ~/.codex/AGENTS.md, so the agent knows when to call them:",
        AGENT_SENTENCE,
        "",
        "# Without tools, the summary block only.",
        "# Claude Code: merge into ~/.claude/settings.json. A SessionStart hook's output joins the session's context.",
        json.dumps(hook, indent=2),
        "# Or, static (every project's entries, no preamble), a line in ~/.claude/CLAUDE.md:",
        f"@{home / SUMMARY_MD}",
        "",
        "# Codex CLI: add this line to ~/.codex/AGENTS.md (read at the start of every session).",
        f"At the start of a task, run `{command}` in the project directory and read its output: memory from earlier sessions.",
    ])
