"""What is not the user's standing rule, however it is worded: questions, hedges, one-off requests
("for now", "this time"), orders that point back at the previous message, rules quoted from someone
else, news of what happened or broke, and any sentence that carries a credential."""

from __future__ import annotations

import re



# Hedges: "in the future we might move to postgres" is no rule.
_HEDGE = re.compile(r"\b(?:might|could|maybe|perhaps|probably|someday|eventually|not\s+sure)\b", re.I)
# Someone else's words: "my colleague says ...", "here's what the linter says: ...".
_SOMEONE_ELSE_SAYS = re.compile(
    r"\b(?:colleague|boss|lead|manager|teammate|team\s*mate|reviewer|cto|pm|client|customer|linter|docs?|readme|guide|vendor"
    r"|wiki|handbook|spec|ticket|issue|style\s*guide|contributing"
    r"|someone|somebody|article|blog|book|tutorial|stack\s*overflow|chatgpt|copilot|he|she|they)\b[^.]{0,40}?"
    r"\b(?:says?|said|wrote|writes|thinks?|suggests?|suggested|recommends?|recommended|claims?|told\s+me)\b",
    re.I,
)
# Words the agent is to write for someone else: "draft a Slack message telling Tom to always rebase".
_WRITTEN_FOR_OTHERS = re.compile(
    r"^(?:draft|write|compose|send|prepare|post|reply\s+to)\s+(?:a|an|the|my|our)?\s*(?:[\w-]+\s+){0,2}?"
    r"(?:message|e-?mail|note|reply|comment|post|dm|announcement|answer|slack|tweet|letter)\b",
    re.I,
)
# News of something that happened ("ops moved the staging database last night") is not itself a rule.
_PAST_EVENT = re.compile(r"\b(?:last\s+(?:night|week|month|time)|yesterday|this\s+morning|earlier\s+today|just\s+now)\b", re.I)
# Something that does not work: a report, not a rule or a fact.
_BROKEN = re.compile(r"\b(?:broken|fail(?:s|ed|ing)?|crash(?:es|ed|ing)?|errors?|(?:does|is)n'?t\s+working|not\s+working|still)\b", re.I)
# A verdict on how something behaves ("our CI is always slow"): a complaint, not how work is done.
_VERDICT = re.compile(r"\b(?:slow|flaky|down|red|annoying|weird|wrong|unstable|a\s+pain|a\s+mess|a\s+nightmare)\b", re.I)
# A sentence naming a credential next to a value shaped like one keeps out of memory, even when the
# redactor missed the value ("log in with password Orchid-Lantern-42" has no KEY=value shape).
_CREDENTIAL_WORD = re.compile(r"\b(?:passwords?|passwd|passphrase|passcode|tokens?|api[\s_-]?keys?|keys?(?=\s*(?:is\b|=|:))|secrets?|credentials?)\b", re.I)
_CREDENTIAL_VALUE = re.compile(r"(?=\S*\d)(?=\S*[A-Za-z])[^\s/\\\"'`,;()\[\]]{8,}")
_QUESTION_START = re.compile(
    r"^(?:should|shall|can|could|would|will|why|how(?!\s+we\s+do\s+(?:it|things)\b)|what|is|are|was|does|did"
    # a question without its mark: "where does the time go" (not "when you add a dependency, ...")
    r"|(?:where|when|who)(?:'s|\s+(?:is|are|was|were|does|do|did|can|could|should|would|will|has|have))"
    r"|which\s+(?:\w+\s+)?(?:is|are|does|do|did|should|would)"
    r"|do\s+(?:you|we|i|they)|have\s+you)\b",
    re.I,
)
# News of a change, said under a cue ("heads up, we changed the port in the compose file", "fyi the
# friday freeze is lifted"): the rule, if any, is what the message says now holds. Not what says the old
# way is gone ("we dropped the dev settings module"): phase 2 needs that line to replace the old rule.
_NEWS = re.compile(
    r"^(?:(?:we|i|they|ops|infra|someone)\s+(?:just\s+|finally\s+)?(?:changed|updated|moved|renamed|bumped|upgraded|downgraded"
    r"|rewrote|merged|lifted|reverted|fixed)\b"
    r"|(?:[\w.`-]+\s+){1,4}(?:is|are|was|were|has\s+been|have\s+been|got)\s+(?:now\s+|finally\s+)?"
    r"(?:lifted|over|done|finished|upgraded|merged|fixed|reverted)\b)",
    re.I,
)
# What a rule means for the task at hand, after it: "..., so if today is friday just prepare it".
_CONSEQUENCE = re.compile(r",\s+(?:and\s+)?(?:so|but)\s+(?:if|when|unless|for\s+now|today|this\s+time|just)\b.*$", re.I)
# Imperatives about this moment, not a standing rule.
_ONE_OFF = re.compile(
    r"""\b(?:never\s*mind|no\s+worries
      |(?:don'?t|do\s+not)\s+(?:worry|bother|mind|know|think|understand|see|get|care|have|need
         |remember|forget|hesitate|panic|rush|stress|apologi[sz]e|be\s+sorry)\b
      |(?:i|we)\s+never\s+(?:said|asked|told|wanted|meant|did|had|was|were|knew|thought)\b
      |for\s+now|yet|right\s+now|this\s+time|(?<!from\s)today|at\s+the\s+moment|for\s+the\s+moment|temporarily
      |for\s+this\s+(?:\w+\s+)?(?:one|run|step|commit|pr|task|ticket|bug|session)\b
      # "just this once", "in this chat": the request names its own single occasion
      |(?:just\s+|only\s+)?this\s+once|in\s+this\s+(?:chat|conversation|thread)
      # a limit that names a day or an event ("until Thursday's release", "till friday") ends the rule
      # ("until then" waits for something unnamed and keeps it standing)
      |(?:until|till|til)\s+(?:(?:next\s+|this\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day|tomorrow|tonight|next\s+\w+
         |the\s+(?:next\s+)?(?:release|launch|demo|freeze|deadline|end\s+of)|end\s+of|[\w-]+'s\s+\w+)
      |lol|lmao|rofl|ha(?:ha)+|jk|ever\s+again)\b""",  # a joke or a sigh ("never upgrade anything ever again lol")
    re.I | re.X,
)
# How a piece of code is to behave ("from now on lookup_ifsc should return None", "parseRow() must raise on an
# empty line"): the subject is an identifier of the code, so it is the change this task makes, not a rule for
# the agent.
_CODE_BEHAVIOUR = re.compile(
    r"^(?:the\s+)?`?(?:[a-z]\w*(?:_\w+)+|[a-z]+(?:[A-Z]\w*)+|\w+(?:\.\w+)+|\w+\(\))`?(?:\s+(?:function|method|helper|endpoint))?"
    r"\s+(?:(?:should|must|will|shall|has\s+to|needs\s+to)\s+(?:now\s+|also\s+|always\s+|never\s+)?)?"
    r"(?:return|raise|throw|accept|reject|emit|yield|respond|log|print|skip|ignore)s?\b",
)
_FOR_NOW = re.compile(r"^(?:for\s+now|at\s+the\s+moment|for\s+the\s+moment|currently)\b[\s,]*", re.I)
# "Don't do that (again)" / "Never use them": meaningless without the message it answers.
_DEICTIC = re.compile(
    r"\b(?:do|did|doing|done)\s+(?:that|this|it)\b(?!\s*(?:here\s*)?:)"
    r"|^\W*\w+(?:\W+\w+){0,4}?\W+(?:that|this|it|those|these|them)\W*$"
    # an order whose object is "it" or "them": "dont edit it by hand", "never touch them again"
    r"|^(?:(?:don'?t|dont|do\s+not|never|please|pls|just)\s+)*(?!(?:is|are|was|were|keep|make)\b)\w+\s+(?:it|them)\b(?!\s*(?:'s|is|are)\b)"
    r"(?:\W+\w+){0,3}?\W*(?:[,;]|$)",
    re.I,
)
# The asking around a request: "can you please ...", "I need you to ...", "let's ...".
_REQUEST_WRAPPER = re.compile(
    r"^(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|please\s+|pls\s+|i\s+(?:need|want|would\s+like)\s+you\s+to\s+"
    r"|let'?s\s+|help\s+me\s+(?:to\s+)?|quick\s+one[:,]?\s+)+",
    re.I,
)


def _holds_credential(sentence: str) -> bool:
    if not _CREDENTIAL_WORD.search(sentence):
        return False
    return any(_CREDENTIAL_VALUE.fullmatch(word.strip(".,;:!?")) for word in sentence.split() if "[REDACTED" not in word)

