"""The memory home's git contract on a real repository."""

from __future__ import annotations

from pathlib import Path

import git

from nightshift.phase2 import home as memory_home


def _commit(repo, text="x"):
    (Path(repo.working_tree_dir) / "MEMORY.md").write_text(text)
    return memory_home.commit_run(repo, "nightshift: test", "body", [("Nightshift-Run", "r1"), ("Nightshift-Rollout", "abc")])


def test_first_run_creates_a_repo_with_its_own_identity_and_ignores_state(home: Path):
    repo = memory_home.open_home(home)
    assert repo.config_reader("repository").get_value("user", "name") == "nightshift"
    (home / ".nightshift").mkdir()
    (home / ".nightshift" / "state.duckdb").write_text("state")
    sha = _commit(repo)
    files = repo.git.ls_tree("-r", "--name-only", sha).split()
    assert files == [".gitignore", "MEMORY.md"]


def test_commit_carries_trailers_and_nothing_changed_means_no_commit(home: Path):
    repo = memory_home.open_home(home)
    sha = _commit(repo)
    trailers = repo.git.log("-1", "--format=%(trailers:key=Nightshift-Run,valueonly)").strip()
    assert trailers == "r1"
    assert _commit(repo) is None  # identical content
    assert repo.head.commit.hexsha == sha


def test_hand_edits_become_the_users_commit(home: Path):
    repo = memory_home.open_home(home)
    _commit(repo, "generated\n")
    (home / "MEMORY.md").write_text("generated\nmy own note\n")
    sha = memory_home.commit_hand_edits(repo, "run-2")
    commit = repo.commit(sha)
    assert commit.author.name != "nightshift"
    assert "Hand edits" in commit.message
    assert (home / "MEMORY.md").read_text() == "generated\nmy own note\n"
    assert memory_home.commit_hand_edits(repo, "run-3") is None  # clean now


def test_restore_head_puts_tracked_and_untracked_files_back(home: Path):
    repo = memory_home.open_home(home)
    _commit(repo, "committed\n")
    (home / "MEMORY.md").write_text("half-written")
    (home / "skills").mkdir()
    (home / "skills" / "new.md").write_text("partial")
    (home / ".nightshift").mkdir()
    (home / ".nightshift" / "state.duckdb").write_text("kept")
    memory_home.restore_head(repo)
    assert (home / "MEMORY.md").read_text() == "committed\n"
    assert not (home / "skills").exists()
    assert (home / ".nightshift" / "state.duckdb").read_text() == "kept"
    assert not git.Repo(home).is_dirty(untracked_files=True)
