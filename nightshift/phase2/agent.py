"""Phase 2 with a model: an agent with sandboxed file tools edits the handbook, within hard bounds.

``fold_with_model`` runs after the inputs are synced. It decides whether there is work (no
input change and a valid handbook means no model call), writes tonight's diff for the agent,
and drives a Chat Completions tool-calling loop until the agent calls ``finish`` and the handbook
passes ``check_artifacts``; a failed check is shown to the agent once for repair. The loop stops
with ``AgentFailed`` at ``phase2_max_steps`` model turns, ``phase2_max_tokens`` tokens or
``phase2_timeout_minutes``, and with ``LeaseLost`` when the heartbeat says another owner took the
phase 2 job. It never commits and never restores: the caller does both, so every way out of here
leaves either one commit or the last commit.

The agent is not shown the handbook up front, only the diff's file list; it reads what it needs
through the tools, so a night's tokens grow with the night's changes, not with the handbook.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import git

from nightshift.errors import EXIT_FAILED, UserError
from nightshift.files import write_atomic
from nightshift.phase2 import handbook
from nightshift.phase2.contract import BYTES_PER_TOKEN, DIFF_FILE, GROUP_PREFIX, HANDBOOK_FILES, INDEX, MEMORY_MD, SKILLS_DIR, SUMMARY_MD
from nightshift.phase2.tools import TOOL_SPECS, Sandbox
from nightshift.phase2.home import IDENTITY, changed_files, file_at_head, has_commits
from nightshift.llm import ChatResult, ModelError, chat, estimate_tokens, make_client
from nightshift.memory import StoredMemory
from nightshift.ingest.redact import redact
from nightshift.resources import fill_prompt, prompt_path
from nightshift.ingest.scanner import find_injections
from nightshift.settings import Settings
from nightshift.phase2.workspace import remembered

if TYPE_CHECKING:  # the openai package takes ~0.4 s to import; a night with nothing new never needs it
    import openai

log = logging.getLogger("nightshift.phase2")

INIT, INCREMENTAL = "INIT", "INCREMENTAL"
DIFF_CAP = 256 * 1024
STATUS_LINES_SHOWN = 40  # of the diff's file list, in the first message
HEARTBEAT_STEPS, HEARTBEAT_SECONDS = 10, 60.0
MAX_CALLS_PER_TURN = 16  # one turn cannot do unbounded work between two budget checks
# Every request resends the whole conversation, so old tool results would be paid for again at each
# step. Results older than the last KEEP_TURNS turns shrink to a stub the model can act on (call again).
KEEP_TURNS = 4
STUB_CHARS = 200
ELIDED = "\n[elided to save context: an older result; call the tool again if you still need it]"
NUDGE = "Use the tools to do the work, and call finish with a short summary when you are done."


class AgentFailed(UserError):
    """The agent did not produce a valid handbook within its bounds; nothing of its work may be kept."""

    def __init__(self, message: str):
        super().__init__(message, EXIT_FAILED)

    def restored(self, home: Path, head: str | None) -> AgentFailed:
        """The same failure, saying where the home stands once it is back at its commit (the CLI's one line)."""
        at = f"its last commit {head[:10]}" if head else "where it was (no commit yet)"
        return type(self)(f"phase 2 stopped: {self}. The memory home {home} is back at {at}; the consolidation is tried "
                          "again after a backoff")


class LeaseLost(AgentFailed):
    """Another owner took the phase 2 job: this run must stop and commit nothing."""


@dataclass
class Usage:
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out

    def add(self, result: ChatResult) -> None:
        self.calls += 1
        self.tokens_in += result.tokens_in
        self.tokens_out += result.tokens_out


# --- validation ----------------------------------------------------------------------------------


def _writable_texts(home: Path) -> list[tuple[str, str]]:
    paths = [home / name for name in HANDBOOK_FILES if (home / name).is_file()]
    paths += sorted(p for p in (home / SKILLS_DIR).rglob("*") if p.is_file()) if (home / SKILLS_DIR).is_dir() else []
    return [(p.relative_to(home).as_posix(), p.read_text(encoding="utf-8", errors="replace")) for p in paths]


def _unindexed_groups(memory: str, summary: str) -> list[str]:
    """Every task group of MEMORY.md needs its tagged line in the summary's index, or the read path
    never points a session at it."""
    groups: list[dict[str, str]] = []
    for line in memory.splitlines():
        if line.startswith(GROUP_PREFIX):
            groups.append({})
        elif groups and line.split(":", 1)[0] in ("scope", "applies_to") and ":" in line:
            key, value = line.split(":", 1)
            groups[-1].setdefault(key, value.strip())
    index = summary.split(INDEX, 1)[1].split("\n## ", 1)[0] if INDEX in summary else ""
    errors = []
    for group in groups:
        if "scope" not in group or "applies_to" not in group:
            continue  # validate_memory_md already reports it
        tag = "global" if group["scope"] == "global" else f"project: {group['applies_to']}"
        if f"[{tag}]" not in index:
            errors.append(f"{SUMMARY_MD}: '{INDEX}' has no '- [{tag}] ...' line for that task group of {MEMORY_MD}")
    return errors


def _skill_errors(rel: str, text: str) -> list[str]:
    if not rel.endswith("/SKILL.md"):
        return []
    lines = text.splitlines()
    end = lines.index("---", 1) if lines[:1] == ["---"] and "---" in lines[1:] else 0
    fields = {line.split(":", 1)[0] for line in lines[1:end] if ":" in line}
    if not end or not {"name", "description"} <= fields:
        return [f"{rel}: must start with a '---' frontmatter block holding 'name:' and 'description:'"]
    return []


def check_artifacts(home: Path, token_cap: int) -> list[str]:
    """What must hold before a consolidation is committed; each problem is phrased for the agent."""
    missing = [f"{name} is missing" for name in HANDBOOK_FILES if not (home / name).is_file()]
    if missing:
        return missing
    memory = (home / MEMORY_MD).read_text(encoding="utf-8", errors="replace")
    summary = (home / SUMMARY_MD).read_text(encoding="utf-8", errors="replace")
    errors = handbook.validate_memory_md(memory) + handbook.validate_summary_md(summary, token_cap)
    errors += _unindexed_groups(memory, summary)
    for rel, text in _writable_texts(home):
        if redact(text) != text:
            lines = [str(n) for n, line in enumerate(text.splitlines(), 1) if redact(line) != line]
            errors.append(f"{rel}: line {', '.join(lines) or '?'} holds something that looks like a secret (key, token or "
                          "password); no credential belongs in memory")
        errors += [f"{rel}: looks like an injected instruction ({reason}); memory text must not address the agent"
                   for reason in find_injections(text)]
        errors += _skill_errors(rel, text)
    return errors


# --- tonight's diff ------------------------------------------------------------------------------


def _hand_edits(repo: git.Repo) -> str:
    """The user's commits to the handbook since nightshift's last one (empty when there are none)."""
    for commit in repo.iter_commits("HEAD", max_count=200):
        if commit.author.name == IDENTITY[0]:
            if commit == repo.head.commit:
                return ""
            return repo.git.diff(commit.hexsha, "HEAD", "--", *HANDBOOK_FILES, SKILLS_DIR)
    return ""


def write_diff(repo: git.Repo, diff_file: Path, cap: int = DIFF_CAP) -> list[str]:
    """Write the working tree's difference from HEAD (new files included) for the agent; returns the
    status lines. The hand-edit section comes before the unified diff, so a cut only shortens the latter."""
    repo.git.add(A=True)  # stage new files so they appear; commit_run stages again, restore_head unstages
    base = "HEAD" if has_commits(repo) else repo.git.hash_object("-t", "tree", "/dev/null")  # the empty tree
    status = repo.git.diff("--cached", "--name-status", base).splitlines()
    parts = ["# Tonight's consolidation diff", "",
             "## Changed inputs (A added, M modified, D deleted, R renamed), against the last commit", *(status or ["(none)"]), ""]
    if has_commits(repo) and (hand := _hand_edits(repo)):
        parts += ["## Hand edits since the last consolidation (the user's: authoritative, keep them)", hand, ""]
    parts += ["## Unified diff", repo.git.diff("--cached", base)]
    data = ("\n".join(parts) + "\n").encode("utf-8")
    if len(data) > cap:
        cut = data.rfind(b"\n", 0, cap) + 1
        data = data[:cut] + f"[diff cut at {cut} of {len(data)} bytes: read the changed files listed above directly]\n".encode()
    diff_file.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(diff_file, data.decode("utf-8", "replace"))
    return status


def kickoff(mode: str, status: list[str], s: Settings, problems: list[str], memories: int) -> str:
    """The agent's first message: prompts/consolidate_init.md or consolidate_incremental.md, filled in."""
    changed = status[:STATUS_LINES_SHOWN] or ["(none)"]
    if len(status) > STATUS_LINES_SHOWN:
        changed.append(f"... and {len(status) - STATUS_LINES_SHOWN} more, listed in {DIFF_FILE}")
    sizes = {name: len((s.home / name).read_text(encoding="utf-8", errors="replace").splitlines())
             for name in HANDBOOK_FILES if (s.home / name).is_file()}
    values = {"memories": memories, "diff_name": DIFF_FILE, "changed": "\n".join(changed),
              "sizes": ", ".join(f"{name} {n} lines" for name, n in sizes.items()),
              "problems": "\n".join(f"- {p}" for p in problems) or "(none)",
              "token_cap": s.summary_token_cap, "cap_bytes": s.summary_token_cap * BYTES_PER_TOKEN}
    template = prompt_path(f"consolidate_{mode.lower()}.md", s.prompts_dir).read_text(encoding="utf-8")
    return fill_prompt(template, values)


# --- the loop ------------------------------------------------------------------------------------


class _Bounds:
    def __init__(self, s: Settings, usage: Usage):
        self.s, self.usage = s, usage
        self.deadline = time.monotonic() + s.phase2_timeout_minutes * 60
        self.tool_choice = "required"  # "auto" once the server rejects "required"; the loop nudges plain answers

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise AgentFailed(f"wall-clock limit reached: {self.s.phase2_timeout_minutes:g} minutes")
        return left

    def check_tokens(self, next_prompt: int = 0) -> None:
        if self.usage.tokens + next_prompt > self.s.phase2_max_tokens:
            raise AgentFailed(f"token limit reached: {self.usage.tokens} tokens used, the next request needs about "
                              f"{next_prompt}, the limit is {self.s.phase2_max_tokens}")


def _ask(client: openai.OpenAI, messages: list[dict], bounds: _Bounds) -> ChatResult:
    s = bounds.s
    bounds.check_tokens(estimate_tokens([messages, TOOL_SPECS]))
    # The client retries a timed-out request model_max_retries times, each with this timeout: each
    # attempt gets its share of what is left, so only the backoff between attempts (a few seconds)
    # can run past the deadline.
    timeout = min(s.model_timeout_seconds, bounds.remaining() / (s.model_max_retries + 1))
    try:
        result = chat(client.with_options(timeout=timeout), s.consolidate_model, messages, tools=TOOL_SPECS, tool_choice=bounds.tool_choice)
    except ModelError as exc:
        bounds.remaining()  # a timeout at the deadline is the wall-clock limit, not a model fault
        if bounds.tool_choice == "auto" or exc.status not in (400, 422) or "tool_choice" not in str(exc).lower():
            raise
        log.warning("%s rejected tool_choice=required; asking with tool_choice=auto", s.consolidate_model)
        bounds.tool_choice = "auto"
        return _ask(client, messages, bounds)
    bounds.usage.add(result)
    bounds.check_tokens()
    return result


def elide_old_results(messages: list[dict], keep_turns: int = KEEP_TURNS) -> None:
    """Shrink tool results older than the last ``keep_turns`` assistant turns to a stub, in place."""
    turns = [i for i, m in enumerate(messages) if m["role"] == "assistant"]
    if len(turns) <= keep_turns:
        return
    for m in messages[: turns[-keep_turns]]:
        if m["role"] == "tool" and len(m["content"]) > STUB_CHARS + len(ELIDED) and not m["content"].endswith(ELIDED):
            m["content"] = m["content"][:STUB_CHARS] + ELIDED


def _assistant_message(result: ChatResult) -> dict:
    message: dict = {"role": "assistant", "content": result.content}
    if result.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.function.name, "arguments": c.function.arguments}}
            for c in result.tool_calls
        ]
    return message


