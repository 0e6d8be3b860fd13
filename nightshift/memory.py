"""The RawMemory structure: phase 1's output, checked by the JSON Schema and by pydantic.

``schemas/raw_memory.schema.json`` is the contract a model is asked to follow; the pydantic model
adds what JSON Schema in strict structured-output mode cannot say (a no-op has no tasks).
``tests/test_memory_schema.py`` keeps the two in sync.
"""

from __future__ import annotations

import functools
import re
import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nightshift.resources import load_schema

if TYPE_CHECKING:
    import jsonschema


class Decision(str, Enum):
    REMEMBER = "remember"
    NO_OP = "no_op"


class Outcome(str, Enum):
    SUCCESS = "success"
    PARTIAL = "partial"
    UNCERTAIN = "uncertain"
    FAIL = "fail"


class Scope(str, Enum):
    PROJECT = "project"
    GLOBAL = "global"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Failure(_Strict):
    symptom: str = Field(min_length=1)
    fix: str


class Task(_Strict):
    title: str = Field(min_length=1)
    outcome: Outcome
    scope: Scope
    cwd: str | None
    keywords: list[str]
    preferences: list[str]
    knowledge: list[str]
    failures: list[Failure]
    evidence: list[str]


class RawMemory(_Strict):
    decision: Decision
    rollout_summary: str
    slug: str = Field(pattern=r"^([a-z0-9]+(-[a-z0-9]+)*)?$", max_length=60)
    tasks: list[Task]

    @model_validator(mode="after")
    def _no_op_is_empty(self) -> RawMemory:
        if self.decision is Decision.NO_OP and self.tasks:
            raise ValueError("a no_op decision must have an empty tasks list")
        if self.decision is Decision.REMEMBER and not self.tasks:
            raise ValueError("a remember decision needs at least one task")
        return self

    @property
    def is_no_op(self) -> bool:
        return self.decision is Decision.NO_OP

    @classmethod
    def no_op(cls) -> RawMemory:
        return cls(decision=Decision.NO_OP, rollout_summary="", slug="", tasks=[])


