"""What consolidation does with rules across sessions, end to end through ``nightshift consolidate`` on
the builtin provider: a newer rule replaces the older one, a retraction in a later session removes the
line, and a rule said in three sessions is one line that names all three; and the same for rules said
in other words: a rule taken back by its name ("scratch the mypy rule"), a replacement that names the
old way only as gone ("make seed is gone, use ..."), and one that names only the new way ("CI moved to ...").

Two nights over real transcripts (written by the evaluation's generator): the first reads the older
sessions, the second the newer ones, as a user's nights would.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
import pytest
from test_cli import NIGHTSHIFT, nightshift  # noqa: F401  (the same real process the CLI tests run)

from eval.build_sessions import Case, render
from nightshift.ingest.citations import short_ids
from nightshift.memory import lifted_by, mentions_in_name, replaced_subjects, retraction_subject, says_the_same
from nightshift.phase2.handbook import _replaces

FRONTEND, MONOREPO, CLI_TOOL = "/home/dev/frontend", "/home/dev/monorepo", "/home/dev/cli-tool"
YARN = "In this repo always use yarn, never npm."
PNPM = "Use pnpm instead of yarn in this repo."
BLACK = "Always format with black before you commit in this repo."
INGEST, ERP, DOCS_API = "/home/dev/ingest", "/home/dev/erp", "/home/dev/docs-api"
MYPY = "In this repo always run mypy --strict before you commit."
SEED, LOADDATA = "Demo data is loaded with `make seed`.", "Make seed is gone, use `./manage.py loaddata demo` from now on."
JENKINS, ACTIONS = "CI is jenkins, the pipeline is defined in ci/Jenkinsfile.", "CI moved to github actions, the workflows are in .github/workflows."
PUSH = ("Never push directly to main, always open a PR.", "Don't push straight to main, PRs only please.",
        "We never push to main directly here, open a pull request.")


def _session(sources: Path, name: str, cwd: str, start: datetime, *said: str) -> str:
    """A Claude Code session in which the user says ``said``, one message each; returns its session id."""
    turns = [turn for text in said for turn in ({"user": text}, {"assistant": "Understood."})]
    case = Case.of({"id": name, "format": "claude", "cwd": cwd, "start": start.isoformat(), "turns": turns,
                    "deserves_memory": True, "note": ""})
    rel, text = render(case)
    path = sources / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    moment = (start + timedelta(minutes=5)).timestamp()  # idle since the session ended, whatever today is
    os.utime(path, (moment, moment))
    return path.stem


@dataclass
class Nights:
    home: Path
    first: git.Commit
    second: git.Commit
    push_sessions: list[str]

    def file(self, commit: git.Commit, name: str) -> str:
        return (commit.tree / name).data_stream.read().decode("utf-8")


def _consolidate(home: Path, sources: Path) -> git.Commit:
    done = nightshift("consolidate", "--home", str(home), "--source", str(sources), "--idle-hours", "0", timeout=300)
    assert done.returncode == 0, done.stderr
    return git.Repo(home).head.commit


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Nights:
    work = tmp_path_factory.mktemp("semantics")
    home, sources = work / "memory_home", work / "claude"
    now = datetime.now(UTC).replace(microsecond=0)
    earlier, later = now - timedelta(days=3), now - timedelta(days=1)
    push = [_session(sources, "push-1", CLI_TOOL, earlier, "Bump the version.", PUSH[0])]
    _session(sources, "yarn", FRONTEND, earlier, "Add date-fns.", YARN)
    _session(sources, "black", MONOREPO, earlier, "Tidy the auth module.", BLACK)
    _session(sources, "mypy", INGEST, earlier, "Add type hints to the parser.", MYPY)
    _session(sources, "seed", ERP, earlier, "Load the demo data.", SEED)
    _session(sources, "jenkins", DOCS_API, earlier, "Why didn't the pipeline run?", JENKINS)
    first = _consolidate(home, sources)

    _session(sources, "pnpm", FRONTEND, later, "The storybook build fails.",
             "We migrated away from yarn last week. From now on use pnpm instead of yarn in this repo.")
    _session(sources, "forget-black", MONOREPO, later, "forget what I said about black, the pre-commit hook runs ruff now.")
    push.append(_session(sources, "push-2", CLI_TOOL, later, "Fix the help text.", PUSH[1]))
    push.append(_session(sources, "push-3", CLI_TOOL, later + timedelta(hours=1), "Update the changelog.", PUSH[2]))
    _session(sources, "scratch-mypy", INGEST, later, "scratch the mypy rule, type checking runs in CI now. add a --since flag")
    _session(sources, "seed-gone", ERP, later, "Reload the demo data.", LOADDATA)
    _session(sources, "actions", DOCS_API, later, "Update the README badge.", ACTIONS)
    second = _consolidate(home, sources)
    return Nights(home, first, second, push)


@pytest.mark.slow
def test_a_newer_rule_replaces_the_older_one_in_the_handbook_the_summary_and_the_commit_message(nights: Nights) -> None:
    for name in ("MEMORY.md", "memory_summary.md"):
        assert YARN in nights.file(nights.first, name)
        after = nights.file(nights.second, name)
        assert PNPM in after and "always use yarn" not in after, name  # both files, in the same commit
    assert f'replaced "{YARN}" with "{PNPM}"' in nights.second.message


@pytest.mark.slow
def test_a_retraction_in_a_later_session_removes_the_older_line(nights: Nights) -> None:
    for name in ("MEMORY.md", "memory_summary.md"):
        assert BLACK in nights.file(nights.first, name)
        after = nights.file(nights.second, name)
        assert "format with black" not in after and "forget what i said" not in after.casefold(), name  # nor the retraction
    assert f'removed "{BLACK}" (taken back: "Forget what I said about black' in nights.second.message


@pytest.mark.slow
@pytest.mark.parametrize(
    ("old", "new"), [(SEED, LOADDATA), (JENKINS, ACTIONS)],
)
def test_a_replacement_that_names_only_the_old_or_only_the_new_way_replaces_the_older_line(nights: Nights, old: str, new: str) -> None:
    for name in ("MEMORY.md", "memory_summary.md"):
        assert old in nights.file(nights.first, name)
        after = nights.file(nights.second, name)
        assert new in after and old not in after, name
    assert f'replaced "{old}" with "{new}"' in nights.second.message


@pytest.mark.slow
def test_a_rule_taken_back_by_its_name_leaves_both_files(nights: Nights) -> None:
    for name in ("MEMORY.md", "memory_summary.md"):
        assert MYPY in nights.file(nights.first, name)
        after = nights.file(nights.second, name).casefold()
        assert "mypy" not in after, name  # neither the rule nor the retraction
    assert f'removed "{MYPY}" (taken back: "Scratch the mypy rule' in nights.second.message


@pytest.mark.slow
def test_a_rule_said_in_three_sessions_is_one_line_that_names_each_of_them(nights: Nights) -> None:
    memory_md = nights.file(nights.second, "MEMORY.md")
    group = memory_md[memory_md.index("## Task group: cli-tool"):]
    lines = [line for line in group.splitlines() if line.startswith("- ") and "push" in line.casefold() and "keywords" not in line]
    ids = short_ids(nights.push_sessions)
    assert len(lines) == 1, lines
    named = re.search(r"\(sources: ([^)]*)\)$", lines[0])
    assert named and len(named[1].split(", ")) == 3
    assert all(any(sid.startswith(short) or short.startswith(sid) for short in named[1].split(", "))
               for sid in ids.values())

    shown = nightshift("summary", "--home", str(nights.home), "--cwd", CLI_TOOL)
    assert shown.returncode == 0, shown.stderr
    [entry] = [line for line in shown.stdout.splitlines() if "push" in line.casefold() and line.startswith("- ")]
    assert entry.endswith(f", {named[1]})")  # "(<age>d, id1, id2, id3)": every session stays citable


# --- the words a later line uses to take back or replace an older one (invented lines) ---------------


@pytest.mark.parametrize(
    ("line", "subject"),
    [
        ("what I said about the generated folder no longer applies", "generated"),
        ("what I told you earlier about tox is outdated", "tox"),
        ("drop the pytest xdist rule", "pytest xdist"),
        ("you can forget the no:randomly flag, the order leak is fixed", "no:randomly"),  # named by what it was
        ("scrap the --offline workaround", "--offline"),
        ("force pushes are allowed again on feature branches", "force pushes"),  # a ban lifted
        ("the vendor folder is no longer hands-off", "vendor"),
        ("we dont need the storybook snapshot step anymore", "storybook snapshot"),
    ],
)
def test_a_retraction_says_what_it_takes_back(line: str, subject: str) -> None:
    assert retraction_subject(line) == subject


@pytest.mark.parametrize("line", ["the tests are fine again", "it is allowed again", "we don't need it"])
def test_a_status_or_a_pronoun_takes_nothing_back(line: str) -> None:
    assert retraction_subject(line) is None


def test_a_subject_of_several_words_that_moved_replaces_the_line_about_it() -> None:
    assert _replaces("The mock api moved to port 7420, 7311 clashed with grafana.", "The mock api listens on 7311 here.")
    assert not _replaces("The mock api moved to port 7420.", "The admin ui listens on 7311 here.")


@pytest.mark.parametrize(
    ("new", "old", "replaces"),
    [
        ("ap-south-2 for the batch jobs from now on, we migrated them for the quota", "The batch jobs run in us-west-1.", True),
        ("The worker image now runs on node-22.", "The worker image runs on node-20 in CI.", True),
        ("The web app now runs on node-22.", "The api runs on node-20 in CI.", False),  # another subject
        ("The batch jobs run in ap-south-2.", "The batch jobs run in us-west-1.", False),  # nothing says it moved
    ],
)
def test_a_line_that_says_it_moved_replaces_another_value_of_the_same_shape(new: str, old: str, replaces: bool) -> None:
    assert _replaces(new, old) is replaces


def test_a_rule_named_by_two_words_is_found_by_each_of_them_singular_or_plural() -> None:
    assert mentions_in_name("Always run pytest -n auto with --dist=loadscope (xdist)", "pytest xdist")
    assert mentions_in_name("No releases on mondays", "monday release")
    assert not mentions_in_name("Always run pytest -q", "pytest xdist")  # one word of the two is not enough
    assert mentions_in_name("Format with prettier before every commit", "formatting")  # "drop the formatting rule"
    assert not mentions_in_name("Run the formatter before you commit", "linting")


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("we moved the workers to fargate, nothing runs on ec2 anymore", {"ec2"}),
        ("we don't use moment any more, it's dayjs", {"moment"}),
    ],
)
def test_a_line_that_says_the_old_way_is_no_more_replaces_it(line: str, gone: set[str]) -> None:
    assert replaced_subjects(line) == gone


def test_lines_that_share_only_their_reach_and_anything_are_two_rules() -> None:
    """"projects" and "anything" say where and how much, not what: two rules about different steps stay two."""
    assert not says_the_same("Across all my projects, show me the plan before you delete anything.",
                             "Show me the plan before you push anything to a remote, in every project.")
    assert says_the_same("Never commit .env files in any of my projects", "Do not commit .env files, in every project")


HOUSE_RULES = ["Always run pytest with -x -q.", "Write commit messages in the imperative mood.", "Never touch the generated/ folder.",
               "Use the staging database for integration tests.", "Ping @dana for any schema change.", "Keep PRs under 300 lines."]


@pytest.mark.parametrize(
    "line, lifted",
    [
        ("The generated folder is fine to edit now, we stopped generating it.", [2]),
        ("No need to ping Dana anymore, she moved teams.", [4]),
        ("That PR size limit is gone.", [5]),  # one shared word, but a name in the older line
        ("Integration tests don't need the staging database any more, they use testcontainers.", [3]),
        ("Stop running pytest with -x, it hides the other failures.", [0]),  # a new rule that ends the older one
        ("The flaky test is no longer skipped.", []),  # one common word ("tests") names no rule
        ("We don't use the old mood checker anymore.", []),
        ("Stop adding emojis to commit messages.", []),  # a rule of its own: no older line says to add them
        ("Commit messages and PR titles are no longer checked by the bot.", []),  # as close to two rules: says neither
    ],
)
def test_a_line_that_lifts_a_rule_without_naming_it_finds_the_one_it_shares_the_most_with(line: str, lifted: list[int]) -> None:
    assert lifted_by(line, HOUSE_RULES) == lifted
