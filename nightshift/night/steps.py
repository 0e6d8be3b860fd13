"""The night's work as plain functions; ``flows/consolidate.py`` only orchestrates them.

Order: ``begin_run`` -> ``find_work`` -> ``extract_rollout`` (pure, one per candidate, parallel)
-> ``record_extractions`` -> ``fold`` (phase 2) -> ``end_run``. Every database and memory-home write
happens in the calling process; ``extract_rollout`` only reads its transcript and returns a value,
so it can run on any task runner.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git

from nightshift.clock import compact_stamp, utcnow
from nightshift.files import write_atomic
from nightshift.ingest.discover import Discovery, FileStat, discover
from nightshift.ingest.prepare import prepare_rollout
from nightshift.ingest.redact import redact_obj
from nightshift.ingest.transcript import SUBAGENT_NOTE, NotATranscript
from nightshift.llm import ModelError, shared_client
from nightshift.memory import RawMemory, StoredMemory
from nightshift.night.progress import count
from nightshift.phase1.model import ExtractionInvalid, ModelAnswer, extract_with_model
from nightshift.phase2 import agent, handbook, quarantine, retention, workspace
from nightshift.phase2 import home as memory_home
from nightshift.phase2.contract import HANDBOOK_FILES
from nightshift.scope import opted_out, project_key
from nightshift.settings import Settings
from nightshift.store.state import open_state
from nightshift.store.usage import Policy

EXTRACT = "extract"
PHASE2_JOB = "consolidate"  # the phase 2 job's kind, as state files hold it and `status` shows it
GENERATED_BASES = "generated"  # <state_dir>/generated/: what the builtin wrote last, for 3-way merges
PROPOSED_BASES = "generated-proposed"  # <state_dir>/: the same for the text waiting for review (review mode)
PHASE2_MARKER = "phase2-in-progress.json"  # <state_dir>/: exists while phase 2 may leave uncommitted work in the home
PHASE2_READ = "phase2-read.sha256"  # <state_dir>/: a digest of what the last completed phase 2 read (phase2_digest)
COUNT_KEYS = {"memory": "memories", "no_op": "no_ops", "skipped": "skipped", "failed": "failed", "quarantined": "quarantined",
              "ignored": "ignored"}
EXTERNAL_NOTE = "pulled in external content (web search, fetched pages or MCP tools)"


@dataclass
class Run:
    run_id: str
    owner: str  # job owner token of this run
    settings: Settings
    # Model use is always counted, 0 on a night that called no model (phase 2 may not run at all).
    counts: dict[str, int] = field(default_factory=lambda: {"model_calls": 0, "tokens_in": 0, "tokens_out": 0})
    consumed: list[str] = field(default_factory=list)  # rollout ids whose memories changed this run
    removed: list[str] = field(default_factory=list)  # rollout ids whose memories a no-op removed
    harness: Counter = field(default_factory=Counter)  # harness text the readers dropped, by kind (ReadStats.harness)
    notes: list[str] = field(default_factory=list)  # per-rollout failures and skips, for the report
    model_usage: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (phase, model) -> calls, in, out

    def bump(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def spend(self, phase: str, model: str, calls: int, tokens_in: int, tokens_out: int) -> None:
        """Model use: into the run's totals, and per phase and model for pricing (``nightshift status``)."""
        self.bump("model_calls", calls)
        self.bump("tokens_in", tokens_in)
        self.bump("tokens_out", tokens_out)
        if calls:
            used = self.model_usage.setdefault((phase, model), [0, 0, 0])
            for i, n in enumerate((calls, tokens_in, tokens_out)):
                used[i] += n


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
    citations: tuple[str, ...] = ()  # memory ids the assistant turns cited: usage, counted even for a no-op
    malformed_citations: int = 0
    external_context: bool = False  # the session read web pages, search results or MCP tool output
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")  # where it was extracted
    harness: dict[str, int] = field(default_factory=dict)  # harness text dropped while reading, by kind
    unreachable: bool = False  # failed because the model endpoint did not answer at all


