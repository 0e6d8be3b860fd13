"""Recall and false positives of the redactor on a written-for-this-project corpus (tests/data).

The corpus holds fake keys of every kind nightshift claims to catch, each in a realistic context (a
shell line, a config file, a header, a log), and look-alikes that must survive untouched: git SHAs,
UUIDs, base64 of ordinary text, lock-file hashes, public keys, placeholders, type hints. The figures
are reported in the README and by ``bench/bench_redact.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from nightshift.ingest.redact import redact

CORPUS = json.loads((Path(__file__).parent / "data" / "secrets_corpus.json").read_text(encoding="utf-8"))
WINDOW = 12  # any 12 characters of a secret left in the output count as a leak


def _leaks(secret: str, redacted: str) -> bool:
    return any(secret[i : i + WINDOW] in redacted for i in range(max(1, len(secret) - WINDOW + 1)))


def test_every_secret_in_the_corpus_is_redacted_whole():
    missed = [(s["kind"], redact(s["text"])) for s in CORPUS["secrets"] if _leaks(s["secret"], redact(s["text"]))]
    recall = 1 - len(missed) / len(CORPUS["secrets"])
    assert recall == 1.0, f"recall {recall:.1%}; missed: {missed}"
    assert len({s["kind"] for s in CORPUS["secrets"]}) >= 30  # the corpus keeps covering every kind


def test_no_look_alike_is_touched():
    changed = [(item["name"], redact(item["text"])) for item in CORPUS["lookalikes"] if redact(item["text"]) != item["text"]]
    assert changed == [], f"{len(changed)} false positives of {len(CORPUS['lookalikes'])}: {changed}"


def test_redaction_of_the_corpus_is_idempotent_and_keeps_the_context():
    for item in CORPUS["secrets"]:
        once = redact(item["text"])
        assert redact(once) == once
        # what leads up to the secret (the command, the variable name) is still there for the reader
        assert once.startswith(item["text"].split(item["secret"])[0])
