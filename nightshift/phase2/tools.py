"""The consolidation agent's tools: file access confined to the memory home, and their JSON specs.

The agent reads text that came out of transcripts, so everything it sees may be hostile. Its only
powers are these tools, and they are narrow on purpose: no shell, no network, reads only inside the
home (never ``.git/`` or ``.nightshift/``), writes only to ``MEMORY.md``, ``memory_summary.md`` and
``skills/**``. Every path is resolved (symlinks included) before it is checked, so a link that leads
out of the home, or onto a read-only input, is refused like the plain path would be.

Mistakes are answered, never raised: a bad path, bad JSON arguments, an unknown tool or an edit
that does not match exactly once come back to the model as an ``error: ...`` result it can act on.

Tonight's diff lives in ``.nightshift/`` (git-ignored, so never committed and untouched by a restore
to HEAD) and is shown to the agent as the read-only virtual file ``consolidation.diff``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import jsonschema
import re2

from nightshift.files import write_atomic
from nightshift.phase2.contract import DIFF_FILE, HANDBOOK_FILES, SKILLS_DIR, STATE_DIR

OFF_LIMITS = (".git", STATE_DIR)
RESULT_CAP = 16_000  # bytes per tool result, about 4k tokens: big files are read in line ranges
MAX_FILE_BYTES = 512_000  # a handbook file larger than this is a runaway, not a handbook
MAX_MATCHES = 60
MATCH_LINE_CHARS = 240


class ToolError(Exception):
    """A refusal or a mistake, reported to the model as the tool's result."""


def _linear_regex(pattern: str, ignore_case: bool):
    """The agent's pattern, compiled by RE2: its matching time grows with the text, never with the pattern's
    backtracking (Python's ``re`` takes hours on ``(a+)+$`` against a line of a's), so no pattern the model
    writes can outlast ``phase2_timeout_minutes``. RE2 has no look-around or back-references; the error
    says so and the model can rephrase."""
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False  # the error goes back to the model, not to this process's stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        why = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ToolError(f"invalid regular expression: {why} (RE2 syntax: no look-around, no back-references)") from None


def _path(description: str) -> dict:
    return {"type": "string", "description": description}


def _spec(name: str, description: str, properties: dict, required: list[str]) -> dict:
    parameters = {"type": "object", "properties": properties, "required": required, "additionalProperties": False}
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}


TOOL_SPECS = [
    _spec("list_files", "List one folder of the memory home: sub-folders with their file counts, files with size and "
          "whether you may write them.", {"path": _path("Folder relative to the memory home; '.' for the top.")}, []),
    _spec("read_file", "Read a text file, or a range of its lines (1-based, inclusive). Long files come back in parts; "
          "the result says where to continue.",
          {"path": _path("File relative to the memory home, e.g. MEMORY.md or consolidation.diff."),
           "start_line": {"type": "integer", "minimum": 1}, "end_line": {"type": "integer", "minimum": 1}}, ["path"]),
    _spec("search", "Search text files with a Python regular expression; answers path:line: text for each match.",
          {"pattern": {"type": "string", "description": "Regular expression."},
           "path": _path("File or folder to search; '.' (the default) is the whole home."),
           "ignore_case": {"type": "boolean"}}, ["pattern"]),
    _spec("write_file", "Create or replace a whole file. Only MEMORY.md, memory_summary.md and files under skills/.",
          {"path": _path("File to write."), "content": {"type": "string"}}, ["path", "content"]),
    _spec("edit_file", "Replace one exact, unique piece of text in a file with new text (whitespace and line breaks "
          "count). Fails when the old text occurs zero times or more than once.",
          {"path": _path("File to edit."), "old_text": {"type": "string", "description": "Text to find; must occur once."},
           "new_text": {"type": "string", "description": "Replacement; empty to delete the old text."}},
          ["path", "old_text", "new_text"]),
    _spec("delete_file", "Delete a file you may write (a skill that no longer holds).", {"path": _path("File to delete.")}, ["path"]),
    _spec("finish", "End the run. The handbook is validated; problems come back to you once for repair.",
          {"summary": {"type": "string", "description": "A few lines: what changed in the handbook and why, or why nothing did."}},
          ["summary"]),
]
_VALIDATORS = {s["function"]["name"]: jsonschema.Draft202012Validator(s["function"]["parameters"]) for s in TOOL_SPECS}


