"""Phase 1 without a model: deterministic rules that turn one Transcript into a RawMemory.

The builtin provider is the offline default. It is weaker than a model, so it only keeps the two
kinds of evidence that rules recognise with high precision (junk memories are the main failure of
peer systems) and answers no-op for everything else:

* durable preferences the user stated in their own turns ("always ...", "use X instead of Y"),
  conventions that name their reach ("in this repo ...", "in all my projects, write ..."), and plain
  statements of how the project is that name something concrete ("the test database listens on
  5433"), recognised by their shape rather than by a list of phrases, minus any the user took back
  later and any sentence that carries a credential;
* a command that failed and later passed, with the environment-changing steps taken in between.

Assistant text and tool output never become preferences: they are untrusted and the user never
adopted them. Evidence pointers ("user turn 3", "tool call 7") are 1-based positions in
``Transcript.turns``.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from nightshift.memory import Decision, Failure, Outcome, RawMemory, Scope, Task, mentions, mentions_in_name, retraction_subject
from nightshift.ingest.transcript import Transcript, Turn, TurnKind

PREFERENCE_MAX_CHARS = 300
TITLE_MAX_CHARS = 80
COMMAND_MAX_CHARS = 80
ERROR_LINE_MAX_CHARS = 160
FIX_MAX_STEPS = 4
MAX_KEYWORDS = 8
GLOBAL_TASK_TITLE = "General preferences"
PASTED_LIST_ITEMS = 3

# --- user prose: only what the user wrote themselves, never pasted code, logs or quotes ----------

# A line opening a harness-injected block (<environment_context>, <system-reminder>) a reader missed.
_OPEN_TAG = re.compile(r"^<([A-Za-z][\w-]*)(?:\s[^>]*)?>")
_FENCES = ("```", "~~~")
_CODE_OR_LOG_LINE = re.compile(
    r"""^(?:\$\s|>|\#!|\#include|[<{\[]
      |(?:def|class|import|from\s+\S+\s+import|function|const|let|var|return|package|public|private)\s
      |(?:SELECT|INSERT|UPDATE|DELETE)\s
      |Traceback\s\(most|File\s".*",\sline\s\d
      |at\s+[\w.$<>]+\(
      |\[?\d{4}-\d\d-\d\d[\sT]\d\d:\d\d
      |(?:ERROR|WARN(?:ING)?|INFO|DEBUG|FATAL)\b[:\]\s]
      |E\s{2,})
    |[;{}]\s*$""",
    re.X,
)
_CODE_SYMBOLS = re.compile(r"[{}\[\]()<>=;$\\|&*#@%]")
_BULLET = re.compile(r"^(?:[-*+\u2022]|\d+[.)])\s+")
_SENTENCE_BREAK = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<=[.!?])\s+")

# Filler a user puts before the rule itself ("ok, so please always ...", "Third, ...", "By the way, ...").
_LEAD_WORDS = re.compile(
    r"^(?:(?:please|pls|plz|also|and|so|ok(?:ay)?|btw|by\s+the\s+way|oh|ah|but|hey|well|now|note|important"
    r"|the\s+thing\s+is|rule|again|just|one\s+more\s+thing|first(?:ly)?|second(?:ly)?|third(?:ly)?|finally|lastly"
    r"|from\s+now\s+on|going\s+forward|moving\s+forward|from\s+here\s+on|for\s+(?:context|reference)|fwiw"
    r"|to\s+be\s+clear|to\s+clarify|as\s+a\s+reminder|from\s+today(?:\s+on)?)\b[\s,:;!.-]*)+",
    re.I,
)
# An answer word that only opens the message: "No, I said uv", "Great. Tests here ...".
_INTERJECTION = re.compile(
    r"^(?:(?:(?:it'?s|is|that'?s)\s+(?=ok|okay|fine|good|great|cool|nice|perfect))?(?:no|nope|yes|yep|yeah|ah|oh|hmm+|great|good"
    r"|cool|nice|perfect|fine|thanks|thank\s+you|thx|ty|ok(?:ay)?|sure"
    r"|right|alright|wait|incorrect|not\s+quite|wrong(?:\s+again)?)\s*[,.!]+"
    # a correction opener needs no comma: "actually the config lives in ...", "ugh thats the old package"
    r"|(?:actually|ugh+|nah+|hold\s+on|no\s+no+|not\s+like\s+that)\b[,.!:;-]*)\s*",
    re.I,
)
# "new rule: ...", "rule of thumb here: ...": a label in front of the rule, not part of it.
_RULE_LABEL = re.compile(
    r"^(?:(?:new|house|team|general|one|another|my)\s+)?(?:rule(?:\s+of\s+thumb)?|convention|policy|guideline|naming|style)"
    r"(?:\s+here)?\s*:\s*", re.I
)
# The user repeats an instruction: whatever follows is a standing rule ("again, run the linter before
# you push", "like I said, ...", "for the last time: ...").
_REPEATED = re.compile(
    r"^(?:again|once\s+again|as\s+i\s+(?:said|told\s+you)(?:\s+before)?|like\s+i\s+said(?:\s+before)?"
    r"|for\s+the\s+(?:last|hundredth|nth|third|second)\s+time|how\s+many\s+times\s+do\s+i\s+have\s+to\s+say\s+(?:it|this))"
    r"\s*[,:;.!-]+\s*(?=\w)",
    re.I,
)
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
# When a thing is done, which makes an imperative a habit: "run the linter before you push anything".
_HABIT = re.compile(r"\b(?:before|after|whenever|every\s+time|each\s+time)\s+(?:you|we|i|any|every|each|a|an|the|pushing|committing|merging|opening)\b", re.I)
# A step of the user's workflow: an order tied to it is a habit, not a request for now.
_WORKFLOW_HABIT = re.compile(
    r"\b(?:before|after|whenever|every\s+time)\s+(?:you\s+|we\s+)?(?:push|pushing|commit|committing|merge|merging|release"
    r"|releasing|deploy|deploying|tag|tagging|ship|shipping|open(?:ing)?\s+(?:a\s+)?(?:pr|pull\s+request)|hand(?:ing)?\s+\w+\s+back)\b(?!\s+(?:this|it|that|these|them)\b)",
    re.I,
)
_ORDER = re.compile(r"^(?:make\s+sure|ensure|run|check|update|add|rebase|squash|build|lint|format|test|bump|regenerate|sign)\b", re.I)
# Hedges: "in the future we might move to postgres" is no rule.
_HEDGE = re.compile(r"\b(?:might|could|maybe|perhaps|probably|someday|eventually|not\s+sure)\b", re.I)
# The user asks for the rest to be remembered: "remember: ...", "keep in mind that ...", "fyi for the
# future, ...", "for future reference, ...", "note for next time: ...", "next time ...".
_CUE = re.compile(
    r"^(?:(?:and\s+|please\s+|pls\s+)?(?:remember|keep\s+in\s+mind|note\s+for\s+(?:next\s+time|the\s+future))(?:\s+that)?\s*[:,]?"
    r"|fyi(?:\s+for\s+(?:the\s+)?future(?:\s+reference)?)?\s*[:,]?|for\s+(?:future\s+reference|the\s+future|the\s+record)\s*[:,]?"
    r"|heads[\s-]+up\s*[:,]?|just\s+so\s+you\s+know\s*[:,]?|don'?t\s+forget(?:\s+to|\s+that)?\s*[:,]?|(?:for\s+)?next\s+time\s*[:,]?"
    r"|in\s+(?:the\s+)?future\s*[:,]?|(?:make|take)\s+a\s+note(?:\s+that)?\s*[:,]?|note\s+to\s+self\s*[:,]?"
    r"|(?:just\s+)?(?:a\s+)?(?:quick\s+|friendly\s+)?reminder(?:\s+that)?\s*[:,]?)\s+(?=\S)",
    re.I,
)
# A cue about what was just said: "Remember that for next time." / "..., keep that in mind."
_CUE_BACK = re.compile(
    r"(?:^|,\s*|\s-+\s*)(?:please\s+)?(?:remember|keep|note)\s+(?:that|this)(?:\s+in\s+mind)?(?:\s+for\s+(?:next\s+time|the\s+future|later))?\W*$",
    re.I,
)
# Words that make a list the user's own: "my rules:", "conventions for this repo:", "remember these".
_OWN_LIST = re.compile(
    r"\b(?:my|our)\s+(?:\w+\s+)?(?:rules|conventions|preferences|guidelines|standards)\b"
    r"|\b(?:rules|conventions)\s+(?:for|in|of)\s+(?:this|the|our)\b|\b(?:remember|keep\s+in\s+mind|from\s+now\s+on|going\s+forward)\b",
    re.I,
)
# A line that introduces someone else's text: "tighten the wording of this README section:", "my
# colleague wrote:", "here is the spec:". What follows it in the message is the document, not the user.
_PASTE_INTRO = re.compile(
    r"(?:\b(?:this|these|the\s+following|following|below|here'?s|here\s+is|here\s+are|attached)\b.*"
    r"\b(?:section|readme|docs?|documentation|spec|specification|text|paragraphs?|e-?mail|message|description|comment"
    r"|issue|ticket|page|guide|policy|review|feedback|changelog|notes?|post|draft|summary|announcement|proposal|rfc"
    r"|excerpt|wording|copy|answer|reply|instructions)\b.*"
    r"|\b(?:says?|said|wrote|writes|posted|sent|replied|suggested|proposed)\s*)[:\u2026]\s*$",
    re.I,
)
# A message that says something is gone: what it asks for "instead" replaces it.
_CHANGE_CONTEXT = re.compile(
    r"\b(?:is|are)\s+(?:dead|gone|deprecated|retired)\b|\b(?:we|i)\s+(?:cancel+ed|dropped|ditched|killed|removed|ripped\s+\w+\s+out"
    r"|stopped\s+using|got\s+rid\s+of|moved\s+off|migrated\s+off)\b",
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
# The opening of a correction: what follows is how it should be ("nope, migrations always run through
# `make migrate`", "that's wrong, branches here are named ..."). It counts only with a rule word or a
# reach in it: "no, it was my fault" corrects nothing lasting.
_CORRECTION = re.compile(
    r"^(?:no+(?!\s+matter\b)|nope|nah+|ugh+|wrong|incorrect|hold\s+on|not\s+like\s+that|that'?s\s+(?:wrong|not\s+(?:right|it|how\s+we\s+do\s+(?:it|things)))"
    r"|not\s+quite)\b[\s,.!:;-]+(?=\w)",
    re.I,
)
_LASTING = re.compile(r"\b(?:always|never|only|must|here|everywhere)\b|\bin\s+(?:this|our)\s+\w+|`", re.I)
_CLAUSE = re.compile(r",\s+(?:and|but|also)\s+|;\s+", re.I)
# "I told you to run ...": a correction that restates the rule.
_TOLD_YOU = re.compile(r"^i\s+(?:told|asked)\s+you\s+(?:to\s+|before\s+to\s+|already\s+to\s+)?(?=\w)", re.I)
# Words a quick typist misspells in a rule: matched as the word they mean, kept as typed.
_TYPOS = (
    (re.compile(r"\b(?:allways|alwasy|alway)\b", re.I), "always"),
    (re.compile(r"\bnver\b", re.I), "never"),
    (re.compile(r"\bgos\b", re.I), "goes"),
    (re.compile(r"\bteh\b", re.I), "the"),
)
# A short leading clause ("In this repo, never ..."; "For tests, use X instead of Y").
_LEAD_CLAUSE = re.compile(r"^[^,:]{1,40}[,:]\s*")
# Rule wording that must open the sentence: anywhere else "always"/"never" usually describes
# something ("it always fails on CI") instead of asking for a behaviour.
_RULE_START = re.compile(
    r"""^(?:(?:always|never)\b(?!\s+(?:a|an|the|so|such|same|fun|been)\b)
      |(?:don'?t|do\s+not)(?:\s+ever)?\s+\w
      |no\s+(?!idea|problem|worries|luck|need|way|rush|clue|thanks|changes?\b)[\w-]+(?:\s+[\w-]+){0,3}?\s+
         (?:in|on|inside|for|at|after|before|with|without|longer|shorter|bigger|larger|over|under|above|below|more|than)\s+\w
      |(?:(?:new|house|team|general|one|another|my)\s+)?(?:rule(?:\s+of\s+thumb)?|convention|policy|guideline|naming|style)(?:\s+here)?\s*:\s*\w
      |stop\s+\w+ing\b
      |prefer\s+\w
      |(?:(?:i|we)\s+)?(?:use|indent|format|name)\s+.+?(?:\s+instead\s+of|\s+rather\s+than|,\s*not)\s+\w
      |(?:run|deploy|install|lint)\s+.+?,\s*not\s+\w
      |(?:i|we)(?:'d|\s+would)?\s+(?:(?:really|generally|usually|always)\s+)?prefer\b
      |(?:i|we)(?:'d|\s+would)\s+rather\b
      |(?:i|we)\s+no\s+longer\s+\w
      |(?:i|we)(?:'ve|\s+have)?\s+(?:moved\s+(?:off|away\s+from)|migrated\s+(?:off|away\s+from|from)|switched\s+from
         |got\s+rid\s+of|ditched|replaced)\s+[^.;]*?(?:,|;|\s(?:and|so|to|with|for|by|in\s+favou?r\s+of)\s)
      |(?:i|we)(?:'ve|\s+have)?\s+(?:migrated|switched|moved)\s+to\s+\S
      |[\w`./-]+(?:\s+[\w`./-]+)?\s+(?:is|are)\s+(?:gone|deprecated|dead|retired),?\s+(?:now\s+)?(?:we\s+)?use\s+\S
      |(?:the\s+)?(?:convention|rule|standard|policy)\s+(?:here\s+|in\s+this\s+\w+\s+)?is\b
      |(?:i|we)\s+(?:always|never)\s+(?!(?:remember|recall|know|knew|understand|get|got|see|saw|think|thought|notice|noticed|had|have|was|were|been|said|forget|figured)\b)
      |(?:i|we)\s+(?:don'?t|do\s+not)\s+(?:want|like)\b
      |(?:you|we)\s+(?:should|must|need\s+to|have\s+to)\s+(?:always|never)\b
      |(?:make|be)\s+sure\s+(?:to\s+|you\s+|that\s+you\s+)?(?:always|never)\b
      |not\s+(?!(?:now|today|tomorrow|yet|later|here|there|this|that|really|sure|much|only|just|quite|exactly)\b)[\w.-]+(?:\s+[\w.-]+)?,?\s+but\s+\w
      |(?:every|each|all)\s+(?!(?:time|day|week|morning)\b)[\w-]+(?:\s+[\w-]+){0,2}\s+(?:gets?|needs?|goes|go)\s+\S
      |(?:avoid|stick\s+(?:to|with)|stop\s+with)\s+\w
      |keep\s+(?!(?:it|this|that|them|me)\b)[\w-]+(?:\s+[\w-]+)?\s+(?:small|short|simple|under|below|focused|tidy|sorted|alphabetical|minimal)\b
      |(?:i|we)(?:'d|\s+would)\s+like\s+(?:all|every|each|our)\s+\w
      |(?:we|i)\s+(?:are|'re|am|'m)\s+\w+ing\s+always\b
      |(?:i|we)\s+(?:(?:really|always)\s+)?(?:want|like|expect)\s+(?:all|every|each|no)\s+\w
      |(?!(?:it|this|that|there|which|what|you|i|he|she|they)\b)[\w`./-]+(?:\s+[\w`./-]+){0,3}\s+
         (?:should|has\s+to|have\s+to|needs?\s+to)\s+(?:always|never|only)\b
      |(?!(?:it|this|that|there|which|what)\b)(?:[\w`./-]+\s+){0,3}?(?!(?:field|input|param|parameter|argument|column|attribute|property|option)s?\b)
         [\w`./-]+\s+(?:is|are)\s+(?:a\s+must|mandatory|forbidden|not\s+allowed|banned|off[\s-]limits|a\s+no[\s-]go)\b)""",
    re.I | re.X,
)
_RULE_ANYWHERE = re.compile(
    r"\b(?:from\s+now\s+on|going\s+forward|moving\s+forward|from\s+here\s+on|from\s+today\s+on|henceforth|in\s+(?:the\s+)?future"
    r"|to\s+(?:always|never)\b"
    r"|prefer\s+\S.*?\s+over\s+\S|(?:i|we)\s+(?:really\s+|generally\s+)?prefer\b"
    r"|\b(?:use|using|do|doing|run|write)\s+always\b"
    r"|that'?s\s+(?:the|our)\s+(?:rule|convention|standard|policy)|that'?s\s+how\s+we\s+do\s+(?:it|things))",
    re.I,
)
# How things are here, said by the team: "our CI only has node 20", "we're on opentofu in this repo",
# "we are using always npx expo install ...". A team statement needs a reach (this repo, here) or a
# rule word; "our CI is slow" is a description.
_TEAM = re.compile(
    r"^(?:our\s+[\w-]+(?:\s+[\w-]+)?\s+(?:only|always|never)\s+\w"
    r"|(?:we|i)(?:'re|\s+are)\s+(?:always\s+)?(?:on|using)\s+(?:always\s+)?\S"
    r"|(?:we|i)\s+(?:always\s+|only\s+|(?:don'?t|do\s+not|never)\s+)?(?:use|put|keep|store|write|name|run|deploy|follow|do|add|ship"
    r"|commit|import|install|bundle|check\s+in|mock|vendor|pin)\s+\S"
    r"|(?!(?:it|this|that|there|i|we|you|they|he|she)\b)[\w.-]+(?:\s+[\w.-]+)?,?\s+not\s+[\w.-]+)",
    re.I,
)
_CONTRAST = re.compile(r"\b(?:only|always|never)\b|,\s*not\s+\w|\b[a-z][\w.-]*\s+v?\d+(?:\.\d+)+\b", re.I)  # or a version
# "we don't add http libs to the bundle": a team's refusal is a convention without naming its reach.
_TEAM_REFUSAL = re.compile(r"^(?:we|i)\s+(?:don'?t|do\s+not|never)\s+(?!(?:it|this|that|them|know|think|need|have|want)\b)\w+\s+(?!(?:it|this|that|them)\b)\w", re.I)
_HERE = re.compile(r"\bhere\b|\bin\s+(?:this|our)\s+(?:repo|repository|project|code\s*base|team|service)\b", re.I)
# A rule about things with "must": "invoice numbers must keep the INV- prefix". Not a guess about the
# past ("it must have failed") and not about "it"/"this" (meaningless without the message it answers).
_MUST = re.compile(
    r"^(?!(?:it|this|that|there|which|what|you|i|he|she|they)\b)[\w`'./-]+(?:\s+[\w`'./-]+){0,3}\s+"
    r"must\s+(?:not\s+|never\s+|always\s+)?(?!have\b)\w+",
    re.I,
)
# A rule can also be an imperative or a description that names its own reach: "In all my projects,
# write ...", "Use pnpm for everything here", "Branch names in this repo always start with ...".
# Without such a marker an imperative ("Run the smoke tests") is a request for this session.
_PROJECT_WIDE = (
    r"\b(?:in|for|across|throughout)\s+(?:this|these|our|the\s+whole|all\s+(?:the\s+|our\s+)?)\s*"
    r"(?:repo|repository|project|code\s*base|docs|documentation|package|service|app|site|module|library|tool)s?\b"
)
_STANDING = re.compile(
    _PROJECT_WIDE + r"|\b(?:for\s+everything|every\s*time|each\s+time|whenever|by\s+default"
    r"|(?:on|for|in|with)\s+(?:every|each)\s+[\w-]+\s+(?:command|commit|pr|pull\s+request|push|release|run|build|change)s?\b"
    r"|in\s+(?:all\s+)?(?:new|future)\s+code)\b",
    re.I,
)
# Verbs that choose how things are done (not actions like run/add/push), without a specific object
# after them: "Write commit messages in ..." is a style, "Write a README for this repo" is a task.
_IMPERATIVE = re.compile(
    r"^(?:(?:i|we)\s+(?:want|need|'d\s+like)\s+you\s+to\s+\w|(?:i|we)\s+want\s+\w"
    r"|run\s+(?:the\s+|all\s+)?[\w-]+(?:\s+[\w-]+)?\s+(?:with|using|via|through)\s+\S"
    r"|(?:use|write|keep|put|format|indent|name|prefix|target|follow|place|store|document|pin|sort"
    r"|answer|reply|respond|explain|comment)\b(?!\s+(?:a|an|the|this|that|these|those|me|us|some|it)\b)"
    # verbs of manner and restraint rule a behaviour whatever their object ("skip the flattery in your replies")
    r"|(?:skip|drop|avoid|omit|leave\s+out|stick\s+to|limit|be|talk|speak|default\s+to|cut)\b)",
    re.I,
)
# With the reach of all the user's projects, an imperative of nearly any verb is a standing rule
# ("across all my projects, sign off every commit"); without it, most of these verbs are a task.
_BROAD_IMPERATIVE = re.compile(
    r"^(?:add|include|mention|ask|check|run|test|commit|push|sign|tag|label|treat|type|declare|import|return|raise"
    r"|handle|validate|set|enable|disable|respect|end|begin|lowercase|capitali[sz]e|spell|quote|wrap|split|cite|link"
    r"|refer|print|log|lint|pin|lock|mark|show|give|prefer|make|never|always|don'?t|do\s+not)\b",
    re.I,
)
_CONVENTION = re.compile(
    _PROJECT_WIDE + r".*?\b(?:(?:always|never|must)\s+(?:be|start|begin|end|go|live|use|follow|include|contain|stay|match|target)\b"
    r"|(?:is|are)\s+(?:always|never)\b|must\s+\w)"
    r"|\b(?:is|are)\s+(?:always|never)\b.*?" + _PROJECT_WIDE,
    re.I,
)
# How a routine job is done here, with the reason: "Run the tests with `make test`; plain `go test` skips ...".
_HOW_TO = re.compile(
    r"^(?:run|build|start|lint|format|deploy|release)\s+(?:the\s+|all\s+)?[\w-]+(?:\s+[\w-]+)?\s+(?:with|using|via|through)"
    r"\s+`[a-z][^`]*`\s*(?:;|,\s*(?:because|since|otherwise|as)\b)",
    re.I,
)
# A plain statement of how things are in the project, without a rule word: "the test database listens
# on 5433", "the docs are built with mkdocs", "our JSON fields are camelCase", "feature PRs go to
# develop", "the e2e suite needs PLAYWRIGHT_BROWSERS_PATH=0". Its shape: a subject that is a thing of
# the project (not a pronoun, not an error or a result), a verb in the present tense that says where
# something lives, how it is made or run, or what it uses, and a concrete object (a port, a version,
# a path, a command, a flag, a naming style). A description of what is wrong right now ("the build is
# broken since this morning", "the suite takes 4 minutes") has none of these verbs or is ruled out by
# its words of the moment.
_CONCRETE = (
    r"(?:`|\w=\S|(?<![\w-])--?[a-z]|\w/\w|\w_\w|(?-i:[a-z][A-Z])|\b\d+(?:\.\d+)+\b|\b\d{2,5}\b"
    r"|\.(?:py|js|cjs|mjs|ts|tsx|json|ya?ml|toml|cfg|ini|sh|md|sql|go|rs|rb|lock|env|txt)\b"
    r"|\b(?:camel|snake|kebab|pascal)[_ -]?case\b"
    r"|\b[\w.-]+[\s-](?:style|conventions?|format|standard|guide|spec|layout|pattern|notation|syntax)\b)"
)
_MADE = (
    r"built|generated|made|done|deployed|served|hosted|managed|configured|handled|stored|kept|written|formatted"
    r"|linted|tested|loaded|created|installed|released|published|wrapped|defined|declared|registered|versioned"
    r"|pinned|tracked|documented|run|triggered|scheduled|bundled|compiled|packaged|validated|seeded|cached|signed"
    r"|reviewed|checked|provisioned|mounted|exposed|proxied|routed|injected|mocked|vendored"
)
_NOT_A_SUBJECT = (
    r"it|this|that|these|those|there|here|i|you|he|she|they|we|which|what|who|whoever|my|your|his|her|their"
    r"|if|unless|when|whether|maybe|perhaps|probably|hopefully|assuming|suppose|then|so|let|let's|both|none"
    r"|nothing|someone|somebody|anyone"
)
# A word of a fact's subject: no verb of its own ("the tests can't connect to redis" is a report).
_SUBJECT_WORD = (
    r"(?!(?:can'?t|cannot|don'?t|doesn'?t|won'?t|isn'?t|aren'?t|didn'?t|is|are|was|were|not|never|should|must|will|would"
    r"|could|can|keeps?|still)\b)[\w`'./<>*@:-]+"
)
_NO_ARTICLE = r"(?!(?:a|an|more|another|some|to|too|much|many|lots)\b)"
_FACT = re.compile(
    r"^(?!(?:" + _NOT_A_SUBJECT + r")\b)"
    r"(?P<subject>" + _SUBJECT_WORD + r"(?:\s+" + _SUBJECT_WORD + r"){0,5}?)\s+(?:(?:only|always|now|all)\s+)?(?:"
    # a port: "staging is on 6543", "the test database listens on 5433"
    r"(?:is|are|'s|listens?|runs?|lives?|sits?|serves?)\s+(?:only\s+|always\s+|now\s+)?(?:on|at)\s+"
    r"(?:port\s+|localhost:|127\.0\.0\.1:)?\d{2,5}\b(?!\s*(?:%|percent|messages?|items?|rows?|users?|requests?|mb|gb|kb)\b)"
    # a version: "the lambda runtime is python 3.11", "production runs postgres 16"
    r"|(?:(?:is|are|'s)(?:\s+on)?|runs?|uses?|targets?|needs?|requires?|supports?|has|have|pins?)\s+(?:only\s+|always\s+)?"
    r"(?!(?:about|around|almost|exactly|just|now|over|under|roughly|only|off|up|down|at|in|on|by|to|the|a|an|still)\b)"
    r"[a-z][\w.-]*\s+v?\d+(?:\.\d+)*(?:\.x)?\b"
    # how it is made or run: "the docs are built with mkdocs", "every external call is wrapped in ..."
    r"|(?:is|are)\s+(?:all\s+|always\s+|only\s+|now\s+)?(?:\w+ly\s+)?(?:" + _MADE + r")\s+(?:only\s+|always\s+)?"
    r"(?:with|by|through|via|from|in|into|on|using|as|like|under|inside|against)\b"
    r"|(?:is|are)\s+(?:using|following|targeting)\s+\w"
    # a name: "test files are called test_<module>.py"
    r"|(?:is|are)\s+(?:always\s+)?(?:called|named|prefixed\s+with|suffixed\s+with|spelled|tagged|labell?ed|versioned)\s+(?=\S*[`_<>.\d-]|[A-Z])"
    # a path or a file: "the cli entry point is src/tool/__main__.py"
    r"|(?:is|are|'s)\s+(?:in\s+|at\s+|under\s+)?(?=`|\S*(?:\w/|/\w|\.(?:py|js|ts|tsx|json|ya?ml|toml|cfg|ini|sh|md|sql|go|rs|rb|lock|env|txt)\b))"
    # what it needs around it: "the integration tests need docker running"
    r"|(?:needs?|requires?)\s+(?:a\s+|the\s+)?[\w.-]+\s+(?:running|installed|up|enabled|set|exported|mounted)\b"
    # a place: "the lint config lives in eslint.config.js", "feature PRs go to develop", "the workflows are in .github/workflows"
    r"|(?:lives?|sits?|goes|go|belongs?|comes?|come|gets?\s+deployed|deploys?|ships?|ends?\s+up)\s+(?:only\s+|always\s+)?"
    r"(?:in|into|under|to|from|through|via|on|at)\b"
    r"|(?:is|are)\s+(?:all\s+|only\s+|always\s+)?(?:in|under|inside)\s+(?=\S*(?:\w/|/\w|\.\w{2,4}\b))"
    r"|(?:runs?)\s+(?:only\s+|always\s+)?(?:against|through|via|inside|under|on\s+top\s+of|with|in|on|from)\b"
    r"|(?:talks?\s+to|connects?\s+to|reads?\s+from|writes?\s+to|pulls?\s+from|pushes\s+to|polls?)\s+" + _NO_ARTICLE + r"\S"
    r"|(?:has\s+)?(?:moved|switched|migrated)\s+(?:over\s+)?to\s+\S"
    # what it cannot do: "our lambdas can't use numpy"
    r"|(?:can'?t|cannot|can\s+not|mustn'?t|must\s+not)\s+(?:use|import|have|depend\s+on|be)\s+\S"
    # what it uses or needs, with a concrete object: "the e2e suite needs PLAYWRIGHT_BROWSERS_PATH=0"
    r"|(?:works?)\s+(?:only\s+)?with\s+(?=[^,;]*?" + _CONCRETE + r")"
    r"|(?:uses?|needs?|requires?|expects?|follows?|depends?\s+on|targets?)\s+" + _NO_ARTICLE + r"(?=[^,;]*?" + _CONCRETE + r")"
    r"|uses?\s+" + _NO_ARTICLE + r"[\w.-]+(?:\s+[\w.-]+)?\s+(?:for|to)\s+\w"
    r"|uses?\s+" + _NO_ARTICLE + r"(?!(?:it|them|this|that)\b)[\w.-]+(?:\s+[\w.-]+)?\s*(?:[,;.]|$)"
    r"|(?:is|are|returns?|sends?|emits?|expects?|accepts?)\s+(?:in\s+|all\s+|always\s+|only\s+)?(?:camel|snake|kebab|pascal|screaming[_ -]?snake)[_ -]?case\b)",
    re.I,
)
# Someone else's words inside the subject: "the vendor's docs say their API is served from ...".
_REPORTED = re.compile(
    r"\b(?:says?|said|wrote|writes|claims?|claimed|mentions?|mentioned|suggests?|suggested|thinks?|thought|told"
    r"|tells?|according|reckons?|believes?|guess|recommends?|recommended)\b",
    re.I,
)
# "..., so that's right": the user approves what the agent did, the fact is the agent's.
_APPROVAL = re.compile(r"(?:,|\bso|\band)\s+(?:that'?s|that\s+is|looks|it'?s)\s+(?:right|correct|fine|good)\W*$", re.I)
# "the formatter is black with line length 100, not 88": a description corrected with ", not ...".
_CORRECTED_FACT = re.compile(
    r"^(?!(?:" + _NOT_A_SUBJECT + r")\b)(?:[\w.`-]+\s+){0,4}(?:is|are)\s+(?!(?:not|a|an|the)\b)[^,;]{2,60},\s*not\s+\S", re.I
)
# Someone else's words: "my colleague says ...", "here's what the linter says: ...".
_SOMEONE_ELSE_SAYS = re.compile(
    r"\b(?:colleague|boss|lead|manager|teammate|team\s*mate|reviewer|cto|pm|client|customer|linter|docs|readme|guide|vendor"
    r"|someone|somebody|article|blog|book|tutorial|stack\s*overflow|chatgpt|copilot|he|she|they)\b[^.]{0,40}?"
    r"\b(?:says?|said|wrote|writes|thinks?|suggests?|suggested|recommends?|recommended|claims?|told\s+me)\b",
    re.I,
)
# Where this task's new thing goes ("the new banner goes on the home page") is the task, not the project.
_THIS_TASK = re.compile(r"^(?:the|a|an|this|our)\s+new\b", re.I)
# Where a thing is, followed by an order in the same sentence, is the order's context: "the login form
# lives in src/pages/Login.tsx, add a remember-me checkbox" (a convention followed by "add one" is not).
_POINTS_AT = re.compile(r"\b(?:lives?|sits?|is|are)\s+(?:in|at|under|inside)\b", re.I)
_ASKS_NOW = re.compile(
    r"[,;]\s+(?:(?:and|so|then|now|pls|please)\s+)?(?:add|fix|make|change|update|remove|delete|check|see|look|put|write|create"
    r"|rename|move|find|tell|show|open|run|try|debug|investigate|figure)\b",
    re.I,
)
# A redacted value or a URL with a password in it: a connection for this task, never a fact to keep.
_WITH_SECRET = re.compile(r"\[REDACTED|://[^/\s:@]+:[^@\s]+@")
# A leading clause that makes the rest hypothetical: "if we ever move to postgres, ...".
_HYPOTHETICAL = re.compile(r"^(?:if|unless|assuming|suppose|in\s+case|once|maybe|perhaps)\b", re.I)
# A setting said with its value: "the port is 8081", "Python version is 3.12 here", "the region is eu-west-1".
_SETTING_FACT = re.compile(
    r"^(?!(?:" + _NOT_A_SUBJECT + r")\b)(?:[\w.-]+\s+){0,3}(?:port|version|host|hostname|url|region|timezone|tz|locale|encoding"
    r"|line\s+length|branch)\s+(?:is|are|'s)\s+(?:now\s+|still\s+|always\s+)?`?(?:v?\d+(?:\.\d+)*|[\w.:/-]*[\d/._:-][\w.:/-]*)`?(?:\W|$)",
    re.I,
)
# What the subject of a fact must not be: an error, a result or this task's change is not the project.
_TRANSIENT_SUBJECT = frozenset(
    """error bug issue problem crash exception warning failure fix result output total sum number value response
    request diff change commit pr message log line screenshot answer question one thing stuff test link details
    info notes ticket stacktrace trace repro example""".split()
)
# News of something that happened ("ops moved the staging database last night") is not itself a rule.
_PAST_EVENT = re.compile(r"\b(?:last\s+(?:night|week|month|time)|yesterday|this\s+morning|earlier\s+today|just\s+now)\b", re.I)
# Something that does not work: a report, not a rule or a fact.
_BROKEN = re.compile(r"\b(?:broken|fail(?:s|ed|ing)?|crash(?:es|ed|ing)?|errors?|(?:does|is)n'?t\s+working|not\s+working|still)\b", re.I)
# Words of the moment: a fact said with them describes now, not how things are.
_MOMENT = re.compile(
    r"\b(?:still|currently|again|since|yesterday|today|tonight|tomorrow|this\s+(?:morning|afternoon|evening|week)"
    r"|right\s+now|at\s+the\s+moment|for\s+now|suddenly|randomly|sometimes|keeps?|anymore|broken|fail(?:s|ed|ing)?"
    r"|crash(?:es|ed|ing)?|down|wrong|weird|slow|instead)\b"
    r"|\b\d+(?:\.\d+)?\s*(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?)\b",
    re.I,
)
# A leading scope phrase is not part of the rule's wording: "In this repo we indent with tabs, not spaces".
_SCOPE_LEAD = re.compile(r"(?:" + _PROJECT_WIDE + r"|\b(?:here|in\s+general|globally)\b),?\s*", re.I)
# A sentence naming a credential next to a value shaped like one keeps out of memory, even when the
# redactor missed the value ("log in with password Orchid-Lantern-42" has no KEY=value shape).
_CREDENTIAL_WORD = re.compile(r"\b(?:passwords?|passwd|passphrase|passcode|tokens?|api[\s_-]?keys?|keys?(?=\s*(?:is\b|=|:))|secrets?|credentials?)\b", re.I)
_CREDENTIAL_VALUE = re.compile(r"(?=\S*\d)(?=\S*[A-Za-z])[^\s/\\\"'`,;()\[\]]{8,}")
_QUESTION_START = re.compile(
    r"^(?:should|shall|can|could|would|will|why|how|what|is|are|was|does|did"
    r"|do\s+(?:you|we|i|they)|have\s+you)\b",
    re.I,
)
# Imperatives about this moment, not a standing rule.
_ONE_OFF = re.compile(
    r"""\b(?:never\s*mind|no\s+worries
      |(?:don'?t|do\s+not)\s+(?:worry|bother|mind|know|think|understand|see|get|care|have|need
         |remember|forget|hesitate|panic|rush|stress|apologi[sz]e|be\s+sorry)\b
      |(?:i|we)\s+never\s+(?:said|asked|told|wanted|meant|did|had|was|were|knew|thought)\b
      |for\s+now|yet|right\s+now|this\s+time|(?<!from\s)today|at\s+the\s+moment|for\s+the\s+moment|temporarily
      |for\s+this\s+(?:\w+\s+)?(?:one|run|step|commit|pr|task|ticket|bug|session)\b)\b""",
    re.I | re.X,
)
_FOR_NOW = re.compile(r"^(?:for\s+now|at\s+the\s+moment|for\s+the\s+moment|currently)\b[\s,]*", re.I)
# "Don't do that (again)" / "Never use them": meaningless without the message it answers.
_DEICTIC = re.compile(
    r"\b(?:do|did|doing|done)\s+(?:that|this|it)\b"
    r"|^\W*\w+(?:\W+\w+){0,3}?\W+(?:that|this|it|those|these|them)\W*$",
    re.I,
)
_PROJECTS = r"(?:projects?|repos?|repository|repositories|code\s*bases?|machines|computers|laptops)"
# The reach of a rule said as a quantity of the user's projects, however it is worded: "in all my
# repos", "every project of mine", "in all of mine projects", "whatever repo we're in", "no matter
# which project", "regardless of the repo".
_GLOBAL_SCOPE = re.compile(
    r"\b(?:(?:all|every|each|any)(?:\s+one)?\s+(?:of\s+)?(?:(?:my|mine|our)\s+)?(?!other\b)(?:\w+\s+)?" + _PROJECTS
    + r"|(?:all|any)\s+(?:of\s+)?(?:my|mine)\s+(?:stuff|code|work)|" + _PROJECTS + r"\s+of\s+mine"
    r"|across\s+(?:(?:all|my|our)\s+)*" + _PROJECTS
    + r"|(?:whatever|whichever|no\s+matter\s+(?:which|what)|regardless\s+of(?:\s+the)?)\s+" + _PROJECTS
    + r"|everywhere|wherever|in\s+general|globally)\b",
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
# The asking around a request: "can you please ...", "I need you to ...", "let's ...".
_REQUEST_WRAPPER = re.compile(
    r"^(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|please\s+|pls\s+|i\s+(?:need|want|would\s+like)\s+you\s+to\s+"
    r"|let'?s\s+|help\s+me\s+(?:to\s+)?|quick\s+one[:,]?\s+)+",
    re.I,
)
_TRAILING_ASK = re.compile(
    r"[,;]?\s+(?:(?:can|could|would)\s+you|please|pls|have\s+a\s+look|take\s+a\s+look)(?:\s+(?:\w+|'\w+)){0,3}\W*$", re.I
)
# A clause after the task that only says why or what it looks like: "Add httpx, the new client needs it".
_TRAILING_CLAUSE = re.compile(
    r"[,;]\s+(?:it|it's|its|the|this|that|these|those|we|we're|i|i'm|they|there|which|so|because|since|as|otherwise|then"
    r"|see|check|look|fix)\b.*$",
    re.I,
)
# A report of what is broken names the task by its subject: "npm run build fails for me" -> "Fix npm run build".
_REPORT = re.compile(
    r"^(?P<subject>(?:[\w`'./@:-]+\s+){0,5}?[\w`'./@:-]+)\s+(?:(?:is|are)\s+(?:\w+\s+)?(?:broken|failing|red|down|crashing|flaky|slow)"
    r"|fails|failed|crashes|crashed|won'?t|doesn'?t|can'?t|isn'?t|aren'?t|keeps\s+\w+ing|got\s+(?:really\s+)?(?:slow|slower))\b",
    re.I,
)
# Not a task: the user's own plans ("I'll export it myself") and headings of a list ("Three things").
_NOT_A_TASK = re.compile(
    r"^(?:i(?:'ll|'m|\s+will|\s+am|'ve|\s+have)\b|(?:two|three|four|five|a\s+few|some|a\s+couple\s+of)\s+(?:things|questions|items|points)\b)",
    re.I,
)
_GREETING = re.compile(r"^(?:hi|hello|hey|thanks|thank\s+you|ok(?:ay)?|yo)\b", re.I)

# --- commands and their outcomes -----------------------------------------------------------------

_SHELL_TOOLS = frozenset(
    {"shell", "shell_command", "exec_command", "local_shell", "local_shell_call", "bash",
     "container.exec", "run_terminal_cmd", "execute_command", "terminal",
     "run_shell_command"}  # the last is Gemini CLI's (Cursor's "Shell" is "shell" once lowered)
)
_EDIT_TOOLS = frozenset(
    {"edit", "multiedit", "write", "apply_patch", "str_replace_based_edit_tool", "str_replace_editor",
     "notebookedit", "create_file", "write_file", "edit_file", "replace", "strreplace"}
)
_SHELLS = frozenset({"sh", "bash", "zsh", "dash"})
_PATCH_FILE = re.compile(r"^\*\*\* (?:Update|Add|Delete) File: (.+)$", re.M)
# Editing one of these changes how things build or run, so it can be a fix on its own; an edit to
# ordinary source after a red test is just development, not a lesson worth remembering.
_CONFIG_FILE = re.compile(
    r"^(?:pyproject\.toml|setup\.(?:cfg|py)|tox\.ini|pytest\.ini|conftest\.py|requirements[\w.-]*\.txt"
    r"|package\.json|tsconfig[\w.-]*\.json|cargo\.toml|go\.mod|makefile|dockerfile|\.env[\w.-]*|\.npmrc"
    r"|[\w.-]+\.(?:toml|ini|cfg|ya?ml))$",
    re.I,
)
_CHAIN = re.compile(r"\s*(?:&&|\|\||;)\s*")
_PIPE = re.compile(r"\s*\|\s*")
_ENV_ASSIGNMENT = re.compile(r"^\w+=")
_WORD_TOKEN = re.compile(r"^[a-z][a-z0-9:_.-]*$")
# Runners whose own name says nothing: the command they wrap is what matters.
_WRAPPERS = (("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("pnpm", "exec"), ("bundle", "exec"),
             ("npx",), ("bunx",), ("sudo",), ("time",), ("env",))
_RUN_SUBCOMMANDS = frozenset({"run", "exec", "x"})
# Looking around is not fixing: these never count as a failure subject or as a fix step (and a
# grep or which "failing" with exit code 1 is just a negative answer).
_PROBE_PROGRAMS = frozenset(
    {"cd", "ls", "cat", "head", "tail", "less", "more", "grep", "rg", "ag", "find", "fd", "pwd", "echo",
     "printf", "which", "type", "whereis", "wc", "tree", "stat", "file", "env", "printenv", "true", "test",
     "[", "diff", "sleep", "date", "whoami", "uname", "du", "df", "nl", "jq"}
)
_GIT_READS = frozenset({"status", "diff", "log", "show", "branch", "blame", "remote", "rev-parse", "ls-files"})
_INLINE_SCRIPT_FLAGS = frozenset({"-c", "-e"})
_TEST_PROGRAMS = frozenset({"pytest", "tox", "nox", "jest", "vitest", "mocha", "rspec", "phpunit"})
_TAKES_SETUP = re.compile(r"\b[A-Za-z_]\w*=|&&|;")  # VAR=value, or steps chained before the runner

_EXIT_CODE = re.compile(
    r"^(?:error:\s*)?(?:exit\s+code:?|process\s+exited\s+with\s+code)\s*(-?\d+)\b", re.I | re.M
)
_FAILURE_TEXT = re.compile(
    r"Traceback \(most recent call last\)|command not found|ModuleNotFoundError|npm ERR!"
    r"|^\s*(?:error|fatal)(?:\[\w+\])?:|\b[1-9]\d* (?:failed|errors?)\b",
    re.I | re.M,
)
# Most telling line first: a Python-style "XError: message" (from the match on), then whole lines
# naming a shell or tool error. No leading ".*": that is quadratic on a long single-line output.
_PYTHON_ERROR = re.compile(r"\b[A-Z]\w*(?:Error|Exception):")
_PYTEST_SUMMARY = re.compile(r"^(?:FAILED|ERROR) \S+ - ")
_ERROR_LINE_PATTERNS = (
    _PYTHON_ERROR,
    re.compile(r"command not found"),
    re.compile(r"^\s*(?:error|fatal)(?:\[\w+\])?:|^\s*npm ERR!", re.I),
    re.compile(r"\b(?:error|failed)\b", re.I),
)

_KEYWORD_TOKEN = re.compile(r"[a-z][a-z0-9_+-]{2,}")
_CONTRACTION = re.compile(r"\b\w+n't\b|'(?:s|re|ll|ve|d|m)\b")
_STOPWORDS = frozenset(
    """the and for with without from into onto this that these those then than there here what when
    where which why how who can could would should will shall must need needs want wants please make
    makes use uses using used run runs get gets set fix fixes add adds let lets have has had are was
    were been being not but all any some our your you its just also like about after before again
    always never prefer instead dont stop now going forward sure over rather does did doing done keep
    file files code thing things way work works working project projects repo repos one ones two new
    general globally everywhere again please can check look help quick still really directly something
    got see many much across off whatever matter mine know because last month week even since anything
    everything able yet tell means first second third session red green broken fails failing fail machine
    laptop myself via per etc across meanwhile""".split()
)


@dataclass(frozen=True, slots=True)
class _Preference:
    turn_no: int
    text: str
    is_global: bool
    kind: str = "preference"  # or "knowledge": a fact the user confirmed


@dataclass(frozen=True, slots=True)
class _Action:
    """One tool call whose result is known: a command run or a file edit."""

    turn_no: int
    label: str  # how a fix names it: "ran `pip install -e .`" or "edited `pyproject.toml`"
    changes_setup: bool  # enough on its own to count as a fix (a command, a build/config edit)
    failed: bool
    command: str = ""  # empty for edits
    key: str = ""  # program + subcommand; runs with the same key are retries of one another
    error_line: str = ""
    program: str = ""
    chained_steps: tuple[str, ...] = ()  # fix steps chained before the command (`pip install -e . && pytest`)


@dataclass(frozen=True, slots=True)
class _FixedFailure:
    failure: Failure
    evidence: tuple[str, ...]
    settings: tuple[str, ...] = ()  # what the passing command set that the failing one did not
    commands: tuple[str, ...] = ()  # the commands of the fix, the passing one last


def extract_builtin(transcript: Transcript) -> RawMemory:
    """Preferences the user stated and failures fixed in the session, or a no-op."""
    if transcript.metadata.get("subagent", "").strip().lower() == "true":
        return RawMemory.no_op()  # a subagent's thread repeats its parent's; the parent is extracted
    preferences = _user_preferences(transcript.turns)
    actions = _actions(transcript.turns)
    # A fix the user turned into a rule ("tests only work with --import-mode=importlib") is that rule.
    fixed = [f for f in _fixed_failures(actions)
             if not any(_says_setting(p.text, s) for s in f.settings for p in preferences)
             and not any(_says_command(p.text, c) for c in f.commands for p in preferences)]
    if not preferences and not fixed:
        return RawMemory.no_op()

    title = _title(transcript)
    project_prefs = [p for p in preferences if not p.is_global]
    global_prefs = [p for p in preferences if p.is_global]
    tasks: list[Task] = []
    outcome = Outcome.UNCERTAIN
    if project_prefs or fixed:
        outcome = _outcome(actions)
        evidence = [f"user turn {p.turn_no}" for p in project_prefs]
        evidence += [pointer for f in fixed for pointer in f.evidence]
        tasks.append(Task(
            title=title,
            outcome=outcome,
            scope=Scope.PROJECT,
            cwd=transcript.cwd,
            keywords=_keywords([_dir_name(transcript.cwd), *(a.program for a in actions)], [title]),
            preferences=[p.text for p in project_prefs if p.kind == "preference"],
            # a confirmed fact, and how tests run after a fix (a first-try green run teaches nothing)
            knowledge=[p.text for p in project_prefs if p.kind == "knowledge"] + (_test_command_knowledge(actions) if fixed else []),
            failures=[f.failure for f in fixed],
            evidence=list(dict.fromkeys(evidence)),
        ))
    if global_prefs:
        tasks.append(Task(
            title=GLOBAL_TASK_TITLE,
            outcome=Outcome.UNCERTAIN,  # stated rules, not work that succeeded or failed
            scope=Scope.GLOBAL,
            cwd=None,  # a cwd on a global rule is how rules leak back into one project
            keywords=_keywords([], [p.text for p in global_prefs]),
            preferences=[p.text for p in global_prefs if p.kind == "preference"],
            knowledge=[p.text for p in global_prefs if p.kind == "knowledge"],
            failures=[],
            evidence=list(dict.fromkeys(f"user turn {p.turn_no}" for p in global_prefs)),
        ))
    return RawMemory(
        decision=Decision.REMEMBER,
        rollout_summary=_summary(title, transcript.cwd, outcome, project_prefs, global_prefs, fixed),
        slug=_slug(title),
        tasks=tasks,
    )


# --- preferences ----------------------------------------------------------------------------------


def _user_preferences(turns: list[Turn]) -> list[_Preference]:
    """The rules the user stated, in their words without filler: explicit rules and conventions, what
    they asked to be remembered, corrections, facts they confirmed, and retractions of earlier rules
    (kept so that phase 2 can apply them to older memories)."""
    found: dict[str, _Preference] = {}  # keyed by folded text: a repeated rule is kept once
    previous_user_turn = 0
    for turn_no, turn in enumerate(turns, start=1):
        if turn.kind is not TurnKind.USER:
            continue
        sentences = _sentences(turn.text)
        confirmed = _confirms_a_question(turns, turn_no)
        said: list[tuple[str, _Preference]] = []  # this message's rules, in order
        complaint, complaint_global = None, False
        facts: list[tuple[str, _Preference]] = []
        changed = _CHANGE_CONTEXT.search(turn.text)  # "we cancelled the wandb subscription": the rest says what now
        for index, sentence in enumerate(sentences):
            if (subject := retraction_subject(sentence)) is not None:
                if not _retract(found, subject, since=previous_user_turn) and subject:
                    said.append(_keep(sentence, turn_no, "preference"))  # it takes back a rule of an earlier session
                continue
            if _only_a_reach(sentence) and not said and not complaint and index:
                before = _strip_lead(sentences[index - 1])  # "Please use tabs. This applies to all my projects."
                if (_BROAD_IMPERATIVE.match(before) or _IMPERATIVE.match(before) or _RULE_START.match(before)) and not (
                        before.endswith("?") or _ONE_OFF.search(before) or _DEICTIC.search(before)):
                    key, kept = _keep(sentences[index - 1], turn_no, "preference")
                    said.append((key, _Preference(kept.turn_no, kept.text, True, kept.kind)))
                    continue
            if _only_a_reach(sentence) and (said or complaint):  # "this goes for every repo of mine", "any repo of mine, ever"
                if said and not complaint:
                    key, last = said[-1]
                    said[-1] = (key, _Preference(last.turn_no, last.text, not _LOCAL_SCOPE.search(last.text), last.kind))
                complaint_global = bool(complaint)
                continue
            if _CUE_BACK.match(sentence) and index and not said:
                said.append(_keep(" ".join(sentences[:index]), turn_no, "preference"))  # "..., Remember that for next time."
                continue
            if rule := _rule_of(sentence, confirmed and index == 0):
                (facts if rule[1] == "fact" else said).append(_keep(rule[0], turn_no, "knowledge" if rule[1] == "fact" else rule[1]))
            elif changed and _INSTEAD.search(sentence) and not _NOT_AN_ORDER.match(_strip_lead(sentence)) and not sentence.endswith("?"):
                said.append(_keep(sentence, turn_no, "preference"))  # "log runs to mlflow instead, the wandb stuff is dead"
            elif _COMPLAINT.match(_strip_lead(sentence)) and not sentence.endswith("?") and not _ONE_OFF.search(sentence):
                complaint = complaint or sentence
        # A plain fact next to a stated rule, or in a message that asks something, is context for them.
        asks = any(s.endswith("?") and not _REQUEST_WRAPPER.match(_strip_lead(s)) for s in sentences)
        if facts and not said and not asks:
            said += facts
        if complaint and not said:
            key, kept = _keep(complaint, turn_no, "preference")
            said.append((key, _Preference(kept.turn_no, kept.text, kept.is_global or complaint_global, kept.kind)))
        for key, preference in said:
            found.setdefault(key, preference)
        previous_user_turn = turn_no
    return list(found.values())


_REACH_FILLER = re.compile(
    r"\b(?:this|that|it|it's|the|same|goes|applies|holds|counts|for|to|in|on|across|anywhere|ever|always|too|also|and|as|well|i|we|own|have|work"
    r"|please|pls|really|of|mine|my|all|every|any|python|js|code|stuff|things?|one|ok|yes)\b|[\W_]+",
    re.I,
)


def _only_a_reach(sentence: str) -> bool:
    """A sentence that only says how far the rule before it reaches: "anywhere, any repo of mine, ever",
    "all my python code, every project.", "this goes for every repo of mine"; or a reason that names the
    reach: "it's on all my machines"."""
    reach = [m for m in _GLOBAL_SCOPE.finditer(sentence) if re.search(_PROJECTS + r"|everywhere|wherever", m[0], re.I)]
    if not reach or _LOCAL_SCOPE.search(sentence) or sentence.endswith("?"):
        return False
    rest = _REACH_FILLER.sub(" ", _GLOBAL_SCOPE.sub(" ", sentence)).split()
    return not rest or (re.match(r"^(?:it|it's|they|they're|that's)\b", sentence, re.I) is not None and _rule_of(sentence, False) is None)


def _keep(sentence: str, turn_no: int, kind: str) -> tuple[str, _Preference]:
    text = _clip(_without_filler(sentence), PREFERENCE_MAX_CHARS)
    is_global = bool(_GLOBAL_SCOPE.search(sentence) or _PERSONAL.search(sentence)) and not _LOCAL_SCOPE.search(sentence)
    return text.casefold().rstrip("."), _Preference(turn_no, text, is_global, kind)


def _rule_of(sentence: str, confirms: bool) -> tuple[str, str] | None:
    """(the sentence, preference, knowledge or fact) when the sentence states something to remember; a
    fact is a plain statement of how things are, kept as knowledge when the message says nothing stronger."""
    if _holds_credential(sentence) or sentence.endswith("?"):
        return None
    if _SOMEONE_ELSE_SAYS.search(sentence):
        return None  # "my colleague says we should always use tabs": a rule quoted, not the user's
    if confirms and (fact := _CONFIRMATION.sub("", sentence, count=1)) != sentence and len(fact.split()) >= 3:
        return (fact, "knowledge") if not _QUESTION_START.match(fact) else None
    plain = sentence if _CUE.match(sentence) else _strip_lead(sentence)  # "just so you know": "just" is no filler here
    for clause in _CLAUSE.split(plain)[1:]:  # "fix it, and for the record all money math goes through ..."
        if _CUE.match(clause):
            plain = clause
            break
    if (fixed := _CORRECTION.sub("", sentence, count=1)) != sentence and _LASTING.search(fixed) and not _QUESTION_START.match(fixed):
        plain = _strip_lead(fixed)
        if len(plain.split()) >= 3 and not _ONE_OFF.search(plain) and not _DEICTIC.search(plain):
            return plain, "preference"
    if (cued := _CUE.sub("", plain, count=1)) != plain:
        cued = _CUE_BACK.sub("", cued)
        ok = len(cued.split()) >= 3 and not _QUESTION_START.match(cued) and not _ONE_OFF.search(cued)
        ok = ok and not (_PAST_EVENT.search(cued) and not _is_standing_rule(cued) and not _is_fact(cued))
        return (cued, "preference") if ok else None
    repeated = _REPEATED.sub("", _INTERJECTION.sub("", sentence, count=1), count=1)
    if repeated != _INTERJECTION.sub("", sentence, count=1) and len(repeated.split()) >= 3 and not _QUESTION_START.match(repeated):
        broken = _ONE_OFF.search(repeated) or _DEICTIC.search(repeated) or _BROKEN.search(repeated)
        # "again, run golangci-lint before you push" repeats a habit; "again, run the tests" asks for a rerun
        habit = _is_standing_rule(repeated) or _IMPERATIVE.match(repeated) or _HABIT.search(repeated)
        return (repeated, "preference") if habit and not broken else None
    if (told := _TOLD_YOU.sub("", plain, count=1)) != plain and len(told.split()) >= 3:
        return told, "preference"
    if back := _CUE_BACK.search(plain):  # "Tests here only work with X, keep that in mind."
        plain = _FOR_NOW.sub("", plain[: back.start()]).strip()  # asked to remember it, "for now" is how things are
        return (plain, "preference") if len(plain.split()) >= 3 and not _ONE_OFF.search(plain) else None
    if _is_standing_rule(sentence):
        return sentence, "preference"
    return (sentence, "fact") if _is_fact(sentence) else None


def _is_fact(sentence: str) -> bool:
    """A plain statement of how things are in the project (see _FACT), in the sentence or in one of its
    clauses ("CI is jenkins, the pipeline is defined in ci/Jenkinsfile")."""
    for typo, word in _TYPOS:
        sentence = typo.sub(word, sentence)
    head = _strip_lead(sentence)
    if (len(head.split()) < 4 or _QUESTION_START.match(head) or _HYPOTHETICAL.match(head) or _MOMENT.search(head)
            or _APPROVAL.search(sentence) or _HEDGE.search(sentence) or _WITH_SECRET.search(sentence)
            or _THIS_TASK.match(head) or (_POINTS_AT.search(head) and _ASKS_NOW.search(head))
            or _ONE_OFF.search(sentence) or _DEICTIC.search(head)):
        return False
    heads = [head, *(_strip_lead(c) for c in re.split(r"[,;]\s+", head)[1:])]
    if scope := _SCOPE_LEAD.match(head):
        heads.append(head[scope.end():])
    for h in heads:
        if _SETTING_FACT.match(h) or _CORRECTED_FACT.match(h):
            subject = re.split(r"\s(?:is|are|'s)\s", h, maxsplit=1)[0].casefold().split()
            if not _TRANSIENT_SUBJECT & {w.strip("`'.,:") for w in subject} and not _REPORTED.search(" ".join(subject)):
                return True
    for h in heads:
        fact = _FACT.match(h)
        if fact and not _REPORTED.search(fact["subject"]):
            if fact["subject"].casefold().split()[-1].strip("`'.,:") not in _TRANSIENT_SUBJECT:
                return True
    return False


def _confirms_a_question(turns: list[Turn], turn_no: int) -> bool:
    """Whether the user's message answers a question the agent asked just before it."""
    for turn in reversed(turns[: turn_no - 1]):
        if turn.kind is TurnKind.ASSISTANT:
            return "?" in turn.text
        if turn.kind is TurnKind.USER:
            return False
    return False


def _strip_lead(sentence: str) -> str:
    """The sentence without the filler and answer words in front of what it says."""
    while True:
        stripped = _LEAD_WORDS.sub("", _INTERJECTION.sub("", sentence, count=1), count=1)
        if stripped == sentence or not stripped:
            return sentence
        sentence = stripped


def _without_filler(sentence: str) -> str:
    """The rule as it is kept: lead filler, memory cues and "I told you to" gone, first letter up."""
    text = _REPEATED.sub("", _INTERJECTION.sub("", sentence, count=1), count=1)
    text = _strip_lead(_RULE_LABEL.sub("", text, count=1))
    text = _TOLD_YOU.sub("", _CUE.sub("", text, count=1), count=1)
    text = _CUE_BACK.sub("", _strip_lead(text)).strip(" ,;:-")
    return (text[:1].upper() + text[1:]) if text else sentence


def _retract(found: dict[str, _Preference], subject: str, since: int) -> bool:
    """Drop the rules a retraction takes back: those naming its subject ("forget what I said about
    yarn"), else those of the previous user message and this one ("scrap that"). True if any went."""
    if subject:
        gone = [key for key, p in found.items() if mentions_in_name(p.text, subject)]
    else:
        gone = [key for key, p in found.items() if p.turn_no >= since]
    for key in gone:
        del found[key]
    return bool(gone)


def _holds_credential(sentence: str) -> bool:
    if not _CREDENTIAL_WORD.search(sentence):
        return False
    return any(_CREDENTIAL_VALUE.fullmatch(word.strip(".,;:!?")) for word in sentence.split() if "[REDACTED" not in word)


def _sentences(text: str) -> list[str]:
    """The user's own prose, one sentence each, without pasted code, logs, quotes, injected blocks or
    pasted lists of someone else's rules."""
    sentences = []
    for line in _without_pasted_lists(_prose_lines(text.replace("\u2019", "'"))):
        for part in _SENTENCE_BREAK.split(_BULLET.sub("", line.strip())):
            if part := " ".join(part.split()):
                sentences.append(part)
    return sentences


def _prose_lines(text: str) -> list[str]:
    """Lines outside fenced code and tag blocks; line by line so a huge paste stays linear time.

    An unclosed fence or tag block swallows the rest of the message, as a Markdown renderer shows it.
    """
    lines, block_end = [], None  # block_end: the marker that closes the block we are inside
    for line in text.splitlines():
        stripped = line.strip()
        if block_end is not None:
            if block_end in stripped:
                block_end = None
            continue
        fence = next((f for f in _FENCES if stripped.startswith(f)), None)
        if fence and fence not in stripped[3:]:
            block_end = fence
        elif (tag := _OPEN_TAG.match(stripped)) and f"</{tag[1]}>" not in stripped:
            block_end = f"</{tag[1]}>"
        elif stripped and not fence and not _looks_pasted(line):
            lines.append(line)
    return lines


def _without_pasted_lists(lines: list[str]) -> list[str]:
    """A list of PASTED_LIST_ITEMS or more items is a pasted document (a spec, guidelines, a style guide)
    unless the user's own words before it claim it ("my rules for this repo:", "remember these:"); so is
    everything after a line that introduces someone else's text ("fix the wording of this section:")."""
    kept: list[str] = []
    i = 0
    while i < len(lines):
        if kept and _PASTE_INTRO.search(kept[-1]) and not _OWN_LIST.search(kept[-1]):
            break
        j = i
        while j < len(lines) and _BULLET.match(lines[j].strip()):
            j += 1
        if j == i:
            kept.append(lines[i])
            i += 1
            continue
        owned = any(_OWN_LIST.search(line) for line in kept)
        if j - i < PASTED_LIST_ITEMS or owned:
            kept += lines[i:j]
        i = j
    return kept


def _looks_pasted(line: str) -> bool:
    if len(line) > 500 or line.startswith(("    ", "\t")):  # very long, or indented code
        return True
    stripped = line.strip()
    dense = sum(1 for c in stripped if not c.isspace())
    return bool(_CODE_OR_LOG_LINE.search(stripped)) or len(_CODE_SYMBOLS.findall(stripped)) > 0.2 * dense


def _is_standing_rule(sentence: str) -> bool:
    for typo, word in _TYPOS:
        sentence = typo.sub(word, sentence)
    if len(sentence.split()) < 3 or sentence.endswith("?"):
        return False
    head = _strip_lead(sentence)
    if _QUESTION_START.match(head) or _ONE_OFF.search(sentence) or _HEDGE.search(sentence) or _COMPLAINT.match(head):
        return False  # a complaint or a bare refusal counts only when the message says nothing else
    heads = [head]
    if clause := _LEAD_CLAUSE.match(sentence):
        heads.append(_LEAD_WORDS.sub("", sentence[clause.end():]))
    # "Secrets go in .env.local; never put them in settings.py", "one thing though: use --locked ...":
    # a rule after a semicolon or a colon rules the sentence.
    heads += [_LEAD_WORDS.sub("", part.strip()) for part in re.split(r"[;:]\s", sentence)[1:]]
    for h in list(heads):
        for scope in (_SCOPE_LEAD.match(h), _GLOBAL_LEAD.match(h)):
            if scope and scope.end():
                heads.append(_strip_lead(h[scope.end():]))
    # "you keep doing this: don't wrap single lines in try/except": only the part that does not point elsewhere
    if _DEICTIC.search(sentence):
        heads = [h for h in heads[1:] if not _DEICTIC.search(h)]
        if not heads:
            return False
        sentence = heads[0]
    if any(_RULE_START.match(h) for h in heads) or _RULE_ANYWHERE.search(sentence) or _CONVENTION.search(sentence):
        return True
    if any(_MUST.match(h) for h in heads):
        return True
    weak = _COMPLAINT.match(head)  # a bare "we don't use X." or "guestList, not guest_list." counts only alone
    refusal = _TEAM_REFUSAL.match(head) and not weak
    purpose = re.search(r"\bfor\s+(?!now\b|the\s+moment\b|this\b|today\b)\w", sentence, re.I) and not re.search(
        r"\b(?:we|i)\s+\w+\s+(?:it|this|that|them|these|those)\b", sentence, re.I)  # "we use 4 spaces for indentation"
    if any(_TEAM.match(h) for h in heads) and not weak and (_HERE.search(sentence) or _CONTRAST.search(sentence) or refusal or purpose):
        return True
    if _HOW_TO.match(head):
        return True  # a procedure with its reason; without the reason it reads as a request
    if ": " in sentence and _only_a_reach(sentence.split(": ", 1)[0]) and len(sentence.split(": ", 1)[1].split()) >= 2:
        return True  # "In every repo I own: conventional commits."
    if _WORKFLOW_HABIT.search(sentence) and any(_ORDER.match(h) for h in heads):
        return True  # "make sure tests are green before you push", "run pre-commit before pushing"
    all_projects = any(re.search(_PROJECTS, g[0], re.I) for g in _GLOBAL_SCOPE.finditer(sentence))
    if all_projects and not _LOCAL_SCOPE.search(sentence) and any(_BROAD_IMPERATIVE.match(h) for h in heads):
        return True
    reach = _STANDING.search(sentence) or _GLOBAL_SCOPE.search(sentence)
    return bool(reach) and any(_IMPERATIVE.match(h) for h in heads)


# --- commands, failures and fixes -----------------------------------------------------------------


def _actions(turns: list[Turn]) -> list[_Action]:
    """Every command run or file edited, with its result; probes and calls without a result are left out."""
    outputs_by_call = {t.call_id: t for t in turns if t.kind is TurnKind.TOOL_OUTPUT and t.call_id}
    actions = []
    for index, call in enumerate(turns):
        if call.kind is not TurnKind.TOOL_CALL:
            continue
        output = outputs_by_call.get(call.call_id) if call.call_id else None
        following = turns[index + 1] if index + 1 < len(turns) else None
        if output is None and following and following.kind is TurnKind.TOOL_OUTPUT:
            output = following if following.call_id in (None, call.call_id) else None
        if output is None:
            continue  # no result, no way to tell success from failure
        failed, error_line = _result(output)
        if command := _shell_command(call):
            if action := _command_action(index + 1, command, failed, error_line):
                actions.append(action)
        elif path := _edited_path(call):
            label = f"edited `{_clip(path, COMMAND_MAX_CHARS)}`"
            is_config = bool(_CONFIG_FILE.match(PurePosixPath(path).name))
            actions.append(_Action(index + 1, label, is_config, failed))
    return actions


def _shell_command(call: Turn) -> str | None:
    tool = (call.tool_name or "").lower()
    if tool and tool not in _SHELL_TOOLS:
        return None
    args = _json_object(call.text)
    raw: Any = call.text if args is None else args.get("command", args.get("cmd"))
    if isinstance(raw, list) and all(isinstance(part, str) for part in raw):
        raw = shlex.join(raw)
    if not isinstance(raw, str) or not raw.strip():
        return None
    tokens = _tokens(raw)
    if len(tokens) == 3 and PurePosixPath(tokens[0]).name in _SHELLS and tokens[1] in ("-c", "-lc", "-ic"):
        raw = tokens[2]  # `bash -lc "pytest -q"`: the script is the command
    return " ".join(raw.split())


def _edited_path(call: Turn) -> str | None:
    if (call.tool_name or "").lower() not in _EDIT_TOOLS:
        return None
    # Readers show a non-shell call as `<tool name> <JSON arguments>` (Claude Code's Edit and Write).
    args = _json_object(call.text.removeprefix(f"{call.tool_name} "))
    if args is not None:
        for field in ("file_path", "path", "notebook_path"):
            if isinstance(args.get(field), str) and args[field].strip():
                return args[field].strip()
    patch = args.get("input") if args is not None else call.text
    match = _PATCH_FILE.search(patch) if isinstance(patch, str) else None
    return match[1].strip() if match else None


def _command_action(turn_no: int, command: str, failed: bool, error_line: str) -> _Action | None:
    segments = [s for s in _CHAIN.split(command) if s and not _is_probe(s)]
    if not segments:
        return None
    main = _PIPE.split(segments[-1])[0]
    words = _unwrapped_words(main)
    if not words:
        return None
    program = PurePosixPath(words[0]).name.lower()
    sub = words[1].lower() if len(words) > 1 and _WORD_TOKEN.match(words[1].lower()) else ""
    if sub in _RUN_SUBCOMMANDS and len(words) > 2:
        sub = f"{sub} {words[2].lower()}"  # `npm run lint` and `npm run build` are different commands
    return _Action(
        turn_no=turn_no,
        label=f"ran `{_clip(command, COMMAND_MAX_CHARS)}`",
        changes_setup=True,
        failed=failed,
        command=command,
        key=f"{program} {sub}".strip(),
        error_line=error_line,
        program=program,
        chained_steps=tuple(f"ran `{_clip(s, COMMAND_MAX_CHARS)}`" for s in segments[:-1]),
    )


def _unwrapped_words(segment: str) -> list[str]:
    """The words of a command without env assignments and runners (`FOO=1 uv run pytest` is pytest)."""
    words = _tokens(segment)
    while words:
        if _ENV_ASSIGNMENT.match(words[0]):
            words = words[1:]
        elif wrapper := next((w for w in _WRAPPERS if _starts_with(words, w)), None):
            words = words[len(wrapper):]
        elif len(words) > 2 and PurePosixPath(words[0]).name.startswith("python") and words[1] == "-m":
            words = words[2:]
        else:
            break
    return words


def _starts_with(words: list[str], wrapper: tuple[str, ...]) -> bool:
    return len(words) > len(wrapper) and tuple(w.lower() for w in words[: len(wrapper)]) == wrapper


def _is_probe(segment: str) -> bool:
    words = _unwrapped_words(_PIPE.split(segment)[0])
    if not words:
        return True
    program = PurePosixPath(words[0]).name.lower()
    if program == "git":
        return len(words) > 1 and words[1] in _GIT_READS
    if program.startswith(("python", "node")) and len(words) > 1 and words[1] in _INLINE_SCRIPT_FLAGS:
        return True  # a one-line script is someone looking at the environment
    return program in _PROBE_PROGRAMS


def _result(output: Turn) -> tuple[bool, str]:
    """Whether the call failed, and the line of its output that says why."""
    body, exit_code = output.text, None
    payload = _json_object(output.text)
    if payload is not None:  # Codex shell tool: {"output": "...", "metadata": {"exit_code": 1}}
        body = payload["output"] if isinstance(payload.get("output"), str) else output.text
        metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else payload
        exit_code = metadata.get("exit_code") if isinstance(metadata.get("exit_code"), int) else None
    if exit_code is None and (match := _EXIT_CODE.search(body)):
        exit_code = int(match[1])
    if exit_code is not None:  # an explicit exit code beats guessing from the text
        failed = output.is_error or exit_code != 0
    else:
        failed = output.is_error or bool(_FAILURE_TEXT.search(body))
    if not failed:
        return False, ""
    lines = body.splitlines()
    for pattern in _ERROR_LINE_PATTERNS:
        if found := [(line, m) for line in lines if (m := pattern.search(line))]:
            if pattern is _PYTHON_ERROR:  # a traceback ends with the real error, after the frames
                # pytest repeats errors, cut short, in its summary ("ERROR tests/x.py::t - ..."): last resort
                line, match = ([f for f in found if not _PYTEST_SUMMARY.match(f[0])] or found)[-1]
                text = line[match.start():]
            else:
                text = found[0][0]
            return True, _clip(" ".join(text.split()), ERROR_LINE_MAX_CHARS)
    return True, f"exit code {exit_code}" if exit_code is not None else "error"


def _fixed_failures(actions: list[_Action]) -> list[_FixedFailure]:
    """A command that failed and later passed, and the steps between that changed the setup."""
    open_failures: dict[str, tuple[int, _Action]] = {}  # key -> (index of first failure, latest failure)
    fixed: dict[tuple[str, str], _FixedFailure] = {}
    for index, action in enumerate(actions):
        if not action.key:
            continue
        if action.failed:
            first = open_failures[action.key][0] if action.key in open_failures else index
            open_failures[action.key] = (first, action)  # the latest error is the one the fix answered
            continue
        if action.key not in open_failures:
            continue
        first, failed_run = open_failures.pop(action.key)
        between = [a for a in actions[first + 1:index] if not a.failed and a.key != action.key]
        added = _added_settings(failed_run.command, action.command)
        if not action.chained_steps and not any(a.changes_setup for a in between) and not added:
            continue  # a rerun or source edits only: flaky or ordinary development, not a lesson
        steps = list(dict.fromkeys([*(a.label for a in between), *action.chained_steps]))
        if len(steps) > FIX_MAX_STEPS:
            steps = [f"(+{len(steps) - FIX_MAX_STEPS} earlier steps)", *steps[-FIX_MAX_STEPS:]]
        passed = f"`{_clip(action.command, COMMAND_MAX_CHARS)}` passed"
        if added:  # the same command with a variable or an option set: the setting is the fix
            passed += f" (with {', '.join(f'`{a}`' for a in added)})"
        failure = Failure(
            symptom=f"`{_clip(failed_run.command, COMMAND_MAX_CHARS)}` failed: {failed_run.error_line}",
            fix=f"{', '.join(steps)}, then {passed}" if steps else passed,
        )
        evidence = (f"tool call {failed_run.turn_no}", f"tool call {action.turn_no}")
        commands = tuple(a.command for a in between if a.command) + (action.command,)
        fixed.setdefault((failure.symptom, failure.fix), _FixedFailure(failure, evidence, tuple(added), commands))
    return list(fixed.values())


_SETTING = re.compile(r"^(?:[A-Za-z_]\w*=\S*|--[\w-]+=\S+)$")


def _added_settings(failed: str, passed: str) -> list[str]:
    """Variables (`TZ=UTC`) and `--option=value` settings the passing command has and the failing one
    had not: what made the difference when nothing else changed."""
    before = set(_tokens(failed))
    return [t for t in _tokens(passed) if _SETTING.match(t) and t not in before]


def _says_command(text: str, command: str) -> bool:
    """Whether a rule names a command of a fix ("integration tests need `docker compose up -d db`")."""
    return len(command) >= 8 and command.casefold() in text.replace("`", "").casefold()


def _says_setting(text: str, setting: str) -> bool:
    """Whether a rule states a setting: as written (`TZ=UTC`), or its value ("the staging db is on 5433"
    states `STAGING_DB_PORT=5433`)."""
    value = setting.partition("=")[2]
    if setting in text:
        return True
    return len(value) >= 2 and value.casefold() not in ("true", "false", "yes", "no", "on", "off") and mentions(text, value)


def _outcome(actions: list[_Action]) -> Outcome:
    commands = [a for a in actions if a.key]
    if not commands:
        return Outcome.UNCERTAIN
    return Outcome.FAIL if commands[-1].failed else Outcome.SUCCESS


def _test_command_knowledge(actions: list[_Action]) -> list[str]:
    """How tests run here, from the last test command that passed: the one fact a rule can trust, and
    only when it takes more than the runner (variables set, setup chained before it). A bare
    ``pytest -q`` or ``npm test`` is what any agent tries first; remembering it is noise."""
    for action in reversed(actions):
        sub = action.key.partition(" ")[2]
        is_test = action.program in _TEST_PROGRAMS or sub.split(" ")[-1].startswith("test")
        if action.key and is_test and not action.failed and len(action.command) <= COMMAND_MAX_CHARS:
            return [f"The tests ran and passed with `{action.command}`"] if _TAKES_SETUP.search(action.command) else []
    return []


# --- title, keywords, summary ---------------------------------------------------------------------


def _title(transcript: Transcript) -> str:
    """What the session set out to do: the user's first request, as an imperative without the asking
    ("can you bump the stripe sdk?" -> "Bump the stripe sdk"); rules, greetings and headings are skipped."""
    for turn in transcript.turns:
        if turn.kind is TurnKind.USER:
            for sentence in _sentences(turn.text):
                if (_GREETING.match(sentence) or _holds_credential(sentence) or retraction_subject(sentence) is not None
                        or _rule_of(sentence, False) is not None or _NOT_A_TASK.match(_strip_lead(sentence))
                        or _CUE_BACK.match(_strip_lead(sentence))):
                    continue
                task = _TRAILING_ASK.sub("", _REQUEST_WRAPPER.sub("", _strip_lead(sentence))).rstrip(".!?:; ")
                if len(task.split()) >= 2 and not task.startswith("#"):
                    return _clip(_as_task(task), TITLE_MAX_CHARS)
    name = _dir_name(transcript.cwd)
    return f"Session in {name}" if name else "Coding session"


def _as_task(request: str) -> str:
    """The request said as the task: a report of what is broken becomes "Fix <it>", and a clause that
    only gives the reason is cut ("Add httpx as a dependency, the client needs it")."""
    if (report := _REPORT.match(request)) and not _QUESTION_START.match(request):
        subject = report["subject"]
        return "Fix " + (subject[:1].lower() + subject[1:] if subject[1:2].islower() else subject)
    if len(first := _TRAILING_CLAUSE.sub("", request)) >= 12:
        request = first
    return request[:1].upper() + request[1:]


def _keywords(names: list[str], texts: list[str]) -> list[str]:
    """Names (programs, the project folder) verbatim, even short ones like `uv`; distinctive words of texts."""
    words = [n.lower() for n in names if n]
    for text in texts:
        text = _CONTRACTION.sub(" ", text.lower().replace("\u2019", "'"))  # "won't" is no keyword "won"
        words += [w.strip("-+") for w in _KEYWORD_TOKEN.findall(text)]
    return [w for w in dict.fromkeys(words) if w and w not in _STOPWORDS][:MAX_KEYWORDS]


def _summary(
    title: str,
    cwd: str | None,
    outcome: Outcome,
    project_prefs: list[_Preference],
    global_prefs: list[_Preference],
    fixed: list[_FixedFailure],
) -> str:
    where = f" in {_dir_name(cwd)}" if _dir_name(cwd) else ""
    kept = [
        _count(len(project_prefs), "project preference"),
        _count(len(global_prefs), "global preference"),
        _count(len(fixed), "fixed failure"),
    ]
    return f"Session \"{title}\"{where}, outcome {outcome.value}. Kept {', '.join(k for k in kept if k)}."


def _count(n: int, noun: str) -> str:
    return "" if n == 0 else f"{n} {noun}{'' if n == 1 else 's'}"


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0] if "-" in slug[:60] else slug[:60]
    return slug or "session"


# --- small helpers --------------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "\u2026"


def _dir_name(cwd: str | None) -> str:
    return PurePosixPath(cwd.replace("\\", "/")).name if cwd else ""


def _json_object(text: str) -> dict[str, Any] | None:
    if not text.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _tokens(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:  # unbalanced quotes in a half-typed command
        return command.split()
