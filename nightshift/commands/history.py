"""The memory home's git history with each commit's nightshift trailers, newest first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import git

_FIELDS = "%H%x1f%aI%x1f%an%x1f%s%x1f%b%x1f%(trailers:only,unfold)%x1e"
_REVERTS = re.compile(r"This reverts commit ([0-9a-f]{40})")


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str  # ISO 8601 with the author's offset
    author: str
    subject: str
    trailers: dict[str, list[str]] = field(default_factory=dict)
    reverts: str | None = None  # the commit this one reverts, if it is a revert

    @property
    def run_id(self) -> str | None:
        """Set on consolidation commits only."""
        return (self.trailers.get("Nightshift-Run") or [None])[0]

    @property
    def rollouts(self) -> list[str]:
        return self.trailers.get("Nightshift-Rollout", [])

    def as_dict(self) -> dict:
        return {"sha": self.sha, "date": self.date, "author": self.author, "subject": self.subject,
                "trailers": self.trailers, "reverts": self.reverts}


def _trailers(block: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in block.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def commits(home: Path, limit: int | None = None, rev: str = "HEAD") -> list[Commit]:
    """Every commit of the home reachable from ``rev`` (or the newest ``limit``); empty before the first run."""
    if not (home / ".git").exists():
        return []
    repo = git.Repo(home)
    if not repo.head.is_valid():
        return []
    args = [f"--max-count={limit}"] if limit else []
    out = repo.git.log(*args, f"--format={_FIELDS}", rev, "--")
    found = []
    for record in out.split("\x1e"):
        if not record.strip():
            continue
        sha, date, author, subject, body, trailers = record.strip("\n").split("\x1f")
        reverts = _REVERTS.search(body)
        found.append(Commit(sha, date, author, subject, _trailers(trailers), reverts[1] if reverts else None))
    return found
