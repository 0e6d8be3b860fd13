"""Write the evaluation sessions (``eval/sessions/``) and their labels (``eval/labels.json``) from ``eval/cases*.yaml``.

    .venv/bin/python -m eval.build_sessions

The sessions are committed, so anyone can open one and see exactly what the extractor read;
tests/test_eval.py checks that they are byte for byte what this script writes from cases.yaml, so
the description, the transcripts and the labels cannot drift apart. Every id and time is derived
from the case, which is what makes the output reproducible. Line shapes follow today's Codex CLI
rollouts (plus one legacy pre-envelope rollout), Claude Code sessions, Gemini CLI's JSONL sessions and
Cursor's agent transcripts, like ``samples/``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, Callable

import yaml

from eval.score import RELATION_KINDS, SCOPES, WHERE

EVAL_DIR = Path(__file__).resolve().parent
CASES = EVAL_DIR / "cases.yaml"
SESSIONS = EVAL_DIR / "sessions"
LABELS = EVAL_DIR / "labels.json"
# Codex names its files in local time; the invented user lives in Berlin and the cases are in winter.
LOCAL_OFFSET = timedelta(hours=1)
CODEX_VERSION, CLAUDE_VERSION = "0.142.0", "2.1.41"
CLAUDE_MODEL, CODEX_MODEL, GEMINI_MODEL = "claude-sonnet-4-5-20250929", "gpt-5.3-codex", "gemini-2.5-pro"
FORMATS = ("codex", "claude", "gemini", "cursor")
TURN_KINDS = ("user", "assistant", "sh", "read", "edit", "fetch", "ask", "notify")


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()


def _hex(*parts: object, n: int = 24) -> str:
    return _digest(*parts).hex()[:n]


def _uuid4(*parts: object) -> str:
    return str(uuid.UUID(bytes=_digest(*parts)[:16], version=4))


def _uuid7(start: datetime, *parts: object) -> str:
    """Codex thread ids are UUIDv7: the start time in milliseconds, then random bits (here: derived)."""
    rand = int.from_bytes(_digest(*parts)[:10], "big")
    ms = int(start.timestamp() * 1000)
    value = (ms << 80) | (0x7 << 76) | (((rand >> 62) & 0xFFF) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def _line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@dataclass
class _Clock:
    now: datetime

    def tick(self, seconds: float) -> str:
        self.now += timedelta(seconds=seconds)
        return self.now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.now.microsecond // 1000:03d}Z"


@dataclass
class Case:
    id: str
    format: str
    cwd: str
    start: datetime
    turns: list[dict]
    deserves_memory: bool
    note: str
    must_contain: list[dict] = field(default_factory=list)
    must_not_contain: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    remote: str | None = None
    branch: str = "main"
    title: str | None = None
    agents: str | None = None
    claude_md: str | None = None
    archived: bool = False
    legacy: bool = False

    @classmethod
    def of(cls, raw: dict) -> Case:
        turns = [t for turn in raw["turns"] for t in (_work(raw["cwd"], turn["work"]) if "work" in turn else [turn])]
        case = cls(**{**raw, "turns": turns, "start": datetime.fromisoformat(str(raw["start"]).replace("Z", "+00:00"))})
        if case.format not in FORMATS:
            raise ValueError(f"{case.id}: format must be one of {', '.join(FORMATS)}")
        for turn in case.turns:
            kinds = [k for k in TURN_KINDS if k in turn]
            if len(kinds) != 1:
                raise ValueError(f"{case.id}: a turn needs exactly one of {TURN_KINDS}: {turn}")
            if kinds == ["notify"] and case.format != "claude":
                raise ValueError(f"{case.id}: task notifications are a Claude Code record")
            if case.format in ("gemini", "cursor") and (kinds == ["ask"] or "ide" in turn):
                raise ValueError(f"{case.id}: {case.format} sessions have no question tool or IDE wrapper here")
        for fact in case.must_contain:
            if fact.get("where") not in WHERE or fact.get("scope") not in SCOPES:
                raise ValueError(f"{case.id}: bad must_contain entry {fact}")
        return case

    def kind(self, turn: dict) -> str:
        return next(k for k in TURN_KINDS if k in turn)


def _work(cwd: str, n: int) -> list[dict]:
    """``work: N`` in a case: N rounds of ordinary looking around (a search, then a read), so a rule
    can come late in a long, tool-heavy session without pages of filler in cases.yaml."""
    turns: list[dict] = []
    for i in range(1, n + 1):
        module = f"src/part_{i:02d}.py"
        turns.append({"sh": f"rg -n 'def ' {module}", "out": f"{3 * i}:def step_{i}(state):\n{3 * i + 9}:def check_{i}(state):\n"})
        turns.append({"read": f"{cwd}/{module}", "out": f"def step_{i}(state):\n    state.count += {i}\n    return state\n"})
    return turns


def case_files() -> list[Path]:
    """cases.yaml, then every eval/cases_*.yaml (a batch written apart, e.g. by someone blind to the rules)."""
    return [CASES, *sorted(EVAL_DIR.glob("cases_*.yaml"))]


def _documents(paths: list[Path] | None) -> list[dict]:
    return [yaml.safe_load(path.read_text(encoding="utf-8")) or {} for path in (paths or case_files())]


def load_cases(paths: list[Path] | None = None) -> list[Case]:
    cases = [Case.of(raw) for doc in _documents(paths) for raw in doc.get("cases", [])]
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise ValueError(f"duplicate case id {case.id}")
        seen.add(case.id)
    return cases


def load_relations(paths: list[Path] | None = None, cases: list[Case] | None = None) -> list[dict]:
    """The labels across sessions (a newer rule replacing an older one, a retraction, one rule said in
    several sessions), checked against the cases they name: the older session must come first."""
    relations = [rel for doc in _documents(paths) for rel in doc.get("relations", [])]
    starts = {c.id: c.start for c in (cases if cases is not None else load_cases(paths))}
    for rel in relations:
        ids = rel.get("sessions", [])
        if rel.get("kind") not in RELATION_KINDS or len(ids) < 2 or any(i not in starts for i in ids):
            raise ValueError(f"bad relation {rel}")
        if [starts[i] for i in ids] != sorted(starts[i] for i in ids):
            raise ValueError(f"relation {rel}: its sessions must be listed oldest first")
    return relations


# --- what a tool call looks like to each agent -----------------------------------------------------


def _shell_text(kind: str, turn: dict) -> str:
    """Codex does everything through the shell: reads are `sed`, web pages are `curl`."""
    if kind == "read":
        return f"sed -n '1,200p' {turn['read']}"
    if kind == "fetch":
        return f"curl -sL {turn['fetch']}"
    return turn["sh"]


def _patch(path: str, old: str | None, new: str) -> str:
    if old is None:
        body = [f"*** Add File: {path}", *(f"+{line}" for line in new.splitlines())]
    else:
        body = [f"*** Update File: {path}", "@@", *(f"-{line}" for line in old.splitlines()),
                *(f"+{line}" for line in new.splitlines())]
    return "\n".join(["*** Begin Patch", *body, "*** End Patch"])


# --- Codex CLI rollouts ----------------------------------------------------------------------------


def _codex_lines(case: Case, thread_id: str) -> list[dict]:
    clock = _Clock(case.start)
    out: list[dict] = []

    def add(kind: str, payload: dict, seconds: float = 0.001) -> None:
        out.append({"timestamp": clock.tick(seconds), "type": kind, "payload": payload})

    def message(role: str, text: str, **extra: Any) -> dict:
        part = "output_text" if role == "assistant" else "input_text"
        return {"type": "message", "role": role, "content": [{"type": part, "text": text}], **extra}

    meta = {"id": thread_id, "timestamp": clock.tick(0), "cwd": case.cwd, "originator": "codex_cli_rs",
            "cli_version": CODEX_VERSION, "source": "cli", "model_provider": "openai",
            "base_instructions": {"text": "You are Codex, a coding agent based on GPT-5."}}
    if case.remote:
        meta["git"] = {"commit_hash": _hex(case.id, "commit", n=40), "branch": case.branch, "repository_url": case.remote}
    add("session_meta", meta)
    add("response_item", message("developer", "<permissions instructions>\nFilesystem sandboxing: `sandbox_mode` is "
                                 "`workspace-write`. Approval policy is currently on-request.\n</permissions instructions>"), 1.5)
    if case.agents:
        add("response_item", message("user", f"# AGENTS.md instructions for {case.cwd}\n\n<INSTRUCTIONS>\n{case.agents}</INSTRUCTIONS>"))
    add("response_item", message("user", f"<environment_context>\n  <cwd>{case.cwd}</cwd>\n  <shell>zsh</shell>\n"
                                 f"  <current_date>{case.start.date()}</current_date>\n  <timezone>Europe/Berlin</timezone>\n"
                                 "</environment_context>"))
    for n, turn in enumerate(case.turns):
        kind = case.kind(turn)
        if kind == "user":
            turn_id = _uuid7(clock.now, case.id, "turn", n)
            add("event_msg", {"type": "task_started", "turn_id": turn_id, "model_context_window": 258400}, 12)
            add("turn_context", {"turn_id": turn_id, "cwd": case.cwd, "approval_policy": "on-request",
                                 "sandbox_policy": {"type": "workspace-write", "writable_roots": [], "network_access": False},
                                 "model": CODEX_MODEL, "effort": "medium", "summary": "auto"})
            text = _ide_wrapped(turn) if "ide" in turn else turn["user"]
            add("response_item", message("user", text))
            add("event_msg", {"type": "user_message", "message": text, "images": [], "local_images": []})
        elif kind == "assistant":
            add("response_item", message("assistant", turn["assistant"], phase="final_answer"), 4)
            add("event_msg", {"type": "agent_message", "message": turn["assistant"], "phase": "final_answer"})
        else:
            add("response_item", {"type": "reasoning", "summary": [], "content": None,
                                  "encrypted_content": base64.b64encode(_digest(case.id, n) * 4).decode()}, 2)
            _codex_tool(add, case, kind, turn, f"call_{_hex(case.id, n)}")
    add("event_msg", {"type": "token_count", "info": None, "rate_limits": None}, 0.05)
    return out


def _ide_wrapped(turn: dict) -> str:
    """What the Codex IDE extension sends: the editor's state, then the request under its own heading."""
    active = turn["ide"]
    return (f"# Context from my IDE setup:\n\n## Active file: {active}\n\n## Open tabs:\n- {PurePosixPath(active).name}: {active}\n\n"
            f"## My request for Codex:\n{turn['user']}")


