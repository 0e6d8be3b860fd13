"""Realistic synthetic transcripts for the benchmarks: Codex CLI rollouts, Claude Code, Gemini CLI and Cursor sessions.

Line shapes follow ``/work/shared/reference/transcript_formats.md`` (sections 1.5, 1.8, 2.2, 2.3):
Codex envelopes with developer/AGENTS.md/environment blocks, reasoning with encrypted content,
``event_msg`` mirrors and token counts; Claude Code lines with one content block per assistant line,
thinking blocks, ``tool_result`` lines with their bulkier ``toolUseResult`` copy, and pasted base64
images; Gemini CLI JSONL with tool calls written twice (running, finished) and rewinds; Cursor
transcripts of prompts, answers and tool inputs (Cursor writes no results). Tool-heavy sessions carry long build and test logs, a few huge outputs, environment dumps
with fake secrets, and user turns each tagged ``(u<N>)`` so a benchmark can check they survive.

    python -m bench.generate session --format codex --size 100MB --out /tmp/big.jsonl
    python -m bench.generate tree --files 50000 --out /tmp/tree     # tiny files, every format

Everything is seeded: the same arguments write the same bytes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

NOW = datetime.now(UTC)
FAKE_OPENAI_KEY = "sk-proj-" + "Zq8vR2mN9bT4kLw8ZcY1pD6sHf3JgA0e5UoQiE7rWt2yB9nM"
FAKE_AWS_KEY = "AKIA" + "QX7Z2M4N8B6V3C1K"
_WORDS = ("cart order invoice limit page user token cache retry build module import test fixture client "
          "server schema route handler query index migrate deploy config parse render").split()
_PREFERENCES = (
    "Always use pnpm instead of npm in this repo.",
    "Never run the full e2e suite locally, run the unit tests instead.",
    "I prefer small commits with conventional commit messages.",
)


def _log_line(r: random.Random) -> str:
    kind = r.randrange(5)
    if kind == 0:
        return f"tests/test_{r.choice(_WORDS)}.py::test_{r.choice(_WORDS)}_{r.randrange(999)} PASSED [{r.randrange(100):3d}%]"
    if kind == 1:
        return f"src/{r.choice(_WORDS)}/{r.choice(_WORDS)}.py:{r.randrange(1, 900)}:    {r.choice(_WORDS)} = {r.choice(_WORDS)}(request)"
    if kind == 2:
        return f"2026-11-{r.randrange(10, 28)}T{r.randrange(24):02d}:{r.randrange(60):02d}:11Z INFO {r.choice(_WORDS)} handled in {r.random() * 90:.1f} ms"
    if kind == 3:
        return f"  + {r.choice(_WORDS)}-{r.choice(_WORDS)} {r.randrange(9)}.{r.randrange(30)}.{r.randrange(20)}"
    return " ".join(r.choice(_WORDS) for _ in range(r.randrange(4, 14)))


class _Text:
    """Seeded building blocks: prose, log lines, code, ids (the line pools are shared by all instances)."""

    _pools: tuple[list[str], list[str]] | None = None

    def __init__(self, seed: int, small: bool = False) -> None:
        self.rng = random.Random(seed)
        self.small = small  # tiny sessions for the 50,000-file tree: short outputs, no images
        if _Text._pools is None:
            r = random.Random(0)
            code = [f"{' ' * 4 * r.randrange(3)}{r.choice(['def', 'return', 'if', 'for'])} "
                    f"{r.choice(_WORDS)}_{r.choice(_WORDS)}({r.choice(_WORDS)}):" for _ in range(500)]
            _Text._pools = ([_log_line(r) for _ in range(4000)], code)
        self.log_pool, self.code_pool = _Text._pools

    def log(self, nbytes: int) -> str:
        lines, size = [], 0
        pool, pick = self.log_pool, self.rng.randrange
        while size < nbytes:
            line = pool[pick(len(pool))]
            lines.append(line)
            size += len(line) + 1
        return "\n".join(lines)

    def code(self, nlines: int) -> str:
        return "\n".join(self.rng.choice(self.code_pool) for _ in range(nlines))

    def sentence(self) -> str:
        words = [self.rng.choice(_WORDS) for _ in range(self.rng.randrange(6, 16))]
        return " ".join(words).capitalize() + "."

    def output_size(self) -> int:
        """Mostly short outputs, a long tail of build logs, and a rare huge one."""
        roll = self.rng.random()
        if self.small:
            return self.rng.randrange(50, 400)
        if roll < 0.70:
            return self.rng.randrange(100, 3_000)
        if roll < 0.995:
            return self.rng.randrange(3_000, 60_000)
        return self.rng.randrange(200_000, 2_000_000)

    def calls(self) -> int:
        return 1 if self.small else self.rng.randrange(3, 12)

    def opaque(self, low: int, high: int) -> int:
        """Bytes of an opaque blob (encrypted reasoning, a signature, an image): tiny in small sessions."""
        return self.rng.randrange(low // 20, high // 20) if self.small else self.rng.randrange(low, high)

    def image(self) -> str:
        raw = self.rng.randbytes(self.opaque(60_000, 400_000))
        return "data:image/png;base64," + base64.b64encode(raw).decode()

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _secret_dump(t: _Text) -> str:
    return f"PATH=/usr/bin:/bin\nOPENAI_API_KEY={FAKE_OPENAI_KEY}\nAWS_ACCESS_KEY_ID={FAKE_AWS_KEY}\n{t.log(400)}"


def _user_text(t: _Text, turn: int, user_turns: list[str] | None) -> str:
    """The user's words of one turn, tagged ``(u<N>)``; every seventh states a preference."""
    text = f"{t.sentence()} {t.rng.choice(_PREFERENCES) if turn % 7 == 1 else t.sentence()} (u{turn})"
    if user_turns is not None:
        user_turns.append(text)
    return text