def begin_run(settings: Settings, now: datetime) -> Run:
    run = Run(run_id=f"{compact_stamp(now)}-" + uuid.uuid4().hex[:6], owner=uuid.uuid4().hex, settings=settings)
    memory_home.check_home(settings.home)  # raises before anything is written: a damaged repository, a planted link
    repo = memory_home.open_home(settings.home)
    if stale := memory_home.clear_stale_git_locks(repo):  # callers hold the run lock (nightshift.lock)
        run.notes.append(f"removed git lock files a killed run left behind: {', '.join(stale)}")
    _recover_interrupted(run, repo, now)  # before hand edits: a dead run's half-done work is not the user's
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
        rest = found.candidates
        # Newest first, as many as there are free slots at a time, set-wise (two statements per chunk,
        # not two per file): the same jobs end up enqueued, claimed and waiting as one by one.
        while rest and len(claimed) < s.max_rollouts_per_run:
            chunk, rest = rest[: s.max_rollouts_per_run - len(claimed)], rest[s.max_rollouts_per_run - len(claimed):]
            db.enqueue_many(EXTRACT, [(c.path, c.size, c.mtime) for c in chunk], max_retries=s.job_max_retries, now=now)
            held = db.claim_many(EXTRACT, [c.path for c in chunk], run.owner, lease, now)
            claimed += [c for c in chunk if c.path in held]
            if len(held) < len(chunk):
                run.bump("waiting", len(chunk) - len(held))  # another owner's live lease, or backing off after a failure
        if rest:
            run.bump("deferred", len(rest))
    run.counts["discovered"] = len(found.candidates)
    _note_odd_files(run, found)
    return found, claimed


ODD_NOTES = 20  # a folder full of odd files is counted in full but named only this often


def _note_odd_files(run: Run, found: Discovery) -> None:
    """Files discovery skipped because they cannot be transcripts (a FIFO, an undecodable name): counted, named."""
    for _, key, _ in found.odd:
        run.bump(key)
    run.notes += [f"skipped: {path}: {why}" for path, _, why in found.odd[:ODD_NOTES]]
    if len(found.odd) > ODD_NOTES:
        run.notes.append(f"skipped {len(found.odd) - ODD_NOTES} more files that cannot be transcripts")


def extract_rollout(file: FileStat, s: Settings) -> Extraction:
    """Read, sanitise and extract one rollout. Pure: reads the file, writes nothing."""
    try:
        prepared = prepare_rollout(Path(file.path), s)
    except NotATranscript as exc:
        return Extraction(file, "skipped", note=str(exc))
    except OSError as exc:  # vanished or unreadable since discovery
        return Extraction(file, "failed", error=f"cannot read {file.path}: {exc}")
    transcript, cited = prepared.transcript, prepared.cited
    # One clock: discovery took the file by its mtime, so the memory is no older than that. A session
    # copied onto this machine today (old lines, new mtime) must not be extracted and pruned in one run.
    mtime = datetime.fromtimestamp(file.mtime, UTC)
    ident = dict(
        rollout_id=transcript.session_id,
        source_format=transcript.source_format,
        project_key=project_key(transcript.cwd, transcript.git_remote, transcript.project_scope),
        updated_at=max(transcript.updated_at, mtime) if transcript.updated_at else mtime,
        harness=dict(transcript.stats.harness),
    )
    ident.update(citations=cited.ids, malformed_citations=cited.malformed)
    stats = transcript.stats
    note = f"lines {stats.lines}, malformed {stats.malformed_lines}, unknown {stats.unknown_records}" if stats.malformed_lines or stats.unknown_records else None
    if transcript.metadata.get("subagent") == "true":
        return Extraction(file, "skipped", note=SUBAGENT_NOTE, **ident)
    if why := opted_out(transcript.cwd, ident["project_key"], s.exclude_projects):  # before any model sees it
        return Extraction(file, "ignored", note=f"skipped by your choice: {why}", **ident)
    external = transcript.metadata.get("external_context") == "true"
    if external and s.exclude_external_context:
        return Extraction(file, "skipped", note=f"{EXTERNAL_NOTE}; exclude_external_context is on", external_context=True, **ident)
    if external:
        note = f"{note}; {EXTERNAL_NOTE}" if note else EXTERNAL_NOTE
    try:
        if prepared.model_input is None:
            from nightshift.phase1.builtin import extract_builtin  # on use: a night with nothing new never compiles the rules

            answer = ModelAnswer(extract_builtin(transcript), 0, 0, 0)  # rules read the redacted turns
        else:
            answer = extract_with_model(prepared.model_input, client=shared_client(s), model=s.extract_model,
                                        base_url=s.base_url or "default", prompts_dir=s.prompts_dir)
    except ExtractionInvalid as exc:
        return Extraction(file, "failed", error=str(exc), model_calls=exc.calls, tokens_in=exc.tokens_in, tokens_out=exc.tokens_out, **ident)
    except ModelError as exc:
        kind = "permanent" if exc.permanent else "transient"
        return Extraction(file, "failed", error=f"model error ({kind}): {exc}", unreachable=exc.unreachable, **ident)
    memory, calls, tokens_in, tokens_out = answer.memory, answer.calls, answer.tokens_in, answer.tokens_out
    memory = RawMemory.model_validate(redact_obj(memory.model_dump(mode="json")))
    outcome = "no_op" if memory.is_no_op else "memory"
    return Extraction(file, outcome, memory=memory, note=note, model_calls=calls, tokens_in=tokens_in, tokens_out=tokens_out,
                      external_context=external, **ident)


