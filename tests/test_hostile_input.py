"""Hostile and broken transcripts: the readers never crash a run, stay within bounded memory, and count
what they skip. Property tests (hypothesis) on real files; the 200 MB line in a separate process whose
peak memory is measured by the kernel.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import SAMPLES
from hypothesis import HealthCheck, given, settings, strategies as st

from nightshift.clock import utcnow
from nightshift.night import steps as pipeline
from nightshift.ingest.discover import FileStat
from nightshift.ingest.readers import read_transcript
from nightshift.settings import Settings
from nightshift.ingest.transcript import NotATranscript, TurnKind

SAMPLE_FILES = sorted(p for p in SAMPLES.rglob("*.jsonl") if "subagents" not in p.parts)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _extract(path: Path, home: Path) -> pipeline.Extraction:
    stat = path.stat()
    return pipeline.extract_rollout(FileStat(str(path), stat.st_size, stat.st_mtime), Settings(home=home, provider="builtin"))


def _user_texts(path: Path) -> list[str]:
    return [t.text for t in read_transcript(path).turns if t.kind is TurnKind.USER]


# Ways to break one line so that it can no longer be a JSON object.
def _truncate(line: bytes, at: int) -> bytes:
    return line[: max(1, at % len(line)) if len(line) > 1 else 1].rstrip(b"}") + b"\n"


def _bad_utf8(line: bytes, at: int) -> bytes:
    cut = at % len(line)
    return line[:cut] + b"\xc3\x28\xff\xfe" + line[cut:] + b"\n"


def _deep(line: bytes, at: int) -> bytes:
    depth = 2000 + at % 50_000  # past orjson's nesting limit: must be refused, not recurse the process to death
    return b'{"type":"response_item","payload":' + b"[" * depth + b"]" * depth + b"}\n"


def _binary(line: bytes, at: int) -> bytes:
    return bytes((at * 7 + i * 13) % 256 for i in range(64)).replace(b"\n", b"") + b"\n"


BREAKERS = [_truncate, _bad_utf8, _deep, _binary]


@FUZZ
@given(
    source=st.sampled_from(SAMPLE_FILES),
    damage=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(BREAKERS), st.integers(0, 1_000_000)), max_size=6),
)
def test_damaged_lines_are_skipped_and_counted_and_the_rest_still_reads(tmp_path_factory, source, damage):
    lines = source.read_bytes().splitlines(keepends=True)
    broken: set[int] = set()
    for where, breaker, at in damage:
        index = where % len(lines)
        if index == 0 or index in broken:  # keep the first line, so the format can still be recognised
            continue
        lines[index] = breaker(lines[index].rstrip(b"\n") or b"{}", at)
        broken.add(index)
    path = tmp_path_factory.mktemp("fuzz") / source.name
    path.write_bytes(b"".join(lines))
    transcript = read_transcript(path)
    assert transcript.stats.malformed_lines >= len(broken)
    # a broken line costs at most the one turn it held; the others are still read
    assert len(_user_texts(path)) >= len(_user_texts(source)) - len(broken)
    assert _extract(path, tmp_path_factory.mktemp("home")).outcome in ("memory", "no_op", "skipped")


@FUZZ
@given(st.binary(max_size=4096) | st.text(max_size=2048).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_arbitrary_bytes_are_a_transcript_or_a_reported_skip_never_a_crash(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("junk") / "rollout.jsonl"
    path.write_bytes(data)
    try:
        read_transcript(path)
    except NotATranscript as exc:
        assert str(path) in str(exc)
    assert _extract(path, tmp_path_factory.mktemp("home")).outcome in ("skipped", "no_op", "memory")


class _Saboteur(list):
    """A turn list that changes the file under the reader once the first turns have arrived."""

    def __init__(self, path: Path, action: str):
        super().__init__()
        self.path, self.action, self.done = path, action, False

    def append(self, turn) -> None:
        super().append(turn)
        if self.done or len(self) < 2:
            return
        self.done = True
        if self.action == "truncate":
            with self.path.open("r+b") as fh:
                fh.truncate(self.path.stat().st_size // 2)
        elif self.action == "append-garbage":
            with self.path.open("ab") as fh:
                fh.write(b'{"half a line\n\x00\x01\x02\n')
        else:
            self.path.unlink()


@pytest.mark.parametrize("action", ["truncate", "append-garbage", "unlink"])
def test_a_file_that_changes_or_vanishes_while_being_read(tmp_path, action):
    source = next(p for p in SAMPLE_FILES if "d4a27783" in p.name)
    path = tmp_path / source.name
    path.write_bytes(source.read_bytes())
    whole = read_transcript(source)
    turns = _Saboteur(path, action)
    transcript = read_transcript(path, turns=turns)
    assert turns.done and len(transcript.turns) >= 2
    if action == "unlink":  # the open file is still read to its end
        assert [t.text for t in transcript.turns] == [t.text for t in whole.turns]
    if action == "append-garbage":
        assert transcript.stats.malformed_lines >= whole.stats.malformed_lines + 1


def test_a_rollout_that_vanishes_after_discovery_fails_its_job_and_the_night_goes_on(settings, sources):
    pipeline_run = pipeline.begin_run(settings, utcnow())
    _, claimed = pipeline.find_work(pipeline_run, utcnow())
    Path(claimed[0].path).unlink()
    results = [pipeline.extract_rollout(f, settings) for f in claimed]
    assert results[0].outcome == "failed" and "cannot read" in results[0].error
    pipeline.record_extractions(pipeline_run, results, utcnow())
    assert pipeline_run.counts["failed"] == 1 and pipeline_run.counts.get("memories", 0) + pipeline_run.counts["no_ops"] == len(claimed) - 1


PEAK_SCRIPT = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from nightshift.ingest.prepare import prepare_rollout
    from nightshift.settings import Settings
    path = Path(sys.argv[1])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    prepared = prepare_rollout(path, Settings(home=path.parent / "home", provider="builtin"))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = prepared.transcript
    print(json.dumps({"before_kb": before, "after_kb": after, "malformed": t.stats.malformed_lines,
                      "users": [x.text for x in t.turns if x.kind.value == "user"]}))
""")


@pytest.mark.slow
def test_a_single_200_mb_line_is_skipped_without_being_held_in_memory(tmp_path):
    header = {"timestamp": "2026-11-20T10:00:00Z", "type": "session_meta", "payload": {"id": "big", "cwd": "/home/dev/x"}}
    def user(text: str) -> bytes:
        return json.dumps({"timestamp": "2026-11-20T10:00:01Z", "type": "response_item",
                           "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}).encode() + b"\n"
    path = tmp_path / "rollout-2026-11-20T10-00-00-big.jsonl"
    chunk = b"A" * (1 << 20)
    with path.open("wb") as fh:  # written in chunks: the test itself never holds the line either
        fh.write(json.dumps(header).encode() + b"\n" + user("before the giant line")[:-3])
        for _ in range(200):
            fh.write(chunk)
        fh.write(b'"}]}}\n' + user("after the giant line"))
    done = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    grown_mb = (report["after_kb"] - report["before_kb"]) / 1024
    assert report["malformed"] == 1 and report["users"] == ["after the giant line"]
    assert grown_mb < 80, f"reading a 200 MB line grew the process by {grown_mb:.0f} MB"