class InvalidMemory(ValueError):
    """Model output that is not a valid RawMemory; ``errors`` are shown to the model on repair."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # on first use: every command imports this module, few validate a model's answer

    return jsonschema.Draft202012Validator(load_schema("raw_memory"))  # built once: it is immutable and thread-safe


def parse_raw_memory(data: str | dict[str, Any]) -> RawMemory:
    """Validate with the JSON Schema first (the model's contract), then pydantic (the extra rules)."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InvalidMemory([f"not valid JSON: {exc}"]) from exc
    validator = _validator()
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if errors:
        raise InvalidMemory(errors)
    try:
        return RawMemory.model_validate(data)
    except ValidationError as exc:
        raise InvalidMemory([f"{'/'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()]) from exc


@dataclass(frozen=True, slots=True)
class StoredMemory:
    """A raw memory as phase 2 sees it: the model's answer plus where it came from."""

    rollout_id: str  # the session/thread id; what citations name
    source_path: str
    source_format: str  # "codex" | "claude" | "import"
    project_key: str  # normalised git remote, else repo root, else cwd (see nightshift.scope)
    memory: RawMemory
    source_updated_at: datetime  # the transcript's mtime when it was extracted
    usage_count: int = 0
    last_usage: datetime | None = None


# --- what a memory line says about the lines before it ----------------------------------------------
# Phase 1 keeps these lines in the user's words; the builtin phase 2 applies them to older memories
# (nightshift/phase2/handbook.py), and prompts/consolidate.md asks a model to do the same.

_RETRACTION = re.compile(
    r"\b(?:forget|ignore|disregard|scratch|scrap|drop)\s+(?:what\s+i\s+(?:said|told\s+you)|that|my\s+last"
    r"|my\s+(?:earlier|previous|old|last|other)\s+(?:note|rule|instruction|comment|message|request|advice|point)s?)\b"
    r"|\bi(?:'ve|\s+have)?\s+changed\s+my\s+mind\b"
    # "what I said about the vendored folder no longer applies", "what I told you about X is outdated"
    r"|\bwhat\s+i\s+(?:said|told\s+you|wrote)\s+(?:earlier\s+|before\s+)?(?:about|on|regarding)\s+[^.;]{1,40}?\s+"
    r"(?:no\s+longer\s+applies|doesn'?t\s+apply(?:\s+any\s*more)?|does\s+not\s+apply|is\s+(?:void|obsolete|outdated|moot|wrong\s+now))\b",
    re.I,
)
# A rule taken back by its name: "scratch the --fix rule", "drop my black thing", "the squash rule is
# gone", "the mypy rule no longer applies". The one or two words before "rule" are what it takes back.
_NAMED_RULE = (r"(?:the|my|our|that)\s+(?!(?:earlier|previous|old|last|other|first|second|new)\b)`?([\w.+/@:-]+(?:\s+[\w.+/@:-]+)?)`?\s+"
               # a workaround is named by what it was: "forget the no:randomly flag", "drop the --offline workaround"
               r"(?:rule|thing|convention|requirement|policy|instruction|note|step|bit|advice|flag|option|workaround|hack)s?\b")
_RETRACTED_RULE = re.compile(
    r"\b(?:forget|ignore|disregard|scratch|scrap|drop|remove|delete|cancel|undo|ditch|kill|never\s*mind)\s+" + _NAMED_RULE
    + r"|\b" + _NAMED_RULE + r"\s+(?:is|was|has\s+been)\s+(?:gone|dropped|dead|over|retired|cancel+ed|void|off)\b"
    r"|\b" + _NAMED_RULE + r"\s+(?:no\s+longer|doesn'?t|does\s+not)\s+apply"
    # "you can stop running mypy", "no need to run mypy any more"
    r"|\byou\s+can\s+(?:stop|forget\s+about|ignore|drop)\s+(?:\w+ing\s+)?(?:the\s+|my\s+)?`?([\w.+/@-]+)"
    r"|\bno\s+need\s+(?:to\s+|for\s+)?(?:\w+\s+)?(?:the\s+)?`?([\w.+/@-]+)`?(?:\s+\S+){0,3}?\s+any\s*more\b"
    # "we dont need the paparazzi screenshot step anymore": what is not needed is named before the step word
    r"|\b(?:we|you|i)\s+(?:don'?t|do\s+not)\s+need\s+(?:the\s+|our\s+)?`?([\w.+/@:-]+(?:\s+[\w.+/@:-]+)?)`?(?:\s+(?:step|check|flag|rule|thing))?\s+any\s*more\b"
    # a ban lifted: "manual version bumps are allowed again", "the migrations folder is no longer hands-off"
    r"|^(?:the\s+|our\s+)?(?!(?:it|this|that|they|these|those)\b)`?([\w.+/@:-]+(?:\s+[\w.+/@:-]+){0,2}?)`?(?:\s+(?:folder|directory|dir|file|step|check))?\s+(?:is|are)\s+"
    r"(?:(?:allowed|permitted)\s+again|no\s+longer\s+(?:hands[\s-]off|off[\s-]limits|forbidden|banned|required|needed|mandatory))\b",
    re.I,
)
_ABOUT = re.compile(r"\b(?:about|on|regarding|concerning)\s+(?:(?:the|my|our|using)\s+)?`?([\w.+/@-]+)", re.I)
# "use pnpm instead of yarn", "prefer X over Y", "X, not Y", "we moved off yarn", "migrated away from
# yarn", "switched from yarn": the word after the marker is what the line replaces.
_REPLACES = re.compile(
    r"(?:\binstead\s+of|\brather\s+than|\bprefer\s+\S.*?\s+over|,\s*not|\bmoved\s+(?:off|away\s+from)"
    r"|\bmigrated\s+(?:off|away\s+from|from)|\bswitched\s+(?:away\s+)?from|\bno\s+longer\s+use|\bdropped"
    r"|\bgot\s+rid\s+of|\bditched|\breplaced(?!\s+by)|\bretired|\bstopped\s+using|\bripped(?:\s+out)?|\bswapped|\bno\s+more)"
    r"\s+(?:(?:the|a|an|our|using|with|in|to|for|on|by|from|via|through|into)\s+)*`?([\w.+/@-]+)",
    re.I,
)
# "make seed is gone, use ...", "jenkins is deprecated": the word before the marker is what is replaced.
_GONE = re.compile(r"(?<![\w.+/@-])(?!(?:rule|thing|convention|it|this|that)\b)`?([\w.+/@-]+)`?"
                   r"(?:\s+(?:stuff|thing|setup|integration|account|subscription|config|service|server|script|target))?\s+(?:is|are|was|were|has\s+been|have\s+been)\s+(?:gone|deprecated|dead|retired|removed|replaced|superseded|no\s+more)\b", re.I)
# "nothing runs in eu-west-1 anymore", "we don't use jest any more": the word before "anymore" is replaced.
_NO_MORE = re.compile(
    r"\b(?:nothing|no\s+\w+|(?:we|i)\s+(?:don'?t|do\s+not|never))\s+(?:\w+\s+){0,2}?(?:in|on|to|at|from|with|use|using|run|runs)\s+"
    r"`?([\w.+/@-]+)`?\s+any\s*more\b",
    re.I,
)
# "CI moved to github actions", "the dev server moved to port 7420": the thing that moved (up to three words) is the subject, and it replaces an older line
# whose subject it is ("CI is jenkins, ...") even though the new line does not name the old way.
_MOVED = re.compile(r"^(?:the\s+|our\s+)?([\w.-]+(?:\s+[\w.-]+){0,2}?)\s+(?:has\s+|have\s+)?(?:moved|switched|migrated)\s+(?:over\s+)?to\b", re.I)
# A setting and its value: "python 3.12", "port 8443", "node 20".
_VALUED = re.compile(r"\b([a-z][\w-]*)\s+v?(\d+(?:\.\d+)*)\b", re.I)


def retraction_subject(line: str) -> str | None:
    """None when the line takes nothing back; else what it takes back ("forget what I said about yarn":
    "yarn"), or "" when it names nothing ("scrap that")."""
    if named := _RETRACTED_RULE.search(line):
        return next(g for g in named.groups() if g).strip("`.,;:").casefold()
    if not _RETRACTION.search(line):
        return None
    about = _ABOUT.search(line)
    return about[1].strip("`.,;:").casefold() if about else ""


def replaced_subjects(line: str) -> set[str]:
    """The tools, commands or settings a newer rule says it replaces."""
    found = [*_REPLACES.finditer(line), *_GONE.finditer(line), *_NO_MORE.finditer(line)]
    return {m[1].strip("`.,;:").casefold() for m in found} - {""} - _FILLER_WORDS


def moved_subject(line: str) -> str | None:
    """What a line says has moved to something new ("CI moved to github actions": "ci"), or None."""
    moved = _MOVED.match(line)
    return moved[1].casefold() if moved else None


def is_about(line: str, subject: str) -> bool:
    """Whether ``subject`` is what the line is about: its first word, after "the" or "our"."""
    return bool(re.match(rf"(?:the\s+|our\s+)?{re.escape(subject)}(?![\w-])", line.replace("`", ""), re.I))


def valued_settings(line: str) -> dict[str, str]:
    """Setting word -> value ("target python 3.12": {"python": "3.12"})."""
    return {m[1].casefold(): m[2] for m in _VALUED.finditer(line)}


def mentions_in_name(line: str, word: str) -> bool:
    """Like ``mentions``, and also as a part of a name ("widgets" in `src/legacy-widgets`): how a retraction
    names what it takes back. A name of two words counts when each is there ("the mypy strict rule" names
    "mypy --strict"), and a word counts in its other forms ("the formatting rule" names "format with black",
    "the friday migration rule" names "no migrations on fridays")."""
    if mentions(line, word) or re.search(rf"(?<!\w){re.escape(word)}(?!\w)", line.replace("`", ""), re.I):
        return True
    stems = [_stem(w) for w in word.split()]
    if len(stems) == 1 and stems[0] == word.casefold():
        return False
    return all(re.search(rf"(?<!\w){re.escape(w)}(?:e?s|ed|ing)?(?!\w)", line.replace("`", ""), re.I) for w in stems)


def _stem(word: str) -> str:
    """A word without its plural or -ing: "migrations" -> "migration", "formatting" -> "format"."""
    word = word.casefold()
    if len(word) > 6 and word.endswith("ing"):
        word = word[:-3]
        return word[:-1] if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "ls" else word
    return word.removesuffix("s") if len(word) > 3 else word


def mentions(line: str, word: str) -> bool:
    """Whether ``word`` occurs in the line as a word of its own ("npm" is not in "pnpm")."""
    return bool(re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", line.replace("`", ""), re.I))


# Words that carry no subject: two lines that share only these are about different things.
_FILLER_WORDS = frozenset(
    """a an the and or but to in on at of for with without from by as is are be been was were it its this that
    these those here there we i you our my your me us always never don't dont do does not no only please
    should must need needs use uses using used instead rather than so then again just also every each all any
    from now on going forward repo repository project codebase code when before after new one thing
    anything everything something nothing""".split()
)
_NEGATION = re.compile(r"\b(?:never|not|no|don'?t|do\s+not|avoid|stop)\b", re.I)
_WORD = re.compile(r"[a-z0-9][\w.+/'-]*[\w+]|[a-z0-9]", re.I)


def subject_words(line: str) -> set[str]:
    """The words that say what a line is about (plural -s dropped): its filler and rule words left out."""
    words = {w.casefold() for w in _WORD.findall(line.replace("`", "").replace("\u2019", "'"))} - _FILLER_WORDS
    # singular after the filler is gone, and filler again: "projects" is "project", a scope word, not a subject
    return {_singular(w) for w in words} - _FILLER_WORDS


def _singular(word: str) -> str:
    return word[:-1] if len(word) >= 3 and word.endswith("s") and not word.endswith("ss") else word


def says_the_same(a: str, b: str) -> bool:
    """Near-duplicates: the same polarity, and most (at least three) subject words of the shorter line in
    the longer, or the same long option and another subject word ("use --locked on every cargo command",
    "every cargo command gets --locked")."""
    if bool(_NEGATION.search(a)) != bool(_NEGATION.search(b)):
        return False
    wa, wb = subject_words(a), subject_words(b)
    shared = len(wa & wb)
    if set(_LONG_OPTION.findall(a)) & set(_LONG_OPTION.findall(b)) and shared >= 2:
        return True
    return shared >= SAME_SUBJECT_MIN and shared >= SAME_SUBJECT_SHARE * min(len(wa), len(wb))


_LONG_OPTION = re.compile(r"(?<![\w-])--[a-z][\w-]*", re.I)
_CHANGE = re.compile(r"\b(?:from\s+now\s+on|going\s+forward|from\s+here\s+on|change\s+of\s+plan|no\s+longer|any\s*more)\b", re.I)
_FRAME_WORDS = 5


# A value with a shape of its own: letters and digits joined by dashes or dots ("eu-north-1", "node-20").
_SHAPED_VALUE = re.compile(r"(?<![\w.-])(?=[\w.-]*\d)(?=[\w.-]*[a-z])[a-z0-9]+(?:[.-][a-z0-9]+)+(?![\w-])(?!\.\w)", re.I)
_WHERE_VERBS = frozenset({"run", "live", "go", "goe", "sit", "use", "moved", "migrated", "switched", "now"})
_MOVE_SAID = re.compile(r"\b(?:from\s+now\s+on|going\s+forward|moved|migrated|switched|now\s+(?:lives?|runs?|is|are))\b", re.I)


def _shape(value: str) -> str:
    """"eu-north-1" and "sa-east-1" are both "a-a-9"; "node-20" is "a-9"."""
    return re.sub(r"[a-z]+", "a", re.sub(r"\d+", "9", value.casefold()))


# A line that lifts an earlier rule without the words of a retraction: "no need for --headed anymore", "you can
# skip the --fix step now", "the Friday deploy freeze is lifted", "the generated folder is fine to edit now".
# ("Stop adding emojis" is not one: it is a rule.) Which rule it lifts is found by the words they share (``lifted_by``).
_LIFTS = re.compile(
    r"\bno\s+(?:longer\s+)?need(?:ed|s)?\b|\bnot\s+(?:needed|required|necessary)\b|\bno\s+longer\b|\bany\s*more\b"
    r"|\bdon'?t\s+(?:bother|need\s+to|have\s+to)\b|\b(?:can|may)\s+(?:now\s+)?(?:skip|stop|drop|ignore|forget)\b"
    r"|\bwe\s+stopped\b|\b(?:scrap|ditch|never\s*mind|forget\s+about)\b"
    r"|\b(?:is|are)\s+(?:now\s+)?(?:gone|lifted|over|off|dropped|retired|obsolete|void|history)\b"
    r"|\b(?:is|are)\s+(?:fine|ok|okay|allowed)\b(?:\s+\w+){0,3}?\s+(?:now|again)\b",
    re.I,
)


def lifted_by(line: str, older: list[str]) -> list[int]:
    """The index of the older line that ``line`` lifts: the one sharing the most subject words with it (in
    their plain forms) when that is two or more and two more than any other line shares; or the one older line
    that shares a single word with it, when that word is a name there (`--fix`, `@dana`, PRs, Friday), not a
    common word ("tests")."""
    if not _LIFTS.search(line):
        stop = _STOP.search(line)
        return _stopped(_stem(stop[1]), line, older) if stop else []
    words = _plain_words(line)
    shared = [words & _plain_words(old) for old in older]
    sizes = [len(s) for s in shared]
    best = max(sizes, default=0)
    if best >= 2:  # and two words more than any other line shares: a near tie does not say which rule it means
        first = sizes.index(best)
        runner_up = max((n for i, n in enumerate(sizes) if i != first), default=0)
        return [first] if runner_up <= best - 2 else []
    ones = [i for i, n in enumerate(sizes) if n]
    if len(ones) == 1 and _names(older[ones[0]], next(iter(shared[ones[0]]))):
        return ones
    return []


def _plain_words(line: str) -> set[str]:
    """The line's subject words in their plain forms ("migrations" and "migration", "running" and "run")."""
    return {_stem(w) for w in subject_words(line)}


# "Stop running pytest with -x": a rule that ends an older one saying to run pytest with -x, not a rule of its own.
_STOP = re.compile(r"\bstop\s+(\w+ing)\b", re.I)


def _stopped(verb: str, line: str, older: list[str]) -> list[int]:
    """The one older line, not itself a prohibition, that says to do ``verb`` to what ``line`` names too."""
    stems = _plain_words(line) - {verb}
    hits = [i for i, old in enumerate(older) if not _NEGATION.search(old) and verb in (words := _plain_words(old)) and stems & words]
    return hits if len(hits) == 1 else []


_TOKEN = re.compile(r"[@-]*[\w./+'-]*\w")


def _names(line: str, stem: str) -> bool:
    """Whether the line writes ``stem`` as a name: an option, a handle, a path or a capitalised word past the first."""
    for n, token in enumerate(_TOKEN.findall(line.replace("`", ""))):
        word = token.strip("@-").casefold().removesuffix("'s")
        if _stem(_singular(word)) != stem:
            continue
        if token[0] in "@-" or any(c in token for c in "./_") or (n > 0 and token[0].isupper()):
            return True
    return False


def changes_a_shaped_value(new: str, old: str) -> bool:
    """A newer line that says things moved and names, for a subject of the older line, another value of the
    same shape: "eu-north-1 for staging from now on, we migrated the whole staging" replaces "the staging
    stack goes in sa-east-1"."""
    if not _MOVE_SAID.search(new):
        return False
    olds = {v.casefold(): _shape(v) for v in _SHAPED_VALUE.findall(old)}
    news = {v.casefold(): _shape(v) for v in _SHAPED_VALUE.findall(new)}
    other_value = any(s == t and v not in olds for v, s in news.items() for t in olds.values())
    # the thing both lines are about, not the verb that says where it is ("runs on", "lives in", "goes in")
    shared = (subject_words(new) & subject_words(old)) - set(olds) - set(news) - _WHERE_VERBS
    return other_value and bool(shared)


def changes_the_value(new: str, old: str) -> bool:
    """A newer line that says it changes something and repeats an older line's wording but for one word:
    "Use British spelling in these docs from now on" replaces "Use American spelling in these docs"."""
    if not _CHANGE.search(new) or bool(_NEGATION.search(new)) != bool(_NEGATION.search(old)):
        return False
    a, b = (_WORD.findall(line.casefold())[:_FRAME_WORDS] for line in (new, old))
    return len(a) == len(b) == _FRAME_WORDS and sum(x != y for x, y in zip(a, b)) == 1


SAME_SUBJECT_MIN, SAME_SUBJECT_SHARE = 3, 0.6  # two shared words are too thin ("commit messages")