def run_agent(sandbox: Sandbox, task: str, *, client: openai.OpenAI, s: Settings, check: Callable[[], list[str]],
              heartbeat: Callable[[], bool], usage: Usage) -> str:
    """The tool-calling loop; returns the agent's finish summary once the handbook passes ``check``."""
    system = prompt_path("consolidate.md", s.prompts_dir).read_text(encoding="utf-8")
    messages: list[dict] = [{"role": "system", "content": system}, {"role": "user", "content": task}]
    bounds = _Bounds(s, usage)
    repaired = False
    last_beat = time.monotonic()
    for step in range(1, s.phase2_max_steps + 1):
        if step % HEARTBEAT_STEPS == 0 or time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
            if not heartbeat():
                raise LeaseLost("lost the phase 2 lease to another owner; stopping without a commit")
            last_beat = time.monotonic()
        elide_old_results(messages)
        result = _ask(client, messages, bounds)
        messages.append(_assistant_message(result))
        if not result.tool_calls:  # a server that ignores tool_choice="required"
            messages.append({"role": "user", "content": NUDGE})
            continue
        for number, call in enumerate(result.tool_calls):
            if number >= MAX_CALLS_PER_TURN:
                text = f"error: not run: at most {MAX_CALLS_PER_TURN} tool calls per turn"
            else:
                text = sandbox.call(call.function.name, call.function.arguments)
            if sandbox.finished is not None:
                summary, sandbox.finished = sandbox.finished, None
                errors = check()
                if not errors:
                    return summary
                if repaired:
                    raise AgentFailed("the handbook is still invalid after the repair round: " + "; ".join(errors[:8]))
                repaired = True
                text = ("The handbook does not pass validation. Fix every problem below, then call finish again; "
                        "this is the only repair round:\n- " + "\n- ".join(errors[:40]))
            messages.append({"role": "tool", "tool_call_id": call.id, "content": text})
    raise AgentFailed(f"step limit reached: {s.phase2_max_steps} model turns without a valid finish")