def record_extractions(run: Run, results: list[Extraction], now: datetime) -> None:
    """All writes for phase 1, in the flow process: memories, watermarks, job states."""
    s = run.settings
    backoff = timedelta(minutes=s.job_retry_backoff_minutes)
    with open_state(s.state_dir) as db:
        for r in results:
            with db.transaction():  # all of one rollout's writes or none: a kill here leaves its job to the lease
                _record_one(db, run, r, backoff, now)
        run.bump("citations", db.record_citations([(r.rollout_id, r.updated_at, r.citations) for r in results if r.citations]))
        run.bump("malformed_citations", sum(r.malformed_citations for r in results))
        run.bump("pruned", retention.prune(db, s, now, keep=run.consumed))  # never what this run just extracted


def _record_one(db, run: Run, r: Extraction, backoff: timedelta, now: datetime) -> None:
    if r.outcome == "memory" and (reasons := quarantine.scan_memory(r.memory)):  # kept, never stored
        db.record_quarantine(source="raw_memory", reasons=reasons, content=quarantine.memory_text(r.memory), now=now,
                             rollout_id=r.rollout_id, source_path=r.file.path, run_id=run.run_id)
        run.notes.append(f"quarantined: {r.file.path}: {reasons[0]}")
        r = replace(r, outcome="quarantined", note=f"quarantined: {'; '.join(reasons)}"[:1000])
    run.bump(COUNT_KEYS[r.outcome])
    run.harness.update(r.harness)
    if r.outcome == "ignored":
        run.bump("skipped")  # a skip, of the user's choosing: the report says which
    run.spend(EXTRACT, run.settings.extract_model, r.model_calls, r.tokens_in, r.tokens_out)
    if r.outcome == "failed":
        db.fail(EXTRACT, r.file.path, run.owner, r.error or "failed", backoff, now)
        db.mark_failed(r.file.path, r.error or "failed", now)
        run.notes.append(f"failed: {r.file.path}: {r.error}")
        return
    if r.outcome == "memory":
        stored = StoredMemory(r.rollout_id, r.file.path, r.source_format, r.project_key, r.memory, r.updated_at)
        db.store_memory(stored, workspace.render_raw_memory_md(stored), now)
        if r.external_context:
            db.mark_external(r.rollout_id)
        run.consumed.append(r.rollout_id)
    elif r.outcome in ("no_op", "ignored") and r.rollout_id and db.delete_memory(r.rollout_id):
        run.removed.append(r.rollout_id)  # forgetting starts here (or opting out): the next consolidation drops it
    elif r.outcome == "skipped":
        run.notes.append(f"skipped: {r.file.path}: {r.note}")
    db.mark_extracted(r.file.path, size=r.file.size, mtime=r.file.mtime, outcome=r.outcome, now=now,
                      rollout_id=r.rollout_id, fmt=r.source_format, project_key=r.project_key, note=r.note)
    db.finish(EXTRACT, r.file.path, run.owner, now, tokens_in=r.tokens_in, tokens_out=r.tokens_out)