def codex_lines(t: _Text, target: int, start: datetime, cwd: str, *, user_turns: list[str] | None = None):
    """Yield encoded lines of one Codex rollout of about ``target`` bytes."""
    sid, when = t.uuid(), start

    def line(kind: str, payload: dict) -> bytes:
        nonlocal when
        when += timedelta(milliseconds=t.rng.randrange(20, 4000))
        return orjson.dumps({"timestamp": _iso(when), "type": kind, "payload": payload}) + b"\n"

    def message(role: str, text: str, kind: str = "input_text") -> dict:
        return {"type": "message", "role": role, "content": [{"type": kind, "text": text}]}

    yield line("session_meta", {"id": sid, "timestamp": _iso(start), "cwd": cwd, "originator": "codex_cli_rs",
                                "cli_version": "0.142.0", "source": "cli", "model_provider": "openai",
                                "base_instructions": {"text": "You are Codex, a coding agent. " * (1 if t.small else 40)},
                                "git": {"branch": "main", "repository_url": "git@github.com:acme/api.git"}})
    yield line("response_item", message("developer", "<permissions instructions>\nsandbox_mode is workspace-write.\n</permissions instructions>"))
    yield line("response_item", message("user", "# AGENTS.md instructions for " + cwd + "\n\n<INSTRUCTIONS>\nRun `make test` before committing.\n</INSTRUCTIONS>"))
    yield line("response_item", message("user", f"<environment_context>\n  <cwd>{cwd}</cwd>\n  <shell>zsh</shell>\n</environment_context>"))
    written, turn, call = 0, 0, 0
    while written < target or turn == 0:
        turn += 1
        text = _user_text(t, turn, user_turns)
        content = [{"type": "input_text", "text": text}]
        if turn % 5 == 0:
            content.append({"type": "input_image", "image_url": t.image()})
        batch = [line("turn_context", {"turn_id": t.uuid(), "cwd": cwd, "approval_policy": "on-request", "model": "gpt-5.3-codex"}),
                 line("response_item", {"type": "message", "role": "user", "content": content}),
                 line("event_msg", {"type": "user_message", "message": text, "images": [], "local_images": []})]
        for _ in range(t.calls()):
            call += 1
            call_id = f"call_{call:06d}"
            batch.append(line("response_item", {"type": "reasoning", "summary": [{"type": "summary_text", "text": "**Checking the logs**"}],
                                                "encrypted_content": base64.b64encode(t.rng.randbytes(t.opaque(800, 6000))).decode()}))
            cmd = t.rng.choice(["pytest -q", "rg -n limit src", "npm run build", "env", "cat src/app.py", "make test"])
            batch.append(line("response_item", {"type": "function_call", "name": "exec_command", "call_id": call_id,
                                                "arguments": orjson.dumps({"cmd": cmd, "workdir": cwd}).decode()}))
            body = _secret_dump(t) if cmd == "env" else t.log(t.output_size())
            code = 1 if t.rng.random() < 0.15 else 0
            output = f"Chunk ID: {call:x}\nWall time: 0.41 seconds\nProcess exited with code {code}\nOriginal token count: {len(body) // 4}\nOutput:\n{body}"
            batch.append(line("response_item", {"type": "function_call_output", "call_id": call_id, "output": output}))
            batch.append(line("event_msg", {"type": "exec_command_end", "call_id": call_id, "exit_code": code, "aggregated_output": body[:10_000]}))
            batch.append(line("event_msg", {"type": "token_count", "info": {"total_token_usage": {"input_tokens": call * 1000}}}))
        if turn % 3 == 0:
            patch = "*** Begin Patch\n*** Update File: src/app.py\n" + t.code(t.rng.randrange(10, 80)) + "\n*** End Patch"
            batch.append(line("response_item", {"type": "custom_tool_call", "name": "apply_patch", "call_id": f"p{turn}", "input": patch}))
            batch.append(line("response_item", {"type": "custom_tool_call_output", "call_id": f"p{turn}", "output": "Success. Updated src/app.py"}))
        answer = " ".join(t.sentence() for _ in range(t.rng.randrange(2, 8)))
        batch.append(line("response_item", message("assistant", answer, "output_text")))
        batch.append(line("event_msg", {"type": "agent_message", "message": answer}))
        for encoded in batch:
            written += len(encoded)
            yield encoded


