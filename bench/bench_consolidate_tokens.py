"""Benchmark: tokens sent to the consolidation model for one night of 5 new raw memories, against a
handbook built from 10 and from 500 earlier memories.

The earlier nights are built with the builtin consolidator (no model). The measured night runs the
real pipeline and agent loop against ``tests/fake_openai.py``, whose scripted agent behaves like a
sensible model: it reads the diff, searches the handbook for the new memories' projects, reads the
lines around each match, edits them, updates the summary and finishes, batching independent calls. The server
reports usage as the request's bytes / 4, tools spec included, as a real endpoint would count them.
Target: ratio < 2, i.e. the agent's cost follows the night's changes, not the handbook's size.
Smoke size: 10 and 50 earlier memories.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fake_openai import FakeOpenAI, Reply  # tests/ is on the path (bench.run): the fake server is shared

from bench.run import Row, row, verdict
from nightshift.night import steps as pipeline
from nightshift.phase2 import workspace
from nightshift.phase2.contract import DIFF_FILE
from nightshift.memory import RawMemory, StoredMemory, Task
from nightshift.settings import Settings
from nightshift.store.state import open_state

NEW = 5
SIZES = (10, 500)
PROJECTS = 10
NOW = datetime.now(UTC)


def _memory(n: int, hours_ago: float) -> StoredMemory:
    project = f"github.com/acme/service-{n % PROJECTS}"
    task = Task(title=f"Fix flaky job {n} in the build", outcome="success", scope="project", cwd=None,
                keywords=["ci", f"job-{n}", "retry"], preferences=[f"Rerun job {n} with `make ci-{n}` before blaming the code."],
                knowledge=[f"Job {n} fails when the cache volume is full; `make clean-cache` frees it."],
                failures=[], evidence=["user turn 3"])
    raw = RawMemory(decision="remember", rollout_summary=f"Fixed flaky job {n}.", slug=f"fix-flaky-job-{n}", tasks=[task])
    return StoredMemory(f"{n:08d}-0000-4000-8000-000000000000", f"/sessions/{n}.jsonl", "codex", project, raw,
                        NOW - timedelta(hours=hours_ago))


def _night(s: Settings, now: datetime) -> str | None:
    run = pipeline.begin_run(s, now)
    pipeline.find_work(run, now)
    return pipeline.fold(run, now)


def _tool_results(request: dict) -> list[str]:
    return [m["content"] for m in request["messages"] if m["role"] == "tool"]


class SensibleAgent:
    """Answers each request with the tool calls a careful model would make next, batched the way
    parallel tool calls allow, and using only what earlier tool results showed it."""

    def __init__(self, new: list[StoredMemory]):
        self.new = new
        self.plan = [self._read_diff, self._find_groups, self._read_groups, self._edit_groups, self._find_count, self._finish]

    def __call__(self, request: dict) -> Reply:
        step = sum(1 for m in request["messages"] if m["role"] == "assistant")
        calls = self.plan[step](_tool_results(request))
        return Reply.tool_calls(calls, usage=(len(json.dumps(request)) // 4, len(json.dumps(calls)) // 4))

    def _read_diff(self, results: list[str]) -> list:
        return [("read_file", {"path": DIFF_FILE})]

    def _find_groups(self, results: list[str]) -> list:
        searches = [("search", {"pattern": f"^applies_to: {re.escape(m.project_key)}$", "path": "MEMORY.md"}) for m in self.new]
        return searches + [("search", {"pattern": "^### User preferences$", "path": "MEMORY.md"})]

    def _read_groups(self, results: list[str]) -> list:
        """Each group's head, and its own '### User preferences' (the first one after its applies_to line)."""
        *groups, headings = results[-len(self.new) - 1:]
        heading_lines = [int(n) for n in re.findall(r"^MEMORY\.md:(\d+):", headings, re.M)]
        reads = []
        for found in groups:
            at = int(found.split(":")[1])
            first = min(n for n in heading_lines if n > at)
            reads += [("read_file", {"path": "MEMORY.md", "start_line": at - 2, "end_line": at + 6}),
                      ("read_file", {"path": "MEMORY.md", "start_line": first, "end_line": first + 1})]
        return reads

    def _edit_groups(self, results: list[str]) -> list:
        edits = []
        for m, preferences in zip(self.new, results[-2 * len(self.new) + 1::2]):
            task, anchor = m.memory.tasks[0], f"applies_to: {m.project_key}\n"
            entry = (f"\n### Task: {task.title}\n- outcome: {task.outcome.value}\n"
                     f"- rollout_summary: rollout_summaries/{workspace.rollout_summary_filename(m)}\n- keywords: {', '.join(task.keywords)}\n")
            old = "\n".join(preferences.splitlines()[1:3]) + "\n"  # the heading and its first entry: unique
            edits += [("edit_file", {"path": "MEMORY.md", "old_text": anchor, "new_text": anchor + entry}),
                      ("edit_file", {"path": "MEMORY.md", "old_text": old, "new_text": f"{old}- {task.preferences[0]}\n"})]
        return edits

    def _find_count(self, results: list[str]) -> list:
        return [("search", {"pattern": "sessions? remembered", "path": "memory_summary.md"})]

    def _finish(self, results: list[str]) -> list:
        line = results[-1].split(": ", 1)[1]
        count = int(line.split()[1])
        updated = line.replace(f"- {count} sessions", f"- {count + len(self.new)} sessions", 1)
        return [("edit_file", {"path": "memory_summary.md", "old_text": line, "new_text": updated}),
                ("finish", {"summary": f"Added {len(self.new)} tasks and their preferences to their project groups."})]


