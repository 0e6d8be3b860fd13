"""What the command says, read as a user reads it: version, help, warnings, counts, status and history lines."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version

import git
import pytest
from clirun import assert_user_error, nightshift
from conftest import REPO, SAMPLES, run_night

from nightshift.night.schedule import decide
from nightshift.settings import Settings

WIDE = {"COLUMNS": "200"}


def test_version():
    done = nightshift("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"nightshift {version('nightshift')}"


@pytest.mark.parametrize("command", [["consolidate"], ["status"], ["forget"], ["watch"], ["config", "show"], ["summary"]])
def test_option_help_has_no_type_tags(command):
    done = nightshift(*command, "--help", env=WIDE)
    assert done.returncode == 0
    assert "<bool>" not in done.stdout and "<list[" not in done.stdout
    options = [line for line in done.stdout.splitlines() if line.lstrip().startswith("-")]
    assert options and not [line for line in options if "<" in line.split("  ")[1]]  # e.g. --home DIR, not --home <path>


def test_consolidate_help_shows_defaults_and_the_three_default_folders():
    text = " ".join(nightshift("consolidate", "--help", env=WIDE).stdout.split())
    assert "~/.codex/sessions, ~/.codex/archived_sessions, ~/.claude/projects" in text
    assert "(default: 6," in text  # --idle-hours
    assert "builtin (offline rules, the default)" in text


def test_a_missing_source_folder_is_named(tmp_path, home):
    missing = tmp_path / "no-such-folder"
    done = nightshift("consolidate", "--dry-run", "--home", home, "--source", missing, "--source", SAMPLES / "claude", "--idle-hours", "0")
    assert done.returncode == 0
    assert f"source folder {missing} does not exist" in done.stderr
    assert done.stdout.count("would extract ") == 4


def test_no_source_folder_at_all_exits_2_listing_them(tmp_path, home):
    first, second = tmp_path / "one", tmp_path / "two"
    done = nightshift("consolidate", "--home", home, "--source", first, "--source", second)
    assert_user_error(done, 2, first, second)
    assert not home.exists()


def test_one_memory_is_one_memory(tmp_path, home):
    """The webshop sample: one preference session and one no-op; the builtin run is in-process, the line the CLI's."""
    from nightshift.night.steps import summary_line

    run, sha = run_night(Settings(home=home, sources=[SAMPLES / "claude" / "projects" / "-home-dev-webshop"], idle_hours=0, provider="builtin"))
    line = summary_line(run, sha)
    assert "2 candidates, 1 memory, 1 no-op, 0 skipped, 0 failed, 0 model calls" in line
    assert git.Repo(home).head.commit.summary == "nightshift: 1 new or updated memory"
    now = datetime.now(UTC)
    assert decide("fresh", now=now, last_consolidated=now, new_memories=1, cooldown_hours=6).reason.startswith("1 new raw memory waits:")


def test_status_during_a_first_run_says_a_run_is_in_progress(home):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys,time; from pathlib import Path; from nightshift.lock import run_lock\n"
         "with run_lock(Path(sys.argv[1])): print('held', flush=True); time.sleep(60)", str(home / ".nightshift")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        done = nightshift("status", "--home", home)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 0
    assert "a run is in progress" in done.stdout and f"pid {holder.pid}" in done.stdout and "no runs yet" not in done.stdout


def test_the_log_names_nightshift_once(home, sources):
    run_night(Settings(home=home, sources=sources, idle_hours=0, provider="builtin"))
    assert git.Repo(home).head.commit.summary == "nightshift: 2 new or updated memories"
    done = nightshift("log", "--home", home)
    assert done.returncode == 0
    assert "nightshift: 2 new or updated memories" in done.stdout and "nightshift: nightshift:" not in done.stdout


def test_the_test_suite_never_uses_the_callers_prefect_home(tmp_path):
    """`make test` exports the checkout's PREFECT_HOME (the one `make serve` shows); the tests must not write there."""
    probe = "import conftest, os; print(os.environ['PREFECT_HOME'])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO / "tests",
                          env={**os.environ, "PREFECT_HOME": str(tmp_path / "users-prefect")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() and not done.stdout.strip().startswith(str(tmp_path))


@pytest.mark.slow
def test_make_demo_ends_with_what_was_learned(tmp_path):
    demo_home = tmp_path / "demo_home"
    done = subprocess.run(["make", "--no-print-directory", "-C", str(REPO), "demo", f"DEMO_HOME={demo_home}"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    summary = (demo_home / "memory_summary.md").read_text()
    assert summary.strip() in done.stdout  # the whole memory_summary.md
    tail = done.stdout[done.stdout.index(summary.strip()) + len(summary.strip()):]
    assert "# Memory from earlier sessions" in tail and "pnpm" in tail  # then `nightshift summary --cwd` for the webshop
    assert "named exports only" in tail  # what a Gemini CLI session taught serves the webshop too
    assert "nightshift: nightshift:" not in done.stdout
    assert "nightshift: 4 new or updated memories" in done.stdout  # one per agent
