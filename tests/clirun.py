"""Running the real ``nightshift`` command in a subprocess, as a user would, for the CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NIGHTSHIFT = str(Path(sys.executable).parent / "nightshift")


def nightshift(*args: object, env: dict | None = None, cwd: Path | None = None, timeout: float = 180,
               replace_env: bool = False) -> subprocess.CompletedProcess:
    """``env`` adds to this process's environment, or is the whole environment with ``replace_env``."""
    return subprocess.run([NIGHTSHIFT, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=(env or {}) if replace_env else {**os.environ, **(env or {})})


def source_args(sources: list[Path]) -> list[str]:
    return [arg for s in sources for arg in ("--source", str(s))]


def assert_user_error(done: subprocess.CompletedProcess, code: int, *names: object) -> str:
    """Exit ``code``, no traceback anywhere, and one line on stderr that names each of ``names``."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for name in names:
        assert str(name) in lines[0], (name, lines[0])
    return lines[0]
