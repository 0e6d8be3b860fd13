"""The night's work as plain functions; ``flows/consolidate.py`` only orchestrates them.

Order: ``begin_run`` -> ``find_work`` -> ``extract_rollout`` (pure, one per candidate, parallel)
-> ``record_extractions`` -> ``consolidate`` -> ``end_run``. Every database and memory-home write
happens in the calling process; ``extract_rollout`` only reads its transcript and returns a value,
so it can run on any task runner.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nightshift import handbook, home as memory_home, workspace
from nightshift.builtin_extract import extract_builtin
from nightshift.discover import Discovery, FileStat, discover
from nightshift.llm import ModelError, make_client
from nightshift.memory import RawMemory, StoredMemory
from nightshift.model_extract import ExtractionInvalid, ModelAnswer, extract_with_model
from nightshift.readers import read_transcript
from nightshift.redact import redact, redact_obj
from nightshift.render import render_transcript
from nightshift.scope import project_key
from nightshift.settings import Settings
from nightshift.state import open_state
from nightshift.transcript import NotATranscript, Transcript

EXTRACT = "extract"
CONSOLIDATE = "consolidate"
GENERATED_BASES = "generated"  # <state_dir>/generated/: what the builtin wrote last, for 3-way merges
COUNT_KEYS = {"memory": "memories", "no_op": "no_ops", "skipped": "skipped", "failed": "failed"}  # runs table columns


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Run:
    run_id: str
    owner: str  # job owner token of this run
    settings: Settings
    counts: dict[str, int] = field(default_factory=dict)
    consumed: list[str] = field(default_factory=list)  # rollout ids whose memories changed this run
    removed: list[str] = field(default_factory=list)  # rollout ids whose memories a no-op removed
    notes: list[str] = field(default_factory=list)  # per-rollout failures and skips, for the report

    def bump(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


@dataclass(frozen=True)
class Extraction:
    """What ``extract_rollout`` returns: everything needed to record the result, nothing written yet."""

    file: FileStat
    outcome: str  # memory | no_op | skipped | failed
    rollout_id: str | None = None
    source_format: str | None = None
    project_key: str | None = None
    updated_at: datetime | None = None
    memory: RawMemory | None = None
    error: str | None = None
    note: str | None = None
    model_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0


def begin_run(settings: Settings, now: datetime) -> Run:
    run = Run(run_id=now.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6], owner=uuid.uuid4().hex, settings=settings)
    repo = memory_home.open_home(settings.home)
    if sha := memory_home.commit_hand_edits(repo, run.run_id):
        run.notes.append(f"committed hand edits as {sha[:10]}")
    with open_state(settings.state_dir) as db:
        db.start_run(run.run_id, settings.provider, now)
    return run


def find_work(run: Run, now: datetime) -> tuple[Discovery, list[FileStat]]:
    """Discover candidates and claim up to ``max_rollouts_per_run`` extraction jobs."""
    s = run.settings
    with open_state(s.state_dir) as db:
        found = discover(s.sources, db.rollout_watermarks(), now=now, idle_hours=s.idle_hours, max_age_days=s.max_age_days)
        db.upsert_seen([(c.path, c.size, c.mtime) for c in found.candidates], now)
        claimed: list[FileStat] = []
        lease = timedelta(minutes=s.job_lease_minutes)
        for cand in found.candidates:
            if len(claimed) >= s.max_rollouts_per_run:
                run.bump("deferred")
                continue
            db.enqueue(EXTRACT, cand.path, size=cand.size, mtime=cand.mtime, max_retries=s.job_max_retries, now=now)
            if db.claim(EXTRACT, cand.path, run.owner, lease, now):
                claimed.append(cand)
            else:
                run.bump("waiting")  # another owner's live lease, or backing off after a failure
    run.counts["discovered"] = len(found.candidates)
    return found, claimed


def prepare(transcript: Transcript, s: Settings) -> str:
    """Redact every turn, then render to the model's input within the token budget."""
    for turn in transcript.turns:
        turn.text = redact(turn.text)
    return render_transcript(transcript, s.rollout_token_budget, s.tool_output_token_cap)


