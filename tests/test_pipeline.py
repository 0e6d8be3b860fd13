"""The whole night on the builtin provider, end to end on real files, DuckDB and git (no Prefect)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import git
import pytest
from conftest import SAMPLE_SECRET, run_night

from nightshift.phase2 import handbook

from nightshift.night import steps as pipeline
from nightshift.store.state import open_state


def _tree(home: Path, sha: str) -> list[str]:
    return git.Repo(home).git.ls_tree("-r", "--name-only", sha).split()


def _everything_in(home: Path) -> str:
    """Working tree plus every committed version: where a leaked secret could hide."""
    files = "".join(p.read_text(errors="replace") for p in home.rglob("*") if p.is_file() and ".git" not in p.parts)
    return files + git.Repo(home).git.log("--all", "-p")


def test_first_night_makes_one_commit_with_the_handbook_and_a_second_changes_nothing(settings):
    run, sha = run_night(settings)
    assert sha is not None
    files = _tree(settings.home, sha)
    assert {"MEMORY.md", "memory_summary.md", "raw_memories.md"} <= set(files)
    assert any(f.startswith("rollout_summaries/") for f in files)
    assert (settings.home / "memory_summary.md").read_text().splitlines()[0] == "v1"
    assert handbook.validate_memory_md((settings.home / "MEMORY.md").read_text()) == []
    memory = (settings.home / "MEMORY.md").read_text()
    assert "Always use pnpm instead of npm in this repo." in memory
    assert "No module named 'acme_api'" in memory and "pip install -e ." in memory
    assert run.counts["memories"] == 2 and run.counts["no_ops"] == 6  # the no-signal chats stay out
    message = git.Repo(settings.home).head.commit.message
    assert f"Nightshift-Run: {run.run_id}" in message and "Nightshift-Rollout: " in message

    again, sha2 = run_night(settings)
    assert sha2 is None and again.counts["discovered"] == 0
    assert len(list(git.Repo(settings.home).iter_commits())) == 1


def test_a_secret_in_a_transcript_never_reaches_the_memory_home(settings):
    run_night(settings)
    leaked = _everything_in(settings.home)
    assert SAMPLE_SECRET not in leaked and SAMPLE_SECRET[:20] not in leaked
    with open_state(settings.state_dir) as db:
        assert not db.con.execute("SELECT count(*) FROM raw_memories WHERE body_json LIKE '%sk-proj%'").fetchone()[0]


def test_hand_edits_are_committed_first_and_survive_the_next_night(settings, sources):
    run_night(settings)
    memory_md = settings.home / "MEMORY.md"
    memory_md.write_text(memory_md.read_text().replace("### User preferences\n", "### User preferences\n- Keep answers short. (mine)\n", 1))
    # A new session arrives: the webshop user adds a rule.
    session = next((sources[1] / "projects" / "-home-dev-webshop").glob("a6167d38*.jsonl"))
    line = json.loads(session.read_text().splitlines()[-1])
    line.update(type="user", uuid="0e0e0e0e-0000-4000-8000-000000000001", message={"role": "user", "content": "Never use default exports in this codebase."})
    with session.open("a") as f:
        f.write(json.dumps(line) + "\n")
    _, sha = run_night(settings)
    repo = git.Repo(settings.home)
    authors = [c.author.name for c in repo.iter_commits()]
    assert authors[0] == "nightshift" and authors[1] != "nightshift" and len(authors) == 3
    text = memory_md.read_text()
    assert "- Keep answers short. (mine)" in text and "Never use default exports in this codebase." in text


def test_a_no_op_on_a_re_extracted_rollout_forgets_its_memory(settings, sources):
    run_night(settings)
    assert "Always use pnpm" in (settings.home / "MEMORY.md").read_text()
    session = next((sources[1] / "projects" / "-home-dev-webshop").glob("d4a27783*.jsonl"))
    kept = [ln for ln in session.read_text().splitlines() if "Always use pnpm" not in ln and "I prefer small" not in ln and "Never run the full" not in ln]
    session.write_text("\n".join(kept) + "\n")
    run, sha = run_night(settings)
    assert run.removed and sha is not None
    assert "Always use pnpm" not in (settings.home / "MEMORY.md").read_text()
    assert "Always use pnpm" in git.Repo(settings.home).git.show("HEAD~1:MEMORY.md")  # history keeps it


def test_files_that_are_not_transcripts_are_reported_once_and_not_reread(settings, sources):
    junk = sources[0] / "sessions" / "notes.jsonl"
    junk.write_text('{"hello": "world"}\n')
    (sources[0] / "sessions" / "empty.jsonl").write_text("")
    run, _ = run_night(settings)
    assert run.counts["skipped"] == 2
    assert any("notes.jsonl" in n for n in run.notes)
    again, _ = run_night(settings)
    assert again.counts["discovered"] == 0


def test_a_failing_consolidation_leaves_the_last_commit_untouched(settings, monkeypatch):
    _, first = run_night(settings)
    before = (settings.home / "MEMORY.md").read_bytes()
    os.utime(next(Path(settings.sources[1]).rglob("d4a27783*.jsonl")))  # something new to consolidate

    def half_write_then_crash(home, *args, **kwargs):
        (home / "MEMORY.md").write_text("half-written")
        (home / "skills").mkdir()
        raise OSError("disk full")

    monkeypatch.setattr(handbook, "apply_builtin", half_write_then_crash)
    with pytest.raises(OSError):
        run_night(settings)
    repo = git.Repo(settings.home)
    assert repo.head.commit.hexsha == first
    assert (settings.home / "MEMORY.md").read_bytes() == before
    assert not repo.is_dirty(untracked_files=True)
    with open_state(settings.state_dir) as db:
        job = db.job(pipeline.PHASE2_JOB, "global")
    assert job["status"] == "failed" and "disk full" in job["last_error"]

