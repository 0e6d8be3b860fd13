"""The memory home as a git repository: every consolidation is one commit, never a rewrite.

All git work goes through GitPython on a real repository. The home ignores ``.nightshift/`` (state,
lock, logs), which therefore survives a restore to HEAD.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import git

from nightshift.errors import EXIT_FAILED, UserError
from nightshift.phase2.contract import GENERATED, SKILLS_DIR, STATE_DIR

IDENTITY = ("nightshift", "nightshift@localhost")
GITIGNORE = f"{STATE_DIR}/\n"
# What nightshift reads and writes in the home; none of it may be a symbolic link (see check_home).
OWN_PATHS = (*GENERATED, SKILLS_DIR, ".gitignore")


class HomeDamaged(UserError):
    """The home's git repository cannot be read; nothing was written."""

    def __init__(self, home: Path, what: str, command: str = "fsck"):
        super().__init__(f"the memory home {home} is a damaged git repository: {what}. `git -C {home} {command}` shows it; "
                         "nothing was written", EXIT_FAILED)


class LinkInHome(UserError):
    """A symbolic link where nightshift reads or writes: following it would read or write outside the home."""

    def __init__(self, home: Path, link: Path):
        rel = link.relative_to(home).as_posix()
        super().__init__(f"{link} is a symbolic link (to {os.readlink(link)}); nightshift neither reads nor writes through "
                         f"links in the memory home. Put the real file or folder there (`git -C {home} checkout HEAD -- {rel}` "
                         "restores the committed one); nothing was written", EXIT_FAILED)


def check_home(home: Path) -> None:
    """Before a run writes anything: nothing nightshift reads or writes is a link, and the repository,
    when there is one, can be read (its HEAD commit and every object of HEAD's snapshot)."""
    for name in OWN_PATHS:
        top = home / name
        if top.is_symlink():
            raise LinkInHome(home, top)
        if top.is_dir():
            for folder, dirs, files in os.walk(top):  # os.walk does not descend into links
                for entry in (*dirs, *files):
                    if (link := Path(folder) / entry).is_symlink():
                        raise LinkInHome(home, link)
    _check_git(home)


def _git(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(home), *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})  # a check writes nothing, not even the index


def _why(done: subprocess.CompletedProcess) -> str:
    """git's own last words (``fatal: ...``), on one line."""
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    return (lines[-1] if lines else f"git exited with {done.returncode}").removeprefix("fatal: ").removeprefix("error: ")


def _check_git(home: Path) -> None:
    dot_git = home / ".git"
    if not dot_git.exists() and not dot_git.is_symlink():
        return  # a new home: the first run creates the repository
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if not text.startswith("gitdir:"):
            raise HomeDamaged(home, f".git is {'an empty file' if not text else 'a file that names no repository'}, "
                                    "not the repository folder", "status")
    elif dot_git.is_dir() and not (dot_git / "HEAD").is_file():
        raise HomeDamaged(home, ".git/HEAD is missing", "status")
    # Two git calls on a healthy home: the snapshot's tree (reads HEAD, the config, the commit and its
    # trees), then whether each of its objects is there. Only a failure pays for a closer look.
    tree = _git(home, "ls-tree", "-r", "--full-tree", "HEAD")
    if tree.returncode != 0:
        config = _git(home, "rev-parse", "--git-dir")
        if config.returncode != 0:
            raise HomeDamaged(home, _why(config), "status")
        head = _git(home, "rev-parse", "--verify", "--quiet", "HEAD")
        if head.returncode != 0 and not head.stdout.strip():
            return  # no commit yet
        sha = head.stdout.strip()
        if _git(home, "cat-file", "-e", sha).returncode != 0:
            raise HomeDamaged(home, f"the HEAD commit {sha[:10]} is missing")
        raise HomeDamaged(home, f"the HEAD commit {sha[:10]} cannot be read ({_why(tree)})")
    entries = [line.split(None, 3) for line in tree.stdout.splitlines()]  # mode, type, sha, path
    objects = [(sha, path) for _, kind, sha, path in entries if kind == "blob"]
    found = _git(home, "cat-file", "--batch-check", stdin="".join(f"{sha}\n" for sha, _ in objects))
    missing = [path for (_, path), line in zip(objects, found.stdout.splitlines()) if line.endswith(" missing")]
    if found.returncode != 0 or missing:
        raise HomeDamaged(home, f"the object of {missing[0]} in HEAD is missing" if missing else _why(found))


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
