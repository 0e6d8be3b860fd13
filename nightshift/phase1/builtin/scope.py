"""How far a rule reaches: this project ("in this repo", "by default"), every project of the user's
("in all my repos", "whatever project we're in"), or the user themselves ("answer me in English")."""

from __future__ import annotations

import re



# A rule can also be an imperative or a description that names its own reach: "In all my projects,
# write ...", "Use pnpm for everything here", "Branch names in this repo always start with ...".
# Without such a marker an imperative ("Run the smoke tests") is a request for this session.
_PROJECT_WIDE = (
    r"(?:\b(?:in|for|across|throughout)\s+(?:this|these|our|the\s+whole|all\s+(?:the\s+|our\s+)?)\s*"
    r"(?:repo|repository|project|code\s*base|code|docs|documentation|package|service|app|site|module|library|tool)s?\b"
    # the team's own word for where the code lives: "in this shop all times are stored in UTC"
    r"|\bin\s+(?:this|our|my)\s+(?:shop|team|company|org|organi[sz]ation|monorepo|workspace)\b)"
)
_STANDING = re.compile(
    _PROJECT_WIDE + r"|\b(?:for\s+everything|every\s*time|each\s+time|whenever|by\s+default"
    r"|(?:on|for|in|with)\s+(?:every|each)\s+[\w-]+\s+(?:command|commit|pr|pull\s+request|push|release|run|build|change)s?\b"
    r"|in\s+(?:all\s+)?(?:new|future)\s+code)\b",
    re.I,
)
# "in tidewater all public functions ...", "in python we ...": a place named before a team or universal subject.
_PLACE_LEAD = re.compile(
    r"^in\s+(?!(?:the|a|an|this|that|my|your|general|fact|short|case|theory|practice|future|order)\b)[\w.-]+\s+(?=(?:all|every|each|we|our|no)\b)",
    re.I,
)
# A leading scope phrase is not part of the rule's wording: "In this repo we indent with tabs, not spaces".
_SCOPE_LEAD = re.compile(r"(?:" + _PROJECT_WIDE + r"|\b(?:here|in\s+general|globally)\b),?\s*", re.I)
_PROJECTS = r"(?:projects?|repos?|repository|repositories|code\s*bases?|machines|computers|laptops)"
# The reach of a rule said as a quantity of the user's projects, however it is worded: "in all my
# repos", "every project of mine", "in all of mine projects", "whatever repo we're in", "no matter
# which project", "regardless of the repo".
_GLOBAL_SCOPE = re.compile(
    r"\b(?:(?:all|every|each|any)(?:\s+one)?\s+(?:of\s+)?(?:(?:my|mine|our)\s+)?(?!other\b)(?:\w+\s+)?" + _PROJECTS
    + r"|(?:all|any)\s+(?:of\s+)?(?:my|mine)\s+(?:stuff|code|work)|" + _PROJECTS + r"\s+of\s+mine"
    r"|across\s+(?:(?:all|my|our)\s+)*" + _PROJECTS
    # the user's projects or machines in the plural, without a quantity: "never use sudo on my machines"
    + r"|(?:in|on|for)\s+my\s+(?:projects|repos|repositories|code\s*bases|machines|computers|laptops)"
    + r"|(?:whatever|whichever|no\s+matter\s+(?:which|what)|regardless\s+of(?:\s+the)?)\s+" + _PROJECTS
    + r"|everywhere|wherever|in\s+general|globally"
    + r"|(?<=,\s)anywhere(?=\W*$))\b",  # "..., anywhere" closing the rule
    re.I,
)
# The reach said before the rule: "in all of my projects I want ...", "for all my repos: no ...".
_GLOBAL_LEAD = re.compile(r"^(?:(?:(?:in|for|on|across)\s+)?(?:" + _GLOBAL_SCOPE.pattern + r")[\s,:;-]*)+", re.I)
# A rule about how the agent talks to the user follows the user, not the project ("answer me in English").
_PERSONAL = re.compile(
    r"\b(?:answer|reply|respond|talk|speak|write|explain)\w*\s+(?:to\s+)?me\b|\b(?:call|address)\s+me\b"
    r"|\byour\s+(?:\w+\s+)?(?:answers?|repl(?:y|ies)|responses?|tone|explanations?|summar(?:y|ies)|messages?)\b",
    re.I,
)
# "everywhere in this repo" stays local: a global marker only wins when nothing narrows it.
_LOCAL_SCOPE = re.compile(
    r"\b(?:this|the)\s+(?:repo|repository|project|codebase|module|file|package|service|folder|directory)\b"
    r"|(?<!from )\bhere\b",
    re.I,
)
_REACH_FILLER = re.compile(
    r"\b(?:this|that|it|it's|the|same|goes|applies|holds|counts|for|to|in|on|across|anywhere|ever|always|too|also|and|as|well|i|we|own|have|work"
    r"|please|pls|really|of|mine|my|all|every|any|python|js|code|stuff|things?|one|ok|yes|is|are)\b|[\W_]+",
    re.I,
)

