"""The task a session set out to do, said as an imperative ("can you bump the sdk?" -> "Bump the
sdk"), its keywords and the one-line summary of what was kept."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from nightshift.ingest.transcript import Transcript, TurnKind
from nightshift.memory import Outcome, retraction_subject
from nightshift.phase1.builtin.prose import _clip, _sentences, _strip_lead
from nightshift.phase1.builtin.cues import _CUE_BACK
from nightshift.phase1.builtin.not_rules import _QUESTION_START, _REQUEST_WRAPPER, _holds_credential
from nightshift.phase1.builtin.rules import _rule_of
from nightshift.phase1.builtin.preferences import _Preference
from nightshift.phase1.builtin.commands import _FixedFailure


TITLE_MAX_CHARS = 80
MAX_KEYWORDS = 8
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


def _dir_name(cwd: str | None) -> str:
    return PurePosixPath(cwd.replace("\\", "/")).name if cwd else ""

