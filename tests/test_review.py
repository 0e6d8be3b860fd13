"""Review mode, opt-out, `scope` and `search`, through the command as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest
from agent_sessions import nightshift, preference_session, project, usage_of
from conftest import run_night

from nightshift.settings import Settings

LINT_RULE = "In this repo, always run `make lint` before you commit."
TABS_RULE = "In this repo, always indent the YAML files with two spaces."
COMMIT_RULE = "From now on, in all my projects, write commit messages in the imperative mood."


@pytest.fixture
def world(tmp_path: Path) -> dict:
    """One accepted night: the lint rule of github.com/acme/widgets is in memory."""
    source = tmp_path / "sources"
    widgets = project(tmp_path, "widgets", "git@github.com:acme/widgets.git")
    lint_id, _ = preference_session(source, widgets, LINT_RULE, hours_ago=4)
    settings = Settings(home=tmp_path / "home", sources=[source], idle_hours=0, provider="builtin")
    _, sha = run_night(settings)
    return {"home": settings.home, "source": source, "project": widgets, "lint": lint_id, "settings": settings, "first": sha}


def _main(home: Path) -> str:
    return git.Repo(home).commit("main").hexsha


def _proposed(home: Path) -> str | None:
    repo = git.Repo(home)
    return repo.commit("proposed").hexsha if "proposed" in repo.heads else None


def _summary(home: Path, cwd: Path) -> str:
    done = nightshift("summary", "--home", str(home), "--cwd", str(cwd))
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_a_review_night_leaves_main_untouched_and_accept_fast_forwards(world):
    home, widgets = world["home"], world["project"]
    tabs_id, _ = preference_session(world["source"], widgets, TABS_RULE, hours_ago=3)

    done = nightshift("consolidate", "--home", str(home), "--source", str(world["source"]), "--idle-hours", "0", "--json",
                      env={"NIGHTSHIFT_REVIEW": "true"})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert _main(home) == world["first"], "main is untouched"
    proposed = _proposed(home)
    assert proposed and result["commit"] == proposed
    assert git.Repo(home).commit(proposed).parents[0].hexsha == world["first"]
    assert TABS_RULE not in (home / "MEMORY.md").read_text() and TABS_RULE not in _summary(home, widgets), \
        "only accepted memory is read"
    assert "nightshift review" in result["summary"] or any("review" in n for n in result["notes"])

    review = nightshift("review", "--home", str(home), "--format", "json")
    assert review.returncode == 0, review.stderr
    changes = json.loads(review.stdout)
    assert changes["commit"] == proposed
    added = [c for c in changes["changes"] if c["kind"] == "added" and c["new"].endswith(TABS_RULE)]
    assert added and all(tabs_id in c["sessions"] for c in added)
    assert {c["file"] for c in added} == {"MEMORY.md", "memory_summary.md"}
    text = nightshift("review", "--home", str(home))
    assert text.returncode == 0 and TABS_RULE in text.stdout and tabs_id[:8] in text.stdout
    status = nightshift("status", "--home", str(home))
    assert status.returncode == 0 and f"waiting for review: {proposed[:10]}" in status.stdout, status.stdout
    counted = {kind: sum(c["kind"] == kind for c in changes["changes"]) for kind in ("added", "replaced", "removed")}
    assert f"({counted['added']} added, {counted['replaced']} replaced, {counted['removed']} removed)" in status.stdout
    waiting = json.loads(nightshift("status", "--home", str(home), "--json").stdout)["proposal"]
    assert waiting["sha"] == proposed and {k: waiting[k] for k in counted} == counted

    accepted = nightshift("accept", "--home", str(home))
    assert accepted.returncode == 0, accepted.stderr
    assert _main(home) == proposed and _proposed(home) is None
    after = nightshift("status", "--home", str(home))
    assert after.returncode == 0 and "waiting for review" not in after.stdout
    assert TABS_RULE in (home / "MEMORY.md").read_text() and TABS_RULE in _summary(home, widgets)
    assert not git.Repo(home).is_dirty(untracked_files=True)
    nothing = nightshift("review", "--home", str(home))
    assert nothing.returncode == 0 and "nothing" in nothing.stdout.lower()


def test_reject_drops_the_proposal_and_holds_its_memories_back(world):
    home, widgets = world["home"], world["project"]
    tabs_id, _ = preference_session(world["source"], widgets, TABS_RULE, hours_ago=3)
    _, proposed = run_night(Settings(**world["settings"].model_dump() | {"review": True}))
    assert proposed and _proposed(home) == proposed and _main(home) == world["first"]

    wrong = nightshift("reject", "0123456789abcdef", "--home", str(home))
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr and "0123456789" in wrong.stderr
    assert _proposed(home) == proposed

    rejected = nightshift("reject", proposed[:10], "--home", str(home))
    assert rejected.returncode == 0, rejected.stderr
    assert _proposed(home) is None and _main(home) == world["first"]
    assert usage_of(home)[tabs_id]["status"].startswith("held back")

    run_night(world["settings"])  # a normal night later: the rejected memory does not come back
    assert TABS_RULE not in (home / "MEMORY.md").read_text()
    assert LINT_RULE in (home / "MEMORY.md").read_text()


def test_accept_with_nothing_waiting_says_so(world):
    done = nightshift("accept", "--home", str(world["home"]))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "nothing" in done.stderr.lower()
    assert _main(world["home"]) == world["first"]


def test_a_project_with_nightshift_ignore_is_never_extracted(world, tmp_path):
    home = world["home"]
    private = project(tmp_path, "private", "git@github.com:acme/private.git")
    (private / ".nightshift-ignore").write_text("")
    nested = private / "services" / "billing"
    nested.mkdir(parents=True)
    ignored_id, _ = preference_session(world["source"], nested, "In this repo, always run `make audit` before you push.")
    kept_id, _ = preference_session(world["source"], world["project"], TABS_RULE, hours_ago=2)

    run, _ = run_night(world["settings"])
    assert run.counts.get("ignored") == 1, run.counts
    memories = usage_of(home)
    assert ignored_id not in memories and kept_id in memories
    assert "make audit" not in (home / "MEMORY.md").read_text()


def test_exclude_projects_globs_keep_a_project_out(world, tmp_path):
    home = world["home"]
    client = project(tmp_path, "client-portal", "https://github.com/bigcorp/client-portal.git")
    ignored_id, _ = preference_session(world["source"], client, "In this repo, always run `make audit` before you push.")
    (home / "nightshift.toml").write_text('exclude_projects = ["github.com/bigcorp/*"]\n')

    done = nightshift("consolidate", "--home", str(home), "--source", str(world["source"]), "--idle-hours", "0", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["counts"].get("ignored") == 1
    assert "by your choice" in result["summary"]
    assert ignored_id not in usage_of(home)


def test_scope_moves_a_memory_to_global(world, tmp_path):
    home = world["home"]
    elsewhere = project(tmp_path, "gadgets", "git@github.com:acme/gadgets.git")
    assert LINT_RULE not in _summary(home, elsewhere)

    moved = nightshift("scope", world["lint"][:8], "global", "--home", str(home))
    assert moved.returncode == 0, moved.stderr
    assert usage_of(home)[world["lint"]]["scope"] == "global"
    run_night(world["settings"])
    assert LINT_RULE in _summary(home, elsewhere)

    back = nightshift("scope", world["lint"][:8], "project", "--home", str(home))
    assert back.returncode == 0, back.stderr
    run_night(world["settings"])
    assert LINT_RULE not in _summary(home, elsewhere) and LINT_RULE in _summary(home, world["project"])

    unknown = nightshift("scope", "no-such-memory", "global", "--home", str(home))
    assert unknown.returncode != 0 and "no-such-memory" in unknown.stderr and "Traceback" not in unknown.stderr
    bad = nightshift("scope", world["lint"][:8], "everywhere", "--home", str(home))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_search_ranks_this_project_before_global_lines(world, tmp_path):
    home, widgets = world["home"], world["project"]
    preference_session(world["source"], widgets, "From now on, in all my projects, run the linter quietly.", hours_ago=2)
    run_night(world["settings"])

    done = nightshift("search", "lint", "--home", str(home), "--cwd", str(widgets), "--format", "json")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["results"]
    scopes = [r["scope"] for r in results]
    assert "github.com/acme/widgets" in scopes and "global" in scopes
    assert scopes.index("global") > scopes.index("github.com/acme/widgets")
    first = results[0]
    assert {"file", "line", "text", "age_days", "id", "scope"} <= set(first)
    assert (home / first["file"]).read_text().splitlines()[first["line"] - 1].strip() == first["text"].strip()

    text = nightshift("search", "make lint", "--home", str(home), "--cwd", str(widgets))
    assert text.returncode == 0 and "MEMORY.md:" in text.stdout and "make lint" in text.stdout
    none = nightshift("search", "kubernetes", "--home", str(home))
    assert none.returncode == 1 and "no match" in none.stderr.lower()
