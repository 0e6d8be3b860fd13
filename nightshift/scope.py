"""Project keys: which project a transcript (or a working directory) belongs to.

The key is the normalised git remote URL when one is known, else the git repo root, else the cwd,
so ``git@github.com:acme/api.git`` and ``https://github.com/acme/api`` name the same project and a
rule learnt in one repository is not shown in another.
"""

from __future__ import annotations

import configparser
import fnmatch
import re
from pathlib import Path

GLOBAL = "global"
_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!/).+)$")  # git@host:owner/repo.git
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+)$", re.I)


def normalise_remote(url: str) -> str | None:
    url = url.strip()
    match = _URL.match(url) or _SCP_LIKE.match(url)
    if not match:
        return None
    path = re.sub(r"\.git/?$", "", match["path"].strip("/"))
    return f"{match['host'].lower()}/{path}" if path else None


def find_repo_root(cwd: Path) -> Path | None:
    for folder in (cwd, *cwd.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _origin_url(repo_root: Path) -> str | None:
    config = repo_root / ".git" / "config"
    if not config.is_file():
        return None
    parser = configparser.ConfigParser(strict=False)
    try:
        parser.read(config, encoding="utf-8")
    except configparser.Error:
        return None
    section = 'remote "origin"'
    return parser.get(section, "url", fallback=None) if parser.has_section(section) else None


def project_key(cwd: str | None, git_remote: str | None = None, fallback: str | None = None) -> str:
    """Remote from the transcript first; otherwise look at the cwd on this machine, if it still exists.
    Without either, ``fallback``: how the agent files the session (``Transcript.project_scope``)."""
    if git_remote and (key := normalise_remote(git_remote)):
        return key
    if not cwd:
        return fallback or "unknown"
    folder = Path(cwd)
    root = find_repo_root(folder) if folder.is_absolute() and folder.exists() else None
    if root is None:
        return str(folder)
    origin = _origin_url(root)
    return (origin and normalise_remote(origin)) or str(root)


IGNORE_FILE = ".nightshift-ignore"


def opted_out(cwd: str | None, key: str, patterns: list[str]) -> str | None:
    """Why the user keeps this project out of memory, or None: a ``.nightshift-ignore`` file in the
    working directory or a folder above it up to the repo root, or an ``exclude_projects`` glob that
    matches the project key or the directory."""
    folder = Path(cwd) if cwd else None
    for pattern in patterns:
        if fnmatch.fnmatchcase(key, pattern) or (folder and fnmatch.fnmatchcase(str(folder), pattern)):
            return f"exclude_projects matches {pattern!r}"
    if folder is None or not folder.is_absolute() or not folder.is_dir():
        return None
    root = find_repo_root(folder)
    for place in (folder, *folder.parents):
        if (place / IGNORE_FILE).is_file():
            return f"{place / IGNORE_FILE}"
        if place == root:
            break
    return None
