"""Assign a blind batch (by default ``eval/cases_blind.yaml``) to the tuning or the held-out part, once.

    .venv/bin/python -m eval.split_blind
    .venv/bin/python -m eval.split_blind --batch eval/cases_blind2.yaml --prefix c- --seed 2611

The first command split the first batch (its defaults are what was used then); a later batch names
its file, the prefix every one of its ids carries and a seed of its own. Each batch was written by someone who never read the builtin rules, so its split is made by chance
and before anyone scores it: the sessions of one relation form one group (a relation is scored in
one part), every other case is a group of its own, and each group, in sorted order, goes to
``tuning`` or ``held_out`` with probability 0.5 from a fixed seed. The ids are appended to
``eval/split.json``; the script refuses to split a batch a second time (any id with its prefix already
there), because a split redrawn after a look at the scores would no longer be blind.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from eval.build_sessions import EVAL_DIR, load_cases, load_relations

BATCH = EVAL_DIR / "cases_blind.yaml"
SPLIT = EVAL_DIR / "split.json"
PREFIX = "b-"
SEED = 1407


def groups(ids: list[str], relations: list[dict]) -> list[list[str]]:
    """The batch's ids grouped so that every relation's sessions stay together, in sorted order."""
    group_of = {i: {i} for i in ids}
    for rel in relations:
        merged = set().union(*(group_of[i] for i in rel["sessions"]))
        for i in merged:
            group_of[i] = merged
    unique = {tuple(sorted(g)) for g in group_of.values()}
    return [list(g) for g in sorted(unique)]


def assign(batch: list[list[str]], seed: int = SEED) -> dict[str, list[str]]:
    rng = random.Random(seed)
    parts: dict[str, list[str]] = {"tuning": [], "held_out": []}
    for group in batch:
        parts["tuning" if rng.random() < 0.5 else "held_out"].extend(group)
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Split a blind batch of eval cases into tuning and held_out, once.")
    parser.add_argument("--batch", type=Path, default=BATCH, help="the batch's cases file (default: %(default)s)")
    parser.add_argument("--prefix", default=PREFIX, help="the prefix of every id in the batch (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=SEED, help="the seed of the draw (default: %(default)s)")
    args = parser.parse_args(argv)
    cases = load_cases([args.batch])
    ids = [case.id for case in cases]
    if bad := [i for i in ids if not i.startswith(args.prefix)]:
        print(f"{args.batch}: every id must start with {args.prefix!r}: {', '.join(bad)}", file=sys.stderr)
        return 1
    split = json.loads(SPLIT.read_text(encoding="utf-8"))
    if already := sorted(i for part in ("tuning", "held_out") for i in split[part] if i.startswith(args.prefix)):
        print(f"{SPLIT} already holds {len(already)} ids starting with {args.prefix!r}; that split is frozen", file=sys.stderr)
        return 1
    parts = assign(groups(ids, load_relations([args.batch], cases)), args.seed)
    for name, part in parts.items():
        split[name].extend(part)
    SPLIT.write_text(json.dumps(split, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{SPLIT}: {len(parts['tuning'])} blind sessions to tuning, {len(parts['held_out'])} to held_out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