def extract_rollout(file: FileStat, s: Settings) -> Extraction:
    """Read, sanitise and extract one rollout. Pure: reads the file, writes nothing."""
    try:
        transcript = read_transcript(Path(file.path))
    except NotATranscript as exc:
        return Extraction(file, "skipped", note=str(exc))
    except OSError as exc:  # vanished or unreadable since discovery
        return Extraction(file, "failed", error=f"cannot read {file.path}: {exc}")
    ident = dict(
        rollout_id=transcript.session_id,
        source_format=transcript.source_format,
        project_key=project_key(transcript.cwd, transcript.git_remote),
        updated_at=transcript.updated_at or datetime.fromtimestamp(file.mtime, UTC),
    )
    stats = transcript.stats
    note = f"lines {stats.lines}, malformed {stats.malformed_lines}, unknown {stats.unknown_records}" if stats.malformed_lines or stats.unknown_records else None
    if transcript.metadata.get("subagent") == "true":
        return Extraction(file, "skipped", note="sub-agent thread: part of its parent session", **ident)
    rendered = prepare(transcript, s)
    try:
        if s.provider == "builtin":
            answer = ModelAnswer(extract_builtin(transcript), 0, 0, 0)  # rules read the redacted turns
        else:
            answer = extract_with_model(rendered, client=make_client(s), model=s.extract_model,
                                        base_url=s.base_url or "default", prompts_dir=s.prompts_dir)
    except ExtractionInvalid as exc:
        return Extraction(file, "failed", error=str(exc), model_calls=exc.calls, tokens_in=exc.tokens_in, tokens_out=exc.tokens_out, **ident)
    except ModelError as exc:
        kind = "permanent" if exc.permanent else "transient"
        return Extraction(file, "failed", error=f"model error ({kind}): {exc}", **ident)
    memory, calls, tokens_in, tokens_out = answer.memory, answer.calls, answer.tokens_in, answer.tokens_out
    memory = RawMemory.model_validate(redact_obj(memory.model_dump(mode="json")))
    outcome = "no_op" if memory.is_no_op else "memory"
    return Extraction(file, outcome, memory=memory, note=note, model_calls=calls, tokens_in=tokens_in, tokens_out=tokens_out, **ident)


def record_extractions(run: Run, results: list[Extraction], now: datetime) -> None:
    """All writes for phase 1, in the flow process: memories, watermarks, job states."""
    s = run.settings
    backoff = timedelta(minutes=s.job_retry_backoff_minutes)
    with open_state(s.state_dir) as db:
        for r in results:
            run.bump(COUNT_KEYS[r.outcome])
            run.bump("model_calls", r.model_calls)
            run.bump("tokens_in", r.tokens_in)
            run.bump("tokens_out", r.tokens_out)
            if r.outcome == "failed":
                db.fail(EXTRACT, r.file.path, run.owner, r.error or "failed", backoff, now)
                db.mark_failed(r.file.path, r.error or "failed", now)
                run.notes.append(f"failed: {r.file.path}: {r.error}")
                continue
            if r.outcome == "memory":
                stored = StoredMemory(r.rollout_id, r.file.path, r.source_format, r.project_key, r.memory, r.updated_at)
                db.store_memory(stored, workspace.render_raw_memory_md(stored), now)
                run.consumed.append(r.rollout_id)
            elif r.outcome == "no_op" and r.rollout_id and db.delete_memory(r.rollout_id):
                run.removed.append(r.rollout_id)  # forgetting starts here: the next consolidation drops it
            elif r.outcome == "skipped":
                run.notes.append(f"skipped: {r.file.path}: {r.note}")
            db.mark_extracted(r.file.path, size=r.file.size, mtime=r.file.mtime, outcome=r.outcome, now=now,
                              rollout_id=r.rollout_id, fmt=r.source_format, project_key=r.project_key, note=r.note)
            db.finish(EXTRACT, r.file.path, run.owner, now, tokens_in=r.tokens_in, tokens_out=r.tokens_out)


