"""Faults that used to stop every night, each reproduced and driven through the real ``nightshift`` command.

Every test breaks one thing a user's machine can break (a FIFO among the transcripts, an odd file name,
a damaged database or repository, a full disk, a planted link, a bound, a stop signal) and checks what
the user sees: the exit code, one message that names the file or home and no traceback, nothing
written, and that the next run completes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import git
import pytest
from conftest import SAMPLES, run_night
from fake_openai import FakeOpenAI, Reply
from faultkit import NIGHTSHIFT, claude_session, consolidate, copy_home, nightshift, no_traceback, snapshot, source_args

from nightshift.lock import lock_holder
from nightshift.settings import Settings

PNPM_RULE = "Always use pnpm instead of npm in this repo."


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> tuple[Path, list[Path]]:
    """A memory home after one good night over the bundled samples, and those sources (never changed)."""
    root = tmp_path_factory.mktemp("night")
    shutil.copytree(SAMPLES, root / "sources", ignore=shutil.ignore_patterns("README.md"))
    sources = [root / "sources" / "codex", root / "sources" / "claude"]
    _, sha = run_night(Settings(home=root / "home", sources=sources, idle_hours=0, provider="builtin"))
    assert sha is not None
    return root / "home", sources


@pytest.fixture
def setup(night, tmp_path) -> tuple[Path, list[Path], Path]:
    """This test's own copy of the home, the shared sources plus an empty folder of its own, that folder."""
    base, sources = night
    home = copy_home(base, tmp_path / "home")
    extra = tmp_path / "extra"
    extra.mkdir()
    return home, [*sources, extra], extra


def _head(home: Path) -> str:
    return git.Repo(home).head.commit.hexsha


def _clean(home: Path) -> bool:
    return git.Repo(home).git.status("--porcelain") == ""


# --- only regular files are transcripts ------------------------------------------------------------


@pytest.mark.slow
def test_fifo_socket_and_device_in_a_source_are_skipped_and_counted(setup):
    home, sources, extra = setup
    fifo = extra / "rollout-2026-12-01T10-00-00-01a20000-0000-7000-8000-000000000001.jsonl"
    os.mkfifo(fifo)  # opened for reading, a FIFO blocks until someone writes: it used to hang every night
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(extra / "s.jsonl"))
    (extra / "dev.jsonl").symlink_to("/dev/zero")  # a device behind a name that looks like a transcript
    claude_session(extra / "proj" / "real.jsonl", "In this repo, always run ruff before committing.")
    try:
        started = time.monotonic()
        done = consolidate(home, sources, "--json", timeout=150)
        took = time.monotonic() - started
    finally:
        sock.close()
    assert done.returncode == 0, done.stderr[-3000:]
    no_traceback(done)
    result = json.loads(done.stdout)
    assert result["counts"]["not_regular"] == 3 and result["counts"]["memories"] == 1
    for path in (fifo, extra / "s.jsonl", extra / "dev.jsonl"):
        assert any(str(path) in note and "not a regular file" in note for note in result["notes"]), result["notes"]
    assert took < 120  # the run ends; before, it never did
    assert "always run ruff before committing" in (home / "MEMORY.md").read_text()


def test_a_transcript_swapped_for_a_fifo_after_discovery_is_not_waited_for(tmp_path):
    """The last guard: the reader itself refuses anything but a regular file, without blocking on it."""
    from nightshift.ingest.readers import open_rollout

    fifo = tmp_path / "swapped.jsonl"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(OSError, match="not a regular file"):
        open_rollout(fifo)
    assert time.monotonic() - started < 2


def test_a_transcript_that_never_ends_is_given_up(monkeypatch):
    """A file that keeps streaming (a link into /proc, a trickling network mount) ends at the read timeout."""
    import io

    from nightshift.ingest import readers
    from nightshift.ingest.transcript import ReadStats

    class Endless(io.RawIOBase):
        name = "endless.jsonl"

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            line = b'{"type":"user","message":{"role":"user","content":"again"}}\n'
            buffer[: len(line)] = line
            return len(line)

    monkeypatch.setattr(readers, "READ_TIMEOUT_SECONDS", 0.5)
    started = time.monotonic()
    with pytest.raises(OSError, match="endless.jsonl: still reading after 0.5 s"):
        for _ in readers._JsonLines(io.BufferedReader(Endless()), ReadStats(), max_lines=None):
            pass
    assert time.monotonic() - started < 5


