"""Benchmark: the phase 2 selection and the usage upserts on a real DuckDB file.

* ``State.select_memories`` over 100k raw memories (decayed score, freshness cut-off, hydration of
  the 256 winners) against a bare ``SELECT ... ORDER BY ... LIMIT`` over the same table, fetched in
  the same run. Target: ratio < 2.
* ``State.record_citations`` for 10k citations, set-wise, against the same work done row by row
  (look up, insert the pair, bump the counter; one transaction) on an identical copy of the database.
  Row by row costs about 3.5 ms per citation in DuckDB, so the baseline runs the first 1,000
  citations and is scaled to 10k; the per-row cost does not grow over the run.

Smoke size: 5k rows, 1k citations.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.run import Row, row, verdict
from nightshift.store.state import DB_NAME, open_state
from nightshift.store.usage import Policy

ROWS = 100_000
CITATIONS = 10_000
BASELINE_SAMPLE = 1_000
LIMIT = 256
NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
_BODY = json.dumps({
    "decision": "remember", "rollout_summary": "Fixed the failing tests by installing the package in editable mode.",
    "slug": "fix-failing-tests", "tasks": [{
        "title": "Fix the failing tests", "outcome": "success", "scope": "project", "cwd": "/home/dev/acme-api",
        "keywords": ["pytest", "pip", "editable install"], "preferences": ["Run the unit tests with `pytest -q`."],
        "knowledge": ["`pip install -e .` before `pytest` in a fresh venv"],
        "failures": [{"symptom": "ModuleNotFoundError: No module named 'acme_api'", "fix": "pip install -e ."}],
        "evidence": ["tool output 9"]}]})


def _fill(state_dir: Path, rows: int) -> list[str]:
    """``rows`` rows (100k) in one statement: ages up to 60 days, a fifth of them cited up to 40 times."""
    with open_state(state_dir) as db:
        db.con.execute(
            """
            INSERT INTO raw_memories (rollout_id, source_path, source_format, project_key, scope, slug, summary, body_json,
                                      body_md, source_updated_at, created_at, updated_at, usage_count, last_usage)
            SELECT uuid()::VARCHAR, '/s/' || i || '.jsonl', 'codex', 'github.com/acme/p' || (i % 50), 'project',
                   'fix-' || i, 'summary', $body, 'md', $now - to_seconds(CAST(random() * 60 * 86400 AS BIGINT)),
                   $now, $now,
                   CASE WHEN i % 5 = 0 THEN CAST(random() * 40 AS INTEGER) ELSE 0 END,
                   CASE WHEN i % 5 = 0 THEN $now - to_seconds(CAST(random() * 40 * 86400 AS BIGINT)) END
            FROM range($rows) t(i)
            """,
            {"body": _BODY, "now": NOW.replace(tzinfo=None), "rows": rows},
        )
        return [r[0] for r in db.con.execute("SELECT rollout_id FROM raw_memories").fetchall()]


def _interleaved_medians(a: Callable[[], object], b: Callable[[], object], repeat: int = 15) -> tuple[float, float]:
    """Median seconds of ``a`` and ``b``, timed turn about so that load from other processes hits both alike."""
    a(), b()  # warm caches: both sides are measured hot
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for work, into in ((a, times[0]), (b, times[1])):
            start = time.perf_counter()
            work()
            into.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def _bench_selection(state_dir: Path, rows: int, smoke: bool) -> Row:
    with open_state(state_dir) as db:
        policy = Policy(LIMIT, 30, 30)
        bare_sql = f"""SELECT rollout_id, source_path, source_format, project_key, body_json, source_updated_at, usage_count, last_usage
                       FROM raw_memories ORDER BY usage_count DESC, source_updated_at DESC LIMIT {LIMIT}"""
        ours, bare = _interleaved_medians(lambda: db.select_memories(policy, NOW), lambda: db.con.execute(bare_sql).fetchall())
    return row(f"select {LIMIT} of {rows:,} raw memories", ours, bare,
               f"seconds, medians of 15 interleaved runs; baseline: bare SELECT ORDER BY LIMIT; target < 2x: {verdict(ours < 2 * bare, smoke)}")


def _row_by_row(state_dir: Path, cited: list[tuple[str, datetime, list[str]]]) -> None:
    with open_state(state_dir) as db:
        con = db.con
        con.execute("BEGIN TRANSACTION")
        for session, at, ids in cited:
            for cited_id in ids:
                found = con.execute("SELECT rollout_id FROM raw_memories WHERE rollout_id = ?", [cited_id]).fetchone()
                if found is None or found[0] == session:
                    continue
                new = con.execute("INSERT INTO citations VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
                                  [session, found[0], at.replace(tzinfo=None)]).fetchone()
                if new:
                    con.execute("UPDATE raw_memories SET usage_count = usage_count + 1, last_usage = greatest(last_usage, ?) WHERE rollout_id = ?",
                                [at.replace(tzinfo=None), found[0]])
        con.execute("COMMIT")


def _bench_upserts(state_dir: Path, ids: list[str], tmp: Path, citations: int) -> Row:
    rng = random.Random(7)
    # 2,000 citing sessions citing 5 memories each; a tenth repeat an earlier (session, memory) pair.
    cited = [(f"session-{i // 5}", NOW - timedelta(hours=rng.random() * 500), [rng.choice(ids)]) for i in range(citations)]
    for i in range(0, citations, 10):
        cited[i] = (cited[i - 1][0], cited[i][1], cited[i - 1][2])
    copy = tmp / "copy"
    copy.mkdir()
    shutil.copy(state_dir / DB_NAME, copy / DB_NAME)

    def set_wise() -> int:
        with open_state(state_dir) as db:
            return db.record_citations(cited)

    start = time.perf_counter()
    recorded = set_wise()
    ours = time.perf_counter() - start
    expected = len({(session, ids[0]) for session, _, ids in cited})
    if recorded != expected:
        raise AssertionError(f"set-wise recorded {recorded} uses, expected {expected}")
    start = time.perf_counter()
    _row_by_row(copy, cited[:BASELINE_SAMPLE])
    baseline = (time.perf_counter() - start) * citations / BASELINE_SAMPLE
    return row(f"record {citations:,} citations", ours, baseline,
               f"seconds, one run each on identical copies; {recorded} new uses (a tenth repeat a pair); baseline: "
               f"row by row in one transaction, {BASELINE_SAMPLE:,} citations timed and scaled x{citations // BASELINE_SAMPLE}")


def run(smoke: bool = False) -> list[Row]:
    rows, citations = (5_000, 1_000) if smoke else (ROWS, CITATIONS)
    with tempfile.TemporaryDirectory(prefix="nightshift-bench-usage-") as tmp:
        state_dir = Path(tmp) / "state"
        ids = _fill(state_dir, rows)
        return [_bench_selection(state_dir, rows, smoke), _bench_upserts(state_dir, ids, Path(tmp), citations)]

