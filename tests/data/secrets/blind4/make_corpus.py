#!/usr/bin/env python3
"""Write the fourth blind secret corpus (tuning.json, heldout.json) beside this script.

Written blind: its author never opened the redactor, the scanner, their tests or their benchmark, nor the
other corpora's items, and never ran the redactor on these items (see README.md). Every value comes from
random.Random(VALUE_SEED), so none is a real credential; the split is drawn once, here, from
random.Random(SPLIT_SEED).

    python tests/data/secrets/blind4/make_corpus.py          # write both files
    python tests/data/secrets/blind4/make_corpus.py --check  # exit 1 unless both files are what this writes
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the sibling modules, whether run as a script or imported

import cases  # noqa: E402
import lookalikes  # noqa: E402
from places import NO_SPACES, PLACES  # noqa: E402
from shapes import Draw  # noqa: E402
from vendors import VENDORS  # noqa: E402

VALUE_SEED = 918273
SPLIT_SEED = 55129
HELDOUT_P = 0.5
PLACES_PER_VENDOR = 2  # each vendor kind twice, in two different places, with two different values


def vendor_secrets(draw: Draw) -> list[dict]:
    items = []
    for kind, name, shape in VENDORS:
        places = [p for p in PLACES if " " not in shape or p not in NO_SPACES]
        for place in draw.rng.sample(places, PLACES_PER_VENDOR):
            value = draw.shape(shape)
            context, text = place(draw, name, value)
            items.append({"kind": kind, "context": context, "text": text, "secret": value})
    return items


def generate() -> tuple[dict, dict]:
    draw = Draw(VALUE_SEED)
    secrets = vendor_secrets(draw)
    secrets += [{"kind": kind, "context": context, "text": text, "secret": secret}
                for build in cases.BUILDERS for kind, context, text, secret in build(draw)]
    looks = [{"name": name, "context": context, "text": text}
             for build in lookalikes.BUILDERS for name, context, text in build(draw)]
    for item in secrets:
        if item["secret"] not in item["text"] or len(item["secret"]) < 12:
            raise ValueError(f"{item['kind']}: secret not verbatim in its text, or shorter than 12")
    split = random.Random(SPLIT_SEED)
    parts = {"tuning": {"secrets": [], "lookalikes": []}, "heldout": {"secrets": [], "lookalikes": []}}
    for key, items in (("secrets", secrets), ("lookalikes", looks)):
        for item in items:
            parts["heldout" if split.random() < HELDOUT_P else "tuning"][key].append(item)
    return parts["tuning"], parts["heldout"]


def serialise(part: dict) -> str:
    return json.dumps(part, ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with a fresh generation; write nothing")
    args = parser.parse_args()
    tuning, heldout = generate()
    wanted = {"tuning.json": serialise(tuning), "heldout.json": serialise(heldout)}
    if args.check:
        stale = [name for name, text in wanted.items()
                 if not (HERE / name).is_file() or (HERE / name).read_text(encoding="utf-8") != text]
        if stale:
            print(f"blind4: {', '.join(stale)} differ from what make_corpus.py writes", file=sys.stderr)
            return 1
        return 0
    for name, text in wanted.items():
        (HERE / name).write_text(text, encoding="utf-8")
    for name, part in (("tuning", tuning), ("heldout", heldout)):
        kinds = len({s["kind"] for s in part["secrets"]})
        print(f"{name}: {len(part['secrets'])} secrets of {kinds} kinds, {len(part['lookalikes'])} look-alikes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
