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

One module per family of what the rules recognise, each importing only the ones listed before it:
``prose`` (the user's own sentences, without pasted code, logs, quotes or documents), ``scope`` (how
far a rule reaches: this project, all the user's projects, the user), ``cues`` (memory cues and rule
words), ``not_rules`` (what is not the user's standing rule: questions, hedges, one-offs, quoted
rules, credentials), ``corrections`` (corrections, complaints, confirmations, replacements),
``facts`` (plain statements of how the project is), ``rules`` (one sentence: a rule, a fact or
nothing), ``preferences`` (one session's rules, message by message, with its retractions),
``commands`` (failures and the fixes that made them pass) and ``titles`` (the task's title, keywords
and summary). This module puts a session's findings together.
"""

from __future__ import annotations

from nightshift.ingest.transcript import Transcript
from nightshift.memory import Decision, Outcome, RawMemory, Scope, Task
from nightshift.phase1.builtin.preferences import _user_preferences
from nightshift.phase1.builtin.commands import _actions, _fixed_failures, _granted_once, _outcome, _says_command, _says_setting, _test_command_knowledge
from nightshift.phase1.builtin.titles import _dir_name, _keywords, _slug, _summary, _title


GLOBAL_TASK_TITLE = "General preferences"


def extract_builtin(transcript: Transcript) -> RawMemory:
    """Preferences the user stated and failures fixed in the session, or a no-op."""
    if transcript.metadata.get("subagent", "").strip().lower() == "true":
        return RawMemory.no_op()  # a subagent's thread repeats its parent's; the parent is extracted
    preferences = _user_preferences(transcript.turns)
    actions = _actions(transcript.turns)
    # A fix the user turned into a rule ("tests only work with --import-mode=importlib") is that rule.
    fixed = [f for f in _fixed_failures(actions)
             if not _granted_once(transcript.turns, f)
             and not any(_says_setting(p.text, s) for s in f.settings for p in preferences)
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

