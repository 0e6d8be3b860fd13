"""The read path: `nightshift summary` scoped to a project, with ages and ids, under the token cap."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
from conftest import run_night
from typer.testing import CliRunner

from nightshift.commands import summary as read_path
from nightshift.cli import app
from nightshift.settings import Settings
from nightshift.store.state import open_state

ACME = "01a1edb6-81d4-76a2-807c-afd56071b068"
ACME_TIP = "`pytest` failed: ModuleNotFoundError: No module named 'acme_api' -> ran `pip install -e .`"
PNPM_RULE = "Always use pnpm instead of npm in this repo."
MY_RULE = "- Answer in English, even when I write in German."


def _repo(path: Path, origin: str | None) -> Path:
    repo = git.Repo.init(path)
    if origin:
        repo.create_remote("origin", origin)
    (path / "src").mkdir()
    return path


def _hand_write_global_rule(home: Path) -> None:
    summary = home / "memory_summary.md"
    summary.write_text(summary.read_text().replace("## Preferences\n", f"## Preferences\n{MY_RULE}\n"))


def test_only_global_entries_and_this_projects_entries_are_shown(settings, tmp_path: Path):
    run_night(settings)
    _hand_write_global_rule(settings.home)
    acme = _repo(tmp_path / "acme-checkout", "git@github.com:acme/acme-api.git")  # the sample session's remote, other URL form
    other = _repo(tmp_path / "other", "https://github.com/acme/other.git")
    now = datetime.now(UTC)
    in_acme = read_path.render(settings, acme / "src", now).text
    assert ACME_TIP in in_acme and "[project: github.com/acme/acme-api]" in in_acme
    assert "pnpm" not in in_acme and "/home/dev/webshop" not in in_acme, "the webshop project's rules stay out"
    assert MY_RULE + " (0d)" in in_acme, "a bullet above the sub-headings is global; not committed yet, so 0 days old"
    in_other = read_path.render(settings, other, now).text
    assert ACME_TIP not in in_other and "pnpm" not in in_other and MY_RULE in in_other
    assert "- (nothing for this project)" in in_other
    # The CLI path: --cwd, JSON output.
    done = CliRunner().invoke(app, ["summary", "--home", str(settings.home), "--cwd", str(acme), "--format", "json"])
    assert done.exit_code == 0
    shown = json.loads(done.stdout)
    assert shown["project"] == "github.com/acme/acme-api" and shown["memory_md"] == str(settings.home.resolve() / "MEMORY.md")
    assert any(e["cite"] == ACME[:8] and e["text"].startswith("- `pytest` failed") for e in shown["entries"])


def test_entries_carry_their_age_and_id_and_the_preamble_says_how_to_use_them(settings, tmp_path: Path):
    run_night(settings)
    _hand_write_global_rule(settings.home)
    git.Repo(settings.home).git.commit("-am", "my rule", "--author", "Me <me@x>")
    with open_state(settings.state_dir, read_only=True) as db:
        learnt = db.con.execute("SELECT source_updated_at FROM raw_memories WHERE rollout_id = ?", [ACME]).fetchone()[0].replace(tzinfo=UTC)
    later = datetime.now(UTC) + timedelta(days=5, hours=1)
    text = read_path.render(settings, _repo(tmp_path / "acme", "https://github.com/acme/acme-api"), later).text
    assert f"{ACME_TIP}, then `pytest` passed ({(later - learnt).days}d, {ACME[:8]})" in text
    assert f"{MY_RULE} (5d)" in text, "a hand-written line is as old as the commit that wrote it"
    home = str(settings.home.resolve())
    assert f"rg -n -i 'pytest' {home}/MEMORY.md" in text and "[memory: <id>]" in text
    assert "hint, not an authority" in text and "check that it still" in text
    assert not text.startswith("v1") and "\nv1\n" not in text


def test_path_keyed_projects_cover_their_subfolders_and_nothing_next_to_them(tmp_path: Path):
    summary = "\n".join([
        "v1", "", "## User profile", "- 3 sessions remembered", "- worked in /w/shop: 2 sessions, last 2026-11-18",
        "- worked in /w/blog: 1 session, last 2026-11-17", "", "## Preferences", "### global", "- Use British spelling.",
        "### project: /w/shop", "- Use pnpm.", "### project: /w/blog", "- Use hugo.", "### my own notes", "- Keep PRs small.",
        "", "## General tips", "### project: /w/blog", "- Drafts live in content/drafts.", "", "## What's in memory",
        "- [global] global (1 task): spelling -> MEMORY.md", "- [project: /w/shop] shop (2 tasks): pnpm -> MEMORY.md",
        "- [project: /w/blog] blog (1 task): hugo -> MEMORY.md", "- see MEMORY.md for everything", "",
    ])
    shown = "\n".join(r.text for r in read_path.scope_rows(summary, "/w/shop", Path("/w/shop/src/cart")))
    assert shown == "\n".join([
        "## User profile", "- 3 sessions remembered", "- worked in /w/shop: 2 sessions, last 2026-11-18", "",
        "## Preferences", "### global", "- Use British spelling.", "### project: /w/shop", "- Use pnpm.",
        "### my own notes", "- Keep PRs small.", "", "## General tips", "- (nothing for this project)", "",
        "## What's in memory", "- [global] global (1 task): spelling -> MEMORY.md",
        "- [project: /w/shop] shop (2 tasks): pnpm -> MEMORY.md", "- see MEMORY.md for everything",
    ])
    beside = "\n".join(r.text for r in read_path.scope_rows(summary, "/w/shop2", Path("/w/shop2")))
    assert "Use pnpm" not in beside and "Use hugo" not in beside and "Use British spelling" in beside


def _big_summary(home: Path) -> None:
    home.mkdir(parents=True)
    lines = ["v1", "", "## User profile", "- 40 sessions remembered", "", "## Preferences", "### global"]
    lines += [f"- preference number {i}: always do thing {i} the careful way." for i in range(5)]
    lines += ["", "## General tips", "### global"] + [f"- tip number {i}: the build needs step {i} first." for i in range(40)]
    lines += ["", "## What's in memory"] + [f"- [global] group {i} (1 task): topic{i} -> MEMORY.md" for i in range(20)]
    (home / "memory_summary.md").write_text("\n".join(lines) + "\n")


def test_the_block_stays_under_the_token_cap_dropping_the_index_first(tmp_path: Path):
    home = tmp_path / "home"
    _big_summary(home)
    now = datetime(2026, 11, 21, tzinfo=UTC)
    whole = read_path.render(Settings(home=home, sources=[]), tmp_path, now)
    assert whole.dropped == 0
    summary_bytes = len(whole.text.split("<memory>\n", 1)[1].split("\n</memory>", 1)[0].encode()) + 1
    cap = (len(whole.text.encode()) - summary_bytes + 900) // 4  # room for about a third of the summary
    fitted = read_path.render(Settings(home=home, sources=[], summary_token_cap=cap), tmp_path, now)
    assert len(fitted.text.encode()) <= cap * 4 and fitted.tokens <= cap
    assert fitted.dropped > 20
    assert all(f"preference number {i}:" in fitted.text for i in range(5)), "preferences are dropped last"
    assert "topic" not in fitted.text, "the index goes first"
    assert "tip number 0:" in fitted.text and "tip number 39:" not in fitted.text, "then tips, from the end"
    too_small = CliRunner().invoke(app, ["summary", "--home", str(home)], env={"NIGHTSHIFT_SUMMARY_TOKEN_CAP": "100"})
    assert too_small.exit_code == 2 and "smaller than the read-path preamble" in too_small.stderr


def test_the_install_hint_pastes_into_claude_code_and_codex_and_the_hook_works(settings, tmp_path: Path):
    run_night(settings)
    hint = CliRunner().invoke(app, ["summary", "--install-hint", "--home", str(settings.home)]).stdout
    claude = json.loads(re.search(r"^\{.*?^\}", hint, re.S | re.M)[0])
    command = claude["hooks"]["SessionStart"][0]["hooks"][0]["command"]
    assert f"@{settings.home.resolve()}/memory_summary.md" in hint
    assert re.search(r"~/.codex/AGENTS.md.*\n.*run `.*summary --home .*` in the project directory", hint)
    acme = _repo(tmp_path / "acme", "git@github.com:acme/acme-api.git")
    # Run the hook command as Claude Code would: a shell, with the project directory in the environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIGHTSHIFT_")} | {"CLAUDE_PROJECT_DIR": str(acme)}
    out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert out.returncode == 0 and ACME_TIP in out.stdout and "pnpm" not in out.stdout