# --- file names that are not UTF-8 -----------------------------------------------------------------


@pytest.mark.slow
def test_file_names_that_are_not_utf8_are_skipped_and_counted_every_night(setup):
    home, sources, extra = setup
    odd_file = Path(os.fsdecode(bytes(extra) + b"/rollout-caf\xe9.jsonl"))
    odd_dir = Path(os.fsdecode(bytes(extra) + b"/proj-\xff\xfe"))
    claude_session(odd_file, "In this repo, always run mypy before pushing.")
    claude_session(odd_dir / "session.jsonl", "In this repo, always run black before pushing.")
    claude_session(extra / "fine" / "session.jsonl", "In this repo, always run ruff before committing.")
    for night in (1, 2):  # one odd name used to end every later night too
        done = consolidate(home, sources, "--json")
        assert done.returncode == 0, done.stderr[-3000:]
        no_traceback(done)
        result = json.loads(done.stdout)
        assert result["counts"]["bad_names"] == 2
        assert sum("not valid UTF-8" in note for note in result["notes"]) == 2, result["notes"]
        assert any("caf\\xe9" in note for note in result["notes"])  # named, its odd bytes escaped
    handbook = (home / "MEMORY.md").read_text()
    assert "always run ruff before committing" in handbook and "mypy" not in handbook


# --- a damaged state.duckdb ------------------------------------------------------------------------


def _zero(db: Path) -> None:
    db.write_bytes(b"")


def _garbage(db: Path) -> None:
    db.write_bytes(os.urandom(db.stat().st_size))


def _truncate(db: Path) -> None:
    with open(db, "r+b") as handle:
        handle.truncate(8000)


def _flip_block(db: Path) -> None:
    """Invert 4 KiB of the catalog's metadata block, wherever the newest database header says it is: its
    checksum no longer matches. (DuckDB's file: a 4 KiB main header, two 4 KiB database headers of
    checksum, iteration, meta block pointer..., then 256 KiB blocks; a pointer's top byte indexes 4 KiB
    metadata slots inside its block.)"""
    import struct

    with open(db, "r+b") as handle:
        headers = []
        for at in (4096, 8192):
            handle.seek(at + 8)
            headers.append(struct.unpack("<QQ", handle.read(16)))  # iteration, meta block pointer
        pointer = max(headers)[1]
        block, slot = pointer & ((1 << 56) - 1), pointer >> 56
        at = 3 * 4096 + block * 256 * 1024 + 8 + slot * 4088
        handle.seek(at)
        data = handle.read(4096)
        handle.seek(at)
        handle.write(bytes(b ^ 0xFF for b in data))


