"""Recall and false positives on the written-for-this-project corpora, per part (tests/data/secrets,
tests/data/injections): the tuning part the rules were written against, and the held-out part that
measures whether they generalise. The held-out tests assert the targets of issue 19.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nightshift.ingest.redact import redact
from nightshift.ingest.scanner import find_injections

DATA = Path(__file__).parent / "data"
WINDOW = 12  # any 12 characters of a secret left in the output count as a leak, as in test_secrets_corpus


def _part(kind: str, name: str) -> dict:
    return json.loads((DATA / kind / f"{name}.json").read_text(encoding="utf-8"))


def _leaks(secret: str, redacted: str) -> bool:
    return any(secret[i : i + WINDOW] in redacted for i in range(max(1, len(secret) - WINDOW + 1)))


def secret_scores(name: str) -> tuple[float, float, list, list]:
    part = _part("secrets", name)
    missed = [(s["kind"], s["context"]) for s in part["secrets"] if _leaks(s["secret"], redact(s["text"]))]
    changed = [x["name"] for x in part["lookalikes"] if redact(x["text"]) != x["text"]]
    return 1 - len(missed) / len(part["secrets"]), len(changed) / len(part["lookalikes"]), missed, changed


def injection_scores(name: str) -> tuple[float, float, list, list]:
    part = _part("injections", name)
    missed = [a["kind"] for a in part["attacks"] if not find_injections(a["text"])]
    flagged = [b["name"] for b in part["benign"] if find_injections(b["text"])]
    return 1 - len(missed) / len(part["attacks"]), len(flagged) / len(part["benign"]), missed, flagged


def test_the_corpora_are_as_large_as_promised():
    secrets = [s for name in ("tuning", "heldout") for s in _part("secrets", name)["secrets"]]
    lookalikes = [x for name in ("tuning", "heldout") for x in _part("secrets", name)["lookalikes"]]
    assert len(secrets) >= 200 and len({s["kind"] for s in secrets}) >= 80 and len(lookalikes) >= 150
    assert len(_part("secrets", "heldout")["secrets"]) >= len(secrets) / 3
    attacks = [a for name in ("tuning", "heldout") for a in _part("injections", name)["attacks"]]
    assert len({a["kind"] for a in attacks}) >= 32


def test_held_out_secrets_meet_the_targets():
    recall, false_positives, missed, changed = secret_scores("heldout")
    assert recall >= 0.99, f"held-out recall {recall:.1%}; missed {missed}"
    assert false_positives <= 0.01, f"held-out look-alikes changed {false_positives:.1%}: {changed}"


def test_tuning_secrets():
    # the few the rules leave on purpose are named in docs/benchmarks.md (a password given as a positional
    # argument of `net use`, `snyk auth <uuid>`, "login as admin / X"); more would be a regression
    recall, false_positives, missed, changed = secret_scores("tuning")
    assert recall >= 0.96, f"tuning recall {recall:.1%}; missed {missed}"
    assert false_positives == 0, changed


@pytest.mark.parametrize("name", ["tuning", "heldout"])
def test_injection_corpus(name: str):
    recall, false_positives, missed, flagged = injection_scores(name)
    assert recall >= 0.97, f"{name} injection recall {recall:.1%}; missed {missed}"
    assert false_positives <= 0.04, f"{name} benign lines flagged: {flagged}"
