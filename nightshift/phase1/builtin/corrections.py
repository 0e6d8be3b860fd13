"""Corrections of the agent ("No, I said uv", "I told you to ..."), complaints about what it does, a
confirmation of what it asked, and a message that says the old way is gone (so "instead" replaces it)."""

from __future__ import annotations

import re

from nightshift.ingest.transcript import Turn, TurnKind
from nightshift.phase1.builtin.cues import _ARTIFACT_NOUN


# A complaint about what the agent does is a rule when the message states no other: "I hate it when you
# rename variables I didn't ask about." (with "never add comments like that." after it, that is the rule).
_COMPLAINT = re.compile(
    r"^(?:(?:i|we)\s+(?:really\s+)?(?:like|love|hate|dislike|can'?t\s+stand)\s+(?:it\s+)?when\s+you\s+\w"
    # and so is a bare correction ("not grep -r, rg.") or a team's refusal ("we don't use mocha.")
    r"|not\s+[\w.-]+(?:\s+-{1,2}\w+)?,\s*[\w.-]+\W*$"
    r"|(?:stop\W+)?(?:(?:we|i)\s+)?(?:don'?t|do\s+not|never)\s+(?:use|add|ship|import|install|run)\s+`?[\w.-]+`?"
    r"(?:\s+(?:here|in\s+this\s+(?:repo|project|codebase)))?\W*$"
    r"|[\w.`-]+,?\s+not\s+[\w.`-]+\W*$)",
    re.I,
)
# A message that says something is gone: what it asks for "instead" replaces it.
_CHANGE_CONTEXT = re.compile(
    r"\b(?:is|are)\s+(?:dead|gone|deprecated|retired)\b|\b(?:we|i)\s+(?:cancel+ed|dropped|ditched|killed|removed|ripped\s+\w+\s+out"
    r"|stopped\s+using|got\s+rid\s+of|moved\s+off|migrated\s+off)\b",
    re.I,
)
# A sentence that only turns a tool or a way down ("no make here!!", "we not use build/ folder", "nein, no npm
# scripts in this repo"): the sentence after it that names what to do instead is the rule, and the refusal
# is its context.
_REFUSAL = re.compile(
    r"^(?:(?:nein|nee|nej|non|n[aã]o|no+|nope|nah+|stop)\W+)?(?:(?:we|i)\s+(?:don'?t|do\s+not|never|not)\s+(?:use|run|want|do)\s+"
    r"|(?:don'?t|do\s+not|never)\s+(?:use|run|call)\s+|no\s+|not\s+)(?!(?:idea|problem|worries|need|way|rush|thanks|now|yet|today|here|there|this|that|it|really|sure|quite)\b)"
    r"`?[\w./-]+`?(?:\s+[\w./-]+){0,2}(?:\s+(?:here|in\s+this\s+(?:repo|project|codebase)))?\W*$",
    re.I,
)
# What to do instead, said as an order or as the only way: "only ninja -C out/dbg", "build with ninja -C out/dbg".
_REPLACEMENT = re.compile(
    r"^(?:(?:only|always|just)\s+(?!(?:this|that|it|once|now|today)\b)\S"
    r"|(?:use|build|run|test|deploy|install|call|start|lint|format)\s+(?!(?:it|this|that|them)\b)\S)",
    re.I,
)
_INSTEAD = re.compile(r"\binstead\b(?!\s+of)", re.I)
_NOT_AN_ORDER = re.compile(r"^(?:" + r"it|this|that|these|those|there|i|you|he|she|they|we|which|what|who|the|a|an|our|my|your|if|so" + r")\b", re.I)
# A confirmation of what the agent just asked about: "yes that's right, staging is on 6543".
_CONFIRMATION = re.compile(
    r"^(?:(?:yes|yep|yeah|yup|correct|exactly|right|indeed)\b[\s,.!]*)+(?:(?:that'?s|that\s+is|it'?s)\s+(?:right|correct)\b[\s,.!]*)?"
    r"|^(?:that'?s|that\s+is)\s+(?:right|correct)\b[\s,.!]*",
    re.I,
)
# An answer to the agent's question that says it holds beyond this case: "yarn, always", "3.12 for every
# project of mine", "the default template for every release".
_STANDING_ANSWER = re.compile(
    r"^(?!(?:yes|yep|yeah|no|nope|ok(?:ay)?|sure|it|this|that|just|only|the\s+same|same)\b)"
    r"(?![^.]*\b(?:errors?|bugs?|warnings?|failures?|issues?|problems?|crash\w*|things?|stuff)\b)[\w.`'/@:-]+(?:\s+[\w.`'/@:-]+){0,3},?\s+"
    r"(?<!\bas\s)(?<!\blike\s)(?:always|every\s*time|from\s+now\s+on|going\s+forward"
    r"|(?:for|in|on)\s+(?:every|all|each|any)\s+(?:of\s+)?(?:my\s+|our\s+)?" + _ARTIFACT_NOUN + r")",
    re.I,
)
# The opening of a correction: what follows is how it should be ("nope, migrations always run through
# `make migrate`", "that's wrong, branches here are named ..."). It counts only with a rule word or a
# reach in it: "no, it was my fault" corrects nothing lasting.
_CORRECTION = re.compile(
    # a bare "no" opens a correction only with a mark after it: "no unittest here" says no to unittest
    r"^(?:no+(?=\s*[,.!:;-])|nope|nah+|ugh+|wrong|incorrect|hold\s+on|not\s+like\s+that|that'?s\s+(?:wrong|not\s+(?:right|it|how\s+we\s+do\s+(?:it|things)))"
    r"|not\s+quite)\b[\s,.!:;-]+(?=\w)",
    re.I,
)
# A correction said as a sentence of its own: "No. it's pnpm in this repo." corrects with the sentence after it.
_BARE_CORRECTION = re.compile(r"^(?:no+|nope|nah+|wrong|incorrect|not\s+quite|that'?s\s+wrong)\W*$", re.I)
_LASTING = re.compile(r"\b(?:always|never|only|must|here|everywhere)\b|\bin\s+(?:this|our)\s+\w+|`", re.I)
# "I told you to run ...": a correction that restates the rule.
_TOLD_YOU = re.compile(r"^i\s+(?:told|asked)\s+you\s+(?:to\s+|before\s+to\s+|already\s+to\s+)?(?=\w)", re.I)


def _confirms_a_question(turns: list[Turn], turn_no: int) -> bool:
    """Whether the user's message answers a question the agent asked just before it, in prose or through
    its question tool (the reader marks such an answer with the question)."""
    if turns[turn_no - 1].question:
        return True
    for turn in reversed(turns[: turn_no - 1]):
        if turn.kind is TurnKind.ASSISTANT:
            return "?" in turn.text
        if turn.kind is TurnKind.USER:
            return False
    return False