def _bases_dir(s: Settings) -> Path:
    return s.state_dir / GENERATED_BASES


def _write_bases(folder: Path, generated: dict[str, str]) -> None:
    for name, text in generated.items():
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / name, text)


def fold(run: Run, now: datetime) -> str | None:
    """Phase 2, folding the selected memories into the handbook: sync the inputs, let the builtin rules
    (provider builtin) or the consolidation agent edit the handbook, commit. Returns the commit sha. Any failure restores the home to HEAD, backs off and re-raises."""
    s = run.settings
    repo = memory_home.open_home(s.home)
    lease = timedelta(minutes=s.job_lease_minutes)
    (s.state_dir / PHASE2_READ).unlink(missing_ok=True)  # written again only when this phase 2 completes
    with open_state(s.state_dir) as db:
        db.enqueue(PHASE2_JOB, "global", size=None, mtime=None, max_retries=s.job_max_retries, now=now)
        if not db.claim(PHASE2_JOB, "global", run.owner, lease, now):
            run.notes.append("consolidation skipped: another owner holds the phase 2 lease or it is backing off")
            return None
        selection = db.select_memories(Policy.of(s), now)
        selection = quarantine.screen(db, selection, run.run_id, now)  # before anything is written from them
    spent = agent.Usage()
    if s.review and not memory_home.has_commits(repo):  # a proposal needs a main branch to be proposed on
        memory_home.commit_run(repo, "nightshift: start the memory home", "", [])
    _mark_phase2(s, repo, run.owner)
    try:
        workspace.sync_workspace(s.home, selection)
        if s.provider == "builtin":
            sha, generated = _fold_builtin(run, repo, selection)
        else:
            sha, generated = _fold_with_agent(run, repo, selection, spent), {}
    except BaseException as exc:
        # On a full or broken disk the clean-up can fail too; the original error is the one to report.
        # Then the marker stays, and the next run's recovery undoes this run's work (and the lease expires).
        try:
            memory_home.restore_head(repo)
            with open_state(s.state_dir) as db:
                db.fail(PHASE2_JOB, "global", run.owner, f"{type(exc).__name__}: {exc}", timedelta(minutes=s.job_retry_backoff_minutes), now)
        except Exception as cleanup:
            run.notes.append(f"clean-up after the failed consolidation failed too, left to the next run: {cleanup}")
        else:
            (s.state_dir / PHASE2_MARKER).unlink(missing_ok=True)
            if isinstance(exc, agent.AgentFailed):  # a bound or a failed check: say where the home stands
                raise exc.restored(s.home, repo.head.commit.hexsha if memory_home.has_commits(repo) else None) from exc
        raise
    finally:
        run.spend(PHASE2_JOB, s.consolidate_model, spent.calls, spent.tokens_in, spent.tokens_out)
    if s.review and sha:  # main stays as it is; the merge bases of the proposed text wait beside it
        memory_home.propose(repo, sha)
        _write_bases(s.state_dir / PROPOSED_BASES, generated)
        generated = {}
    # The merge bases move only once HEAD holds what they describe (a commit, or nothing to commit).
    _write_bases(_bases_dir(s), generated)
    with open_state(s.state_dir) as db:
        db.finish(PHASE2_JOB, "global", run.owner, now, tokens_in=spent.tokens_in, tokens_out=spent.tokens_out)
    (s.state_dir / PHASE2_MARKER).unlink(missing_ok=True)
    if digest := phase2_digest(s, now):
        write_atomic(s.state_dir / PHASE2_READ, digest)
    return sha


