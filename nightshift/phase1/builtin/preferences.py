"""One session's rules, message by message: what each message states, its reach, a rule said before
a sentence that only gives the reach, a complaint or a plain fact kept only when the message says
nothing stronger, and the retractions that take back an earlier rule."""

from __future__ import annotations

from dataclasses import dataclass

from nightshift.ingest.transcript import Turn, TurnKind
from nightshift.memory import mentions_in_name, retraction_subject
from nightshift.phase1.builtin.prose import _INTERJECTION, _clip, _sentences, _strip_lead
from nightshift.phase1.builtin.scope import _GLOBAL_SCOPE, _LOCAL_SCOPE, _PERSONAL
from nightshift.phase1.builtin.cues import _AFFIRMS_BEFORE, _BROAD_IMPERATIVE, _CUE, _CUE_BACK, _IMPERATIVE, _REPEATED, _RULE_LABEL, _RULE_START
from nightshift.phase1.builtin.not_rules import _DEICTIC, _ONE_OFF, _REQUEST_WRAPPER, _holds_credential
from nightshift.phase1.builtin.corrections import _BARE_CORRECTION, _CHANGE_CONTEXT, _COMPLAINT, _INSTEAD, _NOT_AN_ORDER, _REFUSAL, _REPLACEMENT, _TOLD_YOU, _confirms_a_question
from nightshift.phase1.builtin.facts import _REPORTS_A_PROBLEM
from nightshift.phase1.builtin.rules import _only_a_reach, _rule_of


PREFERENCE_MAX_CHARS = 300


@dataclass(frozen=True, slots=True)
class _Preference:
    turn_no: int
    text: str
    is_global: bool
    kind: str = "preference"  # or "knowledge": a fact the user confirmed


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
        retractions: set[str] = set()  # the keys of those that take back an earlier session's rule
        complaint, complaint_global = None, False
        facts: list[tuple[str, _Preference]] = []
        changed = _CHANGE_CONTEXT.search(turn.text)  # "we cancelled the wandb subscription": the rest says what now
        for index, sentence in enumerate(sentences):
            if (subject := retraction_subject(sentence)) is not None:
                if not _retract(found, subject, since=previous_user_turn) and subject:
                    said.append(_keep(sentence, turn_no, "preference"))  # it takes back a rule of an earlier session
                    retractions.add(said[-1][0])
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
            if _AFFIRMS_BEFORE.match(_strip_lead(sentence)) and index:  # "..., anyhow only in the binary crate. thats how kelpie is split"
                before = sentences[index - 1]
                if not (before.endswith("?") or _ONE_OFF.search(before) or _DEICTIC.search(before) or _holds_credential(before)):
                    kept = _keep(before, turn_no, "preference")
                    said += [kept] if kept[0] not in dict(said) else []
                continue
            if _CUE_BACK.match(sentence) and index and not said:
                said.append(_keep(" ".join(sentences[:index]), turn_no, "preference"))  # "..., Remember that for next time."
                continue
            refused = _keep(sentences[index - 1], turn_no, "preference")[0] if index and _REFUSAL.match(sentences[index - 1]) else None
            if index and _BARE_CORRECTION.match(sentences[index - 1]):
                sentence = f"{sentences[index - 1]} {sentence}"  # kept without the "No." (see _without_filler)
            before = len(said)
            if rule := _rule_of(sentence, confirmed and index == 0):
                (facts if rule[1] == "fact" else said).append(_keep(rule[0], turn_no, "knowledge" if rule[1] == "fact" else rule[1]))
            elif refused and _REPLACEMENT.match(_strip_lead(sentence)) and not (
                    sentence.endswith("?") or _ONE_OFF.search(sentence) or _DEICTIC.search(_strip_lead(sentence))):
                said.append(_keep(sentence, turn_no, "preference"))  # "no make here!! only ninja -C out/dbg"
            elif changed and _INSTEAD.search(sentence) and not _NOT_AN_ORDER.match(_strip_lead(sentence)) and not sentence.endswith("?"):
                said.append(_keep(sentence, turn_no, "preference"))  # "log runs to mlflow instead, the wandb stuff is dead"
            elif _COMPLAINT.match(_strip_lead(sentence)) and not sentence.endswith("?") and not _ONE_OFF.search(sentence):
                complaint = complaint or sentence
            if refused and len(said) > before and before and said[before - 1][0] == refused:
                del said[before - 1]  # the refusal is the context of the rule that replaces it
        # A plain fact next to a stated rule, or in a message that asks something, is context for them.
        asks = any(s.endswith("?") and not _REQUEST_WRAPPER.match(_strip_lead(s)) for s in sentences)
        # A retraction states no rule: what it says holds now ("protos come from the buf registry now") stays.
        reports = any(_REPORTS_A_PROBLEM.search(s) for s in sentences)
        if facts and all(key in retractions for key, _ in said) and not asks and not reports:
            said += facts
        if complaint and not said:
            key, kept = _keep(complaint, turn_no, "preference")
            said.append((key, _Preference(kept.turn_no, kept.text, kept.is_global or complaint_global, kept.kind)))
        for key, preference in said:
            found.setdefault(key, preference)
        previous_user_turn = turn_no
    return list(found.values())


def _keep(sentence: str, turn_no: int, kind: str) -> tuple[str, _Preference]:
    text = _clip(_without_filler(sentence), PREFERENCE_MAX_CHARS)
    is_global = bool(_GLOBAL_SCOPE.search(sentence) or _PERSONAL.search(sentence)) and not _LOCAL_SCOPE.search(sentence)
    return text.casefold().rstrip("."), _Preference(turn_no, text, is_global, kind)


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

