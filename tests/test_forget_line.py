"""`nightshift forget --line`: one preference or fact leaves the handbook, and rolling back the night that
applied it does not bring it back as a line no memory supports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clirun import nightshift
from conftest import run_night

from nightshift.settings import Settings

LINE = "always use pnpm instead of npm"  # one of the webshop sample's three preferences (matched ignoring case)


def test_forget_one_line_then_roll_back_the_night_that_applied_it(home, sources):
    s = Settings(home=home, sources=sources, idle_hours=0, provider="builtin")
    run_night(s)
    assert "Always use pnpm instead of npm" in (home / "MEMORY.md").read_text()

    dry = nightshift("forget", "--line", LINE, "--dry-run", "--home", home)
    assert dry.returncode == 0 and "would forget" in dry.stdout and "Always use pnpm instead of npm" in dry.stdout
    done = nightshift("forget", "--line", LINE, "--home", home)
    assert done.returncode == 0, done.stderr
    assert "forgot" in done.stdout and "Always use pnpm instead of npm" in done.stdout

    run_night(s, datetime.now(UTC) + timedelta(minutes=1))
    handbook = (home / "MEMORY.md").read_text()
    assert "use pnpm instead" not in handbook and "use pnpm instead" not in (home / "memory_summary.md").read_text()
    assert "Never run the full e2e suite locally" in handbook  # the session's other preferences stay

    back = nightshift("rollback", "--home", home)
    assert back.returncode == 0, back.stderr
    assert "use pnpm instead" not in (home / "MEMORY.md").read_text() + (home / "memory_summary.md").read_text()
    summary = nightshift("summary", "--home", home, "--cwd", "/home/dev/webshop").stdout
    assert "use pnpm instead" not in summary and "(0d)" not in summary and "Never run the full e2e suite" in summary


def test_forget_a_line_nothing_says_exits_1(home, sources):
    run_night(Settings(home=home, sources=sources, idle_hours=0, provider="builtin"))
    done = nightshift("forget", "--line", "no memory says this", "--home", home)
    assert done.returncode == 1 and "no memory" in done.stderr and "Traceback" not in done.stderr
