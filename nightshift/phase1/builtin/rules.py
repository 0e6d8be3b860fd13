"""One sentence of the user's: a rule (preference or knowledge), a plain fact, or nothing.

The three functions call one another (a rule may end with a clause that only gives its reach, and a
reach sentence may itself be a rule), so they live together."""

from __future__ import annotations

import re

from nightshift.phase1.builtin.prose import _INTERJECTION, _LEAD_WORDS, _strip_lead
from nightshift.phase1.builtin.scope import _GLOBAL_LEAD, _GLOBAL_SCOPE, _LOCAL_SCOPE, _PERSONAL, _PLACE_LEAD, _PROJECTS, _REACH_FILLER, _SCOPE_LEAD, _STANDING
from nightshift.phase1.builtin.cues import _ARTIFACT_RULE, _AS_USUAL, _SETTING_WITH_REASON, _BROAD_IMPERATIVE, _CLAUSE, _CONTRAST, _CONVENTION, _CUE, _CUE_BACK, _HABIT, _HERE, _HOW_TO, _IMPERATIVE, _LEAD_CLAUSE, _MACHINERY, _MUST, _ORDER, _REPEATED, _RULE_ANYWHERE, _RULE_START, _TEAM, _TEAM_REFUSAL, _TYPOS, _WORKFLOW_HABIT, _WRITTEN_IN
from nightshift.phase1.builtin.not_rules import _BROKEN, _CODE_BEHAVIOUR, _CONSEQUENCE, _DEICTIC, _FOR_NOW, _HEDGE, _NEWS, _ONE_OFF, _PAST_EVENT, _QUESTION_START, _SOMEONE_ELSE_SAYS, _VERDICT, _WRITTEN_FOR_OTHERS, _holds_credential
from nightshift.phase1.builtin.corrections import _COMPLAINT, _CONFIRMATION, _CORRECTION, _LASTING, _NOT_AN_ORDER, _STANDING_ANSWER, _TOLD_YOU
from nightshift.phase1.builtin.facts import _CONCRETE, _MOMENT, _REPORTS_A_PROBLEM, _is_fact


# A fact the user checked themselves ("i checked with openssl, the sandbox only accepts TLS 1.3") or hands over as
# context ("for context the dev server listens on 7311 here", "some context because you dont know the code: ...").
_CHECKED = re.compile(
    r"^(?:i|we)\s+(?:just\s+|already\s+|have\s+|'ve\s+)?(?:checked|verified|confirmed|tested|measured|made\s+sure)"
    r"(?:\s+(?:with|using|in|on|via)\s+[\w./`-]+)?\s*[,:]\s*(?=\w)",
    re.I,
)
_CONTEXT = re.compile(
    r"^(?:(?:for|some|a\s+bit\s+of|as)\s+(?:context|background)\b(?:[^:.]{0,80}:)?[\s,]*|(?:context|background)\s*:\s*)(?=\w)", re.I
)
# A plain statement: a subject and a verb in the present ("the internal registry only resolves over the VPN").
_STATEMENT = re.compile(
    r"^(?!(?:it|this|that|there|which|what|you|i|he|she|they|we)\b)(?:the\s+|our\s+)?[\w.`/-]+(?:\s+[\w.`/-]+){0,3}\s+"
    r"(?:only\s+|always\s+|never\s+)?(?:is|are|has|have|needs?|\w+s)\s+\S",
    re.I,
)
# A request put as a question that asks for a habit: "could you please always run the e2e suite headless?",
# "..., but can you never force-push from now on?" (not "should we always ...?", which asks what the rule is).
_POLITE_STANDING_ASK = re.compile(
    r"^(?:.*?\bbut\s+)?(?:could|can|would|will)\s+you\s+(?:please\s+|kindly\s+)?(?=(?:always|never)\s+(?!be\s+(?:this|that|so)\b)|(?:[^?]*\bfrom\s+now\s+on\b))", re.I
)
# A confirmation whose statement is about the agent's question itself: "it's only the font", "that was it".
_ANSWER_SUBJECT = re.compile(r"^(?:it|this|that|they|these|those)(?:'s|'re|\s+(?:is|are|was|were))\b", re.I)
# The contrast after a reach: "..., not only kachel", "..., not just this one".
_NOT_ONLY_THERE = re.compile(r",?\s*(?:and\s+)?not\s+(?:just|only)\s+(?:in\s+|for\s+)?[\w./-]+(?:\s+[\w./-]+)?\W*$", re.I)


def _only_a_reach(sentence: str) -> bool:
    """A sentence that only says how far the rule before it reaches: "anywhere, any repo of mine, ever",
    "all my python code, every project.", "this goes for every repo of mine"; or a reason that names the
    reach: "it's on all my machines"."""
    sentence = _NOT_ONLY_THERE.sub("", sentence)  # "this is for all my projects, not only kachel"
    reach = [m for m in _GLOBAL_SCOPE.finditer(sentence) if re.search(_PROJECTS + r"|everywhere|wherever", m[0], re.I)]
    if not reach or _LOCAL_SCOPE.search(sentence) or sentence.endswith("?"):
        return False
    rest = _REACH_FILLER.sub(" ", _GLOBAL_SCOPE.sub(" ", sentence)).split()
    return not rest or (re.match(r"^(?:it|it's|they|they're|that's)\b", sentence, re.I) is not None and _rule_of(sentence, False) is None)


