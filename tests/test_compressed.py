"""Codex's compressed cold rollouts (``<name>.jsonl.zst``): read like plain ones, never extracted twice."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import zstandard
from conftest import run_night

from nightshift.night import steps as pipeline
from nightshift.ingest.discover import FileStat, discover
from nightshift.store.state import open_state

ROLLOUT = "rollout-2026-11-18T09-12-03-01a1edb6-81d4-76a2-807c-afd56071b068.jsonl"  # a sample with a memory


def _compress(plain: Path, *, keep_plain: bool = False) -> Path:
    """What Codex's background worker does: zstd level 3, the mtime kept, the plain file removed."""
    packed = plain.with_name(plain.name + ".zst")
    packed.write_bytes(zstandard.ZstdCompressor(level=3).compress(plain.read_bytes()))
    stat = plain.stat()
    os.utime(packed, (stat.st_atime, stat.st_mtime))
    if not keep_plain:
        plain.unlink()
    return packed


def _rollout(sources: list[Path]) -> Path:
    return next(sources[0].rglob(ROLLOUT))


def _find(settings) -> list[FileStat]:
    with open_state(settings.state_dir) as db:
        marks = db.rollout_watermarks()
    return discover(settings.sources, marks, now=datetime.now(UTC), idle_hours=0, max_age_days=3650).candidates


def test_a_compressed_rollout_is_found_by_its_plain_name_and_reads_the_same(settings, sources):
    plain = _rollout(sources)
    before = pipeline.extract_rollout(FileStat(str(plain), plain.stat().st_size, plain.stat().st_mtime), settings)
    assert before.outcome == "memory"
    packed = _compress(plain)

    [found] = [c for c in _find(settings) if ROLLOUT in c.path]
    assert found.path == str(plain) and found.size == packed.stat().st_size  # the plain name, the file's own stat
    after = pipeline.extract_rollout(found, settings)
    assert (after.outcome, after.rollout_id, after.memory, after.updated_at) == (before.outcome, before.rollout_id, before.memory, before.updated_at)


def test_where_both_exist_the_plain_file_wins(settings, sources):
    plain = _rollout(sources)
    _compress(plain, keep_plain=True)
    assert [c.size for c in _find(settings) if ROLLOUT in c.path] == [plain.stat().st_size]


def test_compressing_an_extracted_rollout_does_not_extract_it_again(settings, sources):
    run_night(settings)
    _compress(_rollout(sources))
    assert _find(settings) == []
    run, _ = run_night(settings, datetime.now(UTC) + timedelta(minutes=1))
    assert run.counts["discovered"] == 0


def test_a_damaged_compressed_rollout_fails_its_job_and_the_night_goes_on(settings, sources):
    packed = _compress(_rollout(sources))
    data = bytearray(packed.read_bytes())
    data[60:120] = b"\xff" * 60  # a corrupted block
    packed.write_bytes(bytes(data))
    run, sha = run_night(settings)
    assert run.counts["failed"] == 1 and run.counts["memories"] >= 1 and sha is not None
    assert any("damaged zstd stream" in note for note in run.notes)


def test_a_truncated_compressed_rollout_reads_as_far_as_it_goes(settings, sources):
    packed = _compress(_rollout(sources))
    packed.write_bytes(packed.read_bytes()[:200])  # like a plain file cut short: what is there is read
    run, sha = run_night(settings)
    assert "failed" not in run.counts and sha is not None