def measure(earlier: int, tmp: Path) -> dict:
    home = tmp / f"home-{earlier}"
    (tmp / "sources").mkdir(exist_ok=True)
    builtin = Settings(home=home, sources=[tmp / "sources"], idle_hours=0, provider="builtin", max_raw_memories=1000)
    with open_state(builtin.state_dir) as db:
        for n in range(earlier):
            m = _memory(n, hours_ago=48 + n * 0.1)
            db.store_memory(m, workspace.render_raw_memory_md(m), NOW)
    assert _night(builtin, NOW) is not None
    new = [_memory(100_000 + n, hours_ago=1 + n) for n in range(NEW)]
    with open_state(builtin.state_dir) as db:
        for m in new:
            db.store_memory(m, workspace.render_raw_memory_md(m), NOW)
    with FakeOpenAI(default=SensibleAgent(new)) as fake:
        s = builtin.model_copy(update={"provider": "openai", "base_url": fake.base_url, "consolidate_model": "big-1", "model_max_retries": 0})
        sha = _night(s, NOW + timedelta(hours=1))
        requests = [r.json for r in fake.requests]
    if sha is None:
        raise RuntimeError("the scripted night did not commit")
    handbook_lines = len((home / "MEMORY.md").read_text().splitlines())
    tokens = sum(len(json.dumps(r)) // 4 for r in requests)
    return {"tokens": tokens, "requests": len(requests), "handbook_lines": handbook_lines}


def run(smoke: bool = False) -> list[Row]:
    sizes = (SIZES[0], 50) if smoke else SIZES
    with tempfile.TemporaryDirectory(prefix="nightshift-bench-consolidate-") as tmp:
        small, large = (measure(n, Path(tmp)) for n in sizes)
    return [row(f"consolidation tokens, {NEW} new memories, handbook of {sizes[1]} vs {sizes[0]} earlier memories",
                large["tokens"], small["tokens"],
                f"tokens sent to the consolidation model (request bytes / 4, tools included); {large['requests']} vs "
                f"{small['requests']} requests; MEMORY.md {large['handbook_lines']} vs {small['handbook_lines']} lines; "
                f"target < 2x: {verdict(large['tokens'] < 2 * small['tokens'], smoke)}")]