def _rule_of(sentence: str, confirms: bool) -> tuple[str, str] | None:
    """(the sentence, preference, knowledge or fact) when the sentence states something to remember; a
    fact is a plain statement of how things are, kept as knowledge when the message says nothing stronger."""
    if (polite := _POLITE_STANDING_ASK.match(sentence)) and sentence.endswith("?"):
        sentence = sentence[polite.end():].rstrip("?").strip()  # "could you please always run ...?" asks for a habit
    if _holds_credential(sentence) or sentence.endswith("?"):
        return None
    if _SOMEONE_ELSE_SAYS.search(sentence):
        return None  # "my colleague says we should always use tabs": a rule quoted, not the user's
    if _CODE_BEHAVIOUR.match(_strip_lead(sentence)) or _WRITTEN_FOR_OTHERS.match(_strip_lead(sentence)):
        return None  # how the code is to behave, or words for someone else
    if given := _CHECKED.match(sentence) or _CONTEXT.match(sentence):  # the lead is no part of what is given
        rest = sentence[given.end():]
        if (rule := _rule_of(rest, False)) and not (rule[1] == "fact" and _REPORTS_A_PROBLEM.search(rest)):
            # a fact is kept even beside a rule or a question: the user offers it to be known
            return rule[0], "knowledge" if rule[1] == "fact" else rule[1]
        # what the user checked is how things are, in any plain statement ("the registry only resolves over the VPN")
        checked = given.re is _CHECKED and _STATEMENT.match(rest) and not (
            _MOMENT.search(rest) or _HEDGE.search(rest) or _ONE_OFF.search(rest) or _REPORTS_A_PROBLEM.search(rest))
        return (rest, "knowledge") if checked else None
    if confirms and (fact := _CONFIRMATION.sub("", sentence, count=1)) != sentence and len(fact.split()) >= 3:
        # "yes that's right, it's only the font": about "it", the thing just asked, not how the project is
        about_the_answer = _QUESTION_START.match(fact) or _ANSWER_SUBJECT.match(fact) or _ONE_OFF.search(fact)
        return (fact, "knowledge") if not about_the_answer else None
    if confirms and _STANDING_ANSWER.match(sentence) and not _ONE_OFF.search(sentence):
        return sentence, "preference"
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
        cued = _CONSEQUENCE.sub("", _CUE_BACK.sub("", cued))
        ok = len(cued.split()) >= 3 and not _QUESTION_START.match(cued) and not _ONE_OFF.search(cued)
        news = _PAST_EVENT.search(cued) or _NEWS.match(cued)
        ok = ok and not (news and not _is_standing_rule(cued) and not _is_fact(cued))
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
    # "you must edit the .proto and run buf generate, never touch gen/ by hand": "always" or "never" opening a
    # later clause rules the sentence too (a milder "don't" there is usually about the task at hand)
    heads += [part for part in re.split(r",\s+", sentence)[1:] if re.match(r"(?:always|never)\s", part, re.I)]
    for h in list(heads):
        for scope in (_SCOPE_LEAD.match(h), _GLOBAL_LEAD.match(h), _PLACE_LEAD.match(h)):
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
    if any(_MUST.match(h) or _MACHINERY.match(h) for h in heads):
        return True
    weak = _COMPLAINT.match(head)  # a bare "we don't use X." or "guestList, not guest_list." counts only alone
    refusal = _TEAM_REFUSAL.match(head) and not weak
    purpose = re.search(r"\bfor\s+(?!now\b|the\s+moment\b|this\b|today\b)\w", sentence, re.I) and not re.search(
        r"\b(?:we|i)\s+\w+\s+(?:it|this|that|them|these|those)\b", sentence, re.I)  # "we use 4 spaces for indentation"
    concrete = re.search(_CONCRETE, sentence)  # "we name branches feat/<ticket>-<slug>", "we target node 20"
    reach = _STANDING.search(sentence)  # "we do code review on every PR"
    if any(_TEAM.match(h) for h in heads) and not weak and not (_BROKEN.search(sentence) or _VERDICT.search(sentence)) and (_HERE.search(sentence) or _CONTRAST.search(sentence) or refusal or purpose or concrete or reach):
        return True
    usual_what = re.sub(r"^(?:the\s+)?same\b", "", _AS_USUAL.sub("", head), flags=re.I).split()  # "same as always" names nothing
    if _AS_USUAL.search(sentence) and len(usual_what) >= 2 and not _NOT_AN_ORDER.match(head) and not (_BROKEN.search(sentence) or _MOMENT.search(sentence)):
        return True  # "preview on port 8765 like always"
    if (_ARTIFACT_RULE.match(head) or _WRITTEN_IN.match(head)) and not _BROKEN.search(head):
        return True  # "PRs need two approvals before merge", "commit messages in english"
    if _PERSONAL.search(sentence) and any(_IMPERATIVE.match(h) for h in heads):
        return True  # "be brief in your answers": how the agent talks to this user
    if _SETTING_WITH_REASON.match(head) and not (_BROKEN.search(head) or _MOMENT.search(head)):
        return True  # "build with --offline, the cache has everything"
    if _HOW_TO.match(head):
        return True  # a procedure with its reason; without the reason it reads as a request
    if ": " in sentence and _only_a_reach(sentence.split(": ", 1)[0]) and len(sentence.split(": ", 1)[1].split()) >= 2:
        return True  # "In every repo I own: conventional commits."
    if _WORKFLOW_HABIT.search(sentence) and any(_ORDER.match(h) for h in heads):
        return True  # "make sure tests are green before you push", "run pre-commit before pushing"
    all_projects = any(re.search(_PROJECTS, g[0], re.I) for g in _GLOBAL_SCOPE.finditer(sentence))
    if all_projects and not _LOCAL_SCOPE.search(sentence) and any(_BROAD_IMPERATIVE.match(h) for h in heads):
        return True
    reach = reach or _GLOBAL_SCOPE.search(sentence)
    return bool(reach) and any(_IMPERATIVE.match(h) for h in heads)

