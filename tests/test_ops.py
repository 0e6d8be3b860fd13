"""The everyday commands as a user runs them: status, log, rollback, config show (real processes, git, DuckDB)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import git
import pytest
from conftest import run_night
from fake_openai import FakeOpenAI, Reply

from nightshift.clock import utcnow
from nightshift.commands.rollback import RollbackError, rollback
from nightshift.night.schedule import FRESH, run_pass
from nightshift.settings import Settings

NIGHTSHIFT = str(Path(sys.executable).parent / "nightshift")
NEW_RULE = "Never use default exports in this codebase."


def nightshift(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([NIGHTSHIFT, *args], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}, cwd=cwd)


def _say_in_webshop_session(sources: list[Path], text: str) -> None:
    """The user says something new in a webshop session: the transcript changes."""
    session = next(sources[1].rglob("a6167d38-*.jsonl"))
    line = json.loads(session.read_text().splitlines()[-1])
    line.update(type="user", parentUuid=line.get("uuid"), uuid=str(uuid.uuid4()), message={"role": "user", "content": text})
    with session.open("a") as f:
        f.write(json.dumps(line) + "\n")


def _two_nights_then_rollback(settings, sources) -> tuple[str, str, subprocess.CompletedProcess]:
    """Night one, then a night that learns NEW_RULE, then `nightshift rollback`; returns night one's
    MEMORY.md, night two's commit and the rollback's process."""
    run_night(settings)
    night_one = (settings.home / "MEMORY.md").read_text()
    _say_in_webshop_session(sources, NEW_RULE)
    _, night_two = run_night(settings)
    assert NEW_RULE in (settings.home / "MEMORY.md").read_text()
    return night_one, night_two, nightshift("rollback", "--home", str(settings.home))


def test_rollback_reverts_a_night_and_the_next_night_does_not_bring_it_back(settings, sources):
    home = settings.home
    night_one, night_two, done = _two_nights_then_rollback(settings, sources)
    assert done.returncode == 0, done.stderr
    assert f"reverted {night_two[:10]}" in done.stdout and "1 raw memory held back" in done.stdout
    repo = git.Repo(home)
    assert f"This reverts commit {night_two}." in repo.head.commit.message
    assert len(list(repo.iter_commits())) == 3  # history kept, not rewritten
    assert (home / "MEMORY.md").read_text() == night_one
    assert "held back by a rollback" in nightshift("status", "--home", str(home)).stdout
    usage = json.loads(nightshift("usage", "--home", str(home), "--format", "json").stdout)["memories"]
    assert sorted(r["status"] for r in usage) == ["held back by a rollback", "selected", "selected"]

    _, night_three = run_night(settings)  # nothing new: the revert stands, nothing is committed
    assert night_three is None and (home / "MEMORY.md").read_text() == night_one

    log = nightshift("log", "--home", str(home)).stdout.splitlines()  # the history tells the story
    run_id = re.search(r"Nightshift-Run: (\S+)", repo.commit(night_two).message)[1]
    assert log[0].endswith(f"nightshift: Roll back nightshift run {run_id}")
    assert f"    Nightshift-Rollback: {night_two}" in log and "    Nightshift-Provider: builtin" in log
    assert sum(line.startswith("    Nightshift-Rollout: ") for line in log) == 3  # two from night one, one from night two
    as_json = json.loads(nightshift("log", "--home", str(home), "--json", "-n", "1").stdout)
    assert len(as_json) == 1 and as_json[0]["reverts"] == night_two


def test_a_rolled_back_memory_returns_when_its_transcript_brings_new_evidence(settings, sources):
    _two_nights_then_rollback(settings, sources)
    _say_in_webshop_session(sources, "Also prefer named exports in tests.")  # the same transcript goes on
    _, night = run_night(settings)
    assert night and NEW_RULE in (settings.home / "MEMORY.md").read_text()
    assert "held back" not in nightshift("status", "--home", str(settings.home)).stdout
    usage = json.loads(nightshift("usage", "--home", str(settings.home), "--format", "json").stdout)["memories"]
    assert [r["status"] for r in usage] == ["selected"] * 3
    # The generated profile line the revert restored does not stick beside the new one.
    assert (settings.home / "memory_summary.md").read_text().count(" remembered (") == 1


def test_rollback_refuses_what_it_cannot_undo_and_leaves_the_home_clean(settings, sources, tmp_path):
    with pytest.raises(RollbackError, match="no commits yet"):
        rollback(Settings(home=tmp_path / "new-home", sources=[]), None, utcnow())

    run_night(settings)
    first = git.Repo(settings.home).head.commit.hexsha
    _say_in_webshop_session(sources, NEW_RULE)
    run_night(settings)
    repo = git.Repo(settings.home)
    head = repo.head.commit.hexsha
    conflict = nightshift("rollback", first, "--home", str(settings.home))  # night two rewrote the same lines
    assert conflict.returncode == 1 and "conflicts with later commits" in conflict.stderr
    assert repo.head.commit.hexsha == head and not repo.is_dirty(untracked_files=True)
    assert not (Path(repo.git_dir) / "REVERT_HEAD").exists()

    (settings.home / "notes.md").write_text("mine\n")
    with pytest.raises(RollbackError, match="uncommitted edits"):
        rollback(settings, None, utcnow())
    repo.git.add("notes.md")
    repo.index.commit("my notes")
    with pytest.raises(RollbackError, match="not a nightshift consolidation"):
        rollback(settings, "HEAD", utcnow())
    rollback(settings, None, utcnow())
    with pytest.raises(RollbackError, match="already rolled back"):
        rollback(settings, head, utcnow())


def test_status_names_failing_rollouts_with_their_error_and_next_retry(home, sources):
    with FakeOpenAI(default=Reply.error(401, "Incorrect API key provided")) as fake:
        failing = Settings(home=home, sources=sources, idle_hours=0, provider="openai", base_url=fake.base_url,
                           api_key="sk-test-key", model_max_retries=0)
        result = run_pass(failing, FRESH)
    assert result.run.counts["failed"] == 8 and not result.phase2.run

    done = nightshift("status", "--home", str(home))
    assert done.returncode == 0
    out = done.stdout.splitlines()
    run_line = next(line for line in out if line.startswith("  20"))
    assert " ok " in run_line and " fresh " in run_line and "failed 8" in run_line and "no commit" in run_line
    failing_lines = [line for line in out if line.startswith("  extract ")]
    assert len(failing_lines) == 8 and all("1 failures, next retry 20" in line and "Incorrect API key" in line for line in failing_lines)
    report = json.loads(nightshift("status", "--home", str(home), "--json").stdout)
    assert len(report["pending"]) == 8 and {p["status"] for p in report["pending"]} == {"failed"}
    assert report["failing"][0]["attempts_left"] == 3 and report["lock_holder"] is None


def test_config_show_names_where_each_setting_came_from_and_hides_the_key(home, tmp_path):
    home.mkdir()
    (home / "nightshift.toml").write_text('idle_hours = 4\nextract_model = "qwen2.5:14b"\n')
    secret = "sk-proj-Zx9vR2mN9bT4kLw8ZcY1pD6sHf3JgA0e5UoQiE7rWt2yB9n"
    env = {"NIGHTSHIFT_HOME": str(home), "NIGHTSHIFT_MAX_AGE_DAYS": "5", "OPENAI_API_KEY": secret}
    done = nightshift("config", "show", "--provider", "builtin", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert secret not in done.stdout and secret[:12] not in done.stdout
    rows = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert rows["idle_hours"].endswith(f"[{(home / 'nightshift.toml').resolve()}]") and " 4.0 " in rows["idle_hours"]
    assert rows["max_age_days"].endswith("[environment NIGHTSHIFT_MAX_AGE_DAYS]")
    assert rows["provider"].endswith("[flag --provider]") and " builtin " in rows["provider"]
    assert "(set, hidden)" in rows["api_key"] and rows["api_key"].endswith("[environment OPENAI_API_KEY]")
    assert rows["summary_token_cap"].endswith("[default]")
    as_json = {o["name"]: o for o in json.loads(nightshift("config", "show", "--json", env=env, cwd=tmp_path).stdout)}
    # A key in the environment alone never chooses a remote provider (issue 15).
    assert as_json["provider"] == {"name": "provider", "value": "builtin", "source": "default"}


def test_config_show_reports_an_invalid_setting_with_exit_2(home, tmp_path):
    done = nightshift("config", "show", "--home", str(home), env={"NIGHTSHIFT_IDLE_HOURS": "soon"}, cwd=tmp_path)
    assert done.returncode == 2 and "idle_hours" in done.stderr
