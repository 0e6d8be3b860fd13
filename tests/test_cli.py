"""The nightshift command as a user runs it: a real process, the Prefect flow, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import git
import pytest
from conftest import SAMPLE_SECRET
from fake_openai import FakeOpenAI, Reply

from nightshift.store.state import open_state

NIGHTSHIFT = str(Path(sys.executable).parent / "nightshift")
ACME_MEMORY = {
    "decision": "remember", "rollout_summary": "Fixed acme-api tests by installing the package.", "slug": "fix-acme-tests",
    "tasks": [{"title": "Fix failing tests", "outcome": "success", "scope": "project", "cwd": "/home/dev/acme-api",
               "keywords": ["pytest"], "preferences": [], "knowledge": ["Run `pip install -e .` before `pytest` in acme-api"],
               "failures": [], "evidence": ["tool output 9"]}],
}
NO_OP = {"decision": "no_op", "rollout_summary": "", "slug": "", "tasks": []}
AGENT_MEMORY_MD = """# Memory handbook

## Task group: acme-api
scope: project
applies_to: github.com/acme/acme-api

### Task: Fix failing tests
- outcome: success

### User preferences
- (none yet)

### Reusable knowledge
- Run `pip install -e .` before `pytest` in acme-api

### Failures and fixes
- (none yet)
"""
AGENT_SUMMARY_MD = """v1

## User profile
- Works on acme-api.

## Preferences
- (none yet)

## General tips
### project: github.com/acme/acme-api
- Run `pip install -e .` before `pytest` in acme-api

## What's in memory
- [project: github.com/acme/acme-api] acme-api (1 task): pytest -> MEMORY.md
"""


def nightshift(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([NIGHTSHIFT, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def _source_args(sources: list[Path]) -> list[str]:
    return [arg for s in sources for arg in ("--source", str(s))]


@pytest.mark.slow
def test_consolidate_runs_the_flow_and_prints_one_summary_line(home, sources):
    done = nightshift("consolidate", "--home", str(home), *_source_args(sources), "--idle-hours", "0")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nightshift: run ") and "2 memories" in lines[0] and "commit " in lines[0]
    assert len(list(git.Repo(home).iter_commits())) == 1

    status = nightshift("status", "--home", str(home))
    assert status.returncode == 0
    assert "jobs: done 8" in status.stdout and "rollouts pending: 0" in status.stdout and "memories 2" in status.stdout


@pytest.mark.slow
def test_openai_provider_end_to_end_against_a_fake_server(home, sources):
    def answer(request: dict) -> Reply:
        if "tools" in request:  # phase 2: the consolidation agent writes both files, then finishes
            if not any(m["role"] == "tool" for m in request["messages"]):
                return Reply.tool_calls([("write_file", {"path": "MEMORY.md", "content": AGENT_MEMORY_MD}),
                                         ("write_file", {"path": "memory_summary.md", "content": AGENT_SUMMARY_MD})], usage=(500, 20))
            return Reply.tool_calls([("finish", {"summary": "Added the acme-api install rule."})], usage=(500, 20))
        transcript = request["messages"][1]["content"]
        return Reply.json(ACME_MEMORY if "acme_api" in transcript else NO_OP, usage=(900, 40))

    with FakeOpenAI(default=answer) as fake:
        env = {"NIGHTSHIFT_BASE_URL": fake.base_url, "NIGHTSHIFT_API_KEY": "sk-test-key", "NIGHTSHIFT_EXTRACT_MODEL": "mini-1",
               "NIGHTSHIFT_MODEL_PRICES": '{"mini-1": [0.25, 2.0], "gpt-5": [1.25, 10.0]}'}  # USD per million in, out
        done = nightshift("consolidate", "--home", str(home), *_source_args(sources), "--idle-hours", "0", "--provider", "openai", env=env)
        requests = fake.requests
    assert done.returncode == 0, done.stderr
    assert "1 memories, 7 no-ops" in done.stdout and "10 model calls" in done.stdout
    assert [r.json["model"] for r in requests if "tools" not in r.json] == ["mini-1"] * 8
    assert [r.json["model"] for r in requests if "tools" in r.json] == ["gpt-5"] * 2
    assert all(SAMPLE_SECRET not in r.body for r in requests)
    assert any("[REDACTED:" in r.body for r in requests)
    with open_state(home / ".nightshift") as db:
        assert db.memory_count() == 1
        assert db.last_runs(1)[0]["tokens_in"] == 8 * 900 + 2 * 500
    assert "Run `pip install -e .` before `pytest` in acme-api" in (home / "MEMORY.md").read_text()

    status = nightshift("status", "--home", str(home), env=env).stdout
    assert "tokens 8200/360 ($0.0041)" in status  # 7,200/320 at mini-1's prices + 1,000/40 at gpt-5's
    assert "phase 1 mini-1: 8 calls, 7,200/320 tokens, $0.0024" in status
    assert "phase 2 gpt-5: 2 calls, 1,000/40 tokens, $0.0016" in status  # $0.00165
    unpriced = nightshift("status", "--home", str(home), "--json", env={"NIGHTSHIFT_MODEL_PRICES": '{"mini-1": [0.25, 2.0]}'})
    report = json.loads(unpriced.stdout)
    assert report["runs"][0]["cost_usd"] is None  # gpt-5 has no price: no made-up total
    assert [u["cost_usd"] for u in report["model_use"]] == [pytest.approx(0.00244), None]


def test_second_run_exits_3_naming_the_holder(home, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys,time; from pathlib import Path; from nightshift.lock import run_lock\n"
         "with run_lock(Path(sys.argv[1])): print('held', flush=True); time.sleep(60)", str(home / ".nightshift")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        done = nightshift("consolidate", "--home", str(home), "--source", str(tmp_path))
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 3
    assert f"pid {holder.pid}" in done.stderr


@pytest.mark.parametrize(
    "args, env",
    [
        (["consolidate", "--provider", "magic"], {}),
        (["consolidate", "--idle-hours", "soon"], {}),
        (["consolidate"], {"NIGHTSHIFT_MAX_AGE_DAYS": "-3"}),
        (["frobnicate"], {}),
    ],
)
def test_usage_and_configuration_errors_exit_2(home, args, env):
    done = nightshift(*args, "--home", str(home), env=env) if args[0] == "consolidate" else nightshift(*args)
    assert done.returncode == 2
    assert done.stderr.strip()
    assert not (home / ".git").exists()


def test_dry_run_lists_candidates_and_writes_nothing(home, sources):
    done = nightshift("consolidate", "--dry-run", "--home", str(home), *_source_args(sources), "--idle-hours", "0")
    assert done.returncode == 0
    assert done.stdout.count("would extract ") == 8 and "nothing written" in done.stdout
    assert not home.exists()


def test_status_on_a_new_home_says_there_are_no_runs(home):
    done = nightshift("status", "--home", str(home))
    assert done.returncode == 0 and "no runs yet" in done.stdout
    as_json = json.loads(nightshift("status", "--home", str(home), "--json").stdout)
    assert as_json["runs"] == [] and as_json["lock_holder"] is None


def test_summary_prints_the_injectable_block(home, sources):
    from conftest import run_night
    from nightshift.settings import Settings

    run_night(Settings(home=home, sources=sources, idle_hours=0, provider="builtin"))
    # The webshop sample session's directory: that project's rules, behind the read-path preamble.
    done = nightshift("summary", "--home", str(home), "--cwd", "/home/dev/webshop")
    assert done.returncode == 0 and done.stdout.startswith("# Memory from earlier sessions") and "Always use pnpm" in done.stdout