@pytest.mark.slow
@pytest.mark.parametrize("damage", [_zero, _garbage, _truncate, _flip_block], ids=["zero-bytes", "garbage", "truncated", "flipped-block"])
def test_a_damaged_state_is_moved_aside_and_repair_rebuilds_it(setup, damage):
    home, sources, extra = setup
    db = home / ".nightshift" / "state.duckdb"
    damage(db)
    damaged = db.read_bytes()
    head = _head(home)
    handbook = (home / "MEMORY.md").read_text()

    status = nightshift("status", "--home", str(home))
    assert status.returncode == 1
    no_traceback(status)
    assert "in progress" not in status.stdout + status.stderr
    assert str(db) in status.stderr and "damaged" in status.stderr and "nightshift repair" in status.stderr

    done = consolidate(home, sources)
    assert done.returncode == 1
    no_traceback(done)
    assert str(db) in done.stderr and "nightshift repair" in done.stderr
    assert not db.exists()
    kept = list(db.parent.glob("state.duckdb.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged  # kept aside, byte for byte
    assert _head(home) == head and _clean(home) and (home / "MEMORY.md").read_text() == handbook

    again = consolidate(home, sources)  # without repair, a fresh state would drop what only the old one held
    assert again.returncode == 1 and "nightshift repair" in again.stderr
    no_traceback(again)

    repaired = nightshift("repair", "--home", str(home))
    assert repaired.returncode == 0, repaired.stderr
    no_traceback(repaired)
    assert "2 memories restored" in repaired.stdout and "usage counts" in repaired.stdout  # what is lost, said plainly

    claude_session(extra / "proj" / "new.jsonl", "In this repo, always run ruff before committing.")
    after = consolidate(home, sources)
    assert after.returncode == 0, after.stderr[-3000:]
    no_traceback(after)
    text = (home / "MEMORY.md").read_text()
    assert PNPM_RULE in text and "pip install -e ." in text and "always run ruff before committing" in text
    assert git.Repo(home).head.commit.parents[0].hexsha == head
    assert "memories 3" in nightshift("status", "--home", str(home)).stdout


def test_repair_on_a_healthy_state_changes_nothing(setup):
    home, _, _ = setup
    before = snapshot(home)
    done = nightshift("repair", "--home", str(home))
    assert done.returncode == 0 and "nothing to repair" in done.stdout
    assert snapshot(home) == before


# --- a damaged memory home repository --------------------------------------------------------------


def _object_file(home: Path, rev: str) -> Path:
    sha = git.Repo(home).git.rev_parse(rev)
    return home / ".git" / "objects" / sha[:2] / sha[2:]


def _no_head(home: Path) -> None:
    (home / ".git" / "HEAD").unlink()


def _empty_git_file(home: Path) -> None:
    shutil.rmtree(home / ".git")
    (home / ".git").write_text("")


def _missing_object(home: Path) -> None:
    _object_file(home, "HEAD:MEMORY.md").unlink()


def _corrupt_head_commit(home: Path) -> None:
    target = _object_file(home, "HEAD")
    target.chmod(0o644)
    target.write_bytes(target.read_bytes()[:20])


def _garbage_config(home: Path) -> None:
    (home / ".git" / "config").write_bytes(b"[core\n\x00\x01 this is not git config =\n")


@pytest.mark.parametrize(
    "damage, what",
    [(_no_head, ".git/HEAD"), (_empty_git_file, ".git"), (_missing_object, "missing"), (_corrupt_head_commit, "corrupt"),
     (_garbage_config, "config")],
    ids=["no-HEAD", "empty-.git-file", "missing-object", "corrupt-HEAD-commit", "garbage-config"],
)
def test_a_damaged_home_repository_is_named_and_nothing_is_written(setup, damage, what):
    home, sources, extra = setup
    backup = home.parent / "git-backup"
    shutil.copytree(home / ".git", backup)
    damage(home)
    claude_session(extra / "proj" / "new.jsonl", "In this repo, always run ruff before committing.")
    before = snapshot(home)

    done = consolidate(home, sources, timeout=120)
    assert done.returncode == 1
    no_traceback(done)
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert str(home) in message and what in message and f"git -C {home}" in message, message
    assert snapshot(home) == before  # nothing written: not the handbook, not the state

    # The user mends the repository (here: from a copy); the next night completes.
    if (home / ".git").is_dir():
        shutil.rmtree(home / ".git")
    else:
        (home / ".git").unlink()
    shutil.copytree(backup, home / ".git")
    after = consolidate(home, sources)
    assert after.returncode == 0, after.stderr[-3000:]
    assert "always run ruff before committing" in (home / "MEMORY.md").read_text()


# --- a full disk -----------------------------------------------------------------------------------

_FULL_DISK = r"""
set -u
mount -t tmpfs -o size=24m tmpfs "$MNT"
cp -a "$BASE" "$MNT/home"
git -C "$MNT/home" rev-parse HEAD > "$OUT/head0"
avail=$(df -B1 --output=avail "$MNT" | tail -1)
fallocate -l $(( avail - FREE )) "$MNT/filler"
"$NIGHTSHIFT" consolidate --home "$MNT/home" $SOURCES --idle-hours 0 --provider builtin > "$OUT/out1" 2> "$OUT/err1"
echo $? > "$OUT/rc1"
git -C "$MNT/home" rev-parse HEAD > "$OUT/head1"
git -C "$MNT/home" status --porcelain > "$OUT/porcelain1"
rm "$MNT/filler"
"$NIGHTSHIFT" consolidate --home "$MNT/home" $SOURCES --idle-hours 0 --provider builtin > "$OUT/out2" 2> "$OUT/err2"
echo $? > "$OUT/rc2"
cp -a "$MNT/home" "$OUT/home"
umount "$MNT"
"""


@pytest.mark.slow
@pytest.mark.parametrize("free", [0, 64 * 1024, 512 * 1024], ids=["0", "64K", "512K"])
def test_a_full_disk_fails_cleanly_and_the_rerun_completes(setup, free):
    """A real full file system: a small tmpfs in a private mount namespace (``unshare``, no root needed).
    With 2M free this home's night fits and completes, so that size proves nothing here."""
    home, sources, extra = setup
    claude_session(extra / "proj" / "new.jsonl", "In this repo, always run ruff before committing.")
    out = home.parent / "out"
    out.mkdir()
    (home.parent / "mnt").mkdir()
    env = {**os.environ, "MNT": str(home.parent / "mnt"), "BASE": str(home), "OUT": str(out), "FREE": str(free),
           "NIGHTSHIFT": NIGHTSHIFT, "SOURCES": " ".join(source_args(sources))}
    ran = subprocess.run(["unshare", "--map-root-user", "--mount", "bash", "-c", _FULL_DISK], env=env, capture_output=True,
                         text=True, timeout=400)
    assert ran.returncode == 0, ran.stderr
    rc1, err1 = int((out / "rc1").read_text()), (out / "err1").read_text()
    assert rc1 == 1, err1[-3000:]
    assert "Traceback" not in err1, err1[-3000:]
    assert "no space left on the device" in err1.lower() and str(home.parent / "mnt" / "home") in err1, err1[-2000:]
    assert (out / "head1").read_text() == (out / "head0").read_text() and (out / "porcelain1").read_text() == ""
    assert int((out / "rc2").read_text()) == 0, (out / "err2").read_text()[-3000:]
    assert "always run ruff before committing" in (out / "home" / "MEMORY.md").read_text()


# --- links planted in the home ---------------------------------------------------------------------


def _link_handbook(home: Path, outside: Path) -> Path:
    (outside / "notes.md").write_text("# my private notes\nOUTSIDE-ONLY-TEXT\n")
    (home / "MEMORY.md").unlink()
    (home / "MEMORY.md").symlink_to(outside / "notes.md")
    return home / "MEMORY.md"


def _link_summaries(home: Path, outside: Path) -> Path:
    (outside / "keep.txt").write_text("OUTSIDE-ONLY-TEXT\n")
    shutil.rmtree(home / "rollout_summaries")
    (home / "rollout_summaries").symlink_to(outside, target_is_directory=True)
    return home / "rollout_summaries"


@pytest.mark.slow
@pytest.mark.parametrize("plant", [_link_handbook, _link_summaries], ids=["MEMORY.md-to-a-file", "rollout_summaries-to-a-folder"])
def test_links_planted_in_the_home_are_refused(setup, plant):
    home, sources, extra = setup
    outside = home.parent / "outside"
    outside.mkdir()
    link = plant(home, outside)
    claude_session(extra / "proj" / "new.jsonl", "In this repo, always run ruff before committing.")
    head = _head(home)
    outside_before = snapshot(outside)

    done = consolidate(home, sources)
    assert done.returncode == 1
    no_traceback(done)
    assert str(link) in done.stderr and "symbolic link" in done.stderr, done.stderr
    assert snapshot(outside) == outside_before  # nothing written or deleted out there
    assert _head(home) == head and "OUTSIDE-ONLY-TEXT" not in git.Repo(home).git.log("-p", "--all")

    link.unlink()  # the user puts the real file back; the next night completes
    git.Repo(home).git.checkout("HEAD", "--", link.name)
    after = consolidate(home, sources)
    assert after.returncode == 0, after.stderr[-3000:]
    assert "always run ruff before committing" in (home / "MEMORY.md").read_text()


# --- phase 2 bounds --------------------------------------------------------------------------------

LIGHTHOUSE_MEMORY = {
    "decision": "remember", "rollout_summary": "Added a healthcheck; the user wants ruff before commits.", "slug": "healthcheck",
    "tasks": [{"title": "Add a healthcheck endpoint", "outcome": "success", "scope": "project", "cwd": "/home/dev/lighthouse",
               "keywords": ["ruff"], "preferences": ["In this repo, always run ruff before committing."], "knowledge": [],
               "failures": [], "evidence": ["user turn 3"]}],
}


def _model_env(fake: FakeOpenAI, **extra: str) -> dict:
    return {"NIGHTSHIFT_BASE_URL": fake.base_url, "NIGHTSHIFT_API_KEY": "sk-test-key", "NIGHTSHIFT_MODEL_MAX_RETRIES": "0", **extra}


def _agent_writes(home: Path, request: dict) -> Reply:
    """A well-behaved consolidation agent: appends the new rule to the handbook, then finishes."""
    if not any(m["role"] == "tool" for m in request["messages"]):
        text = (home / "MEMORY.md").read_text().replace("### User preferences\n", "### User preferences\n- In this repo, always run ruff before committing.\n", 1)
        return Reply.tool_calls([("write_file", {"path": "MEMORY.md", "content": text})], usage=(500, 20))
    return Reply.tool_calls([("finish", {"summary": "Added the ruff rule."})], usage=(500, 20))


@pytest.mark.slow
@pytest.mark.parametrize("bound", ["tokens", "wall-clock"])
def test_phase2_bounds_end_in_a_clean_message_and_the_home_at_its_commit(setup, bound):
    home, sources, extra = setup
    claude_session(extra / "proj" / "new.jsonl", "In this repo, always run ruff before committing.")
    head = _head(home)

    def answer(request: dict) -> Reply:
        if "tools" not in request:
            return Reply.json(LIGHTHOUSE_MEMORY, usage=(900, 40))
        if bound == "tokens":
            return Reply.tool_calls([("list_files", {"path": "."})], usage=(60_000, 10))
        return Reply.delay(30, Reply.tool_calls([("list_files", {"path": "."})], usage=(500, 10)))

    limits = {"NIGHTSHIFT_PHASE2_MAX_TOKENS": "50000"} if bound == "tokens" else {"NIGHTSHIFT_PHASE2_TIMEOUT_MINUTES": "0.1"}
    limits["NIGHTSHIFT_JOB_RETRY_BACKOFF_MINUTES"] = "0"  # so the rerun may consolidate at once
    with FakeOpenAI(default=answer) as fake:
        done = consolidate(home, sources, "--provider", "openai", env=_model_env(fake, **limits))
    assert done.returncode == 1
    no_traceback(done)
    assert ("token limit" if bound == "tokens" else "wall-clock limit") in done.stderr, done.stderr[-2000:]
    assert str(home) in done.stderr and head[:10] in done.stderr
    assert _head(home) == head and _clean(home)

    with FakeOpenAI(default=lambda r: _agent_writes(home, r) if "tools" in r else Reply.json(LIGHTHOUSE_MEMORY)) as fake:
        after = consolidate(home, sources, "--provider", "openai", env=_model_env(fake))
    assert after.returncode == 0, after.stderr[-3000:]
    assert git.Repo(home).head.commit.parents[0].hexsha == head


@pytest.mark.slow
def test_a_catastrophic_search_pattern_does_not_outlast_the_phase2_timeout(setup):
    home, sources, extra = setup
    with open(home / "MEMORY.md", "a") as handbook:  # a hand edit the pattern backtracks on
        handbook.write("\n" + "a" * 48 + "!\n")
    claude_session(extra / "proj" / "new.jsonl", "In this repo, always run ruff before committing.")
    results: list[str] = []

    def answer(request: dict) -> Reply:
        if "tools" not in request:
            return Reply.json(LIGHTHOUSE_MEMORY)
        tool_results = [m["content"] for m in request["messages"] if m["role"] == "tool"]
        if not tool_results:
            return Reply.tool_calls([("search", {"pattern": "(a+)+$", "path": "MEMORY.md"})], usage=(500, 10))
        results[:] = tool_results
        return _agent_writes(home, {"messages": []}) if len(tool_results) == 1 else Reply.tool_calls([("finish", {"summary": "ok"})])

    with FakeOpenAI(default=answer) as fake:
        started = time.monotonic()
        done = consolidate(home, sources, "--provider", "openai", env=_model_env(fake, NIGHTSHIFT_PHASE2_TIMEOUT_MINUTES="0.5"),
                           timeout=240)
        took = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    assert results and "no matches" in results[0]
    assert took < 150  # Prefect's start included; the pattern alone would take hours with a backtracking engine


def test_the_agents_search_is_linear_time_and_says_what_re2_cannot_do(tmp_path):
    from nightshift.phase2.tools import Sandbox

    (tmp_path / "MEMORY.md").write_text("# Memory handbook\n" + "a" * 5000 + "!\n")
    (tmp_path / "diff").write_text("")
    sandbox = Sandbox(tmp_path, tmp_path / "diff")
    started = time.monotonic()
    assert sandbox.call("search", json.dumps({"pattern": "(a+)+$", "path": "MEMORY.md"})).startswith("no matches")
    assert time.monotonic() - started < 1  # Python's re: longer than the age of the universe on this line
    assert "MEMORY.md:1:" in sandbox.call("search", json.dumps({"pattern": "memory HANDBOOK", "ignore_case": True}))
    refused = sandbox.call("search", json.dumps({"pattern": "(?<=a)!"}))
    assert refused.startswith("error: invalid regular expression") and "no look-around" in refused


def test_a_rollout_summary_reads_back_into_the_memory_it_was_written_from():
    """What ``nightshift repair`` relies on: a summary file holds the whole memory."""
    from datetime import UTC, datetime

    from nightshift.memory import RawMemory, StoredMemory
    from nightshift.phase2.workspace import _rollout_summary_md, parse_rollout_summary_md

    memory = RawMemory.model_validate({
        "decision": "remember", "rollout_summary": "Fixed the flaky build; the user wants small commits.", "slug": "flaky-build",
        "tasks": [{"title": "Fix the build", "outcome": "success", "scope": "project", "cwd": "/home/dev/app", "keywords": ["ci", "make"],
                   "preferences": ["Small commits, please."], "knowledge": ["`make -j1` avoids the race in codegen"],
                   "failures": [{"symptom": "make -> codegen race", "fix": "run `make -j1`"}, {"symptom": "lint fails", "fix": ""}],
                   "evidence": ["user turn 4"]},
                  {"title": "Global habit", "outcome": "uncertain", "scope": "global", "cwd": None, "keywords": [],
                   "preferences": ["Answer in English everywhere."], "knowledge": [], "failures": [], "evidence": []}]})
    stored = StoredMemory("019a-rollout", "/src/a.jsonl", "codex", "github.com/acme/app", memory, datetime(2026, 11, 30, 8, 15, tzinfo=UTC))
    assert parse_rollout_summary_md(_rollout_summary_md(stored)) == stored


# --- a stop signal ---------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := [p for p in pids if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _start_blocked(home: Path, sources: list[Path], fake: FakeOpenAI) -> subprocess.Popen:
    """A run blocked in phase 1: the model takes ten minutes to answer."""
    args = [NIGHTSHIFT, "consolidate", "--home", str(home), *source_args(sources), "--idle-hours", "0", "--provider", "openai"]
    run = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **_model_env(fake)})
    deadline = time.monotonic() + 120
    while not fake.requests:
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.2)
    return run


