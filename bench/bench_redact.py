"""Benchmark: secret redaction and the injection scan, against a plain ``str.replace`` pass.

* ``redact`` over 50 MB of transcript text (the turns of generated Codex and Claude sessions: logs, code,
  prose, environment dumps with fake keys), timed against ``str.replace`` of one literal over the same
  text: the cost of a scanner that knows one secret. Ratio = redact time / replace time.
* the same text redacted turn by turn, as ``render`` and the builtin path call it.
* ``scanner.find_injections`` over 5 MB of the same text.
* recall and false positives on ``tests/data/secrets_corpus.json`` (target: 100% and 0).

    python bench/bench_redact.py        # prints one JSON row per measurement
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `nightshift` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import write_session
from nightshift.readers import read_transcript
from nightshift.redact import redact
from nightshift.scanner import find_injections

SIZE = 50_000_000  # characters
SCAN_SIZE = 5_000_000
CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "secrets_corpus.json"
LEAK_WINDOW = 12  # as in tests/test_secrets_corpus.py


def _turns() -> list[str]:
    """Turn texts of generated sessions of both formats, repeated up to ``SIZE`` characters."""
    with tempfile.TemporaryDirectory(prefix="nightshift-bench-redact-") as tmp:
        texts = []
        for fmt, seed in (("codex", 11), ("claude", 12)):
            path = write_session(Path(tmp) / f"{fmt}.jsonl", fmt, 40_000_000, seed=seed)
            texts += [turn.text for turn in read_transcript(path).turns]
    total, turns = 0, []
    while total < SIZE:
        for text in texts:
            turns.append(text)
            total += len(text) + 1
            if total >= SIZE:
                break
    return turns


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _throughput_row(name: str, ours: float, baseline: float, size: int, note: str) -> dict:
    mb = size / 1e6
    return {"name": name, "value": round(mb / ours, 1), "baseline": round(mb / baseline, 1),
            "ratio": round(ours / baseline, 1), "note": note}


def _corpus_rows() -> list[dict]:
    corpus = json.loads(CORPUS.read_text(encoding="utf-8"))
    secrets, lookalikes = corpus["secrets"], corpus["lookalikes"]

    def leaked(item: dict) -> bool:
        out, secret = redact(item["text"]), item["secret"]
        return any(secret[i : i + LEAK_WINDOW] in out for i in range(max(1, len(secret) - LEAK_WINDOW + 1)))

    caught = sum(not leaked(item) for item in secrets)
    touched = sum(redact(item["text"]) != item["text"] for item in lookalikes)
    kinds = len({item["kind"] for item in secrets})
    return [
        {"name": "redaction recall on the secrets corpus", "value": round(100 * caught / len(secrets), 1), "baseline": 100.0,
         "ratio": round(caught / len(secrets), 3), "note": f"percent of {len(secrets)} fake secrets of {kinds} kinds removed whole; target 100"},
        {"name": "redaction false positives on look-alikes", "value": touched, "baseline": 0, "ratio": 0.0 if not touched else None,
         "note": f"look-alikes changed, of {len(lookalikes)} (git SHAs, UUIDs, base64 text, lock-file hashes, public keys); target 0"},
    ]


def run() -> list[dict]:
    turns = _turns()
    text = "\n".join(turns)[:SIZE]
    replace = _best(lambda: text.replace("password", "[REDACTED]"))
    whole = _best(lambda: redact(text), repeat=2)
    per_turn = _best(lambda: [redact(t) for t in turns], repeat=1)
    sample = text[:SCAN_SIZE]
    scan = _best(lambda: find_injections(sample))
    scan_baseline = _best(lambda: sample.replace("password", "[REDACTED]"))
    return [
        _throughput_row("redact 50 MB of transcript text", whole, replace, len(text),
                        "MB/s; baseline: str.replace of one literal over the same text; ratio = times slower"),
        _throughput_row("redact the same text turn by turn", per_turn, replace, sum(map(len, turns)),
                        f"MB/s over {len(turns):,} turns, as render and the builtin path call it"),
        _throughput_row("injection scan of 5 MB", scan, scan_baseline, len(sample),
                        "MB/s; baseline: str.replace of one literal; one regex pass plus one character-class pass"),
        *_corpus_rows(),
    ]


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row))
