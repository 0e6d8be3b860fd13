"""`nightshift import`: existing memory files become raw memories, with provenance and without secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import git
import pytest
from conftest import SAMPLE_SECRET, run_night

from nightshift.commands import importer
from nightshift.settings import Settings
from nightshift.store.state import open_state

NIGHTSHIFT = str(Path(sys.executable).parent / "nightshift")

CLAUDE_MD = f"""# Acme API

Conventions for agents working here.

- Run `make test` before every commit.
- Use pnpm, never npm,
  also in CI scripts.

## Deploy

```
make deploy ENV=staging
```

The staging key is OPENAI_API_KEY={SAMPLE_SECRET} (do not print it).
@docs/architecture.md
"""


def nightshift(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([NIGHTSHIFT, *args], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})


@pytest.fixture
def user_home(tmp_path: Path) -> Path:
    """A HOME with Claude Code auto memory and Hermes memory in their usual places."""
    home = tmp_path / "user"
    project = home / ".claude" / "projects" / "-home-dev-webshop"
    memory = project / "memory"
    memory.mkdir(parents=True)
    (project / "0a1b.jsonl").write_text(json.dumps({"type": "user", "cwd": "/home/dev/webshop", "sessionId": "0a1b"}) + "\n")
    (memory / "MEMORY.md").write_text(
        "- [Package manager](feedback_pnpm.md) — pnpm only\n- [Deploys](project_deploys.md) — freeze on Fridays\n"
        "- The staging database is reset every Monday.\n"
    )
    (memory / "feedback_pnpm.md").write_text(
        "---\nname: pnpm only\ndescription: package manager choice\nmetadata:\n  type: feedback\n---\n\n"
        "Always use pnpm, never npm.\n**Why:** the lockfile is pnpm-lock.yaml.\n"
    )
    (memory / "project_deploys.md").write_text("---\nname: deploy freeze\ntype: project\n---\nNo deploys on Fridays.\n")
    hermes = home / ".hermes" / "memories"
    hermes.mkdir(parents=True)
    (hermes / "MEMORY.md").write_text("The build server is ci.internal:8080.\n§\nDocker images are pushed by CI only;\nnever push by hand.\n")
    (hermes / "USER.md").write_text("§\nPrefers short answers.\n§\nWrites Go and TypeScript.\n")
    return home


def _memory(settings: Settings, source_path: Path) -> dict:
    with open_state(settings.state_dir) as db:
        row = db.con.execute("SELECT body_json, project_key, source_format FROM raw_memories WHERE source_path = ?",
                             [str(source_path.resolve())]).fetchone()
    assert row, f"no raw memory from {source_path}"
    return json.loads(row[0]) | {"project_key": row[1], "source_format": row[2]}


def test_claude_md_entries_keep_their_lines_lose_their_secrets_and_belong_to_the_repo(settings, tmp_path):
    repo = tmp_path / "acme-api"
    git.Repo.init(repo).create_remote("origin", "git@github.com:acme/api.git")
    (repo / "CLAUDE.md").write_text(CLAUDE_MD)
    report = importer.import_files(settings, [(repo / "CLAUDE.md", importer.INSTRUCTIONS)], importer_now())
    assert [(r.outcome, r.entries) for r in report] == [("added", 5)]
    m = _memory(settings, repo / "CLAUDE.md")
    task = m["tasks"][0]
    assert m["source_format"] == "import" and m["project_key"] == "github.com/acme/api" and task["scope"] == "project"
    assert task["preferences"][:3] == ["Conventions for agents working here.", "Run `make test` before every commit.",
                                       "Use pnpm, never npm, also in CI scripts."]
    assert task["preferences"][3] == "`make deploy ENV=staging`"
    assert SAMPLE_SECRET not in json.dumps(m) and "[REDACTED" in task["preferences"][4]
    assert task["evidence"] == [f"{(repo / 'CLAUDE.md').resolve()}:{n}" for n in (3, 5, 6, 12, 15)]


def test_claude_code_auto_memory_files_by_type_scoped_to_their_project(settings, user_home, monkeypatch):
    monkeypatch.setenv("HOME", str(user_home))
    files, unknown = importer.collect([], claude_memory=True, hermes=False)
    assert not unknown and len(files) == 3
    importer.import_files(settings, files, importer_now())
    memory = user_home / ".claude" / "projects" / "-home-dev-webshop" / "memory"
    feedback = _memory(settings, memory / "feedback_pnpm.md")
    assert feedback["tasks"][0]["preferences"] == ["Always use pnpm, never npm. **Why:** the lockfile is pnpm-lock.yaml."]
    assert feedback["project_key"] == "/home/dev/webshop" and feedback["tasks"][0]["evidence"][0].endswith("feedback_pnpm.md:8")  # after the frontmatter and a blank line
    assert _memory(settings, memory / "project_deploys.md")["tasks"][0]["knowledge"] == ["No deploys on Fridays."]
    index = _memory(settings, memory / "MEMORY.md")["tasks"][0]  # lines linking a topic file are not repeated
    assert index["knowledge"] == ["The staging database is reset every Monday."]


def test_hermes_entries_split_on_the_section_sign_are_global(settings, user_home, monkeypatch):
    monkeypatch.setenv("HOME", str(user_home))
    files, _ = importer.collect([], claude_memory=False, hermes=True)
    importer.import_files(settings, files, importer_now())
    notes = _memory(settings, user_home / ".hermes" / "memories" / "MEMORY.md")
    assert notes["tasks"][0]["knowledge"] == ["The build server is ci.internal:8080.", "Docker images are pushed by CI only; never push by hand."]
    assert notes["tasks"][0]["scope"] == "global" and notes["tasks"][0]["evidence"][1].endswith("MEMORY.md:3")
    profile = _memory(settings, user_home / ".hermes" / "memories" / "USER.md")
    assert profile["tasks"][0]["preferences"] == ["Prefers short answers.", "Writes Go and TypeScript."]


def test_folders_are_searched_for_instruction_files_and_user_level_ones_are_global(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    codex = tmp_path / "user" / ".codex"
    codex.mkdir(parents=True)
    (codex / "AGENTS.md").write_text("- Answer in English.\n")
    work = tmp_path / "work"
    (work / "svc" / "node_modules" / "dep").mkdir(parents=True)
    (work / "svc" / "AGENTS.md").write_text("- Use ruff.\n")
    (work / "svc" / "node_modules" / "dep" / "CLAUDE.md").write_text("- vendored, not yours\n")
    files, _ = importer.collect([work, codex / "AGENTS.md"], claude_memory=False, hermes=False)
    assert sorted(p.name for p, _ in files) == ["AGENTS.md", "AGENTS.md"] and all("node_modules" not in str(p) for p, _ in files)
    importer.import_files(settings, files, importer_now())
    assert _memory(settings, codex / "AGENTS.md")["tasks"][0]["scope"] == "global"
    assert _memory(settings, work / "svc" / "AGENTS.md")["tasks"][0]["scope"] == "project"


def test_import_command_feeds_the_next_consolidation_and_reimports_only_changes(settings, user_home, tmp_path):
    env = {"HOME": str(user_home)}
    first = nightshift("import", "--claude-memory", "--hermes", "--home", str(settings.home), env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("added ") == 5 and "5 of 5 files changed raw memories" in first.stdout
    run_night(settings)
    handbook = (settings.home / "MEMORY.md").read_text()
    assert "Always use pnpm, never npm. **Why:** the lockfile is pnpm-lock.yaml." in handbook
    assert "Prefers short answers." in handbook and "No deploys on Fridays." in handbook

    (user_home / ".hermes" / "memories" / "USER.md").write_text("Prefers long answers.\n")
    again = json.loads(nightshift("import", "--claude-memory", "--hermes", "--home", str(settings.home), "--json", env=env).stdout)
    assert sorted(r["outcome"] for r in again) == ["unchanged"] * 4 + ["updated"]
    run_night(settings)
    handbook = (settings.home / "MEMORY.md").read_text()
    assert "Prefers long answers." in handbook and "Prefers short answers." not in handbook


def test_import_refuses_files_it_does_not_know(settings, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    unknown = nightshift("import", str(notes), "--home", str(settings.home))
    assert unknown.returncode == 2 and "notes.txt" in unknown.stderr
    assert not (settings.home / ".nightshift").exists()


def importer_now():
    from nightshift.clock import utcnow

    return utcnow()
