"""What makes a sentence a rule: memory cues ("remember: ...", "..., keep that in mind"), rule words
at its start ("always", "never", "I prefer"), labels ("new rule: ..."), a repeated instruction, team
conventions, "X must ...", imperatives that choose a manner, and habits tied to a step of the work."""

from __future__ import annotations

import re

from nightshift.phase1.builtin.scope import _PROJECT_WIDE


# "new rule: ...", "rule of thumb here: ...": a label in front of the rule, not part of it.
_RULE_LABEL = re.compile(
    r"^(?:(?:(?:new|house|team|general|one|another|my)\s+)?(?:rule(?:\s+of\s+thumb)?|convention|policy|guideline|naming|style)"
    r"|(?:the\s+way|how)\s+we\s+do\s+(?:it|things))(?:\s+here)?\s*:\s*", re.I
)
# The user repeats an instruction: whatever follows is a standing rule ("again, run the linter before
# you push", "like I said, ...", "for the last time: ...").
_REPEATED = re.compile(
    r"^(?:again|once\s+again|as\s+i\s+(?:said|told\s+you)(?:\s+before)?|like\s+i\s+said(?:\s+before)?"
    r"|for\s+the\s+(?:last|hundredth|nth|third|second)\s+time|how\s+many\s+times\s+do\s+i\s+have\s+to\s+say\s+(?:it|this)"
    r"|i\s+(?:already\s+)?(?:said|told\s+you)(?:\s+(?:it|this|that))?(?:\s+(?:already|before))?)"
    r"\s*[,:;.!-]+\s*(?=\w)",
    re.I,
)
# When a thing is done: after a repeat ("again, run the linter before you push anything") any such clause
# makes the imperative a habit, since the repeat already says it is no request for now.
_HABIT = re.compile(r"\b(?:before|after|whenever|every\s+time|each\s+time)\s+(?:you|we|i|any|every|each|a|an|the|pushing|committing|merging|opening)\b", re.I)
# A step of the user's workflow: an order tied to it is a habit, not a request for now. Narrower than
# _HABIT on purpose: without a repeat, "run the tests before I merge the feature-store branch" is a request.
_WORKFLOW_HABIT = re.compile(
    r"\b(?:before|after|whenever|every\s+time)\s+(?:you\s+|we\s+)?(?:push|pushing|commit|committing|merge|merging|release"
    r"|releasing|deploy|deploying|tag|tagging|ship|shipping|open(?:ing)?\s+(?:a\s+)?(?:pr|pull\s+request)|hand(?:ing)?\s+\w+\s+back)\b(?!\s+(?:this|it|that|these|them)\b)",
    re.I,
)
# an order, or a command said as one ("make check before committing", "just test before you push")
_ORDER = re.compile(
    r"^(?:make\s+sure|ensure|run|check|update|add|rebase|squash|build|lint|format|test|bump|regenerate|sign"
    r"|(?:make|just|task|npm\s+run|pnpm|yarn|cargo|go|uv\s+run|tox|nox)\s+[\w-]+)\b",
    re.I,
)
# The user asks for the rest to be remembered: "remember: ...", "keep in mind that ...", "fyi for the
# future, ...", "for future reference, ...", "note for next time: ...", "next time ...".
_CUE = re.compile(
    r"^(?:(?:and\s+|please\s+|pls\s+)?(?:remember|keep\s+in\s+mind|(?:a\s+)?(?:quick\s+|small\s+|little\s+)?note\s+for\s+(?:next\s+time|the\s+future))(?:\s+that)?\s*[:,]?"
    r"|fyi(?:\s+for\s+(?:the\s+)?future(?:\s+reference)?)?\s*[:,]?|for\s+(?:future\s+reference|the\s+future|the\s+record)\s*[:,]?"
    r"|(?:a\s+)?(?:quick\s+|small\s+|friendly\s+)?heads[\s-]+up\s*[:,]?|just\s+so\s+you\s+know\s*[:,]?|don'?t\s+forget(?:\s+to|\s+that)?\s*[:,]?|(?:for\s+)?next\s+time\s*[:,]?"
    r"|in\s+(?:the\s+)?future\s*[:,]?|(?:make|take)\s+a\s+note(?:\s+that)?\s*[:,]?|note\s+to\s+self\s*[:,]?"
    r"|(?:just\s+)?(?:a\s+)?(?:quick\s+|friendly\s+)?reminder(?:\s+that)?\s*[:,]?"
    r"|(?:you\s+should|good\s+to|worth\s+it\s+to|you\s+need\s+to)\s+know(?:\s+that)?\s*[:,]?|(?:be|stay)\s+aware(?:\s+that)?\s*[:,]?)\s+(?=\S)",
    re.I,
)
# A cue about what was just said: "Remember that for next time." / "..., keep that in mind."
# Also a bare cue after the rule: "... first. note for next time", "..., for future reference".
_CUE_BACK = re.compile(
    r"(?:^|,\s*|\s-+\s*)(?:please\s+)?(?:(?:remember|keep|note)\s+(?:that|this|it)(?:\s+in\s+mind)?(?:\s+for\s+(?:next\s+time|the\s+future|later))?"
    r"|(?:(?:make\s+a\s+|just\s+a\s+)?note|remember|keep\s+in\s+mind)\s+for\s+(?:next\s+time|the\s+future|later)"
    r"|for\s+(?:future\s+reference|next\s+time|the\s+future|the\s+record))\W*$",
    re.I,
)
# A sentence that says the one before it is how things are done: "... thats how kelpie is split",
# "that's the convention here", "that's how we do it".
_AFFIRMS_BEFORE = re.compile(
    r"^(?:that'?s|thats|that\s+is|this\s+is)\s+(?:how\s+(?:we|things|(?:the\s+|our\s+)?(?!(?:it|this|that)\b)[\w.-]+)\s+(?:do|does|is|are|work|works|go|goes|get|gets)\b"
    r"|(?:the|our)\s+(?:rule|convention|standard|policy|way\s+we\b))[^.!?]*[.!]*$",
    re.I,
)
# An order done "like always" or "as usual" is a habit, not a request for now.
_AS_USUAL = re.compile(r"\b(?:like|as)\s+(?:always|usual|we\s+always\s+do)\b|\bthe\s+usual\s+way\b", re.I)
# A setting chosen with the reason it is needed: "use port 8765, 8000 is my django app", "build with --offline,
# the cache has everything", "set FOO_MODE=1, the model is in the local cache". The reason makes it how things
# are here, not a request for now (a reason about "it" or "this" is about the moment).
_SETTING_WITH_REASON = re.compile(
    r"^(?:use|set|build|run|start|serve|bind|pass|export|install|test|deploy)\b[^,;]{0,40}?"
    r"(?:\bport\s+\d{2,5}\b|(?<![\w-])--[a-z][\w-]*|\b[A-Za-z_]\w*=\S+)[^,;]{0,20}[,;]\s+"
    r"(?:because|since|as|otherwise|(?!(?:it|this|that|then|and|so|pls|please|i|you)\b)[\w.`-]+(?:\s+[\w.`-]+){0,2}\s+"
    r"(?:is|are|has|have|needs?|only|won'?t|can'?t|doesn'?t|isn'?t)\b)",
    re.I,
)
# A convention about the things a team makes, said of all of them: "PRs need two approvals", "commits need a
# signed-off-by line", "integration tests go next to the code". The subject is a plural of a software artifact.
_ARTIFACTS = (
    r"(?:prs|pull\s+requests|commits|commit\s+messages|branches|tags|releases|tests|test\s+files|specs|migrations|endpoints"
    r"|routes|handlers|functions|methods|classes|components|modules|packages|services|docstrings|comments|imports"
    r"|dependencies|deps|env\s+vars|feature\s+flags|secrets|log\s+lines|logs|exceptions|queries|tables|columns|fixtures"
    r"|mocks|snapshots|changelog\s+entries|docs|readmes|configs|scripts|jobs|workflows|images|containers|files)"
)
# What the team's things are written in, said without a verb: "commit messages in english pls", "docstrings in
# google style", "branch names in kebab-case".
_ARTIFACTS_AND_NAMES = r"(?:" + _ARTIFACTS + r"|(?:branch|file|variable|function|class|table|column)\s+names|subjects|messages|titles)"
_WRITTEN_IN = re.compile(
    r"^(?:(?:all|our|new)\s+)?(?:(?!(?:the|these|those|this|that|my|your)\b)[\w-]+\s+)?" + _ARTIFACTS_AND_NAMES
    + r"\s+(?:always\s+|only\s+)?in\s+(?:english|german|french|spanish|portuguese|italian|dutch|polish|chinese|japanese"
    r"|british\s+english|american\s+english|the\s+imperative|imperative(?:\s+mood)?|present\s+tense|[\w-]+[\s-](?:case|style|format))\b",
    re.I,
)
_ARTIFACT_RULE = re.compile(
    r"^(?:(?:all|new|our|public|private|internal|shared)\s+){0,2}"
    r"(?:(?!(?:the|these|those|this|that|my|your|his|her|their|some|any|two|three|both|a|an)\b)[\w-]+\s+)?" + _ARTIFACTS
    + r"\s+(?:here\s+|in\s+this\s+(?:repo|project|codebase)\s+)?(?:always\s+|only\s+|never\s+)?"
    r"(?:needs?|requires?|go|get|live|start|begin|end|use|follow|stay|carry|include|contain)\s+"
    r"(?!(?:to|\w+ing|red|green|through|away|missing|a\s+look|looked|broken|stale|(?:a\s+)?(?:better|more|less|some|another)\b))\S"
    r"(?![^.]*\b(?:still|again|anyway|wrong|since|today|tonight|tomorrow|yesterday|soon|later|(?:this|next|last)\s+week)\b)",
    re.I,
)
_CLAUSE = re.compile(r",\s+(?:and|but|also)\s+|;\s+", re.I)
# Words a quick typist misspells in a rule: matched as the word they mean, kept as typed.
_TYPOS = (
    (re.compile(r"\b(?:allways|alwasy|alway)\b", re.I), "always"),
    (re.compile(r"\bnver\b", re.I), "never"),
    (re.compile(r"\bgos\b", re.I), "goes"),
    (re.compile(r"\bteh\b", re.I), "the"),
    (re.compile(r"\bbefor\b", re.I), "before"),
    (re.compile(r"\bcommiting\b", re.I), "committing"),
    (re.compile(r"\bchek\b", re.I), "check"),
)
# A short leading clause ("In this repo, never ..."; "For tests, use X instead of Y").
_LEAD_CLAUSE = re.compile(r"^[^,:]{1,40}[,:]\s*")
# One of the things a team makes, singular or plural: "every function", "all docs", "each migration".
_ARTIFACT_NOUN = (
    r"(?:prs?|pull\s+requests?|commits?|branch(?:es)?|tags?|releases?|tests?|test\s+files?|specs?|migrations?|endpoints?|routes?"
    r"|handlers?|functions?|methods?|class(?:es)?|components?|modules?|packages?|services?|docstrings?|comments?|imports?"
    r"|docs|documents?|readmes?|configs?|scripts?|jobs?|workflows?|files?|repos?|projects?|pages?|queries|query|tables?|models?)\b"
)
# Rule wording that must open the sentence: anywhere else "always"/"never" usually describes
# something ("it always fails on CI") instead of asking for a behaviour.
_RULE_START = re.compile(
    r"""^(?:(?:always|never)\b(?!\s+(?:a|an|the|so|such|same|fun|been|seen|heard|had|knew|thought|mind|ever|again)\b)
      |(?:don'?t|do\s+not)(?:\s+ever)?\s+\w
      |no\s+(?!idea|problem|worries|luck|need|way|rush|clue|thanks|changes?\b)[\w-]+(?:\s+[\w-]+){0,3}?\s+
         (?:(?:in|on|inside|for|at|after|before|with|without|longer|shorter|bigger|larger|over|under|above|below|more|than)\s+\w
           # "no X here" refuses only with what to use instead ("no unittest here, plain pytest only"); alone it may describe
           |here\W+(?:only|use|just|plain|always|we\s+use)\b)
      |(?:(?:(?:new|house|team|general|one|another|my)\s+)?(?:rule(?:\s+of\s+thumb)?|convention|policy|guideline|naming|style)
         |(?:the\s+way|how)\s+we\s+do\s+(?:it|things))(?:\s+here|\s+for\s+[^:]{1,40})?\s*:\s*\w
      |(?:we|i)(?:'re|\s+are|'m|\s+am)\s+(?:a|an)\s+[\w.-]+\s+(?:shop|team|house|company|org|person)\b
      |no\s+more\s+[\w-]+(?:\s+[\w-]+){0,2},\s*(?:use|do|run|go|write|stick|put|call)\b
      # a generic event, then what to do: "after a background task finishes give me a one-line summary"
      |(?:after|when|whenever|once|every\s+time|each\s+time)\s+(?:a|an|any|every|each)\s+[\w-]+(?:\s+[\w-]+){0,3}?\s+
         (?:finishes|ends|fails|passes|completes|lands|is\s+(?:done|merged|finished|green|red))\b,?\s+(?!(?:it|this|that|there|i|you|we|they|the|a|an)\b)\w
      # verbless, said of all of a kind: "British spelling in all docs please", "type hints for every function"
      |(?!(?:it|this|that|there|which|what|you|i|he|she|they|we|no|the\s+same|same)\b)
         (?![^.]*\b(?:errors?|bugs?|warnings?|failures?|issues?|problems?|typos?|crash\w*|things?|stuff|something|nothing)\b)
         [\w-]+(?:\s+[\w-]+){0,2}\s+(?:in|for|on)\s+(?:all|every|each)\s+(?:(?:new|our|my|the)\s+)?(?:python\s+|js\s+|ts\s+)?"""
    + _ARTIFACT_NOUN + r"""(?:\s+(?:please|pls|plz|too|as\s+well)|,?\s+not\s+[\w.-]+)?\W*$
      |(?:whenever|every\s+time|each\s+time|any\s*time)\s+(?:you|we|someone)\s+(?![^,]*\b(?:ready|done|finished|free|back|able)\b)[^,]{3,60},\s*
         (?!(?:it|this|that|there|i|you|we|they)\b)\w
      |(?:i|we)\s+(?:(?:really|always)\s+)?(?:like|want|expect)\s+(?:(?:my|our|your)\s+)?(?!(?:the|a|an|this|that|it|them|to|you|me)\b)[\w-]+(?:\s+[\w-]+){0,2}\s+
         (?:in\s+(?:the\s+)?\w+|to\s+be\s+\w+|as\s+\w+|without\s+\w+|short|brief|concise|terse|minimal|simple|small)\b
      |stop\s+\w+ing\b
      |must\s+(?:always\s+|never\s+|only\s+)?(?!have\b|be\s+(?:the|a|an|it|that)\b)(?:use|run|write|put|keep|follow|be|go|stay|live|start|end)\b
      |(?:the|our|my)\s+team\s+(?:has\s+)?(?:agreed|decided)\s+(?:to|on)\s+\w|we(?:'ve|\s+have)?\s+agreed\s+(?:to|on)\s+\w
      |for\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?,?\s+(?:it'?s|it\s+is|we\s+use|use)\s+(?:always|only)\s+(?!(?:a|an|the|so|such|been)\b)\S
      |prefer\s+\w
      |(?:(?:i|we)\s+)?(?:use|indent|format|name)\s+.+?(?:\s+instead\s+of|\s+rather\s+than|,?\s+not(?!\s+(?:sure|yet|now|really)\b))\s+\w
      |(?:run|deploy|install|lint)\s+.+?,\s*not\s+\w
      |(?:i|we)(?:'d|\s+would)?\s+(?:(?:really|generally|usually|always)\s+)?prefer\b(?!\s+not\s+to\s+(?:talk|say|discuss|answer|comment|share)\b)
      |(?:i|we)(?:'d|\s+would)\s+rather\b
      |(?:i|we)\s+no\s+longer\s+\w
      |(?:i|we)(?:'ve|\s+have)?\s+(?:moved\s+(?:off|away\s+from)|migrated\s+(?:off|away\s+from|from)|switched\s+from
         |got\s+rid\s+of|ditched|replaced)\s+[^.;]*?(?:,|;|\s(?:and|so|to|with|for|by|in\s+favou?r\s+of)\s)
      |(?:i|we)(?:'ve|\s+have)?\s+(?:migrated|switched|moved)\s+(?:(?:everything|all(?:\s+of)?(?:\s+(?:our|the|my))?(?:\s+[\w-]+)?|the\s+whole\s+[\w-]+|our\s+[\w-]+)\s+)?
         (?:over\s+)?to\s+\S
      |[\w`./-]+(?:\s+[\w`./-]+)?\s+(?:is|are)\s+(?:gone|deprecated|dead|retired),?\s+(?:now\s+)?(?:we\s+)?use\s+\S
      |(?:the\s+)?(?:convention|rule|standard|policy)\s+(?:here\s+|in\s+this\s+\w+\s+)?is\b
      |(?:i|we)\s+(?:always|never)\s+(?!(?:remember|recall|know|knew|understand|get|got|see|saw|think|thought|notice|noticed|had|have|was|were|been|said|forget|figured)\b)
      |(?:i|we)\s+(?:don'?t|do\s+not)\s+(?:want|like)\b
      |(?:you|we)\s+(?:should|must|need\s+to|have\s+to)\s+(?:always|never)\b
      |(?:make|be)\s+sure\s+(?:to\s+|you\s+|that\s+you\s+)?(?:always|never)\b
      |not\s+(?!(?:now|today|tomorrow|yet|later|here|there|this|that|really|sure|much|only|just|quite|exactly)\b)[\w.-]+(?:\s+[\w.-]+)?,?\s+but\s+\w
      |(?:every|each|all)\s+(?!(?:time|day|week|morning|of)\b)[\w-]+(?:\s+[\w-]+){0,2}\s+
         (?:gets?|needs?|goes|go|starts?\s+with|begins?\s+with|ends?\s+(?:with|in)|lives?\s+in|uses?|follows?|stays?)\s+\S
      |(?!(?:it|this|that|there|which|what|you|i|he|she|they|we)\b)(?![^,;]*\b(?:fail\w*|break\w*|broke|crash\w*|hangs?|errors?|flak\w+|works?|pass(?:es|ed)?)\b)
         [\w`./-]+(?:\s+[\w`./-]+)?\s+(?:always|only|never)\s+(?:with|via|through|using|on|in|from|as|under|behind)\s+\S
      |(?!(?:it|this|that|there|which|what|you|i|he|she|they|we)\b)(?:[\w`./-]+\s+){0,3}?[\w`./-]+\s+(?:is|are|gets?)\s+(?:always|never|only)\s+
         (?!(?:broken|forgotten|stolen|hidden|taken|given)\b)(?:\w+(?:ed|en|wn)|run|put|set|cut|built|kept|made|done|sent|held|left|bound|shut|split)\b
      |it'?s\s+(?!(?:fine|ok|okay|good|bad|broken|wrong|right|correct|true|false|done|there|here|not|just|only|me|you)\b)(?:`[^`]+`|[\w.@/-]+),\s*not\s+\S
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
    r"\b(?:(?<!days\s)(?<!weeks\s)(?<!months\s)(?<!years\s)(?<!hours\s)(?<!minutes\s)from\s+now\b(?!\s*[,.]?\s*(?:please|pls)\b)|going\s+forward|moving\s+forward|from\s+here\s+on|from\s+today\s+on|henceforth|in\s+(?:the\s+)?future"
    r"|to\s+(?:always|never)\b"
    r"|prefer\s+\S.*?\s+over\s+\S|(?:i|we)\s+(?:really\s+|generally\s+)?prefer\b(?!\s+not\s+to\s+(?:talk|say|discuss|answer|comment|share)\b)"
    r"|\b(?:use|using|do|doing|run|write)\s+always\b|\bmake\s+(?:it\s+)?a\s+habit\b|\bas\s+a\s+(?:general\s+)?rule\b"
    # said to reach past the case at hand: "..., not just this one", "for every release, not only for this"
    r"|\bnot\s+(?:just|only)\s+(?:for\s+|in\s+)?(?:this|the\s+current)\b(?!\s+(?:week|morning|afternoon|evening)\b)"
    r"|\bno\s+exceptions\b|\bwithout\s+exception\b|,\s*ever\W*$"
    r"|that'?s\s+(?:the|our)\s+(?:rule|convention|standard|policy)|that'?s\s+how\s+we\s+do\s+(?:it|things))",
    re.I,
)
# How things are here, said by the team: "our CI only has node 20", "we're on opentofu in this repo",
# "we are using always npx expo install ...". A team statement needs a reach (this repo, here) or a
# rule word; "our CI is slow" is a description.
# What follows "not" in a verdict on the agent's idea ("leave them, not worth a config change"), not the
# other way of doing it ("pnpm, not npm").
_NOT_A_JUDGEMENT = r"(?!(?:worth|needed|necessary|important|required|now|yet|really|sure|ideal|great|good|bad|much|so|that|this|it)\b)"
_TEAM = re.compile(
    r"^(?:our\s+[\w-]+(?:\s+[\w-]+)?\s+(?:(?:is|are)\s+)?(?:only|always|never)\s+\w"
    r"|(?:we|i)(?:'re|\s+are)\s+(?:always\s+)?(?:on|using)\s+(?:always\s+)?\S"
    r"|(?:we|i)\s+(?:always\s+|only\s+|(?:don'?t|do\s+not|never)\s+)?(?:use|put|keep|store|write|name|run|deploy|follow|do|add|ship"
    r"|commit|import|install|bundle|check\s+in|mock|vendor|pin|target|support|host|build|release|merge|push|rebase|squash)\s+\S"
    r"|(?!(?:it|this|that|there|i|we|you|they|he|she)\b)[\w.-]+(?:\s+[\w.-]+)?,?\s+not\s+" + _NOT_A_JUDGEMENT + r"[\w.-]+)",
    re.I,
)
# What the team's machinery does is how work is checked here: "our CI runs go test -race ./...", "the pipeline
# requires signed tags", "our pre-commit enforces ruff format".
_MACHINERY = re.compile(
    r"^(?:our|the)\s+(?:ci|pipeline|build|linter|pre-commit(?:\s+hook)?|merge\s+queue|release\s+(?:process|job)|deploy\s+script|ci\s+job)"
    r"\s+(?:(?:always|only)\s+)?(?:runs|uses|requires|needs|enforces|checks|expects|rejects|blocks)\s+"
    r"(?!(?:it|this|that|them|fine|ok|okay|well|again|now|faster|slower|green|red)\b)\S",
    re.I,
)
_CONTRAST = re.compile(r"\b(?:only|always|never)\b|,\s*not\s+" + _NOT_A_JUDGEMENT + r"\w|\b[a-z][\w.-]*\s+v?\d+(?:\.\d+)+\b", re.I)  # or a version
# "we don't add http libs to the bundle": a team's refusal is a convention without naming its reach.
_TEAM_REFUSAL = re.compile(r"^(?:we|i)\s+(?:don'?t|do\s+not|never)\s+(?!(?:it|this|that|them|know|think|need|have|want)\b)\w+\s+(?!(?:it|this|that|them)\b)\w", re.I)
_HERE = re.compile(r"\bhere\b|\bin\s+(?:this|our)\s+(?:repo|repository|project|code\s*base|team|service)\b", re.I)
# A rule about things with "must": "invoice numbers must keep the INV- prefix". Not a guess about the
# past ("it must have failed") and not about "it"/"this" (meaningless without the message it answers).
_MUST = re.compile(
    r"^(?!(?:it|this|that|there|which|what|you|i|he|she|they)\b)[\w`'./-]+(?:\s+[\w`'./-]+){0,3}\s+"
    r"must\s+(?:not\s+|never\s+|always\s+)?(?!have\s+(?:been|\w+ed|\w+en)(?![\w-]))\w+",
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

