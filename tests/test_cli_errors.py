"""Mistakes a user makes get one line that names the file, variable or path and says what to do: exit 2 for
usage or configuration, 1 for a run that failed; a traceback only with --debug or NIGHTSHIFT_DEBUG=1."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest
from clirun import NIGHTSHIFT, assert_user_error, nightshift
from conftest import SAMPLES, run_night

from nightshift.settings import Settings


def _setting(done, name: str) -> str:
    assert done.returncode == 0, done.stderr
    return next(o["value"] for o in json.loads(done.stdout) if o["name"] == name)


@pytest.mark.parametrize("where", ["cwd", "home"])
def test_a_malformed_nightshift_toml_is_named_and_exits_2(tmp_path, home, where):
    toml = (tmp_path if where == "cwd" else home) / "nightshift.toml"
    toml.parent.mkdir(parents=True, exist_ok=True)
    toml.write_text("max_age_days = 4\nidle_hours = \n")
    for args in (["config", "show"], ["status"], ["consolidate", "--dry-run"]):
        done = nightshift(*args, "--home", home, cwd=tmp_path)
        assert_user_error(done, 2, toml.resolve(), "line 2")


def test_debug_shows_the_traceback(tmp_path):
    (tmp_path / "nightshift.toml").write_text("idle_hours = \n")
    assert "Traceback" in nightshift("--debug", "config", "show", cwd=tmp_path).stderr
    debug_env = nightshift("config", "show", cwd=tmp_path, env={"NIGHTSHIFT_DEBUG": "1"})
    assert debug_env.returncode == 2 and "Traceback" in debug_env.stderr


@pytest.mark.parametrize("value, expected", [
    ("/one/path", ["/one/path"]),
    (f"/one/path{os.pathsep}/two/path", ["/one/path", "/two/path"]),
    ('["/one/path", "/two/path"]', ["/one/path", "/two/path"]),
])
def test_nightshift_sources_takes_a_plain_path_a_path_list_or_json(tmp_path, value, expected):
    done = nightshift("config", "show", "--json", cwd=tmp_path, env={"NIGHTSHIFT_SOURCES": value})
    assert _setting(done, "sources") == ", ".join(expected)


@pytest.mark.parametrize("var, value", [("NIGHTSHIFT_IDLE_HOURS", "abc"), ("NIGHTSHIFT_MAX_AGE_DAYS", "-3"),
                                        ("NIGHTSHIFT_PROVIDER", "magic")])
def test_a_bad_environment_value_names_its_variable(tmp_path, var, value):
    for args in (["config", "show"], ["consolidate", "--dry-run"]):
        assert_user_error(nightshift(*args, cwd=tmp_path, env={var: value}), 2, var, value)


def test_a_bad_toml_value_names_the_file_and_the_key(tmp_path):
    toml = tmp_path / "nightshift.toml"
    toml.write_text('idle_hours = "soon"\n')
    assert_user_error(nightshift("config", "show", cwd=tmp_path), 2, toml.resolve(), "idle_hours")


def test_an_unknown_toml_key_warns_with_a_suggestion(tmp_path):
    toml = tmp_path / "nightshift.toml"
    toml.write_text("idle_hour = 3\nmax_age_days = 5\n")
    done = nightshift("config", "show", "--json", cwd=tmp_path)
    assert _setting(done, "max_age_days") == "5.0"  # the rest of the file still applies
    assert "Traceback" not in done.stderr
    assert str(toml.resolve()) in done.stderr and "idle_hour" in done.stderr and "did you mean idle_hours" in done.stderr


@pytest.fixture
def file_home(tmp_path: Path) -> Path:
    home = tmp_path / "memory_home"
    home.write_text("not a folder\n")
    return home


@pytest.mark.parametrize("args", [
    ["status"], ["forget", "fix-*"], ["rollback"], ["import", "CLAUDE.md"], ["log"], ["usage"], ["summary"],
    ["consolidate", "--source", "SOURCE", "--idle-hours", "0"], ["watch", "--source", "SOURCE"],
])
def test_a_home_that_is_a_file_is_a_configuration_error(tmp_path, file_home, args):
    (tmp_path / "CLAUDE.md").write_text("- Always answer in English.\n")
    args = [str(SAMPLES / "claude") if a == "SOURCE" else a for a in args]
    done = nightshift(*args, "--home", file_home, cwd=tmp_path, timeout=60)
    assert_user_error(done, 2, file_home)
    assert file_home.read_text() == "not a folder\n"


@pytest.fixture
def read_only_home(sources):
    """A home with one night in it, and a CLAUDE.md beside it, that the user running nightshift cannot write to."""
    top = Path(tempfile.mkdtemp(prefix="nightshift-ro-"))
    home = top / "memory_home"
    run_night(Settings(home=home, sources=sources, idle_hours=0, provider="builtin"))
    (home / ".nightshift" / "run.lock").touch()
    (top / "CLAUDE.md").write_text("- Always answer in English.\n")
    for path in [top, *top.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    yield home
    for path in [top, *top.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _as_reader(home: Path, *args: object, timeout: float = 60):
    """Root writes through file modes, so as root the folder is mounted read-only in a private mount namespace."""
    args = (*args, "--home", home)
    if os.geteuid() == 0:
        top = str(home.parent)
        args = ("/bin/sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', top, NIGHTSHIFT, *args)
        return subprocess.run(["unshare", "-m", *map(str, args)], capture_output=True, text=True, timeout=timeout,
                              cwd=top, env={**os.environ, "HOME": top})
    return nightshift(*args, cwd=home.parent, env={"HOME": str(home.parent)}, timeout=timeout)


def test_status_reads_a_read_only_home(read_only_home):
    done = _as_reader(read_only_home, "status")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "memories 2" in done.stdout


@pytest.mark.parametrize("args", [["forget", "*"], ["rollback"], ["import", "CLAUDE.md"], ["watch", "--source", "SOURCE"]])
def test_a_read_only_home_fails_with_a_message_naming_it(read_only_home, args):
    args = [SAMPLES / "claude" if a == "SOURCE" else read_only_home.parent / a if a == "CLAUDE.md" else a for a in args]
    assert_user_error(_as_reader(read_only_home, *args), 1, read_only_home)
