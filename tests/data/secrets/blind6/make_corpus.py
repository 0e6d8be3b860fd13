"""Write blind corpus 6 (tuning.json, heldout.json) from seeded generators; `--check` exits 1 when the files
on disk differ from what this script writes."""
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cli  # noqa: E402
import encoded  # noqa: E402
import lookalikes  # noqa: E402
import people  # noqa: E402
import places  # noqa: E402
import vendors  # noqa: E402

VALUE_SEED = 660481
SPLIT_SEED = 27113
HELDOUT_SHARE = 0.5


def vendor_items(rng):
    """Each vendor once in a place its value fits; invented vendors twice, since nothing but context names them."""
    spots = places.PLAIN + places.QUOTING
    out = []
    for kind, name, make in vendors.ALL:
        times = 2 if (kind, name, make) in vendors.INVENTED else 1
        for _ in range(times):
            value = make(rng)
            place = rng.choice([spot for spot in spots if places.fits(spot, value)])
            context, text = place(rng, name, value)
            out.append({"kind": kind, "context": context, "text": text, "secret": value})
    return out


def build():
    rng = random.Random(VALUE_SEED)
    secrets = vendor_items(rng) + people.items(rng) + cli.items(rng) + encoded.items(rng)
    looks = lookalikes.items(rng)
    for item in secrets:
        if len(item["secret"]) < 12 or item["secret"] not in item["text"]:
            raise SystemExit(f"bad secret item: {item['kind']}")
    split = random.Random(SPLIT_SEED)
    parts = {"tuning": {"secrets": [], "lookalikes": []}, "heldout": {"secrets": [], "lookalikes": []}}
    for key, group in (("secrets", secrets), ("lookalikes", looks)):
        for item in group:
            parts["heldout" if split.random() < HELDOUT_SHARE else "tuning"][key].append(item)
    return {name: json.dumps(part, ensure_ascii=False, indent=1) + "\n" for name, part in parts.items()}


def main(argv):
    files = build()
    if argv[1:] == ["--check"]:
        stale = [name for name, text in files.items()
                 if not (HERE / f"{name}.json").exists() or (HERE / f"{name}.json").read_text(encoding="utf-8") != text]
        if stale:
            print(f"differs from make_corpus.py: {', '.join(stale)}")
            return 1
        return 0
    if argv[1:]:
        print("usage: make_corpus.py [--check]")
        return 2
    for name, text in files.items():
        (HERE / f"{name}.json").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