def writable(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return rel in HANDBOOK_FILES or (len(parts) > 1 and parts[0] == SKILLS_DIR)


def _clip(text: str, cap: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= cap:
        return text
    kept = data[:cap].decode("utf-8", "ignore")
    return f"{kept}\n[result cut at {cap} bytes of {len(data)}: narrow the request, e.g. a line range or a tighter pattern]"


class Sandbox:
    """The tools over one memory home. ``finished`` holds the summary once the agent calls finish."""

    def __init__(self, home: Path, diff_file: Path | None, result_cap: int = RESULT_CAP):
        """``diff_file`` None: no virtual ``consolidation.diff`` (the MCP server's ``memory_read``)."""
        self.root = home.resolve()
        self.diff_file = diff_file
        self.result_cap = result_cap
        self.finished: str | None = None
        self._tools: dict[str, Callable[..., str]] = {
            "list_files": self.list_files, "read_file": self.read_file, "search": self.search,
            "write_file": self.write_file, "edit_file": self.edit_file, "delete_file": self.delete_file,
            "finish": self.finish,
        }

    def call(self, name: str, arguments: str | None) -> str:
        """Run one tool call as the model sent it (arguments as a JSON string); always returns text."""
        if name not in self._tools:
            return f"error: unknown tool {name!r}; the tools are: {', '.join(self._tools)}"
        try:
            args = json.loads(arguments or "{}")
        except json.JSONDecodeError as exc:
            return f"error: the arguments are not valid JSON ({exc.msg} at character {exc.pos}); send one JSON object"
        if not isinstance(args, dict):
            return "error: the arguments must be a JSON object"
        problems = [e.message for e in _VALIDATORS[name].iter_errors(args)]
        if problems:
            return f"error: bad arguments for {name}: " + "; ".join(problems)
        try:
            return _clip(self._tools[name](**args), self.result_cap)
        except ToolError as exc:
            return f"error: {exc}"
        except OSError as exc:  # say a file where a folder is needed: the model's mistake, not a crash
            return f"error: {args.get('path', '')}: {exc.strerror or exc}"

    # --- paths -----------------------------------------------------------------------------

    def resolve(self, path: str) -> tuple[Path, str]:
        """The real path inside the home and its home-relative name, or a ToolError saying why not."""
        pure = PurePosixPath(path.strip() or ".")
        if "\x00" in path:
            raise ToolError("the path contains a NUL character")
        if pure.is_absolute() or path.startswith("~"):
            raise ToolError(f"{path}: absolute paths are refused; use a path relative to the memory home, such as MEMORY.md")
        if ".." in pure.parts:
            raise ToolError(f"{path}: '..' is refused; every path stays inside the memory home")
        if any(part in OFF_LIMITS for part in pure.parts):
            raise ToolError(f"{path}: .git/ and .nightshift/ belong to nightshift and are off limits")
        target = (self.root / pure).resolve()
        if not target.is_relative_to(self.root):
            raise ToolError(f"{path}: leads outside the memory home (through a symbolic link); refused")
        rel = target.relative_to(self.root).as_posix()
        if any(part in OFF_LIMITS for part in PurePosixPath(rel).parts):
            raise ToolError(f"{path}: leads into .git/ or .nightshift/ (through a symbolic link); refused")
        return target, rel

    def _is_diff(self, path: str) -> bool:
        return self.diff_file is not None and PurePosixPath(path.strip()).as_posix() == DIFF_FILE

    def _writable_target(self, path: str) -> tuple[Path, str]:
        if self._is_diff(path):
            raise ToolError(f"{DIFF_FILE} is read-only: it is tonight's diff, generated by nightshift")
        target, rel = self.resolve(path)
        if not writable(rel):
            raise ToolError(
                f"{path} is read-only: you may write only MEMORY.md, memory_summary.md and files under skills/; "
                "raw_memories.md, rollout_summaries/ and consolidation.diff are inputs"
            )
        if target.is_dir():
            raise ToolError(f"{path} is a folder")
        return target, rel

    def _text(self, path: str) -> tuple[str, str]:
        if self._is_diff(path):
            return self.diff_file.read_text(encoding="utf-8"), DIFF_FILE
        target, rel = self.resolve(path)
        if not target.is_file():
            raise ToolError(f"{path}: no such file (list_files shows what exists)")
        try:
            return target.read_text(encoding="utf-8"), rel
        except UnicodeDecodeError:
            raise ToolError(f"{path} is not a UTF-8 text file") from None

    # --- tools -----------------------------------------------------------------------------

    def list_files(self, path: str = ".") -> str:
        target, rel = self.resolve(path)
        if not target.is_dir():
            raise ToolError(f"{path}: not a folder")
        lines = [f"{DIFF_FILE}  ({self.diff_file.stat().st_size} bytes, read-only: tonight's diff, read it first)"] if rel == "." and self.diff_file else []
        for entry in sorted(target.iterdir()):
            name = entry.name if rel == "." else f"{rel}/{entry.name}"
            if entry.name in OFF_LIMITS:
                continue
            if entry.is_symlink():
                lines.append(f"{name}  (symbolic link)")
            elif entry.is_dir():
                lines.append(f"{name}/  ({sum(1 for _ in entry.rglob('*'))} entries)")
            else:
                lines.append(f"{name}  ({entry.stat().st_size} bytes, {'writable' if writable(name) else 'read-only'})")
        return "\n".join(lines) or f"{path}: empty folder"

    def read_file(self, path: str, start_line: int = 1, end_line: int | None = None) -> str:
        text, rel = self._text(path)
        if end_line is not None and end_line < start_line:
            raise ToolError(f"end_line {end_line} is before start_line {start_line}")
        lines = text.splitlines(keepends=True)
        last = min(end_line or len(lines), len(lines))
        if start_line > max(len(lines), 1):
            raise ToolError(f"{rel} has {len(lines)} lines; start_line {start_line} is past the end")
        shown: list[str] = []
        size = 0
        for line in lines[start_line - 1:last]:
            size += len(line.encode("utf-8"))
            if shown and size > self.result_cap - 200:  # room for the header and the note
                break
            shown.append(line)
        stop = start_line + len(shown) - 1
        note = f"\n[continues: read from start_line {stop + 1}]" if stop < last else ""
        return f"[{rel}: lines {start_line}-{stop} of {len(lines)}]\n{''.join(shown)}{note}"

    def search(self, pattern: str, path: str = ".", ignore_case: bool = False) -> str:
        regex = _linear_regex(pattern, ignore_case)
        matches: list[str] = []
        for rel in self._searchable(path):
            try:
                text, _ = self._text(rel)
            except ToolError:
                continue  # binary files and links that lead out are skipped, not reported one by one
            for number, line in enumerate(text.splitlines(), start=1):
                if regex.search(line):
                    matches.append(f"{rel}:{number}: {line[:MATCH_LINE_CHARS]}")
                    if len(matches) >= MAX_MATCHES:
                        return "\n".join(matches) + f"\n[stopped at {MAX_MATCHES} matches: narrow the pattern or the path]"
        return "\n".join(matches) or f"no matches for {pattern!r} in {path}"

    def _searchable(self, path: str) -> list[str]:
        if self._is_diff(path):
            return [DIFF_FILE]
        target, rel = self.resolve(path)
        if target.is_file():
            return [rel]
        found = [DIFF_FILE] if rel == "." and self.diff_file else []
        for folder, dirs, files in os.walk(target):  # does not follow links to folders
            dirs[:] = sorted(d for d in dirs if d not in OFF_LIMITS)
            # links are skipped: they lead out of the home or repeat a file found under its own name
            found += sorted((Path(folder) / f).relative_to(self.root).as_posix() for f in files if not (Path(folder) / f).is_symlink())
        return found

    def write_file(self, path: str, content: str) -> str:
        target, rel = self._writable_target(path)
        if len(content.encode("utf-8")) > MAX_FILE_BYTES:
            raise ToolError(f"{rel}: {len(content.encode('utf-8'))} bytes is over the {MAX_FILE_BYTES}-byte limit for one file")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, content)
        return f"wrote {rel} ({len(content.splitlines())} lines)"

    def edit_file(self, path: str, old_text: str, new_text: str) -> str:
        target, rel = self._writable_target(path)
        text, _ = self._text(rel)
        if not old_text:
            raise ToolError("old_text is empty; use write_file to replace a whole file")
        starts = [m.start() for m in re.finditer(re.escape(old_text), text)]
        if not starts:
            raise ToolError(f"old_text was not found in {rel}; read or search the file and copy the text exactly, "
                            "including spaces and line breaks")
        at_lines = [text.count("\n", 0, start) + 1 for start in starts]
        if len(starts) > 1:
            raise ToolError(f"old_text occurs {len(starts)} times in {rel} (at lines {', '.join(map(str, at_lines))}); "
                            "include more surrounding text so it occurs once")
        result = text[:starts[0]] + new_text + text[starts[0] + len(old_text):]
        if len(result.encode("utf-8")) > MAX_FILE_BYTES:
            raise ToolError(f"{rel} would grow over the {MAX_FILE_BYTES}-byte limit for one file")
        write_atomic(target, result)
        return f"edited {rel} at line {at_lines[0]}"

    def delete_file(self, path: str) -> str:
        target, rel = self._writable_target(path)
        if not target.is_file():
            raise ToolError(f"{path}: no such file")
        target.unlink()
        return f"deleted {rel}"

    def finish(self, summary: str) -> str:
        if not summary.strip():
            raise ToolError("finish needs a summary: what changed and why, or why nothing did")
        self.finished = summary.strip()
        return "finish received"

