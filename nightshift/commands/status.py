"""What ``nightshift status`` and ``nightshift log`` show: gathered as plain data, rendered as text.

Status answers "why did nothing happen?": the last runs, what waits for extraction, what keeps
failing and when it is retried, what is quarantined or held back by a rollback, and who holds the
lock. It opens the database read-only, so it never migrates it: tables added by later versions are
shown only when they exist.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import git

from nightshift.clock import utc, utcnow
from nightshift.commands.history import Commit
from nightshift.phase2 import home as memory_home
from nightshift.phase2 import quarantine
from nightshift.phase2.changes import ADDED, REMOVED, REPLACED, handbook_changes
from nightshift.ingest.readers.cursor import FOLDER_SCOPE
from nightshift.ingest.readers.gemini import HASH_SCOPE
from nightshift.ingest.transcript import SUBAGENT_NOTE
from nightshift.lock import lock_holder
from nightshift.settings import Settings
from nightshift.store.state import DB_NAME, State, open_state

LIST_LIMIT = 20
SPEND_DAYS = 30  # the window of the model-use totals in status
AGENTS = {"codex": "Codex CLI", "claude": "Claude Code", "gemini": "Gemini CLI", "cursor": "Cursor"}
# A session that names no directory is scoped by how its agent files it: said per agent in status.
_AGENT_SCOPES = {"gemini": "project hash", "cursor": "project folder name"}


def gather_status(settings: Settings) -> dict:
    """Everything status shows; raises StateBusy while a run writes for longer than a few seconds."""
    report: dict = {"home": str(settings.home), "runs": [], "jobs": {}, "pending_rollouts": 0, "pending": [], "failing": [], "sessions": [],
                    "quarantined": [], "held_back": [], "model_use": [], "raw_memories": 0, "lock_holder": lock_holder(settings.state_dir),
                    "flagged_in_handbook": quarantine.flagged_in_home(settings.home), "proposal": _proposal(settings)}
    if not (settings.state_dir / DB_NAME).exists():
        return report
    with open_state(settings.state_dir, read_only=True, wait_seconds=3) as db:
        tables = db.tables()
        report["runs"] = [r | {"seconds": (r["ended_at"] - r["started_at"]).total_seconds() if r["ended_at"] else None,
                               "harness_dropped": json.loads(r.get("harness_dropped") or "{}")}  # migration 013
                          for r in db.last_runs(5)]
        if "run_model_usage" in tables:  # migration 005
            _add_model_use(db, report, settings.model_prices)
        report["jobs"], report["pending_rollouts"], report["raw_memories"] = db.job_counts(), db.pending_rollouts(), db.memory_count()
        # Sessions read, per agent (sub-agent threads are part of their parent's), and how many of them
        # are scoped by their agent's filing because they name no directory.
        report["sessions"] = db.sessions_per_agent(scoped_prefixes=[HASH_SCOPE, FOLDER_SCOPE], skipped_note=SUBAGENT_NOTE)
        report["pending"] = db.waiting_rollouts(LIST_LIMIT)
        report["failing"] = db.failing_jobs(LIST_LIMIT)
        if "quarantine" in tables:  # migration 003 (nightshift.phase2.quarantine)
            report["quarantined"] = db.quarantined(LIST_LIMIT)
        if "rollbacks" in tables:
            report["held_back"] = db.held_back(LIST_LIMIT)
    return report


def _proposal(settings: Settings) -> dict | None:
    """The consolidation waiting for review (review mode), its changes counted by kind; None when none waits.
    A damaged home shows no proposal here: the commands that write to it say what is wrong."""
    try:
        repo = git.Repo(settings.home)
        if not memory_home.has_commits(repo) or (sha := memory_home.proposal(repo)) is None:
            return None
        commit = repo.commit(sha)
        kinds = [c.kind for c in handbook_changes(repo, commit.parents[0].hexsha if commit.parents else None, sha)]
    except (git.GitError, ValueError, OSError):
        return None
    return {"sha": sha, "when": utc(commit.committed_datetime),
            "added": kinds.count(ADDED), "replaced": kinds.count(REPLACED), "removed": kinds.count(REMOVED)}


def _add_model_use(db: State, report: dict, prices: dict[str, tuple[float, float]]) -> None:
    """Tokens per phase and model, for each listed run and over the last SPEND_DAYS, priced where a price is set."""
    by_run: dict[str, list[dict]] = {}
    for use in db.model_use_of_runs([r["run_id"] for r in report["runs"]]):
        by_run.setdefault(use["run_id"], []).append(use)
    for r in report["runs"]:
        r["cost_usd"] = cost(by_run.get(r["run_id"], []), prices)
    report["model_use"] = [u | {"cost_usd": cost([u], prices)} for u in db.model_use_since(utcnow() - timedelta(days=SPEND_DAYS))]


def harness_line(dropped: dict[str, int]) -> str:
    """``{"task_notification": 74, "ide_context": 3}`` -> ``task notification 74, ide context 3``."""
    return ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in sorted(dropped.items(), key=lambda kv: (-kv[1], kv[0])))


def cost(uses: list[dict], prices: dict[str, tuple[float, float]]) -> float | None:
    """USD for these model uses at ``model_prices`` (per million tokens in, out); None when a model has no price."""
    if any(u["model"] not in prices for u in uses):
        return None
    return sum(u["tokens_in"] * prices[u["model"]][0] + u["tokens_out"] * prices[u["model"]][1] for u in uses) / 1e6


def money(usd: float | None) -> str:
    return "no price set (model_prices)" if usd is None else f"${usd:,.4f}" if usd < 1 else f"${usd:,.2f}"


def _sessions_of(agent: dict) -> str:
    """``Gemini CLI 3 (1 scoped by project hash: no directory in the session)``."""
    text = f"{AGENTS.get(agent['format'], agent['format'])} {agent['sessions']}"
    if agent["scoped_by_agent"]:
        text += f" ({agent['scoped_by_agent']} scoped by {_AGENT_SCOPES.get(agent['format'], 'agent')}: no directory in the session)"
    return text


def _when(moment: datetime | None) -> str:
    return utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "running"
    return f"{seconds:.0f}s" if seconds < 120 else f"{seconds / 60:.0f}m"


def render_status(s: dict) -> list[str]:
    holder = s["lock_holder"]
    if not s["runs"]:  # a first run holds the lock long before it records itself (Prefect starts first)
        return [f"nightshift: a run is in progress in {s['home']} (pid {holder}); its results show here when it ends"
                if holder else f"nightshift: no runs yet in {s['home']}"]
    lines = [f"memory home: {s['home']}   raw memories: {s['raw_memories']}   lock: {f'held by pid {holder}' if holder else 'free'}",
             "jobs: " + (", ".join(f"{k} {v}" for k, v in sorted(s["jobs"].items())) or "none"),
             f"rollouts pending: {s['pending_rollouts']}"]
    if p := s.get("proposal"):
        lines.append(f"waiting for review: {p['sha'][:10]} from {_when(p['when'])} ({p['added']} added, {p['replaced']} replaced, "
                     f"{p['removed']} removed); `nightshift review` shows it, `nightshift accept` or `nightshift reject` settles it")
    if s["sessions"]:
        lines.append("sessions read: " + ", ".join(_sessions_of(agent) for agent in s["sessions"]))
    lines.append("last runs:")
    for r in s["runs"]:
        commit = (r["commit_sha"] or "")[:10] or "no commit"
        lines.append(
            f"  {_when(r['started_at'])}  {_duration(r['seconds']):>7}  {r['status']:<7} {r.get('mode') or '-':<7} {r['provider'] or '-':<8} "
            f"memories {r['memories']}, no-ops {r['no_ops']}, skipped {r['skipped']}, failed {r['failed']}, "
            f"tokens {r['tokens_in']}/{r['tokens_out']}" + (f" ({money(r.get('cost_usd'))})" if r["tokens_in"] or r["tokens_out"] else "")
            + f", {commit}"
        )
        if r["harness_dropped"]:
            lines.append(f"    left out: {harness_line(r['harness_dropped'])}")
    if s["model_use"]:
        lines.append(f"model use, last {SPEND_DAYS} days (tokens in/out):")
        lines += [f"  {'phase 1' if u['phase'] == 'extract' else 'phase 2'} {u['model']}: {u['calls']} calls, "
                  f"{u['tokens_in']:,}/{u['tokens_out']:,} tokens, {money(u['cost_usd'])}" for u in s["model_use"]]
    for p in s["pending"]:
        waiting = f" ({p['status']}, next try {_when(p['retry_at'])})" if p["status"] == "failed" else ""
        lines.append(f"  pending: {p['path']}{waiting}")
    if s["failing"]:
        lines.append("failing:")
    for f in s["failing"]:
        retry = f"next retry {_when(f['retry_at'])}" if f["attempts_left"] > 0 else "no attempts left until the input changes"
        error = (f["last_error"] or "").splitlines()[0][:200] if f["last_error"] else "-"
        lines.append(f"  {f['kind']} {f['key']}: {f['failures']} failures, {retry}: {error}")
    if s["quarantined"]:
        lines.append("quarantined (kept out of the handbook; nightshift never stores or commits these):")
        lines += [f"  {_when(q['last_seen'])}  {q['source']} {q['place']}: {q['reasons']}" for q in s["quarantined"]]
    if s["flagged_in_handbook"]:
        lines.append("flagged lines in the handbook (withheld by `nightshift summary`; edit or delete them):")
        lines += [f"  {f['file']}:{f['line']}: {f['reasons']}" for f in s["flagged_in_handbook"]]
    if s["held_back"]:
        lines.append("held back by a rollback (until their transcripts change):")
        lines += [f"  {h['rollout_id']} ({h['slug']}), rolled back {h['reverted_commit'][:10]} at {_when(h['rolled_back_at'])}"
                  for h in s["held_back"]]
    return lines


def render_log(history: list[Commit]) -> list[str]:
    """One block per commit: sha, date, author and subject, then its trailers (run, models, rollouts)."""
    lines = []
    for c in history:
        by = "" if c.subject.startswith(f"{c.author}: ") else f"{c.author}: "  # nightshift's subjects name it already
        lines.append(f"{c.sha[:10]}  {c.date[:16].replace('T', ' ')}  {by}{c.subject}")
        lines += [f"    {key}: {value}" for key, values in c.trailers.items() for value in values]
        if c.reverts and "Nightshift-Rollback" not in c.trailers:
            lines.append(f"    reverts {c.reverts}")
    return lines