@pytest.mark.slow
def test_sigterm_while_blocked_ends_the_run_cleanly_and_leaves_no_child(setup):
    home, sources, extra = setup
    claude_session(extra / "proj" / "new.jsonl", "In this repo, always run ruff before committing.")
    head = _head(home)
    with FakeOpenAI(default=Reply.delay(600, Reply.json(LIGHTHOUSE_MEMORY))) as fake:
        run = _start_blocked(home, sources, fake)
        children = _children(run.pid)
        assert children  # Prefect's temporary server, at least
        run.send_signal(signal.SIGTERM)
        out, err = run.communicate(timeout=60)
    assert run.returncode == 143, err[-3000:]
    assert "Traceback" not in err and "stopped by SIGTERM" in err, err[-3000:]
    assert _head(home) == head and _clean(home)
    assert lock_holder(home / ".nightshift") is None
    assert _wait_gone(children, 15) == []

    after = consolidate(home, sources)  # the stopped run handed its claims back: no lease to wait out
    assert after.returncode == 0, after.stderr[-3000:]
    assert "always run ruff before committing" in (home / "MEMORY.md").read_text()


@pytest.mark.slow
def test_a_killed_run_leaves_no_prefect_server_behind(setup):
    home, sources, extra = setup
    claude_session(extra / "proj" / "new.jsonl", "In this repo, always run ruff before committing.")
    with FakeOpenAI(default=Reply.delay(600, Reply.json(LIGHTHOUSE_MEMORY))) as fake:
        run = _start_blocked(home, sources, fake)
        server = [p for p in _children(run.pid) if "uvicorn" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")]
        assert server
        run.kill()
        run.wait()
        assert _wait_gone(server, 20) == []
