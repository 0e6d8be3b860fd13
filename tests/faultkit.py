"""Helpers for the fault tests: a memory home after one good night, the CLI as a subprocess, a session file.

Each fault test starts from a copy of one home that a real night already consolidated (built once per
session, in-process, which is fast), breaks something, and drives the real ``nightshift`` command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

NIGHTSHIFT = str(Path(sys.executable).parent / "nightshift")


def nightshift(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([NIGHTSHIFT, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def source_args(sources: list[Path]) -> list[str]:
    return [arg for s in sources for arg in ("--source", str(s))]


def consolidate(home: Path, sources: list[Path], *extra: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return nightshift("consolidate", "--home", str(home), *source_args(sources), "--idle-hours", "0", "--provider", "builtin",
                      *extra, env=env, timeout=timeout)


def claude_session(path: Path, preference: str, *, cwd: str = "/home/dev/lighthouse", when: datetime | None = None) -> str:
    """A short Claude Code session (our own words, the real record layout) in which the user states a
    preference the builtin rules keep; returns its session id. The file's mtime is set one minute back."""
    session = str(uuid.uuid4())
    when = when or datetime.now(UTC) - timedelta(minutes=5)
    turns = [
        ("user", "Add a healthcheck endpoint to the service, please."),
        ("assistant", "I added GET /healthz returning 200 with the build version."),
        ("user", preference),
        ("assistant", "Understood, I will do that from now on."),
    ]
    parent = None
    lines = []
    for number, (role, text) in enumerate(turns):
        uid = str(uuid.uuid4())
        stamp = (when + timedelta(seconds=10 * number)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        content = text if role == "user" else [{"type": "text", "text": text}]
        message = {"role": role, "content": content} if role == "user" else {
            "id": f"msg_{uid[:8]}", "type": "message", "role": role, "model": "claude-sonnet-4-5", "content": content}
        lines.append({"parentUuid": parent, "isSidechain": False, "userType": "external", "cwd": cwd, "sessionId": session,
                      "version": "2.1.41", "gitBranch": "main", "type": role, "message": message, "uuid": uid, "timestamp": stamp})
        parent = uid
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    moment = (datetime.now(UTC) - timedelta(minutes=1)).timestamp()
    os.utime(path, (moment, moment))
    return session


def copy_home(base: Path, target: Path) -> Path:
    shutil.copytree(base, target, symlinks=True)
    return target


def snapshot(home: Path) -> dict[str, bytes]:
    """Every file below the home with its bytes (the run lock's pid aside): to show nothing was written."""
    found = {}
    for path in sorted(home.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.name != "run.lock":
            found[path.relative_to(home).as_posix()] = path.read_bytes()
    return found


def no_traceback(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr[-3000:]
