"""Benchmark: secret redaction and the injection scan, against a plain ``str.replace`` pass.

* ``redact`` over 50 MB of transcript text (the turns of generated Codex and Claude sessions: logs, code,
  prose, environment dumps with fake keys), timed against ``str.replace`` of one literal over the same
  text: the cost of a scanner that knows one secret. Ratio = redact time / replace time.
* the same text redacted turn by turn, as ``render`` and the builtin path call it.
* ``scanner.find_injections`` over 5 MB of the same text.
* recall and false positives on ``tests/data/secrets_corpus.json`` (target: 100% and 0), on each part of
  the bigger corpus ``tests/data/secrets/`` (tuning; held-out, target recall >= 99%, look-alikes changed <= 1%)
  on each part of the blind corpus ``tests/data/secrets/blind/`` (same targets for its held-out part) and on
  the second blind batch ``tests/data/secrets/blind2/`` (tuning only);
* recall and false positives of the injection scanner on each part of ``tests/data/injections/``.

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
PARTS = CORPUS.parent  # secrets/ and injections/, each split into tuning.json and heldout.json
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


def _leaked(item: dict) -> bool:
    out, secret = redact(item["text"]), item["secret"]
    return any(secret[i : i + LEAK_WINDOW] in out for i in range(max(1, len(secret) - LEAK_WINDOW + 1)))


def _secret_part_rows(path: Path, part: str, corpus: str = "") -> list[Row]:
    """Recall and look-alikes changed on one part of a split secret corpus; the held-out part has a target."""
    data = json.loads(path.read_text(encoding="utf-8"))
    n, m = len(data["secrets"]), len(data["lookalikes"])
    caught = sum(not _leaked(item) for item in data["secrets"])
    changed = sum(redact(item["text"]) != item["text"] for item in data["lookalikes"])
    recall, share = caught / n, changed / m
    target = f"; target >= 99 and <= 1: {verdict(recall >= 0.99 and share <= 0.01, smoke=False)}" if part == "heldout" else ""
    return [
        row(f"redaction recall, {corpus}{part} part", 100 * recall, 100.0,
            f"percent of {n} secrets of {len({i['kind'] for i in data['secrets']})} kinds in transcript context ({caught}/{n}){target}"),
        row(f"redaction false positives, {corpus}{part} part", 100 * share, 100.0, f"percent of {m} look-alikes changed ({changed}/{m})"),
    ]


def _corpus_rows() -> list[Row]:
    """The whole corpora at every size, so these are judged in smoke runs too."""
    corpus = json.loads(CORPUS.read_text(encoding="utf-8"))
    secrets, lookalikes = corpus["secrets"], corpus["lookalikes"]
    caught = sum(not _leaked(item) for item in secrets)
    touched = sum(redact(item["text"]) != item["text"] for item in lookalikes)
    kinds = len({item["kind"] for item in secrets})
    rows = [
        row("redaction recall on the secrets corpus", 100 * caught / len(secrets), 100.0,
            f"percent of {len(secrets)} fake secrets of {kinds} kinds removed whole; target 100: {verdict(caught == len(secrets), smoke=False)}"),
        row("redaction false positives on look-alikes", touched, len(lookalikes),
            "look-alikes changed, of all look-alikes (git SHAs, UUIDs, base64 text, lock-file hashes, public keys); "
            f"target 0: {verdict(touched == 0, smoke=False)}"),
    ]
    for part in ("tuning", "heldout"):
        rows += _secret_part_rows(PARTS / "secrets" / f"{part}.json", part)
        data = json.loads((PARTS / "injections" / f"{part}.json").read_text(encoding="utf-8"))
        found = sum(bool(find_injections(a["text"])) for a in data["attacks"]) / len(data["attacks"])
        flagged = sum(bool(find_injections(b["text"])) for b in data["benign"]) / len(data["benign"])
        rows.append(row(f"injection recall, {part} part", 100 * found, 100.0,
                        f"percent of {len(data['attacks'])} attack lines of {len({a['kind'] for a in data['attacks']})} kinds flagged"))
        rows.append(row(f"injection false positives, {part} part", 100 * flagged, 100.0,
                        f"percent of {len(data['benign'])} benign handbook lines flagged"))
    # the blind corpus, written by someone who never saw the rules: its held-out part measures how they generalise
    for part in ("tuning", "heldout"):
        rows += _secret_part_rows(PARTS / "secrets" / "blind" / f"{part}.json", part, corpus="blind ")
    rows += _secret_part_rows(PARTS / "secrets" / "blind2" / "tuning.json", "tuning", corpus="blind2 ")
    for corpus in ("blind3", "blind4", "blind5", "blind6"):  # more blind corpora, each held-out part first scored once after a round
        for part in ("tuning", "heldout"):
            rows += _secret_part_rows(PARTS / "secrets" / corpus / f"{part}.json", part, corpus=f"{corpus} ")
    return rows


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

