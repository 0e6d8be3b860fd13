"""Usage counts, decay, pruning and forgetting on a real DuckDB file and a real memory-home git repo."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
import pyarrow.parquet as pq
from conftest import run_night
from typer.testing import CliRunner

from nightshift.phase2 import retention
from nightshift.cli import app
from nightshift.memory import RawMemory, StoredMemory
from nightshift.settings import Settings
from nightshift.store.state import open_state
from nightshift.store.usage import Policy

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ACME = "01a1edb6-81d4-76a2-807c-afd56071b068"  # the sample sessions' rollout ids
SHOP = "d4a27783-1132-41b3-a519-aa6bd6b5563f"


def _memory(rollout_id: str, *, days_old: float, slug: str = "some-fix") -> StoredMemory:
    body = {"decision": "remember", "rollout_summary": "s", "slug": slug, "tasks": [{
        "title": f"task {rollout_id}", "outcome": "success", "scope": "project", "cwd": "/src", "keywords": [],
        "preferences": [f"rule from {rollout_id}"], "knowledge": [], "failures": [], "evidence": []}]}
    return StoredMemory(rollout_id, f"/s/{rollout_id}.jsonl", "codex", "github.com/acme/api",
                        RawMemory.model_validate(body), NOW - timedelta(days=days_old))


def _store(db, *memories: StoredMemory) -> None:
    for m in memories:
        db.store_memory(m, "md", NOW)


def _uses(db) -> dict[str, tuple[int, datetime | None]]:
    rows = db.con.execute("SELECT rollout_id, usage_count, last_usage FROM raw_memories").fetchall()
    return {rid: (count, last and last.replace(tzinfo=UTC)) for rid, count, last in rows}


def _ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_a_citation_counts_once_per_citing_session_whatever_the_id_form(tmp_path: Path):
    with open_state(tmp_path) as db:
        _store(db, _memory(ACME, days_old=5, slug="fix-acme-tests"), _memory(SHOP, days_old=5))
        cited = [("session-1", _ago(2), [ACME, ACME[:8], "fix-acme-tests"]),  # one session, three spellings
                 ("session-2", _ago(1), [ACME[:10], "not-a-memory", "abc"]),
                 (SHOP, _ago(1), [SHOP])]  # a session never uses its own memory
        assert db.record_citations(cited) == 2
        assert db.record_citations(cited) == 0, "the same transcript read again"
        assert _uses(db) == {ACME: (2, _ago(1)), SHOP: (0, None)}
        assert db.record_citations([("session-3", _ago(3), [ACME[:8]])]) == 1
        assert _uses(db)[ACME] == (3, _ago(1)), "an older use does not move last_usage back"
        pairs = db.con.execute("SELECT count(*) FROM citations WHERE rollout_id = ?", [ACME]).fetchone()[0]
        assert pairs == 3


def _select(db, limit=10, max_unused=30, half_life=10):
    return [m.rollout_id for m in db.select_memories(Policy(limit, max_unused, half_life), NOW)]


def test_selection_ranks_by_decayed_usage_then_source_recency_and_drops_the_stale(tmp_path: Path):
    with open_state(tmp_path) as db:
        _store(db, *(_memory(rid, days_old=days) for rid, days in [
            ("often-long-ago", 29), ("once-lately", 29), ("new-unused", 1), ("older-unused", 3),
            ("stale-unused", 31), ("stale-used", 60), ("re-extracted", 2)]))
        db.record_citations([(f"s{i}", _ago(25), ["often-long-ago"]) for i in range(4)])  # 4 x 0.5^2.5 = 0.71
        db.record_citations([("s9", _ago(1), ["once-lately"]), ("s8", _ago(40), ["stale-used", "re-extracted"])])
        ranked = _select(db)
        # A raw usage count would put "often-long-ago" first; decay puts yesterday's single use ahead.
        # "re-extracted" was last used 40 days ago, but its source is two days old, so it stays; any use
        # still ranks it above the unused ones, which go newest first.
        assert ranked == ["once-lately", "often-long-ago", "re-extracted", "new-unused", "older-unused"]
        assert _select(db, limit=3) == ranked[:3]
        # A longer half-life makes the four old uses weigh more than the fresh one.
        assert _select(db, half_life=100)[:2] == ["often-long-ago", "once-lately"]
        rows = {r["rollout_id"]: r for r in db.usage_rows(Policy(3, 30, 10), NOW)}
        assert rows["once-lately"]["status"] == "selected" and rows["older-unused"]["status"] == "over the limit"
        assert rows["stale-used"]["status"] == "unused for 40 days" and rows["stale-unused"]["status"] == "unused for 31 days"
        assert rows["often-long-ago"]["score"] == round(4 * 0.5 ** 2.5, 4)


def _commit_summaries(home: Path, rollout_ids: list[str]) -> None:
    """A memory home whose HEAD holds rollout summaries of these memories (as workspace writes them)."""
    repo = git.Repo.init(home)
    (home / "rollout_summaries").mkdir(parents=True)
    for rid in rollout_ids:
        (home / "rollout_summaries" / f"2026-09-01-x-{rid[:8]}.md").write_text(f"# x\n\n- rollout_id: {rid}\n- project: p\n")
    repo.index.add([f"rollout_summaries/2026-09-01-x-{rid[:8]}.md" for rid in rollout_ids])
    repo.index.commit("nightshift: consolidation", author=git.Actor("t", "t@x"), committer=git.Actor("t", "t@x"))


def test_prune_deletes_old_unselected_rows_in_batches_but_never_what_head_consumed(tmp_path: Path):
    home = tmp_path / "home"
    settings = Settings(home=home, sources=[], max_raw_memories=1, max_unused_days=30, retention_days=20, prune_batch_size=2)
    old = [f"old-{i}" for i in range(5)]
    _commit_summaries(home, ["old-0"])
    with open_state(settings.state_dir) as db:
        _store(db, *(_memory(rid, days_old=100 + i) for i, rid in enumerate(old)),
               _memory("cut-by-limit", days_old=25), _memory("best", days_old=25), _memory("recent", days_old=25))
        db.record_citations([("s1", _ago(25), ["best"]), ("s2", _ago(22), ["recent"])])
        # Retention (20 days) is shorter than max_unused_days here: "recent" is past retention but selected.
        assert _select(db, limit=1) == ["recent"]
        assert retention.prune(db, settings, NOW) == 2
        assert retention.prune(db, settings, NOW) == 2
        assert retention.prune(db, settings, NOW) == 2
        assert retention.prune(db, settings, NOW) == 0
        left = set(_uses(db))
        # old-0 is in HEAD's rollout summaries, "recent" is selected; "best" and "cut-by-limit" were over the limit.
        assert left == {"old-0", "recent"}
        assert db.con.execute("SELECT rollout_id FROM citations").fetchall() == [("recent",)], "citations of deleted rows go"


def _codex_session(path: Path, session_id: str, when: datetime, answer: str) -> None:
    """A small Codex rollout in which the assistant cites memories."""
    stamp = lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731
    lines = [
        {"timestamp": stamp(when), "type": "session_meta", "payload": {"id": session_id, "timestamp": stamp(when), "cwd": "/home/dev/webshop",
                                                                        "originator": "codex_cli_rs", "cli_version": "0.142.0"}},
        {"timestamp": stamp(when), "type": "response_item", "payload": {"type": "message", "role": "user", "content": [
            {"type": "input_text", "text": "add a test for the cart discount"}]}},
        {"timestamp": stamp(when + timedelta(minutes=2)), "type": "response_item", "payload": {"type": "message", "role": "assistant", "content": [
            {"type": "output_text", "text": answer}]}},
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    os.utime(path, (when.timestamp() + 300, when.timestamp() + 300))


def test_used_memories_stay_and_the_rest_fade_out_of_the_handbook_in_one_commit(settings, sources):
    start = datetime.now(UTC) + timedelta(seconds=1)
    run_night(settings, start)
    handbook = settings.home / "MEMORY.md"
    assert "pnpm" in handbook.read_text() and "pip install -e ." in handbook.read_text()
    # Five weeks later a session cites the webshop memory (both formats, one malformed line) and is a no-op itself.
    cited_at = start + timedelta(days=35)
    citing = sources[0] / "sessions" / "later" / "rollout-later.jsonl"
    answer = (f"Added the test and ran it with pnpm.\n[memory: {SHOP[:8]}]\n[memory: <id>]\n"
              f"<oai-mem-citation>\n<citation_entries>\nMEMORY.md:5-6|note=[pnpm]\n</citation_entries>\n"
              f"<rollout_ids>\n{SHOP}\n</rollout_ids>\n</oai-mem-citation>")
    _codex_session(citing, "0a0b0c0d-1111-7222-8333-444455556666", cited_at, answer)
    run, sha = run_night(settings, start + timedelta(days=36))
    assert run.counts["no_ops"] == 1 and run.counts["citations"] == 1 and run.counts["malformed_citations"] == 1
    text = handbook.read_text()
    assert "pnpm" in text, "the cited memory stays"
    assert "pip install -e ." not in text, "the memory nobody used for 30 days faded out"
    repo = git.Repo(settings.home)
    deleted = [d.a_path for d in repo.commit(sha).parents[0].diff(sha) if d.deleted_file]
    assert any(ACME[:8] in p for p in deleted) and not any(SHOP[:8] in p for p in deleted)
    # The citing transcript grows (the session was resumed) and is read again: still one use.
    with citing.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"timestamp": "x", "type": "event_msg", "payload": {"type": "task_complete"}}) + "\n")
    os.utime(citing, (cited_at.timestamp() + 600, cited_at.timestamp() + 600))
    run, _ = run_night(settings, start + timedelta(days=37))
    assert run.counts["citations"] == 0
    with open_state(settings.state_dir, read_only=True) as db:
        assert _uses(db)[SHOP][0] == 1


def test_forget_removes_a_memory_for_good_and_the_next_night_drops_it(settings):
    cli = CliRunner()
    run_night(settings)
    home = ["--home", str(settings.home)]
    listed = json.loads(cli.invoke(app, ["usage", *home, "--format", "json"]).stdout)["memories"]
    assert {m["short_id"] for m in listed} == {ACME[:8], SHOP[:8]} and all(m["selected"] for m in listed)
    preview = cli.invoke(app, ["forget", "add-unit-tests-*", "--dry-run", *home])  # slug of "Add unit tests ..."
    assert preview.exit_code == 0 and f"would forget {SHOP}" in preview.stdout
    done = cli.invoke(app, ["forget", SHOP[:8], *home, "--format", "json"])
    assert done.exit_code == 0 and [m["rollout_id"] for m in json.loads(done.stdout)["forgotten"]] == [SHOP]
    assert cli.invoke(app, ["forget", SHOP[:8], *home]).exit_code == 1, "nothing left to forget"
    # The unchanged transcript keeps its watermark, so the next night does not extract it again.
    run, sha = run_night(settings)
    assert run.counts["discovered"] == 0 and sha is not None
    assert "pnpm" not in (settings.home / "MEMORY.md").read_text()
    assert [m["rollout_id"] for m in json.loads(cli.invoke(app, ["usage", *home, "--format", "json"]).stdout)["memories"]] == [ACME]


def test_usage_exports_parquet(settings, tmp_path: Path):
    run_night(settings)
    out = tmp_path / "export" / "usage.parquet"
    result = CliRunner().invoke(app, ["usage", "--home", str(settings.home), "--export", str(out)])
    assert result.exit_code == 0 and "2 raw memories, 2 selected" in result.stdout
    table = pq.read_table(out)
    assert table.num_rows == 2 and str(table.schema.field("last_usage").type) == "timestamp[us, tz=UTC]"
    assert sorted(table.column("rollout_id").to_pylist()) == [ACME, SHOP]
    assert table.column("selected").to_pylist() == [True, True] and table.column("usage_count").to_pylist() == [0, 0]