def claude_lines(t: _Text, target: int, start: datetime, cwd: str, *, user_turns: list[str] | None = None):
    """Yield encoded lines of one Claude Code session of about ``target`` bytes."""
    sid, when, parent = t.uuid(), start, None

    def line(kind: str, message: dict, **extra) -> bytes:
        nonlocal when, parent
        when += timedelta(milliseconds=t.rng.randrange(20, 4000))
        uid = t.uuid()
        record = {"parentUuid": parent, "isSidechain": False, "userType": "external", "cwd": cwd, "sessionId": sid,
                  "version": "2.1.41", "gitBranch": "main", "type": kind, "message": message, "uuid": uid,
                  "timestamp": _iso(when), **extra}
        parent = uid
        return orjson.dumps(record) + b"\n"

    yield orjson.dumps({"type": "summary", "summary": "Benchmark session", "leafUuid": t.uuid()}) + b"\n"
    written, turn, call, turn_root = 0, 0, 0, None
    while written < target or turn == 0:
        turn += 1
        if turn % 7 == 0:  # the user edits the last message and sends it again: that turn becomes a dead branch
            parent = turn_root
            if user_turns:
                user_turns.pop()
        turn_root = parent
        text = _user_text(t, turn, user_turns)
        blocks = [{"type": "text", "text": text}]
        if turn % 5 == 0:
            blocks.append({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": t.image().split(",", 1)[1]}})
        batch = [line("user", {"role": "user", "content": blocks}),
                 orjson.dumps({"type": "file-history-snapshot", "messageId": t.uuid(), "snapshot": {"trackedFileBackups": {}}}) + b"\n"]
        for _ in range(t.calls()):
            call += 1
            msg_id, tool_id = f"msg_{call:08d}", f"toolu_{call:08d}"
            usage = {"input_tokens": 4, "cache_read_input_tokens": call * 900, "output_tokens": 61}
            batch.append(line("assistant", {"id": msg_id, "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                                            "content": [{"type": "thinking", "thinking": t.sentence() * 8, "signature": base64.b64encode(t.rng.randbytes(t.opaque(200, 400))).decode()}],
                                            "usage": usage}, requestId=f"req_{call}"))
            cmd = t.rng.choice(["pnpm test", "rg -n limit src", "npm run build", "env", "cat src/app.ts"])
            batch.append(line("assistant", {"id": msg_id, "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                                            "content": [{"type": "tool_use", "id": tool_id, "name": "Bash", "input": {"command": cmd}}],
                                            "usage": usage}, requestId=f"req_{call}"))
            body = _secret_dump(t) if cmd == "env" else t.log(t.output_size())
            failed = t.rng.random() < 0.15
            batch.append(line("user", {"role": "user", "content": [{"tool_use_id": tool_id, "type": "tool_result", "content": body, "is_error": failed}]},
                              toolUseResult={"stdout": body, "stderr": "", "interrupted": False}))
        answer = " ".join(t.sentence() for _ in range(t.rng.randrange(2, 8)))
        batch.append(line("assistant", {"id": f"msg_a{turn}", "type": "message", "role": "assistant", "content": [{"type": "text", "text": answer}]}))
        batch.append(orjson.dumps({"type": "system", "subtype": "turn_duration", "durationMs": 5400, "uuid": t.uuid(), "timestamp": _iso(when)}) + b"\n")
        for encoded in batch:
            written += len(encoded)
            yield encoded


def gemini_lines(t: _Text, target: int, start: datetime, cwd: str, *, user_turns: list[str] | None = None):
    """Yield encoded lines of one Gemini CLI session (JSONL builds) of about ``target`` bytes; every seventh
    turn is rewound and said again, and each tool call is written twice (running, then with its result)."""
    when, n = start, 0

    def stamp() -> str:
        nonlocal when
        when += timedelta(milliseconds=t.rng.randrange(20, 4000))
        return _iso(when)

    def message(kind: str, **fields) -> tuple[str, bytes]:
        nonlocal n
        n += 1
        record_id = f"m{n:07d}"
        return record_id, orjson.dumps({"id": record_id, "timestamp": stamp(), "type": kind, **fields}) + b"\n"

    yield orjson.dumps({"sessionId": t.uuid(), "projectHash": hashlib.sha256(cwd.encode()).hexdigest(), "startTime": _iso(start),
                        "lastUpdated": _iso(start), "kind": "main"}) + b"\n"
    written, turn, call = 0, 0, 0
    while written < target or turn == 0:
        turn += 1
        text = _user_text(t, turn, user_turns)
        parts: list[dict] = [{"text": text}]
        if turn % 5 == 0:
            parts.append({"inlineData": {"mimeType": "image/png", "data": t.image().split(",", 1)[1]}})
        prompt_id, prompt = message("user", content=parts)
        batch = [prompt, orjson.dumps({"$set": {"lastUpdated": _iso(when)}}) + b"\n"]
        for _ in range(t.calls()):
            call += 1
            cmd = t.rng.choice(["pytest -q", "rg -n limit src", "npm run build", "env", "make test"])
            body = _secret_dump(t) if cmd == "env" else t.log(t.output_size())
            code = 1 if t.rng.random() < 0.15 else 0
            tool = {"id": f"run_shell_command-{call}", "name": "run_shell_command", "args": {"command": cmd, "dir_path": cwd}, "status": "executing"}
            thoughts = [{"subject": "Checking", "description": t.sentence() * 4, "timestamp": _iso(when)}]
            call_id, running = message("gemini", content="", thoughts=thoughts, model="gemini-2.5-pro", toolCalls=[tool])
            output = f"Output: {body}\n" + (f"Exit Code: {code}\n" if code else "") + "Process Group PGID: 4242"
            result = [{"functionResponse": {"id": tool["id"], "name": "run_shell_command", "response": {"output": output}}}]
            finished = orjson.dumps({"id": call_id, "timestamp": _iso(when), "type": "gemini", "content": "", "thoughts": thoughts,
                                     "model": "gemini-2.5-pro", "toolCalls": [{**tool, "status": "success", "result": result}]}) + b"\n"
            batch += [running, finished]
        batch.append(message("gemini", content=" ".join(t.sentence() for _ in range(t.rng.randrange(2, 8))), model="gemini-2.5-pro")[1])
        if turn % 7 == 0:  # the user rewinds this turn and says it again
            batch.append(orjson.dumps({"$rewindTo": prompt_id}) + b"\n")
            if user_turns:
                user_turns.pop()
            batch.append(message("user", content=[{"text": _user_text(t, turn, user_turns)}])[1])
        for encoded in batch:
            written += len(encoded)
            yield encoded


def cursor_lines(t: _Text, target: int, start: datetime, cwd: str, *, user_turns: list[str] | None = None):
    """Yield encoded lines of one Cursor agent transcript of about ``target`` bytes: no timestamps and no
    tool results (Cursor keeps those elsewhere), so its bytes are prompts, answers and tool inputs."""
    del start  # Cursor's lines carry no time

    def line(record: dict) -> bytes:
        return orjson.dumps(record) + b"\n"

    written, turn = 0, 0
    while written < target or turn == 0:
        turn += 1
        query = f"<user_query>\n{_user_text(t, turn, user_turns)}\n</user_query>"
        if turn == 1:
            query = f"<user_info>\nOS Version: linux 6.8.0\nWorkspace Path: {cwd}\n</user_info>\n\n{query}"
        batch = [line({"role": "user", "message": {"content": [{"type": "text", "text": query}]}})]
        for _ in range(t.calls()):
            edit = {"path": f"{cwd}/src/app.py", "old_string": t.code(t.rng.randrange(5, 40)), "new_string": t.code(t.rng.randrange(5, 40))}
            batch.append(line({"role": "assistant", "message": {"content": [
                {"type": "text", "text": t.sentence()},
                {"type": "tool_use", "name": "Shell", "input": {"command": t.rng.choice(["pytest -q", "rg -n limit src", "make test"])}},
                {"type": "tool_use", "name": "StrReplace", "input": edit}]}}))
        batch.append(line({"role": "assistant", "message": {"content": [{"type": "text", "text": " ".join(t.sentence() for _ in range(t.rng.randrange(2, 8)))}]}}))
        batch.append(line({"type": "turn_ended", "status": "success"}))
        for encoded in batch:
            written += len(encoded)
            yield encoded


LINES = {"codex": codex_lines, "claude": claude_lines, "gemini": gemini_lines, "cursor": cursor_lines}
TREE_SOURCES = ("codex", "claude", "gemini", "cursor")  # the source folders write_tree fills, below its root


def write_session(path: Path, fmt: str, size: int, *, seed: int = 1, start: datetime | None = None,
                  user_turns: list[str] | None = None) -> Path:
    """Stream one session of about ``size`` bytes to ``path``; ``user_turns`` collects the user texts."""
    t = _Text(seed)
    start = start or NOW - timedelta(days=1)
    lines = LINES[fmt](t, size, start, "/home/dev/acme-api", user_turns=user_turns)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb", buffering=1 << 20) as fh:
        fh.writelines(lines)
    return path


def write_tree(root: Path, files: int, *, size: int = 0, seed: int = 7, idle_hours: float = 12) -> list[Path]:
    """``files`` sessions laid out like ~/.codex/sessions, ~/.claude/projects, ~/.gemini/tmp and
    ~/.cursor/projects: one in ten Gemini CLI, one in ten Cursor, of the rest two thirds Codex.

    ``size`` 0 writes tiny sessions (one user turn, one tool call); every file is older than
    ``idle_hours`` and younger than nine days, so discovery considers all of them.
    """
    t, paths = _Text(seed), []
    for i in range(files):
        age = timedelta(hours=idle_hours + t.rng.random() * 24 * 8)
        start = NOW - age
        cwd = f"/home/dev/project{i % 97}"
        if i % 10 == 8:
            fmt, chat = "gemini", t.uuid()
            path = root / "gemini" / "tmp" / hashlib.sha256(cwd.encode()).hexdigest() / "chats" / f"session-{start:%Y-%m-%dT%H-%M}-{chat[:8]}.jsonl"
        elif i % 10 == 9:
            fmt, chat = "cursor", t.uuid()
            path = root / "cursor" / "projects" / f"home-dev-project{i % 97}" / "agent-transcripts" / chat / f"{chat}.jsonl"
        elif i % 3 < 2:
            day = start.strftime("%Y/%m/%d")
            path = root / "codex" / "sessions" / day / f"rollout-{start:%Y-%m-%dT%H-%M-%S}-{t.uuid()}.jsonl"
            fmt = "codex"
        else:
            path = root / "claude" / "projects" / f"-home-dev-project{i % 97}" / f"{t.uuid()}.jsonl"
            fmt = "claude"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = LINES[fmt](_Text(seed * 1_000_003 + i, small=size == 0), size, start, cwd)
        with path.open("wb") as fh:
            fh.writelines(lines)
        stamp = start.timestamp()
        os.utime(path, (stamp, stamp))
        paths.append(path)
    return paths


def parse_size(text: str) -> int:
    units = {"KB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000}
    for unit, factor in units.items():
        if text.upper().endswith(unit):
            return int(float(text[: -len(unit)]) * factor)
    return int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("session", help="one session file")
    one.add_argument("--format", choices=list(LINES), default="codex")
    one.add_argument("--size", default="10MB")
    one.add_argument("--seed", type=int, default=1)
    one.add_argument("--out", type=Path, required=True)
    tree = sub.add_parser("tree", help="a source tree of many sessions")
    tree.add_argument("--files", type=int, default=1000)
    tree.add_argument("--size", default="0", help="bytes per session; 0 = tiny")
    tree.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.what == "session":
        write_session(args.out, args.format, parse_size(args.size), seed=args.seed)
    else:
        write_tree(args.out, args.files, size=parse_size(args.size))


if __name__ == "__main__":
    main()