def _questions(turn: dict) -> list[dict]:
    return [{"id": "choice", "header": "Choice", "question": turn["ask"],
             "options": [{"label": o, "description": ""} for o in turn.get("options", [])]}]


def _codex_tool(add: Callable[..., None], case: Case, kind: str, turn: dict, call_id: str) -> None:
    if kind == "ask":  # request_user_input: the answer comes back as the call's output
        add("response_item", {"type": "function_call", "name": "request_user_input", "call_id": call_id,
                              "arguments": json.dumps({"questions": _questions(turn)})}, 1)
        add("response_item", {"type": "function_call_output", "call_id": call_id,
                              "output": json.dumps({"answers": {"choice": {"answers": [turn["answer"]]}}})}, 20)
        return
    if kind == "edit":
        patch = _patch(turn["edit"], turn.get("old"), turn["new"])
        add("response_item", {"type": "custom_tool_call", "status": "completed", "call_id": call_id, "name": "apply_patch", "input": patch}, 1)
        result = {"output": f"Success. Updated the following files:\n{'A' if turn.get('old') is None else 'M'} {turn['edit']}\n",
                  "metadata": {"exit_code": 0, "duration_seconds": 0.0}}
        add("response_item", {"type": "custom_tool_call_output", "call_id": call_id, "output": json.dumps(result)}, 0.2)
        return
    command = _shell_text(kind, turn)
    add("response_item", {"type": "function_call", "name": "exec_command", "call_id": call_id,
                          "arguments": json.dumps({"cmd": command, "workdir": case.cwd, "yield_time_ms": 10000})}, 1)
    output = turn.get("out", "")
    header = (f"Chunk ID: {_hex(call_id, n=6)}\nWall time: 0.{int(_hex(call_id, 'wall', n=4), 16):05d} seconds\n"
              f"Process exited with code {turn.get('exit', 0)}\nOriginal token count: {len(output) // 4}\nOutput:\n")
    add("response_item", {"type": "function_call_output", "call_id": call_id, "output": header + output}, 2)