def phase2_digest(s: Settings, now: datetime) -> str | None:
    """A digest of everything phase 2 reads: the selection (each memory whole, with its usage and its place),
    the forgotten lines, the home's HEAD and proposal, the settings that shape the handbook and nightshift's
    version. None while the home has uncommitted changes (a hand edit phase 2 would take in). Phase 2 with
    the same digest as the last completed one would write what is there already."""
    from importlib.metadata import version

    repo = memory_home.open_home(s.home)
    if memory_home.is_dirty(repo):
        return None
    with open_state(s.state_dir) as db:
        selection = db.select_memories(Policy.of(s), now)
    read = {
        "nightshift": version("nightshift"),
        "settings": [s.provider, s.consolidate_model, s.summary_token_cap, s.review],
        "head": repo.head.commit.hexsha if memory_home.has_commits(repo) else None,
        "proposal": memory_home.proposal(repo),
        "forgotten": retention.forgotten(s.state_dir),
        "selection": [[m.rollout_id, m.source_path, m.source_format, m.project_key, m.memory.model_dump(mode="json"),
                       m.source_updated_at, m.usage_count, m.last_usage] for m in selection],
    }
    return hashlib.sha256(json.dumps(read, sort_keys=True, default=str).encode()).hexdigest()


def unchanged_since_last_phase2(s: Settings, now: datetime) -> bool:
    path = s.state_dir / PHASE2_READ
    return path.is_file() and path.read_text(encoding="utf-8") == phase2_digest(s, now)


def _committed(run: Run, selection: list[StoredMemory]) -> list[str]:
    """The memories this run changed that the commit holds: those in the selection phase 2 read."""
    selected = {m.rollout_id for m in selection}
    return sorted({rid for rid in run.consumed if rid in selected})


def _trailers(run: Run, selection: list[StoredMemory], repo: git.Repo) -> list[tuple[str, str]]:
    s = run.settings
    trailers = [("Nightshift-Run", run.run_id), ("Nightshift-Provider", s.provider),
                ("Nightshift-Models", "builtin" if s.provider == "builtin" else f"{s.extract_model}, {s.consolidate_model}")]
    # A proposal replaces the one waiting, so it names that one's memories too: a reject holds back both.
    rollouts = set(_committed(run, selection)) | set(memory_home.proposal_rollouts(repo) if s.review else ())
    return trailers + [("Nightshift-Rollout", rid) for rid in sorted(rollouts)]


def _fold_builtin(run: Run, repo: git.Repo, selection: list[StoredMemory]) -> tuple[str | None, dict[str, str]]:
    s = run.settings
    bases_dir = _bases_dir(s)
    bases = {name: (bases_dir / name).read_text(encoding="utf-8") if (bases_dir / name).exists() else None
             for name in HANDBOOK_FILES}
    generated = handbook.apply_builtin(s.home, selection, s.summary_token_cap, bases)
    committed = {name: memory_home.file_at_head(repo, name) for name in HANDBOOK_FILES}
    with open_state(s.state_dir) as db:
        quarantine.guard_handbook(db, s.home, committed, run.run_id, utcnow())  # raises: nothing is committed
    subject, body = _commit_message(run, selection, memory_home.changed_files(repo))
    # What tonight's memories did to older lines: the message says what replaced what.
    tonight = [c for c in handbook.changes(selection) if c.rollout_id in set(run.consumed)]
    if tonight:
        body += "\n\nRules changed by tonight's sessions:\n" + "\n".join(f"- {_describe(c)}" for c in tonight)
    return memory_home.commit_run(repo, subject, body, _trailers(run, selection, repo)), generated


def _describe(change: handbook.Change) -> str:
    if change.kind == "replaced":
        return f'replaced "{change.old}" with "{change.new}"'
    if change.kind == "retracted":
        return f'removed "{change.old}" (taken back: "{change.new}")'
    return f'merged "{change.new}" into "{change.old}"'  # the same rule said again


def _fold_with_agent(run: Run, repo: git.Repo, selection: list[StoredMemory], spent: agent.Usage) -> str | None:
    s = run.settings
    lease = timedelta(minutes=s.job_lease_minutes)

    def renew() -> bool:
        with open_state(s.state_dir) as db:
            return db.renew(PHASE2_JOB, "global", run.owner, lease, utcnow())

    summary = agent.fold_with_model(repo, s, selection, heartbeat=renew, usage=spent)
    if summary is None:
        memory_home.restore_head(repo)  # nothing to fold in: the synced inputs wait for a night with work
        return None
    if not renew():
        raise agent.LeaseLost("lost the phase 2 lease before committing; nothing committed")
    # the agent's own check already refused flagged lines; this last gate records any it let through
    committed = {name: memory_home.file_at_head(repo, name) for name in HANDBOOK_FILES}
    with open_state(s.state_dir) as db:
        quarantine.guard_handbook(db, s.home, committed, run.run_id, utcnow())  # raises: nothing is committed
    subject, body = _commit_message(run, selection, memory_home.changed_files(repo))
    body += "\n\n" + agent.commit_note(summary, s.consolidate_model)
    return memory_home.commit_run(repo, subject, body, _trailers(run, selection, repo))


