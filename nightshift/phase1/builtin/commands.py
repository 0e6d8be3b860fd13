"""Failures and their fixes: a command that failed and later passed, the steps between that changed
the setup (a command, a config edit), and the setting that made the difference (`TZ=UTC pytest`)."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from nightshift.ingest.transcript import Turn, TurnKind
from nightshift.memory import Failure, Outcome, mentions
from nightshift.phase1.builtin.prose import _clip
from nightshift.phase1.builtin.not_rules import _ONE_OFF


COMMAND_MAX_CHARS = 80
ERROR_LINE_MAX_CHARS = 160
FIX_MAX_STEPS = 4
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
_IN_PLACE = re.compile(r"^(?:--in-place|-(?!-)\w*i)")  # sed -i, -ni, -i.bak, --in-place=.bak; awk -i inplace
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
    if program in ("sed", "awk"):  # `sed -n '1,200p' f` reads a file; only an in-place edit changes anything
        return not any(_IN_PLACE.match(w) for w in words[1:])
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


def _granted_once(turns: list[Turn], fixed: _FixedFailure) -> bool:
    """Whether the user allowed the fix for this one occasion between the failure and the pass ("yes only
    this time, normally we review each image by hand"): then it is no lesson for next time."""
    first, last = (int(pointer.rsplit(" ", 1)[1]) for pointer in (fixed.evidence[0], fixed.evidence[-1]))
    return any(t.kind is TurnKind.USER and _ONE_OFF.search(t.text) for t in turns[first:last - 1])


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