def fold_with_model(repo: git.Repo, s: Settings, selection: list[StoredMemory], *,
                    heartbeat: Callable[[], bool], usage: Usage) -> str | None:
    """Run after ``sync_workspace``. Returns the agent's summary, or None when there was nothing to
    do (and no model was called): no memories to build a first handbook from, or no input change
    and a handbook that passes the checks."""
    home = s.home
    mode = INIT if file_at_head(repo, MEMORY_MD) is None else INCREMENTAL
    if mode == INIT and not remembered(selection):
        return None
    problems = check_artifacts(home, s.summary_token_cap) if mode == INCREMENTAL else []
    if mode == INCREMENTAL and not problems and not changed_files(repo):
        return None
    diff_file = s.state_dir / DIFF_FILE
    status = write_diff(repo, diff_file)
    task = kickoff(mode, status, s, problems, len(remembered(selection)))
    return run_agent(Sandbox(home, diff_file), task, client=make_client(s), s=s,
                     check=lambda: check_artifacts(home, s.summary_token_cap), heartbeat=heartbeat, usage=usage)


def commit_note(summary: str, model: str) -> str:
    """The agent's summary for the commit body: redacted, because git history is memory too."""
    text = redact(summary.strip())[:4000]
    return f"What the consolidation agent ({model}) changed and why:\n{text}"

