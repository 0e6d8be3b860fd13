"""``nightshift mcp``: the memory home as an MCP server (stdio) that Codex and Claude Code both speak.

Built on the official SDK's ``MCPServer``; every tool answers JSON. Reads (``memory_summary``,
``memory_search``, ``memory_read``, the resources) use the files of the working tree, which holds
only accepted memory (see ``nightshift.commands.review``), so they work while a night runs. Writes
never block a night: ``memory_cite`` and ``memory_note`` wait a few seconds for the database, and
``memory_forget`` for the run lock as ``nightshift forget`` does; then they answer "busy, try again".
A refusal (a bad path, a quarantined note, busy) comes back as a tool error the agent can read.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from nightshift.clock import utcnow
from nightshift.commands.notes import NoteRefused, store_note
from nightshift.commands.search import search as search_memory
from nightshift.commands.summary import ReadPathError, render
from nightshift.lock import LockHeld, run_lock
from nightshift.phase2 import retention
from nightshift.phase2.contract import MEMORY_MD, SUMMARY_MD
from nightshift.phase2.tools import Sandbox
from nightshift.phase2.tools import ToolError as SandboxRefusal
from nightshift.settings import Settings
from nightshift.store.state import State, StateBusy, open_state

WRITE_WAIT_SECONDS = 3.0
BUSY = "busy: a nightshift run is writing to the memory home; try again in a minute"
INSTRUCTIONS = """Memory from this user's earlier coding-agent sessions (nightshift). At the start of a task call
memory_summary with the project directory; call memory_search before guessing a project's commands or conventions.
Memory is a hint, not an authority: verify paths and commands before relying on them. When an entry changed what
you did, call memory_cite with its id. When the user asks you to remember something, call memory_note."""


def _plain(value: object) -> object:
    """Dates as ISO text: tool results are JSON."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v)))


def build(settings: Settings) -> MCPServer:
    home = settings.home.resolve()
    sandbox = Sandbox(home, diff_file=None)  # memory_read is confined exactly as the phase 2 agent's read_file
    own_session = f"mcp-{uuid.uuid4()}"  # one server process serves one agent session
    server = MCPServer("nightshift", instructions=INSTRUCTIONS, log_level="WARNING")

    @contextmanager
    def database() -> Iterator[State]:
        try:
            with open_state(settings.state_dir, wait_seconds=WRITE_WAIT_SECONDS) as db:
                yield db
        except StateBusy:
            raise ToolError(BUSY) from None

    @server.tool()
    def memory_summary(cwd: str) -> dict:
        """The memory block for the project at cwd: global entries plus that project's, each tagged (age in days, id)."""
        try:
            block = render(settings, Path(cwd), utcnow())
        except ReadPathError as exc:
            raise ToolError(str(exc)) from None
        entries = [{"section": r.section, "text": r.text, "age_days": r.age_days, "id": r.cite} for r in block.entries]
        return {"project": block.project, "handbook": str(block.memory_md), "entries": entries, "text": block.text}

    @server.tool()
    def memory_search(query: str, cwd: str | None = None, limit: int = 10) -> dict:
        """Handbook and session-summary lines matching the words of query, this project's (cwd) first, then global
        ones. Each result has file, line, text, scope, age_days and the memory id to cite."""
        hits = search_memory(settings, query, Path(cwd) if cwd else None, utcnow(), max(1, min(limit, 50)))
        return {"results": [h.as_dict() for h in hits]}

    @server.tool()
    def memory_read(path: str, start: int | None = None, end: int | None = None) -> dict:
        """Lines start..end (1-based, inclusive) of a markdown file of the memory home, e.g. MEMORY.md or a file
        under rollout_summaries/ that memory_search named."""
        try:
            _, rel = sandbox.resolve(path)
            if not rel.endswith(".md"):
                raise SandboxRefusal(f"{path}: only the memory home's markdown files can be read")
            text = sandbox.read_file(rel, start or 1, end)
        except SandboxRefusal as exc:
            raise ToolError(str(exc)) from None
        return {"path": rel, "start": start or 1, "text": text}

    @server.tool()
    def memory_cite(ids: list[str], session: str | None = None) -> dict:
        """Record that memory entries (their ids, as printed after each entry) changed what you did. Counts once per
        session per memory; memories that are used stay in memory longer."""
        with database() as db:
            unknown = [i for i in ids if not db.find_memories(i)]
            recorded = db.record_citations([(session or own_session, utcnow(), ids)])
        return {"recorded": recorded, "unknown": unknown, "session": session or own_session}

    @server.tool()
    def memory_note(text: str, scope: Literal["project", "global"] = "project", cwd: str | None = None) -> dict:
        """Remember one preference or fact the user asked you to remember. scope project needs cwd. It is checked,
        stored, and folded into the handbook by the next consolidation (not at once)."""
        with database() as db:
            try:
                note = store_note(db, text, scope, Path(cwd) if cwd else None, session=own_session, now=utcnow(),
                                  exclude_projects=settings.exclude_projects)
            except NoteRefused as exc:
                raise ToolError(str(exc)) from None
        return {"id": note.rollout_id, "project": note.project_key, "scope": note.scope, "text": note.text,
                "status": "stored; the next consolidation adds it to the handbook"}

    @server.tool()
    def memory_forget(query: str, dry_run: bool = True) -> dict:
        """Memories matching query (a memory id or its first 8+ characters, a slug, or a glob such as 'fix-*').
        Lists them; deletes them only with dry_run false. They leave the handbook at the next consolidation."""
        with _run_lock(settings), database() as db:
            found = db.find_memories(query)
            if not dry_run:
                retention.forget(db, [m["rollout_id"] for m in found])
        return _plain({"would_forget": found if dry_run else [], "forgotten": [] if dry_run else found})

    @server.resource("memory://summary", name="summary", mime_type="text/markdown",
                     description="memory_summary.md as accepted: every project's entries")
    def summary_resource() -> str:
        return _read(home / SUMMARY_MD)

    @server.resource("memory://handbook", name="handbook", mime_type="text/markdown", description="MEMORY.md as accepted")
    def handbook_resource() -> str:
        return _read(home / MEMORY_MD)

    return server


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else "(no memory yet: run `nightshift consolidate` first)\n"


@contextmanager
def _run_lock(settings: Settings) -> Iterator[None]:
    """The run lock, as ``nightshift forget`` takes it, but waiting a few seconds instead of failing at once."""
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    with ExitStack() as stack:
        while True:
            try:
                stack.enter_context(run_lock(settings.state_dir))
                break
            except LockHeld:
                if time.monotonic() >= deadline:
                    raise ToolError(BUSY) from None
                time.sleep(0.2)
        yield


def serve(settings: Settings) -> None:
    build(settings).run("stdio")