def _codex_legacy_lines(case: Case, thread_id: str) -> list[dict]:
    """The pre-envelope form of mid 2025: a bare header, then flat response items without timestamps."""
    out: list[dict] = [{"id": thread_id, "timestamp": _Clock(case.start).tick(0), "instructions": None}]
    context = (f"<environment_context>\n  <cwd>{case.cwd}</cwd>\n  <approval_policy>on-request</approval_policy>\n"
               "  <sandbox_mode>workspace-write</sandbox_mode>\n  <network_access>restricted</network_access>\n"
               "  <shell>bash</shell>\n</environment_context>")
    out.append({"type": "message", "role": "user", "content": [{"type": "input_text", "text": context}]})
    for n, turn in enumerate(case.turns):
        kind = case.kind(turn)
        call_id = f"call_{_hex(case.id, n)}"
        if kind in ("user", "assistant"):
            part = "output_text" if kind == "assistant" else "input_text"
            out.append({"type": "message", "role": kind, "content": [{"type": part, "text": turn[kind]}]})
            out.append({"record_type": "state"})
            continue
        if kind == "ask":
            raise ValueError(f"{case.id}: the legacy format has no question tool")
        argv = ["apply_patch", _patch(turn["edit"], turn.get("old"), turn["new"])] if kind == "edit" else ["bash", "-lc", _shell_text(kind, turn)]
        out.append({"type": "function_call", "name": "shell", "call_id": call_id,
                    "arguments": json.dumps({"command": argv, "workdir": case.cwd, "timeout_ms": 10000})})
        result = {"output": turn.get("out", "Success. Updated the following files.\n"),
                  "metadata": {"exit_code": turn.get("exit", 0), "duration_seconds": 0.1}}
        out.append({"type": "function_call_output", "call_id": call_id, "output": json.dumps(result)})
    return out


