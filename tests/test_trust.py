"""Nothing leaves the machine unless the user said so, and a run's exit code and output tell the truth."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import git
import pytest
from clirun import assert_user_error, nightshift, source_args
from fake_openai import FakeOpenAI, Reply

NO_OP = {"decision": "no_op", "rollout_summary": "", "slug": "", "tasks": []}


def _provider(done) -> str:
    assert done.returncode == 0, done.stderr
    return next(o["value"] for o in json.loads(done.stdout) if o["name"] == "provider")


@pytest.mark.parametrize("env", [
    {"OPENAI_API_KEY": "sk-someone-elses-tool"},
    {"OPENAI_BASE_URL": "https://api.example.com/v1", "OPENAI_API_KEY": "sk-x"},
    {"NIGHTSHIFT_BASE_URL": "http://localhost:11434/v1", "NIGHTSHIFT_API_KEY": "k"},
])
def test_a_key_or_url_alone_never_switches_to_a_remote_provider(tmp_path, env):
    assert _provider(nightshift("config", "show", "--json", cwd=tmp_path, env=env)) == "builtin"


def test_a_remote_provider_is_chosen_by_toml_environment_or_flag(tmp_path, home):
    assert _provider(nightshift("config", "show", "--json", cwd=tmp_path, env={"NIGHTSHIFT_PROVIDER": "openai"})) == "openai"
    assert _provider(nightshift("config", "show", "--json", "--provider", "openai", cwd=tmp_path)) == "openai"
    home.mkdir()
    (home / "nightshift.toml").write_text('provider = "openai"\n')
    assert _provider(nightshift("config", "show", "--json", "--home", home, cwd=tmp_path)) == "openai"


def test_config_show_says_where_transcripts_go(tmp_path):
    local = nightshift("config", "show", cwd=tmp_path, env={"OPENAI_API_KEY": "sk-x"})
    assert "transcripts stay on this machine" in local.stdout
    openai = nightshift("config", "show", "--provider", "openai", cwd=tmp_path)
    assert "transcripts are sent to https://api.openai.com/v1" in openai.stdout
    ollama = nightshift("config", "show", cwd=tmp_path, env={"NIGHTSHIFT_PROVIDER": "openai", "NIGHTSHIFT_BASE_URL": "http://10.0.0.7:11434/v1"})
    assert "transcripts are sent to http://10.0.0.7:11434/v1" in ollama.stdout
    as_json = {o["name"]: o["value"] for o in json.loads(nightshift("config", "show", "--json", "--provider", "openai", cwd=tmp_path).stdout)}
    assert as_json["endpoint"] == "https://api.openai.com/v1"


def _without_prefect_settings(tmp_path: Path) -> dict:
    """The environment of a user who never heard of Prefect: no PREFECT_* or DO_NOT_TRACK, and a fresh $HOME
    (so Prefect's default ~/.prefect is this test's, not the developer's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "DO_NOT_TRACK"}
    (tmp_path / "user").mkdir()
    return env | {"HOME": str(tmp_path / "user")}


@pytest.mark.slow
def test_a_quiet_run_prints_nothing_with_no_prefect_variables_set(tmp_path, home, sources):
    done = nightshift("consolidate", "--quiet", "--home", home, *source_args(sources), "--idle-hours", "0",
                      env=_without_prefect_settings(tmp_path), replace_env=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    assert len(list(git.Repo(home).iter_commits())) == 1


@pytest.mark.slow
def test_a_first_run_shows_only_nightshifts_own_lines(tmp_path, home, sources):
    done = nightshift("consolidate", "--home", home, *source_args(sources), "--idle-hours", "0",
                      env=_without_prefect_settings(tmp_path), replace_env=True)
    assert done.returncode == 0, done.stderr
    for noise in ("Traceback", "telemetry", "database is locked", "Task run", "Finished in state", "Logging error"):
        assert noise not in done.stderr + done.stdout, noise
    assert [line for line in done.stderr.splitlines() if not line.startswith("nightshift: ")] == []
    assert done.stdout.startswith("nightshift: run ") and len(done.stdout.splitlines()) == 1


@pytest.mark.slow
def test_verbose_shows_prefects_task_lines(home, sources):
    done = nightshift("consolidate", "--verbose", "--home", home, *source_args(sources), "--idle-hours", "0")
    assert done.returncode == 0, done.stderr
    assert "Finished in state Completed()" in done.stderr


@pytest.mark.slow
def test_a_model_run_names_its_endpoint_on_its_first_line(home, sources):
    with FakeOpenAI(default=Reply.json(NO_OP, usage=(100, 5))) as fake:
        done = nightshift("consolidate", "--home", home, *source_args(sources), "--idle-hours", "0", "--provider", "openai",
                          env={"NIGHTSHIFT_BASE_URL": fake.base_url, "NIGHTSHIFT_API_KEY": "sk-test"})
    assert done.returncode == 0, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith("nightshift: ") and f"transcripts are sent to {fake.base_url}" in first


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_an_unreachable_endpoint_fails_the_run_and_loses_nothing(home, sources):
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    env = {"NIGHTSHIFT_BASE_URL": url, "NIGHTSHIFT_API_KEY": "sk-test", "NIGHTSHIFT_MODEL_MAX_RETRIES": "0",
           "NIGHTSHIFT_JOB_RETRY_BACKOFF_MINUTES": "0"}
    done = nightshift("consolidate", "--home", home, *source_args(sources), "--idle-hours", "0", "--provider", "openai",
                      "--quiet", env=env)
    assert_user_error(done, 1, url)
    report = json.loads(nightshift("status", "--json", "--home", home).stdout)
    assert report["runs"][0]["status"] == "failed" and url in report["runs"][0]["message"]
    assert report["pending_rollouts"] == 8 and report["raw_memories"] == 0
    assert report["failing"] and all(url in f["last_error"] for f in report["failing"])
    # Once the endpoint answers, the same transcripts are read: nothing was lost.
    with FakeOpenAI(default=Reply.json(NO_OP)) as fake:
        again = nightshift("consolidate", "--home", home, *source_args(sources), "--idle-hours", "0", "--provider", "openai",
                           "--json", env=env | {"NIGHTSHIFT_BASE_URL": fake.base_url})
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["counts"]["no_ops"] == 8
