"""Write blind corpus 5 (tuning.json, heldout.json); with --check, exit 1 if the files differ from it.

Every value comes from random.Random(VALUE_SEED), so none is a real credential; the split is drawn once
from random.Random(SPLIT_SEED), item by item in generation order. See README.md.
"""

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import b5_cli  # noqa: E402
import b5_encoded  # noqa: E402
import b5_files  # noqa: E402
import b5_lookalike_ids  # noqa: E402
import b5_lookalike_text  # noqa: E402
import b5_places  # noqa: E402
import b5_prose  # noqa: E402
import b5_vendors  # noqa: E402
from b5_values import Draw  # noqa: E402

VALUE_SEED = 50_2026_12_08
SPLIT_SEED = 771_905
HELDOUT_PROBABILITY = 0.5
PLACES_PER_VENDOR = 2
MIN_SECRET_CHARS = 12
MAX_TRIES_PER_LOOKALIKE = 6
PARTS = ("tuning.json", "heldout.json")


def vendor_secrets(draw):
    """Each vendor kind twice, in two different places; places are dealt from a reshuffled deck so
    every place is used about equally often."""
    deck = []
    items = []
    for kind, var, make in b5_vendors.ALL:
        used = set()
        for _ in range(PLACES_PER_VENDOR):
            if not deck:
                deck = list(b5_places.ALL)
                draw.rng.shuffle(deck)
            place = deck.pop()
            if place in used:
                deck.insert(0, place)
                place = deck.pop()
            used.add(place)
            value = make(draw)
            context, text = place(draw, var, value)
            items.append({"kind": kind, "context": context, "text": text, "secret": value})
    return items


def case_secrets(draw):
    items = []
    for module in (b5_cli, b5_prose, b5_encoded, b5_files):
        for kind, make in module.CASES:
            context, text, secret = make(draw)
            items.append({"kind": kind, "context": context, "text": text, "secret": secret})
    return items


def lookalikes(draw):
    """Each generator gives up to its count of distinct texts; a generator with few fixed phrasings
    gives fewer rather than repeating one."""
    items, seen = [], set()
    for module in (b5_lookalike_ids, b5_lookalike_text):
        for name, make, count in module.GENERATORS:
            made = 0
            for _ in range(count * MAX_TRIES_PER_LOOKALIKE):
                if made == count:
                    break
                context, text = make(draw)
                if text in seen:
                    continue
                seen.add(text)
                items.append({"name": name, "context": context, "text": text})
                made += 1
    return items


def validate(secrets, looks):
    for item in secrets:
        if item["secret"] not in item["text"] or len(item["secret"]) < MIN_SECRET_CHARS:
            raise SystemExit(f"bad secret item of kind {item['kind']}")
    texts = [item["text"] for item in secrets + looks]
    if len(set(texts)) != len(texts):
        raise SystemExit("two items share a text")


def build():
    draw = Draw(random.Random(VALUE_SEED))
    secrets = vendor_secrets(draw) + case_secrets(draw)
    looks = lookalikes(draw)
    validate(secrets, looks)
    split = random.Random(SPLIT_SEED)
    parts = {name: {"secrets": [], "lookalikes": []} for name in PARTS}
    for group, items in (("secrets", secrets), ("lookalikes", looks)):
        for item in items:
            part = "heldout.json" if split.random() < HELDOUT_PROBABILITY else "tuning.json"
            parts[part][group].append(item)
    return {name: json.dumps(body, indent=1, ensure_ascii=False) + "\n" for name, body in parts.items()}


def main(argv):
    check = argv[1:] == ["--check"]
    if argv[1:] and not check:
        raise SystemExit("usage: make_corpus.py [--check]")
    written = build()
    if check:
        stale = [name for name, text in written.items()
                 if not (HERE / name).exists() or (HERE / name).read_text(encoding="utf-8") != text]
        if stale:
            print("differs from what make_corpus.py writes: " + ", ".join(stale))
            return 1
        return 0
    for name, text in written.items():
        (HERE / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
