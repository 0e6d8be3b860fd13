"""The memory home as a git repository: every consolidation is one commit, never a rewrite.

All git work goes through GitPython on a real repository. The home ignores ``.nightshift/`` (state,
lock, logs), which therefore survives a restore to HEAD.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import git

IDENTITY = ("nightshift", "nightshift@localhost")
GITIGNORE = ".nightshift/\n"
GENERATED = ("MEMORY.md", "memory_summary.md", "raw_memories.md", "rollout_summaries")


def open_home(home: Path) -> git.Repo:
    """Open the home's repo, creating it (with its own identity in its repo config) on first use."""
    home.mkdir(parents=True, exist_ok=True)
    if (home / ".git").exists():
        repo = git.Repo(home)
    else:
        repo = git.Repo.init(home, initial_branch="main")
        with repo.config_writer() as config:
            config.set_value("user", "name", IDENTITY[0])
            config.set_value("user", "email", IDENTITY[1])
    ignore = home / ".gitignore"
    if not ignore.exists():
        ignore.write_text(GITIGNORE, encoding="utf-8")
    return repo


def clear_stale_git_locks(repo: git.Repo, wait_seconds: float = 2.0) -> list[str]:
    """Remove git lock files a killed run left behind (index.lock, HEAD.lock, a branch's .lock).

    Call only under the run lock: then no nightshift process is using git here, and a lock that does
    not vanish within ``wait_seconds`` (a user's own git command finishing) belongs to a dead process.
    Without this, every later run fails with "Unable to create '.git/index.lock': File exists".
    """
    git_dir = Path(repo.git_dir)

    def present() -> list[Path]:
        return [p for p in (git_dir / "index.lock", git_dir / "HEAD.lock", *git_dir.glob("refs/heads/**/*.lock")) if p.exists()]

    deadline = time.monotonic() + wait_seconds
    while present() and time.monotonic() < deadline:
        time.sleep(0.1)
    stale = present()
    for lock in stale:
        lock.unlink(missing_ok=True)
    return [str(lock.relative_to(git_dir)) for lock in stale]


def has_commits(repo: git.Repo) -> bool:
    return repo.head.is_valid()


def is_dirty(repo: git.Repo) -> bool:
    return repo.is_dirty(untracked_files=True)


def _user_identity(repo: git.Repo) -> tuple[str, str]:
    """The user's own git identity (global config) for their hand edits; a neutral one otherwise."""
    reader = git.GitConfigParser([p for p in (Path.home() / ".gitconfig",) if p.exists()], read_only=True)
    name = reader.get_value("user", "name", default="") if reader.has_section("user") else ""
    email = reader.get_value("user", "email", default="") if reader.has_section("user") else ""
    return (str(name) or "memory-home user", str(email) or "user@localhost")


def commit_hand_edits(repo: git.Repo, run_id: str) -> str | None:
    """Commit edits a user made by hand since the last run, as the user's own commit.

    Before the first commit there is nothing to protect: everything goes into the first run's commit.
    """
    if not has_commits(repo) or not is_dirty(repo):
        return None
    repo.git.add(A=True)
    name, email = _user_identity(repo)
    actor = git.Actor(name, email)
    commit = repo.index.commit(
        f"Hand edits to the memory home\n\nFound uncommitted before nightshift run {run_id}; kept as they are.",
        author=actor,
        committer=actor,
    )
    return commit.hexsha


def changed_files(repo: git.Repo) -> list[str]:
    """Paths that differ between the working tree and HEAD (tracked and untracked)."""
    if not has_commits(repo):
        return sorted(repo.untracked_files)
    changed = {d.a_path for d in repo.index.diff(None)} | {d.a_path for d in repo.head.commit.diff(None)}
    return sorted(changed | set(repo.untracked_files))


def commit_run(repo: git.Repo, subject: str, body: str, trailers: list[tuple[str, str]]) -> str | None:
    """Stage everything and commit it as nightshift; None when nothing changed."""
    repo.git.add(A=True)
    if has_commits(repo) and not repo.index.diff("HEAD"):
        return None
    trailer_block = "\n".join(f"{key}: {value}" for key, value in trailers)
    message = f"{subject}\n\n{body.strip()}\n\n{trailer_block}\n" if body.strip() else f"{subject}\n\n{trailer_block}\n"
    actor = git.Actor(*IDENTITY)
    return repo.index.commit(message, author=actor, committer=actor).hexsha


def restore_head(repo: git.Repo) -> None:
    """Put the working tree back exactly at HEAD: tracked files reset, untracked files removed.

    Ignored files (``.nightshift/``) stay. Before the first commit, only generated files are removed.
    """
    home = Path(repo.working_tree_dir)
    if has_commits(repo):
        repo.git.reset("--hard", "HEAD")
        repo.git.clean("-fd")
        return
    repo.git.rm("-r", "--cached", "--quiet", "--ignore-unmatch", ".")
    for name in GENERATED:
        target = home / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def file_at_head(repo: git.Repo, name: str) -> str | None:
    if not has_commits(repo):
        return None
    try:
        return (repo.head.commit.tree / name).data_stream.read().decode("utf-8")
    except KeyError:
        return None


# --- review mode: a consolidation waits on the proposed branch (nightshift.commands.review) ------------

PROPOSED = "proposed"


def propose(repo: git.Repo, sha: str) -> None:
    """Move the new commit ``sha`` (on main, which it has a parent on) to the proposed branch; main goes back."""
    repo.git.branch("-f", PROPOSED, sha)
    repo.git.reset("--hard", f"{sha}~1")


def proposal(repo: git.Repo) -> str | None:
    """The commit waiting for review: the proposed branch, when it holds something main does not."""
    if PROPOSED not in repo.heads:
        return None
    sha = repo.heads[PROPOSED].commit.hexsha
    return None if repo.is_ancestor(sha, repo.head.commit.hexsha) else sha


def proposal_rollouts(repo: git.Repo) -> list[str]:
    """The ``Nightshift-Rollout`` trailers of the waiting proposal."""
    if proposal(repo) is None:
        return []
    out = repo.git.log("-1", "--format=%(trailers:key=Nightshift-Rollout,valueonly)", PROPOSED)
    return [line.strip() for line in out.splitlines() if line.strip()]


def drop_proposal(repo: git.Repo) -> None:
    if PROPOSED in repo.heads:
        repo.delete_head(PROPOSED, force=True)