def _mark_phase2(s: Settings, repo: git.Repo, owner: str) -> None:
    head = repo.head.commit.hexsha if memory_home.has_commits(repo) else None
    s.state_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(s.state_dir / PHASE2_MARKER, json.dumps({"head": head, "owner": owner}))


def _recover_interrupted(run: Run, repo: git.Repo, now: datetime) -> None:
    """A run killed during phase 2 leaves its marker and maybe half-done work in the home. That work is
    nightshift's, not a hand edit, so it is set aside as a patch and the home goes back to HEAD; the dead
    run's phase 2 lease is released at once instead of after ``job_lease_minutes``."""
    s = run.settings
    marker = s.state_dir / PHASE2_MARKER
    if not marker.exists():
        return
    left = json.loads(marker.read_text(encoding="utf-8"))
    head = repo.head.commit.hexsha if memory_home.has_commits(repo) else None
    if head == left["head"] and memory_home.is_dirty(repo):
        if head is not None:  # before the first commit there are no hand edits to protect
            repo.git.add(A=True)
            patch = s.state_dir / f"interrupted-{run.run_id}.patch"
            write_atomic(patch, repo.git.diff("--cached", "HEAD", "--binary") + "\n")
            run.notes.append(f"an interrupted consolidation left uncommitted changes; kept in {patch} and undone")
        memory_home.restore_head(repo)
    with open_state(s.state_dir) as db:
        db.fail(PHASE2_JOB, "global", left["owner"], "interrupted: the run stopped during consolidation", timedelta(0), now)
    marker.unlink()


def _commit_message(run: Run, selection: list[StoredMemory], changed: list[str]) -> tuple[str, str]:
    new, removed = len(_committed(run, selection)), len(set(run.removed))
    parts = [f"{new} new or updated memor{'y' if new == 1 else 'ies'}"] if new else []
    parts += [f"{removed} removed"] if removed else []
    subject = "nightshift: " + (", ".join(parts) if parts else "refresh the handbook")
    body = [f"Selection: {len(selection)} raw memories in front of the consolidator."]
    if left_out := len(set(run.consumed)) - new:
        body.append(f"Not in this commit: {left_out} memor{'y' if left_out == 1 else 'ies'} extracted tonight but outside "
                    "the selection (max_raw_memories, or unused for max_unused_days); see `nightshift usage`.")
    body.append("Changed files:")
    body += [f"- {path}" for path in changed]
    return subject, "\n".join(body)


def end_run(run: Run, *, status: str, now: datetime, commit_sha: str | None, message: str) -> None:
    with open_state(run.settings.state_dir) as db:
        if status == "failed":
            db.release_claims(run.owner, now)
        db.end_run(run.run_id, status=status, now=now, counts=run.counts, commit_sha=commit_sha, message=message,
                   model_usage=run.model_usage, harness=run.harness)


def summary_line(run: Run, commit_sha: str | None) -> str:
    c = run.counts
    commit = f"commit {commit_sha[:10]}" if commit_sha else "no commit"
    if commit_sha and run.settings.review:
        commit += ", waiting for review: `nightshift review`"
    by_choice = f" ({c['ignored']} by your choice)" if c.get("ignored") else ""
    return (
        f"nightshift: run {run.run_id}: {count(c.get('discovered', 0), 'candidate')}, {count(c.get('memories', 0), 'memory', 'memories')}, "
        f"{count(c.get('no_ops', 0), 'no-op')}, {c.get('skipped', 0)} skipped{by_choice}, {c.get('failed', 0)} failed, "
        f"{count(c.get('model_calls', 0), 'model call')}; {commit}"
    )
