"""Invented agent sessions for the tests of the agent-facing commands (MCP server, review, opt-out).

Each session is a Claude Code transcript with the real record layout (``type`` user/assistant,
``parentUuid`` chain, ``cwd``, ``sessionId``, ISO timestamps) and words written for these tests. Its
timestamps are a few hours before now and its mtime is set explicitly, so nothing depends on today's
date or on file ages in the checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

NIGHTSHIFT = str(Path(sys.executable).parent / "nightshift")


def nightshift(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([NIGHTSHIFT, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def project(root: Path, name: str, remote: str | None = None) -> Path:
    """A git repository (with an origin remote when given) a session can have worked in."""
    folder = root / name
    folder.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    if remote:
        subprocess.run(["git", "-C", str(folder), "remote", "add", "origin", remote], check=True)
    return folder


def claude_session(source: Path, cwd: Path, turns: list[str], hours_ago: float = 3) -> tuple[str, Path]:
    """Write a session whose turns alternate user, assistant; returns its session id and path."""
    session = str(uuid.uuid4())
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    records, parent = [], None
    for i, text in enumerate(turns):
        me = str(uuid.uuid4())
        if i % 2 == 0:
            kind, message = "user", {"role": "user", "content": text}
        else:
            kind, message = "assistant", {"id": f"msg_{me[:12]}", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                                          "content": [{"type": "text", "text": text}]}
        records.append({"parentUuid": parent, "isSidechain": False, "userType": "external", "cwd": str(cwd), "sessionId": session,
                        "version": "2.1.41", "gitBranch": "main", "type": kind, "message": message, "uuid": me,
                        "timestamp": (start + timedelta(minutes=2 * i)).isoformat(timespec="milliseconds").replace("+00:00", "Z")})
        parent = me
    path = source / ("-" + str(cwd).strip("/").replace("/", "-")) / f"{session}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    idle = time.time() - 2 * 3600 + 60 * len(list(path.parent.iterdir()))  # idle for hours, distinct mtimes
    os.utime(path, (idle, idle))
    return session, path


def preference_session(source: Path, cwd: Path, rule: str, hours_ago: float = 3) -> tuple[str, Path]:
    """A short session in which the user states one standing rule for the repository."""
    return claude_session(source, cwd, [
        "Please bump the version in pyproject.toml for the next release.",
        "Bumped it from 0.4.1 to 0.4.2 and updated the changelog heading.",
        rule,
        "Understood, I will keep to that from now on.",
    ], hours_ago)


def usage_of(home: Path) -> dict[str, dict]:
    """``nightshift usage --format json`` by rollout id."""
    done = nightshift("usage", "--home", str(home), "--format", "json")
    assert done.returncode == 0, done.stderr
    return {m["rollout_id"]: m for m in json.loads(done.stdout)["memories"]}
