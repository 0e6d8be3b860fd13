"""Benchmark: secret redaction and the injection scan, against a plain ``str.replace`` pass.

* ``redact`` over 50 MB of transcript text (the turns of generated Codex and Claude sessions: logs, code,
  prose, environment dumps with fake keys), timed against ``str.replace`` of one literal over the same
  text: the cost of a scanner that knows one secret. Ratio = redact time / replace time.
* the same text redacted turn by turn, as ``render`` and the builtin path call it.
* ``scanner.find_injections`` over 5 MB of the same text.
* recall and false positives on ``tests/data/secrets_corpus.json`` (target: 100% and 0).

Smoke size: 2 MB and 0.5 MB.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from bench.generate import write_session
from bench.run import Row, best_of, row, verdict
from nightshift.ingest.readers import read_transcript
from nightshift.ingest.redact import redact
from nightshift.ingest.scanner import find_injections

SIZE = 50_000_000  # characters
SCAN_SIZE = 5_000_000
CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "secrets_corpus.json"
LEAK_WINDOW = 12  # as in tests/test_secrets_corpus.py


def _turns(size: int) -> list[str]:
    """Turn texts of generated sessions of both formats, repeated up to ``size`` characters."""
    with tempfile.TemporaryDirectory(prefix="nightshift-bench-redact-") as tmp:
        texts = []
        for fmt, seed in (("codex", 11), ("claude", 12)):
            path = write_session(Path(tmp) / f"{fmt}.jsonl", fmt, min(size, 40_000_000), seed=seed)
            texts += [turn.text for turn in read_transcript(path).turns]
    total, turns = 0, []
    while total < size:
        for text in texts:
            turns.append(text)
            total += len(text) + 1
            if total >= size:
                break
    return turns


def _throughput_row(name: str, ours: float, baseline: float, size: int, note: str) -> Row:
    mb = size / 1e6
    return Row(name=name, value=mb / ours, baseline=mb / baseline, ratio=ours / baseline, note=note)


def _corpus_rows() -> list[Row]:
    """The whole corpus at every size, so these are judged in smoke runs too."""
    corpus = json.loads(CORPUS.read_text(encoding="utf-8"))
    secrets, lookalikes = corpus["secrets"], corpus["lookalikes"]

    def leaked(item: dict) -> bool:
        out, secret = redact(item["text"]), item["secret"]
        return any(secret[i : i + LEAK_WINDOW] in out for i in range(max(1, len(secret) - LEAK_WINDOW + 1)))

    caught = sum(not leaked(item) for item in secrets)
    touched = sum(redact(item["text"]) != item["text"] for item in lookalikes)
    kinds = len({item["kind"] for item in secrets})
    return [
        row("redaction recall on the secrets corpus", 100 * caught / len(secrets), 100.0,
            f"percent of {len(secrets)} fake secrets of {kinds} kinds removed whole; target 100: {verdict(caught == len(secrets), smoke=False)}"),
        row("redaction false positives on look-alikes", touched, len(lookalikes),
            "look-alikes changed, of all look-alikes (git SHAs, UUIDs, base64 text, lock-file hashes, public keys); "
            f"target 0: {verdict(touched == 0, smoke=False)}"),
    ]


def run(smoke: bool = False) -> list[Row]:
    size, scan_size = (2_000_000, 500_000) if smoke else (SIZE, SCAN_SIZE)
    turns = _turns(size)
    text = "\n".join(turns)[:size]
    replace = best_of(3, lambda: text.replace("password", "[REDACTED]"))
    whole = best_of(2, lambda: redact(text))
    per_turn = best_of(1, lambda: [redact(t) for t in turns])
    sample = text[:scan_size]
    scan = best_of(3, lambda: find_injections(sample))
    scan_baseline = best_of(3, lambda: sample.replace("password", "[REDACTED]"))
    return [
        _throughput_row(f"redact {size / 1e6:.0f} MB of transcript text", whole, replace, len(text),
                        "MB/s; baseline: str.replace of one literal over the same text; ratio = times slower"),
        _throughput_row("redact the same text turn by turn", per_turn, replace, sum(map(len, turns)),
                        f"MB/s over {len(turns):,} turns, as render and the builtin path call it"),
        _throughput_row(f"injection scan of {scan_size / 1e6:.1f} MB", scan, scan_baseline, len(sample),
                        "MB/s; baseline: str.replace of one literal; one regex pass plus one character-class pass"),
        *_corpus_rows(),
    ]

