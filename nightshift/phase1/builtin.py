"""Phase 1 without a model: deterministic rules that turn one Transcript into a RawMemory.

The builtin provider is the offline default. It is weaker than a model, so it only keeps the two
kinds of evidence that rules recognise with high precision (junk memories are the main failure of
peer systems) and answers no-op for everything else:

* durable preferences the user stated in their own turns ("always ...", "use X instead of Y"), and
  conventions that name their reach ("in this repo ...", "in all my projects, write ..."), minus
  any the user took back later and any sentence that carries a credential;
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

from nightshift.memory import Decision, Failure, Outcome, RawMemory, Scope, Task
from nightshift.ingest.transcript import Transcript, Turn, TurnKind

PREFERENCE_MAX_CHARS = 300
TITLE_MAX_CHARS = 80
COMMAND_MAX_CHARS = 80
ERROR_LINE_MAX_CHARS = 160
FIX_MAX_STEPS = 4
MAX_KEYWORDS = 8
GLOBAL_TASK_TITLE = "General preferences"

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

# Filler a user puts before the rule itself ("ok, so please always ...").
_LEAD_WORDS = re.compile(
    r"^(?:(?:please|pls|also|and|so|ok(?:ay)?|btw|oh|but|hey|well|now|note|remember|important"
    r"|reminder|rule|again|just|one\s+more\s+thing)\b[\s,:;!.-]*)+",
    re.I,
)
# A short leading clause ("In this repo, never ..."; "For tests, use X instead of Y").
_LEAD_CLAUSE = re.compile(r"^[^,]{1,40},\s*")
# Rule wording that must open the sentence: anywhere else "always"/"never" usually describes
# something ("it always fails on CI") instead of asking for a behaviour.
_RULE_START = re.compile(
    r"""^(?:(?:always|never)\b
      |(?:don'?t|do\s+not)\s+\w
      |stop\s+\w+ing\b
      |prefer\s+\w
      |(?:(?:i|we)\s+)?(?:use|indent|format|name)\s+.+?(?:\s+instead\s+of|\s+rather\s+than|,\s*not)\s+\w
      |(?:i|we)(?:'d|\s+would)?\s+(?:(?:really|generally|usually|always)\s+)?prefer\b
      |(?:i|we)\s+(?:always|never)\s+(?!(?:remember|recall|know|knew|understand|get|got|see|saw|think|thought|notice|noticed|had|have|was|were|been|said|forget|figured)\b)
      |(?:i|we)\s+(?:don'?t|do\s+not)\s+(?:want|like)\b
      |(?:you|we)\s+(?:should|must|need\s+to|have\s+to)\s+(?:always|never)\b
      |(?:make|be)\s+sure\s+(?:to\s+|you\s+|that\s+you\s+)?(?:always|never)\b)""",
    re.I | re.X,
)
_RULE_ANYWHERE = re.compile(
    r"\b(?:from\s+now\s+on|going\s+forward|moving\s+forward|from\s+here\s+on|to\s+(?:always|never)\b"
    r"|prefer\s+\S.*?\s+over\s+\S)",
    re.I,
)
# A rule can also be an imperative or a description that names its own reach: "In all my projects,
# write ...", "Use pnpm for everything here", "Branch names in this repo always start with ...".
# Without such a marker an imperative ("Run the smoke tests") is a request for this session.
_PROJECT_WIDE = r"\b(?:in|for|across|throughout)\s+(?:this|our|the\s+whole)\s+(?:repo|repository|project|code\s*base)\b"
_STANDING = re.compile(
    _PROJECT_WIDE + r"|\b(?:for\s+everything|every\s*time|each\s+time|whenever|by\s+default"
    r"|in\s+(?:all\s+)?(?:new|future)\s+code)\b",
    re.I,
)
# Verbs that choose how things are done (not actions like run/add/push), without a specific object
# after them: "Write commit messages in ..." is a style, "Write a README for this repo" is a task.
_IMPERATIVE = re.compile(
    r"^(?:use|write|keep|put|format|indent|name|prefix|target|follow|place|store|document|pin|sort"
    r"|answer|reply|respond|explain|comment)\b(?!\s+(?:a|an|the|this|that|these|those|me|us|some|it)\b)",
    re.I,
)
_CONVENTION = re.compile(
    _PROJECT_WIDE + r".*?\b(?:always|never|must)\s+(?:be|start|begin|end|go|live|use|follow|include|contain|stay|match|target)\b",
    re.I,
)
# How a routine job is done here, with the reason: "Run the tests with `make test`; plain `go test` skips ...".
_HOW_TO = re.compile(
    r"^(?:run|build|start|lint|format|deploy|release)\s+(?:the\s+|all\s+)?[\w-]+(?:\s+[\w-]+)?\s+(?:with|using|via|through)"
    r"\s+`[a-z][^`]*`\s*(?:;|,\s*(?:because|since|otherwise|as)\b)",
    re.I,
)
# A leading scope phrase is not part of the rule's wording: "In this repo we indent with tabs, not spaces".
_SCOPE_LEAD = re.compile(r"(?:" + _PROJECT_WIDE + r"|\b(?:here|in\s+general|globally)\b),?\s*", re.I)
# Taking back what was said: the retracted rule must not be remembered ("forget what I said about yarn").
_RETRACTION = re.compile(
    r"\b(?:forget|ignore|disregard|scratch|scrap)\s+(?:what\s+i\s+(?:said|told\s+you)|that|my\s+last)\b"
    r"|\bi(?:'ve|\s+have)?\s+changed\s+my\s+mind\b",
    re.I,
)
_RETRACTED_SUBJECT = re.compile(r"\babout\s+`?([\w.+/@-]+)", re.I)
# A sentence naming a credential next to a value shaped like one keeps out of memory, even when the
# redactor missed the value ("log in with password Orchid-Lantern-42" has no KEY=value shape).
_CREDENTIAL_WORD = re.compile(r"\b(?:passwords?|passwd|passphrase|passcode|tokens?|api[\s_-]?keys?|secrets?|credentials?)\b", re.I)
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
      |for\s+now|yet|right\s+now|this\s+time|today|at\s+the\s+moment|for\s+the\s+moment|temporarily
      |for\s+this\s+(?:\w+\s+)?(?:one|run|step|commit|pr|task|ticket|bug|session)\b)\b""",
    re.I | re.X,
)
# "Don't do that (again)" / "Never use them": meaningless without the message it answers.
_DEICTIC = re.compile(
    r"\b(?:do|did|doing|done)\s+(?:that|this|it)\b"
    r"|^\W*\w+(?:\W+\w+){0,3}?\W+(?:that|this|it|those|these|them)\W*$",
    re.I,
)
_GLOBAL_SCOPE = re.compile(
    r"\b(?:in\s+all\s+(?:of\s+)?my\s+(?:projects|repos|repositories|code\s*bases)"
    r"|all\s+my\s+(?:projects|repos|repositories)"
    r"|across\s+(?:all\s+)?(?:my\s+)?(?:projects|repos|repositories)"
    r"|(?:for|in)\s+(?:every|each|all|any)\s+(?:of\s+my\s+)?(?:projects?|repos?|repository|repositories)"
    r"|everywhere|in\s+general|globally)\b",
    re.I,
)
# "everywhere in this repo" stays local: a global marker only wins when nothing narrows it.
_LOCAL_SCOPE = re.compile(
    r"\b(?:this|the)\s+(?:repo|repository|project|codebase|module|file|package|service|folder|directory)\b"
    r"|(?<!from )\bhere\b",
    re.I,
)
_GREETING = re.compile(r"^(?:hi|hello|hey|thanks|thank\s+you|ok(?:ay)?|yo)\b", re.I)

# --- commands and their outcomes -----------------------------------------------------------------

_SHELL_TOOLS = frozenset(
    {"shell", "shell_command", "exec_command", "local_shell", "local_shell_call", "bash",
     "container.exec", "run_terminal_cmd", "execute_command", "terminal"}
)
_EDIT_TOOLS = frozenset(
    {"edit", "multiedit", "write", "apply_patch", "str_replace_based_edit_tool", "str_replace_editor",
     "notebookedit", "create_file", "write_file", "edit_file"}
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
_STOPWORDS = frozenset(
    """the and for with without from into onto this that these those then than there here what when
    where which why how who can could would should will shall must need needs want wants please make
    makes use uses using used run runs get gets set fix fixes add adds let lets have has had are was
    were been being not but all any some our your you its just also like about after before again
    always never prefer instead dont stop now going forward sure over rather does did doing done keep
    file files code thing things way work works working project projects repo repos one ones two new
    general globally everywhere""".split()
)


@dataclass(frozen=True, slots=True)
class _Preference:
    turn_no: int
    text: str
    is_global: bool


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


def extract_builtin(transcript: Transcript) -> RawMemory:
    """Preferences the user stated and failures fixed in the session, or a no-op."""
    if transcript.metadata.get("subagent", "").strip().lower() == "true":
        return RawMemory.no_op()  # a subagent's thread repeats its parent's; the parent is extracted
    preferences = _user_preferences(transcript.turns)
    actions = _actions(transcript.turns)
    fixed = _fixed_failures(actions)
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
            preferences=[p.text for p in project_prefs],
            knowledge=_test_command_knowledge(actions) if fixed else [],  # a first-try green run teaches nothing
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
            preferences=[p.text for p in global_prefs],
            knowledge=[],
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
    found: dict[str, _Preference] = {}  # keyed by folded text: a repeated rule is kept once
    previous_user_turn = 0
    for turn_no, turn in enumerate(turns, start=1):
        if turn.kind is not TurnKind.USER:
            continue
        for sentence in _sentences(turn.text):
            if _RETRACTION.search(sentence):
                _retract(found, sentence, since=previous_user_turn)
            if _is_standing_rule(sentence) and not _holds_credential(sentence):
                is_global = bool(_GLOBAL_SCOPE.search(sentence)) and not _LOCAL_SCOPE.search(sentence)
                text = _clip(sentence, PREFERENCE_MAX_CHARS)
                found.setdefault(sentence.casefold(), _Preference(turn_no, text, is_global))
        previous_user_turn = turn_no
    return list(found.values())


def _retract(found: dict[str, _Preference], sentence: str, since: int) -> None:
    """Drop the rules a retraction takes back: those naming its subject ("forget what I said about
    yarn"), else those of the previous user message and this one ("scrap that")."""
    if subject := _RETRACTED_SUBJECT.search(sentence):
        word = re.compile(rf"(?<![\w-]){re.escape(subject[1].casefold())}(?![\w-])")
        gone = [key for key, p in found.items() if word.search(p.text.casefold())]
    else:
        gone = [key for key, p in found.items() if p.turn_no >= since]
    for key in gone:
        del found[key]


def _holds_credential(sentence: str) -> bool:
    if not _CREDENTIAL_WORD.search(sentence):
        return False
    return any(_CREDENTIAL_VALUE.fullmatch(word.strip(".,;:!?")) for word in sentence.split() if "[REDACTED" not in word)


def _sentences(text: str) -> list[str]:
    """The user's own prose, one sentence each, without pasted code, logs, quotes or injected blocks."""
    sentences = []
    for line in _prose_lines(text.replace("\u2019", "'")):
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


def _looks_pasted(line: str) -> bool:
    if len(line) > 500 or line.startswith(("    ", "\t")):  # very long, or indented code
        return True
    stripped = line.strip()
    dense = sum(1 for c in stripped if not c.isspace())
    return bool(_CODE_OR_LOG_LINE.search(stripped)) or len(_CODE_SYMBOLS.findall(stripped)) > 0.2 * dense


def _is_standing_rule(sentence: str) -> bool:
    if len(sentence.split()) < 3 or sentence.endswith("?"):
        return False
    head = _LEAD_WORDS.sub("", sentence)
    if _QUESTION_START.match(head) or _ONE_OFF.search(sentence) or _DEICTIC.search(sentence):
        return False
    heads = [head]
    if clause := _LEAD_CLAUSE.match(sentence):
        heads.append(_LEAD_WORDS.sub("", sentence[clause.end():]))
    if scope := _SCOPE_LEAD.match(head):
        heads.append(head[scope.end():])
    # "Secrets go in .env.local; never put them in settings.py": a rule after a semicolon rules the sentence.
    heads += [_LEAD_WORDS.sub("", part.strip()) for part in sentence.split(";")[1:]]
    if any(_RULE_START.match(h) for h in heads) or _RULE_ANYWHERE.search(sentence) or _CONVENTION.search(sentence):
        return True
    if _HOW_TO.match(head):
        return True  # a procedure with its reason; without the reason it reads as a request
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
        if not action.chained_steps and not any(a.changes_setup for a in between):
            continue  # a rerun or source edits only: flaky or ordinary development, not a lesson
        steps = list(dict.fromkeys([*(a.label for a in between), *action.chained_steps]))
        if len(steps) > FIX_MAX_STEPS:
            steps = [f"(+{len(steps) - FIX_MAX_STEPS} earlier steps)", *steps[-FIX_MAX_STEPS:]]
        failure = Failure(
            symptom=f"`{_clip(failed_run.command, COMMAND_MAX_CHARS)}` failed: {failed_run.error_line}",
            fix=f"{', '.join(steps)}, then `{_clip(action.command, COMMAND_MAX_CHARS)}` passed",
        )
        evidence = (f"tool call {failed_run.turn_no}", f"tool call {action.turn_no}")
        fixed.setdefault((failure.symptom, failure.fix), _FixedFailure(failure, evidence))
    return list(fixed.values())


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
    for turn in transcript.turns:
        if turn.kind is TurnKind.USER:
            for sentence in _sentences(turn.text):
                if len(sentence.split()) >= 2 and not _GREETING.match(sentence) and not _holds_credential(sentence):
                    return _clip(sentence.rstrip(".!"), TITLE_MAX_CHARS)
    name = _dir_name(transcript.cwd)
    return f"Session in {name}" if name else "Coding session"


def _keywords(names: list[str], texts: list[str]) -> list[str]:
    """Names (programs, the project folder) verbatim, even short ones like `uv`; distinctive words of texts."""
    words = [n.lower() for n in names if n]
    for text in texts:
        words += [w.strip("-+") for w in _KEYWORD_TOKEN.findall(text.lower())]
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
