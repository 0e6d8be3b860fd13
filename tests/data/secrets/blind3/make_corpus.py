#!/usr/bin/env python3
"""Write the third blind secret corpus (tuning.json, heldout.json) beside this script.

Written blind: its author never opened the redactor, the scanner, their tests or their benchmark, and
never ran the redactor on these items (see README.md). Every value comes from random.Random(VALUE_SEED),
so none is a real credential. The split is drawn once, here, from random.Random(SPLIT_SEED).

    python tests/data/secrets/blind3/make_corpus.py          # write both files
    python tests/data/secrets/blind3/make_corpus.py --check  # exit 1 unless both files are what this writes
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the sibling modules, whether run as a script or imported

import lookalike_cases  # noqa: E402
import secret_cases  # noqa: E402
from placements import PLACES, fish_shell, shell_history, tool_call_export  # noqa: E402
from shapes import Draw  # noqa: E402
from vendor_tokens import VENDOR_TOKENS  # noqa: E402

VALUE_SEED = 40417
SPLIT_SEED = 7283
HELDOUT_P = 0.5
PLACES_PER_VENDOR_KIND = 2
# A value with a space would not survive these unquoted shell places, so it is never put there.
UNQUOTED_SHELL = {tool_call_export, fish_shell, shell_history}


def vendor_items(draw: Draw) -> list[dict]:
    items = []
    for kind, name, make in VENDOR_TOKENS:
        first = make(draw)
        places = [p for p in PLACES if " " not in first or p not in UNQUOTED_SHELL]
        for n, place in enumerate(draw.rng.sample(places, PLACES_PER_VENDOR_KIND)):
            value = first if n == 0 else make(draw)
            context, text = place(draw, name, value)
            if value not in text:
                raise ValueError(f"{kind} in {place.__name__}: value not verbatim")
            items.append({"kind": kind, "context": context, "text": text, "secret": value})
    return items


def generate() -> tuple[dict, dict]:
    draw = Draw(VALUE_SEED)
    secrets = vendor_items(draw)
    sink = secret_cases.Sink()
    for build in secret_cases.BUILDERS:
        build(draw, sink)
    secrets += sink.items
    lookalikes = [{"name": name, "context": context, "text": text}
                  for build in lookalike_cases.BUILDERS for name, context, text in build(draw)]
    split = random.Random(SPLIT_SEED)
    parts = {"tuning": {"secrets": [], "lookalikes": []}, "heldout": {"secrets": [], "lookalikes": []}}
    for key, items in (("secrets", secrets), ("lookalikes", lookalikes)):
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
            print(f"blind3: {', '.join(stale)} differ from what make_corpus.py writes", file=sys.stderr)
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