def _codex_path(case: Case, thread_id: str) -> str:
    local = case.start + LOCAL_OFFSET
    name = f"rollout-{local:%Y-%m-%dT%H-%M-%S}-{thread_id}.jsonl"
    return f"codex/archived_sessions/{name}" if case.archived else f"codex/sessions/{local:%Y/%m/%d}/{name}"


# --- Claude Code sessions --------------------------------------------------------------------------


class _ClaudeWriter:
    """One record per content block; a response's blocks share message.id; every line links to its parent."""

    def __init__(self, case: Case, session_id: str):
        self.case, self.session_id = case, session_id
        self.clock = _Clock(case.start)
        self.lines: list[dict] = []
        self.parent: str | None = None
        self.message_id: str | None = None  # the open assistant response, until the next user-type line
        self.n = 0

    def record(self, kind: str, message: dict, seconds: float, **extra: Any) -> None:
        self.n += 1
        uid = _uuid4(self.case.id, "uuid", self.n)
        self.lines.append({"parentUuid": self.parent, "isSidechain": False, "userType": "external", "cwd": self.case.cwd,
                           "sessionId": self.session_id, "version": CLAUDE_VERSION, "gitBranch": self.case.branch,
                           "type": kind, "message": message, **extra, "uuid": uid, "timestamp": self.clock.tick(seconds)})
        self.parent = uid

    def user(self, content: str | list, seconds: float = 15, **extra: Any) -> None:
        self.message_id = None
        self.record("user", {"role": "user", "content": content}, seconds, **extra)

    def assistant(self, block: dict, seconds: float = 3) -> None:
        if self.message_id is None:
            self.message_id = f"msg_01{_hex(self.case.id, 'msg', self.n, n=22)}"
        stop = "tool_use" if block["type"] == "tool_use" else None
        message = {"id": self.message_id, "type": "message", "role": "assistant", "model": CLAUDE_MODEL, "content": [block],
                   "stop_reason": stop, "stop_sequence": None,
                   "usage": {"input_tokens": 6, "cache_creation_input_tokens": 812, "cache_read_input_tokens": 15210,
                             "output_tokens": 120, "service_tier": "standard"}}
        self.record("assistant", message, seconds, requestId=f"req_011C{_hex(self.case.id, 'req', self.message_id, n=18)}")

    def tool(self, name: str, tool_input: dict, result: str, *, is_error: bool = False, structured: Any = None) -> None:
        tool_id = f"toolu_01{_hex(self.case.id, 'tool', self.n, n=22)}"
        self.assistant({"type": "thinking", "thinking": f"Next: {name}.", "signature": base64.b64encode(_digest(tool_id)).decode()}, 1)
        self.assistant({"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}, 1)
        block = {"tool_use_id": tool_id, "type": "tool_result", "content": result}
        if is_error:
            block["is_error"] = True
        self.user([block], 2, toolUseResult=structured if structured is not None else result)


def _claude_lines(case: Case, session_id: str) -> list[dict]:
    w = _ClaudeWriter(case, session_id)
    first_user = True
    for turn in case.turns:
        kind = case.kind(turn)
        if kind == "user":
            content: str | list = turn["user"]
            if first_user and case.claude_md:  # Claude Code injects CLAUDE.md into the first prompt
                reminder = (f"<system-reminder>\nAs you answer the user's questions, you can use the following context:\n"
                            f"Contents of {case.cwd}/CLAUDE.md (project instructions, checked into the codebase):\n\n"
                            f"{case.claude_md}\n</system-reminder>\n")
                content = [{"type": "text", "text": reminder}, {"type": "text", "text": turn["user"]}]
            if "ide" in turn:  # the IDE extension adds the open file as its own text block
                opened = {"type": "text", "text": f"<ide_opened_file>The user opened the file {turn['ide']} in the IDE. "
                          "This may or may not be related to the current task.</ide_opened_file>"}
                content = [opened, *(content if isinstance(content, list) else [{"type": "text", "text": content}])]
            first_user = False
            w.user(content)
        elif kind == "notify":  # a background task finished: Claude Code wakes the agent with a user-type record
            tid = _hex(case.id, "task", turn["notify"], n=8)
            body = (f"<task-notification>\n<task-id>{tid}</task-id>\n<status>completed</status>\n"
                    f"<summary>{turn['notify']}</summary>\n</task-notification>")
            w.user(body, 30, origin={"kind": "task-notification"}, promptSource="system")
        elif kind == "assistant":
            w.assistant({"type": "text", "text": turn["assistant"]})
        else:
            _claude_tool(w, kind, turn)
    w.lines.append({"parentUuid": w.parent, "isSidechain": False, "userType": "external", "cwd": case.cwd, "sessionId": session_id,
                    "version": CLAUDE_VERSION, "gitBranch": case.branch, "type": "system", "subtype": "turn_duration",
                    "content": "Turn took 21s", "isMeta": False, "level": "info",
                    "uuid": _uuid4(case.id, "end"), "timestamp": w.clock.tick(0.1)})
    head = [{"type": "file-history-snapshot", "messageId": _uuid4(case.id, "snapshot"),
             "snapshot": {"messageId": _uuid4(case.id, "snapshot"), "trackedFileBackups": {}, "timestamp": _Clock(case.start).tick(0)},
             "isSnapshotUpdate": False}]
    if case.title:
        head.insert(0, {"type": "summary", "summary": case.title, "leafUuid": w.lines[-1]["uuid"]})
    return head + w.lines


def _claude_tool(w: _ClaudeWriter, kind: str, turn: dict) -> None:
    if kind == "sh":
        code, output = turn.get("exit", 0), turn.get("out", "")
        words = turn["sh"].split()
        description = f"Run {words[0]} {words[1]}" if len(words) > 1 else f"Run {words[0]}"
        if code:
            w.tool("Bash", {"command": turn["sh"], "description": description}, f"Exit code {code}\n{output}".rstrip(),
                   is_error=True, structured=f"Error: Exit code {code}\n{output}".rstrip())
        else:
            w.tool("Bash", {"command": turn["sh"], "description": description}, output.rstrip(),
                   structured={"stdout": output, "stderr": "", "interrupted": False, "isImage": False})
    elif kind == "read":
        lines = turn["out"].splitlines()
        numbered = "\n".join(f"{i:>6}\t{line}" for i, line in enumerate(lines, 1))
        w.tool("Read", {"file_path": turn["read"]}, numbered,
               structured={"type": "text", "file": {"filePath": turn["read"], "content": turn["out"], "numLines": len(lines),
                                                    "startLine": 1, "totalLines": len(lines)}})
    elif kind == "edit" and turn.get("old") is None:
        w.tool("Write", {"file_path": turn["edit"], "content": turn["new"]}, f"File created successfully at: {turn['edit']}",
               structured={"type": "create", "filePath": turn["edit"]})
    elif kind == "edit":
        w.tool("Edit", {"file_path": turn["edit"], "old_string": turn["old"], "new_string": turn["new"]},
               f"The file {turn['edit']} has been updated.",
               structured={"filePath": turn["edit"], "oldString": turn["old"], "newString": turn["new"]})
    elif kind == "ask":
        questions = [{"question": turn["ask"], "header": "Choice", "multiSelect": False,
                      "options": [{"label": o, "description": ""} for o in turn.get("options", [])]}]
        w.tool("AskUserQuestion", {"questions": questions},
               f'User has answered your questions: "{turn["ask"]}"="{turn["answer"]}". '
               "You can now continue with the user's answers in mind.",
               structured={"questions": questions, "answers": {turn["ask"]: turn["answer"]}})
    else:
        w.tool("WebFetch", {"url": turn["fetch"], "prompt": "What does this page say?"}, turn["out"].rstrip(),
               structured={"bytes": len(turn["out"]), "code": 200, "url": turn["fetch"]})


def _claude_path(case: Case, session_id: str) -> str:
    return f"claude/projects/{re.sub(r'[^a-zA-Z0-9]', '-', case.cwd)}/{session_id}.jsonl"


# --- Gemini CLI sessions (JSONL builds) ------------------------------------------------------------


def _gemini_lines(case: Case, session_id: str) -> list[dict]:
    """The metadata line, then one record per message; a tool call is a gemini message of its own, and
    the CLI notes the time after each prompt with a ``$set``. Tools get absolute paths, as Gemini's do."""
    clock = _Clock(case.start)
    started = clock.tick(0)
    out: list[dict] = [{"sessionId": session_id, "projectHash": hashlib.sha256(case.cwd.encode()).hexdigest(),
                        "startTime": started, "lastUpdated": started, "kind": "main"}]
    tokens = {"input": 8200, "output": 90, "cached": 5100, "thoughts": 24, "tool": 0, "total": 8314}
    for n, turn in enumerate(case.turns):
        kind = case.kind(turn)
        record = {"id": _uuid4(case.id, "gemini", n), "timestamp": clock.tick(15 if kind == "user" else 3)}
        if kind == "user":
            out.append({**record, "type": "user", "content": [{"text": turn["user"]}]})
            out.append({"$set": {"lastUpdated": clock.tick(0.001)}})
            continue
        record.update(type="gemini", content=turn.get("assistant", ""), thoughts=[], tokens=tokens, model=GEMINI_MODEL)
        if kind != "assistant":
            record["toolCalls"] = [_gemini_call(case, kind, turn, f"{_gemini_tool(kind, turn)}-{_hex(case.id, n, n=13)}", clock.tick(1))]
        out.append(record)
    out.append({"$set": {"lastUpdated": clock.tick(0.001)}})
    return out


def _gemini_tool(kind: str, turn: dict) -> str:
    return {"sh": "run_shell_command", "read": "read_file", "fetch": "web_fetch"}.get(kind) or (
        "write_file" if turn.get("old") is None else "replace")


def _gemini_call(case: Case, kind: str, turn: dict, call_id: str, when: str) -> dict:
    name = _gemini_tool(kind, turn)
    if kind == "sh":
        args = {"command": turn["sh"], "description": f"Run {turn['sh'].split()[0]}."}
        code = turn.get("exit", 0)
        output = f"Output: {turn.get('out', '').rstrip() or '(empty)'}\n" + (f"Exit Code: {code}\n" if code else "") + \
            f"Process Group PGID: {int(_hex(call_id, n=4), 16)}"
    elif kind == "read":
        args, output = {"absolute_path": turn["read"]}, turn["out"]
    elif kind == "fetch":
        args, output = {"prompt": f"Summarise {turn['fetch']}"}, turn["out"]
    elif turn.get("old") is None:
        path = turn["edit"] if turn["edit"].startswith("/") else f"{case.cwd}/{turn['edit']}"
        args, output = {"file_path": path, "content": turn["new"]}, f"Successfully created and wrote to new file: {path}."
    else:
        path = turn["edit"] if turn["edit"].startswith("/") else f"{case.cwd}/{turn['edit']}"
        args = {"file_path": path, "old_string": turn["old"], "new_string": turn["new"]}
        output = f"Successfully modified file: {path} (1 replacements)."
    return {"id": call_id, "name": name, "args": args, "status": "success", "timestamp": when,
            "result": [{"functionResponse": {"id": call_id, "name": name, "response": {"output": output}}}],
            "resultDisplay": "", "displayName": name, "description": "", "renderOutputAsMarkdown": kind != "sh"}


def _gemini_path(case: Case, session_id: str) -> str:
    project = hashlib.sha256(case.cwd.encode()).hexdigest()
    return f"gemini/tmp/{project}/chats/session-{case.start:%Y-%m-%dT%H-%M}-{session_id[:8]}.jsonl"


# --- Cursor agent transcripts ------------------------------------------------------------------------


def _cursor_lines(case: Case) -> list[dict]:
    """One line per message without timestamps or tool results (Cursor keeps those elsewhere); each
    prompt wrapped in <user_query>, the first after a <user_info> block; a turn_ended line per turn."""
    out: list[dict] = []

    def text(role: str, body: str) -> dict:
        return {"role": role, "message": {"content": [{"type": "text", "text": body}]}}

    for turn in case.turns:
        kind = case.kind(turn)
        if kind == "user":
            if out:
                out.append({"type": "turn_ended", "status": "success"})
            query = f"<user_query>\n{turn['user']}\n</user_query>"
            if not out:
                query = (f"<user_info>\nOS Version: linux 6.8.0\nShell: zsh\nWorkspace Path: {case.cwd}\nIs directory a git repo: Yes\n"
                         f"Today's date: {case.start:%A, %b %d, %Y}\n</user_info>\n\n{query}")
            out.append(text("user", query))
        elif kind == "assistant":
            out.append(text("assistant", turn["assistant"]))
        else:
            out.append({"role": "assistant", "message": {"content": [{"type": "tool_use", **_cursor_tool(case, kind, turn)}]}})
    out.append({"type": "turn_ended", "status": "success"})
    return out


def _cursor_tool(case: Case, kind: str, turn: dict) -> dict:
    if kind == "sh":
        return {"name": "Shell", "input": {"command": turn["sh"], "description": f"Run {turn['sh'].split()[0]}"}}
    if kind == "read":
        return {"name": "Read", "input": {"path": turn["read"]}}
    if kind == "fetch":
        return {"name": "WebFetch", "input": {"url": turn["fetch"]}}
    path = turn["edit"] if turn["edit"].startswith("/") else f"{case.cwd}/{turn['edit']}"
    if turn.get("old") is None:
        return {"name": "Write", "input": {"path": path, "contents": turn["new"]}}
    return {"name": "StrReplace", "input": {"path": path, "old_string": turn["old"], "new_string": turn["new"]}}


def _cursor_path(case: Case, chat_id: str) -> str:
    return f"cursor/projects/{re.sub(r'[^a-zA-Z0-9]', '-', case.cwd.lstrip('/'))}/agent-transcripts/{chat_id}/{chat_id}.jsonl"


# --- the set ---------------------------------------------------------------------------------------


def render(case: Case) -> tuple[str, str]:
    """(path relative to the sessions folder, file content) of one case."""
    if case.format == "codex":
        thread_id = _uuid7(case.start, case.id)
        lines = _codex_legacy_lines(case, thread_id) if case.legacy else _codex_lines(case, thread_id)
        return _codex_path(case, thread_id), "".join(_line(obj) + "\n" for obj in lines)
    session_id = _uuid4(case.id, "session")
    if case.format == "gemini":
        return _gemini_path(case, session_id), "".join(_line(obj) + "\n" for obj in _gemini_lines(case, session_id))
    if case.format == "cursor":
        return _cursor_path(case, session_id), "".join(_line(obj) + "\n" for obj in _cursor_lines(case))
    return _claude_path(case, session_id), "".join(_line(obj) + "\n" for obj in _claude_lines(case, session_id))


def label(case: Case, file: str) -> dict:
    return {"id": case.id, "file": file, "format": case.format, "cwd": case.cwd, "note": case.note, "deserves_memory": case.deserves_memory,
            "must_contain": case.must_contain, "must_not_contain": case.must_not_contain, "forbidden": case.forbidden}


def build(cases: list[Case], sessions_dir: Path, labels_path: Path, relations: list[dict] | None = None) -> None:
    """Replace ``sessions_dir`` with the rendered cases and write their labels."""
    if sessions_dir.exists():
        shutil.rmtree(sessions_dir)
    labels = []
    for case in cases:
        rel, text = render(case)
        target = sessions_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        labels.append(label(case, rel))
    data = {"version": 1, "sessions": labels, "relations": relations or []}
    labels_path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    all_cases = load_cases()
    build(all_cases, SESSIONS, LABELS, load_relations(cases=all_cases))
    print(f"wrote {len(all_cases)} sessions to {SESSIONS} and their labels to {LABELS}")
