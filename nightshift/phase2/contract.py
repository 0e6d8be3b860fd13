"""The memory home's contract, in one place: its file names, the handbook's headings, the token
estimate and the cap, and how a file is cut down to the cap.

The builtin consolidation writes to it, the consolidation agent is held to it (its tools and the
validators), and the read path, search, review, quarantine and git handling read by it. The formats
themselves are described in ``nightshift.phase2.handbook``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

# --- the files of the memory home ----------------------------------------------------------------

MEMORY_MD = "MEMORY.md"  # the handbook: task groups with their tasks, preferences, knowledge and failures
SUMMARY_MD = "memory_summary.md"  # the short version every new session loads (the read path)
HANDBOOK_FILES = (MEMORY_MD, SUMMARY_MD)  # what consolidation writes: scanned before a commit
SKILLS_DIR = "skills"  # the consolidation agent may also write skills/**
RAW_MEMORIES = "raw_memories.md"  # generated input: the selection, rendered
ROLLOUT_SUMMARIES = "rollout_summaries"  # generated input: one file per remembered rollout
GENERATED = (*HANDBOOK_FILES, RAW_MEMORIES, ROLLOUT_SUMMARIES)
STATE_DIR = ".nightshift"  # state, lock, logs; git-ignored, so a restore to HEAD leaves it alone
DIFF_FILE = "consolidation.diff"  # tonight's diff, in the state dir; the agent reads it under this name

# --- MEMORY.md -----------------------------------------------------------------------------------

HANDBOOK_TITLE = "# Memory handbook"
GROUP_PREFIX = "## Task group: "
TASK_PREFIX = "### Task: "
KNOWLEDGE_SECTIONS = ("### User preferences", "### Reusable knowledge", "### Failures and fixes")
ALL_PROJECTS = "all projects"  # applies_to of the global task group

# --- memory_summary.md ---------------------------------------------------------------------------

SUMMARY_VERSION = "v1"  # the first line
PROFILE, PREFERENCES, TIPS, INDEX = "## User profile", "## Preferences", "## General tips", "## What's in memory"
SUMMARY_SECTIONS = (PROFILE, PREFERENCES, TIPS, INDEX)
SCOPED_SECTIONS = (PREFERENCES, TIPS)  # entries sit under '### global' or '### project: <key>'
NONE_YET = "- (none yet)"  # the body of an empty section

# --- the cap -------------------------------------------------------------------------------------

BYTES_PER_TOKEN = 4  # the estimate used for every budget: transcripts, tool output, the summary


def tokens(text: str) -> int:
    """About how many tokens ``text`` is, rounded up."""
    return -(-len(text.encode("utf-8")) // BYTES_PER_TOKEN)


def cap_bytes(token_cap: int) -> int:
    return token_cap * BYTES_PER_TOKEN


class Fitted(NamedTuple):
    kept: list[int]  # indices of the lines kept, in order
    dropped: int  # ranked lines dropped
    fits: bool  # False: even without every ranked line the rest is over the budget


def fit_to_cap(lines: Sequence[str], ranks: Sequence[tuple | None], budget: int) -> Fitted:
    """Drop whole lines until the rest, each with its newline, fits in ``budget`` bytes.

    Only ranked lines go (``None`` is never dropped), the lowest rank first and the later line first
    on ties; a ``###`` sub-heading whose every entry was dropped goes too. The builtin consolidation
    cuts ``memory_summary.md`` with it, the read path cuts the block a session loads."""
    size = sum(len(line.encode("utf-8")) + 1 for line in lines)
    order = sorted((i for i, rank in enumerate(ranks) if rank is not None), key=lambda i: (ranks[i], -i))
    dropped: set[int] = set()
    for i in order:
        if size <= budget:
            break
        dropped.add(i)
        size -= len(lines[i].encode("utf-8")) + 1
    kept = [i for i in range(len(lines)) if i not in dropped and not _emptied(lines, i, dropped)]
    return Fitted(kept, len(dropped), size <= budget)


def _emptied(lines: Sequence[str], i: int, dropped: set[int]) -> bool:
    if not lines[i].startswith("### "):
        return False
    body = []
    for j in range(i + 1, len(lines)):
        if lines[j].startswith("#"):
            break
        if lines[j].strip():
            body.append(j)
    return bool(body) and all(j in dropped for j in body)