def _bases_dir(s: Settings) -> Path:
    return s.state_dir / GENERATED_BASES


def consolidate(run: Run, now: datetime) -> str | None:
    """Phase 2 on the builtin provider: sync inputs, merge the handbook, commit. Returns the commit sha."""
    s = run.settings
    repo = memory_home.open_home(s.home)
    lease = timedelta(minutes=s.job_lease_minutes)
    with open_state(s.state_dir) as db:
        db.enqueue(CONSOLIDATE, "global", size=None, mtime=None, max_retries=s.job_max_retries, now=now)
        if not db.claim(CONSOLIDATE, "global", run.owner, lease, now):
            run.notes.append("consolidation skipped: another owner holds the phase 2 lease or it is backing off")
            return None
        selection = db.select_memories(limit=s.max_raw_memories, max_unused_days=s.max_unused_days, now=now)
    try:
        workspace.sync_workspace(s.home, selection)
        bases_dir = _bases_dir(s)
        bases = {name: (bases_dir / name).read_text(encoding="utf-8") if (bases_dir / name).exists() else None
                 for name in ("MEMORY.md", "memory_summary.md")}
        generated = handbook.apply_builtin(s.home, selection, s.summary_token_cap, bases)
        subject, body = _commit_message(run, selection, memory_home.changed_files(repo))
        trailers = [("Nightshift-Run", run.run_id), ("Nightshift-Provider", s.provider),
                    ("Nightshift-Models", "builtin" if s.provider == "builtin" else f"{s.extract_model}, {s.consolidate_model}")]
        trailers += [("Nightshift-Rollout", rid) for rid in sorted(set(run.consumed))]
        sha = memory_home.commit_run(repo, subject, body, trailers)
    except BaseException as exc:
        memory_home.restore_head(repo)
        with open_state(s.state_dir) as db:
            db.fail(CONSOLIDATE, "global", run.owner, f"{type(exc).__name__}: {exc}", timedelta(minutes=s.job_retry_backoff_minutes), now)
        raise
    # The merge bases move only once HEAD holds what they describe (a commit, or nothing to commit).
    bases_dir.mkdir(parents=True, exist_ok=True)
    for name, text in generated.items():
        workspace.write_atomic(bases_dir / name, text)
    with open_state(s.state_dir) as db:
        db.finish(CONSOLIDATE, "global", run.owner, now)
    return sha


def _commit_message(run: Run, selection: list[StoredMemory], changed: list[str]) -> tuple[str, str]:
    new, removed = len(set(run.consumed)), len(set(run.removed))
    parts = [f"{new} new or updated memor{'y' if new == 1 else 'ies'}"] if new else []
    parts += [f"{removed} removed"] if removed else []
    subject = "nightshift: " + (", ".join(parts) if parts else "refresh the handbook")
    body = [f"Selection: {len(selection)} raw memories in front of the consolidator.", "Changed files:"]
    body += [f"- {path}" for path in changed]
    return subject, "\n".join(body)


def end_run(run: Run, *, status: str, now: datetime, commit_sha: str | None, message: str) -> None:
    with open_state(run.settings.state_dir) as db:
        db.end_run(run.run_id, status=status, now=now, counts=run.counts, commit_sha=commit_sha, message=message)


def summary_line(run: Run, commit_sha: str | None) -> str:
    c = run.counts
    commit = f"commit {commit_sha[:10]}" if commit_sha else "no commit"
    return (
        f"nightshift: run {run.run_id}: {c.get('discovered', 0)} candidates, {c.get('memories', 0)} memories, "
        f"{c.get('no_ops', 0)} no-ops, {c.get('skipped', 0)} skipped, {c.get('failed', 0)} failed, "
        f"{c.get('model_calls', 0)} model calls; {commit}"
    )


def run_report(run: Run, commit_sha: str | None) -> str:
    return json.dumps({"run_id": run.run_id, "counts": run.counts, "commit": commit_sha, "notes": run.notes}, indent=2)
