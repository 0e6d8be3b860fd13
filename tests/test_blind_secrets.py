"""Recall and look-alikes changed on the blind secret corpora: items written by helpers who never saw the
redactor's rules. tests/data/secrets/blind has a frozen held-out part, whose figure measures how the rules
generalise and which alone is held to issue 19's targets; tests/data/secrets/blind2 is a second batch,
tuning only, held to the level the rules reached on it so that a regression fails. tests/data/secrets/blind3
is a third corpus with a frozen held-out part, first scored once after the tuning on its other part had ended;
its held-out part is held to the same targets, its tuning part to the level reached. tests/data/secrets/blind4
is a fourth, written and scored the same way one round later, and blind5 and blind6 two more, one round after that.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nightshift.ingest.redact import redact

BLIND = Path(__file__).parent / "data" / "secrets" / "blind"
BLIND2 = BLIND.parent / "blind2"
BLIND3 = BLIND.parent / "blind3"  # written blind; its held-out part is measured once, by the lead
BLIND4 = BLIND.parent / "blind4"  # a fourth blind corpus, its held-out part first scored after round 4
BLIND5 = BLIND.parent / "blind5"  # the fifth and sixth, written while round 5 was tuned (see the tuning floor below)
BLIND6 = BLIND.parent / "blind6"
WINDOW = 12  # any 12 characters of a secret left in the output count as a leak, as for the other corpus


def _part(name: str, corpus: Path = BLIND) -> dict:
    return json.loads((corpus / f"{name}.json").read_text(encoding="utf-8"))


def _leaks(secret: str, redacted: str) -> bool:
    return any(secret[i : i + WINDOW] in redacted for i in range(max(1, len(secret) - WINDOW + 1)))


def _scores(name: str, corpus: Path = BLIND) -> tuple[float, float]:
    """(recall, share of look-alikes changed) of the redactor on one part; counts only, never items."""
    part = _part(name, corpus)
    caught = sum(not _leaks(s["secret"], redact(s["text"])) for s in part["secrets"])
    changed = sum(redact(x["text"]) != x["text"] for x in part["lookalikes"])
    recall, false_pos = caught / len(part["secrets"]), changed / len(part["lookalikes"])
    print(f"\n{corpus.name} {name}: recall {recall:.3f} ({caught}/{len(part['secrets'])}), "
          f"look-alikes changed {false_pos:.3f} ({changed}/{len(part['lookalikes'])})")
    return recall, false_pos


@pytest.mark.parametrize("corpus", [BLIND, BLIND2, BLIND3, BLIND4, BLIND5, BLIND6], ids=lambda path: path.name)
def test_blind_files_are_what_the_script_writes(corpus):
    done = subprocess.run([sys.executable, str(corpus / "make_corpus.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_blind_corpus_is_large_and_well_formed():
    parts = [_part("tuning"), _part("heldout")]
    secrets = [s for p in parts for s in p["secrets"]]
    lookalikes = [x for p in parts for x in p["lookalikes"]]
    assert len(secrets) >= 160 and len({s["kind"] for s in secrets}) >= 90 and len(lookalikes) >= 120
    assert all(s["secret"] in s["text"] for s in secrets)


@pytest.mark.parametrize("corpus", [BLIND3, BLIND4, BLIND5, BLIND6], ids=lambda path: path.name)
def test_blind_corpora_3_to_6_are_large_and_well_formed(corpus):
    parts = [_part("tuning", corpus), _part("heldout", corpus)]
    secrets = [s for p in parts for s in p["secrets"]]
    lookalikes = [x for p in parts for x in p["lookalikes"]]
    assert len(secrets) >= 320 and len({s["kind"] for s in secrets}) >= 160 and len(lookalikes) >= 240
    assert all(set(s) == {"kind", "context", "text", "secret"} for s in secrets)
    assert all(set(x) == {"name", "context", "text"} for x in lookalikes)
    assert all(len(s["secret"]) >= WINDOW and s["secret"] in s["text"] for s in secrets)
    lookalike_texts = {x["text"] for x in lookalikes}
    assert not [s["kind"] for s in secrets if s["text"] in lookalike_texts]
    assert all(len(p["secrets"]) >= 100 and len(p["lookalikes"]) >= 80 for p in parts)  # both parts non-trivial


# The held-out parts, each first scored once after the round tuned beside it had ended; the history of each:
# - blind: before anyone tuned on it, held-out recall 0.857 (96/112) and look-alikes changed 0.037 (3/80); round 1
#   (rules widened by shape, tuned on the tuning parts only) 0.938 and 0.025; round 2 (tuned on blind2 too) 0.955
#   and 0.025; round 3 (a scan for random tokens by shape, logins and pairs of any tool) 0.964 (108/112) and 0.013.
# - blind3, written for a measure nobody had read, first scored after round 3 (tuned on its tuning part, 0.900 ->
#   0.994): 0.963 (259/269) and 0.032 (5/156); after round 4 (read once more) 0.967 (260/269) and 0.026 (4/156).
# - blind4, written while round 4 was tuned, first scored after it (its tuning part: 0.970 with 8/191 look-alikes
#   changed -> 1.000 and 0): 0.978 (264/270) and 0.000 (0/200). The look-alike target holds, recall does not.
# - blind5 and blind6, written while round 5 was tuned and first scored after it (their tuning parts: 0.928 and 0.939
#   at first look -> 0.994 and 0.996, 0 changed): blind5 0.964 (346/359) and 0.019 (4/212), blind6 0.951 (250/263) and
#   0.036 (8/223). Round 5 left blind at 0.964 and 1/80, blind3 at 0.963 (259/269) and 2/156, blind4 at 0.978 and 0/200.
# Strict: once the redactor meets the targets on a part, its test "unexpectedly passes" and fails the suite, so
# its mark must go then.
HELD_OUT = [
    pytest.param(BLIND, marks=pytest.mark.xfail(strict=True, reason="blind held-out: recall 0.964, look-alikes changed 0.013")),
    pytest.param(BLIND3, marks=pytest.mark.xfail(strict=True, reason="blind3 held-out: recall 0.963, look-alikes changed 0.013")),
    pytest.param(BLIND4, marks=pytest.mark.xfail(strict=True, reason="blind4 held-out: recall 0.978, look-alikes changed 0.000")),
    pytest.param(BLIND5, marks=pytest.mark.xfail(strict=True, reason="blind5 held-out: recall 0.964, look-alikes changed 0.019")),
    pytest.param(BLIND6, marks=pytest.mark.xfail(strict=True, reason="blind6 held-out: recall 0.951, look-alikes changed 0.036")),
]


@pytest.mark.parametrize("corpus", HELD_OUT, ids=lambda path: path.name)
def test_blind_heldout_meets_issue_19_targets(corpus):
    recall, false_pos = _scores("heldout", corpus)
    assert recall >= 0.99 and false_pos <= 0.01, f"{corpus.name} held-out recall {recall:.3f}, look-alikes changed {false_pos:.3f}"


# The tuning parts, held at the level the rounds reached so that a regression fails: blind2 0.831 (211/254) with
# 5/136 changed before anyone tuned on it, 0.992 and 0 after round 3; blind3 1.000 and 0 and blind4 1.000 and 0
# after round 4 (blind's tuning part: 1.000 and 0 since round 1). Round 5: blind5's tuning part at first look 0.928
# (335/361) with 11/213 changed, blind6's 0.939 (231/246) with 7/180 (the round-4 rules, untouched), both >= 0.99
# and 0 changed after it.
@pytest.mark.parametrize("corpus", [BLIND, BLIND2, BLIND3, BLIND4, BLIND5, BLIND6], ids=lambda path: path.name)
def test_blind_tuning_parts_keep_the_level_reached(corpus):
    recall, false_pos = _scores("tuning", corpus)
    assert recall >= 0.99 and false_pos <= 0.01, f"{corpus.name} recall {recall:.3f}, look-alikes changed {false_pos:.3f}"
