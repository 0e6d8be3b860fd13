"""The labelled evaluation: its sessions, its scoring and its runner, offline and against an endpoint."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO
from fake_openai import FakeOpenAI, Reply

from eval import build_sessions, run
from eval.score import Fact, Label, Line, Outcome, Ratio, contains, handbook_groups, outcome_of, parse_labels, parse_relations, score
from nightshift.phase2 import handbook
from nightshift.memory import StoredMemory, parse_raw_memory
from nightshift.ingest.readers import read_transcript
from nightshift.scope import project_key
from nightshift.ingest.transcript import TurnKind

EVAL = REPO / "eval"
LABELS = parse_labels(json.loads((EVAL / "labels.json").read_text(encoding="utf-8")))
NO_OP = {"decision": "no_op", "rollout_summary": "", "slug": "", "tasks": []}


# --- the set itself ----------------------------------------------------------------------------------


def test_committed_sessions_and_labels_are_exactly_what_the_generator_writes(tmp_path: Path) -> None:
    cases = build_sessions.load_cases()
    build_sessions.build(cases, tmp_path / "sessions", tmp_path / "labels.json", build_sessions.load_relations(cases=cases))

    written = sorted(p.relative_to(tmp_path / "sessions") for p in (tmp_path / "sessions").rglob("*.jsonl"))
    committed = sorted(p.relative_to(EVAL / "sessions") for p in (EVAL / "sessions").rglob("*.jsonl"))
    assert written == committed, "run `python -m eval.build_sessions` after editing eval/cases.yaml"
    assert all((tmp_path / "sessions" / p).read_bytes() == (EVAL / "sessions" / p).read_bytes() for p in written)
    assert (tmp_path / "labels.json").read_bytes() == (EVAL / "labels.json").read_bytes()


def _evidence(label: Label) -> tuple[str, str]:
    """(what the user and the tools said, the whole file: injected AGENTS.md text too) of a labelled session."""
    path = EVAL / "sessions" / label.file
    turns = read_transcript(path).turns
    return "\n".join(turn.text for turn in turns if turn.kind is not TurnKind.ASSISTANT), path.read_text(encoding="utf-8")


def test_the_set_is_big_enough_and_every_label_is_grounded_in_its_session() -> None:
    formats = [read_transcript(EVAL / "sessions" / label.file).source_format for label in LABELS]
    assert len(LABELS) >= 150 and min(formats.count("codex"), formats.count("claude")) >= 60
    assert 0.4 <= sum(label.deserves_memory for label in LABELS) / len(LABELS) <= 0.75
    everything = {label.id: _evidence(label)[1] for label in LABELS}
    for label in LABELS:
        said, whole = _evidence(label)
        assert label.deserves_memory == bool(label.must_contain), label.id
        # a fact needs evidence beyond the assistant's word; junk and forbidden phrases must be there to be avoided
        assert all(contains(said, f.phrase) for f in label.must_contain), label.id
        assert all(contains(whole, p) for p in label.must_not_contain + label.forbidden), label.id
        assert not any(contains(f.phrase, p) for f in label.must_contain for p in label.must_not_contain + label.forbidden), label.id
        # forbidden text belongs to one session, so finding it anywhere pins the leak on that session
        assert not any(contains(text, p) for p in label.forbidden for sid, text in everything.items() if sid != label.id), label.id


def test_the_split_is_frozen_whole_and_keeps_a_third_held_out() -> None:
    data = json.loads((EVAL / "labels.json").read_text(encoding="utf-8"))
    parts = run.load_split(EVAL / "split.json", LABELS)
    assert sorted(parts) == ["held-out", "tuning"] and len(parts["held-out"]) >= len(LABELS) / 3
    for rel in parse_relations(data, LABELS):  # a relation is scored in one part, so it lives in one part
        assert any(set(rel.sessions) <= set(ids) for ids in parts.values()), rel
    kinds = {rel.kind for rel in parse_relations(data, LABELS) if set(rel.sessions) <= set(parts["held-out"])}
    assert kinds == {"supersedes", "retracts", "duplicate"}
    with pytest.raises(run.EvalError, match="exactly one part"):
        run.load_split(EVAL / "split.json", [*LABELS, Label("written-later", "x.jsonl", False)])


def test_every_turn_kind_comes_back_from_the_readers_in_every_format(tmp_path: Path) -> None:
    turns = [{"user": "Fix the build."}, {"sh": "make", "out": "make: *** [all] Error 2\n", "exit": 2},
             {"read": "/w/Makefile", "out": "all:\n\tcc main.c\n"}, {"edit": "/w/main.c", "new": "int main(void) { return 0; }\n"},
             {"edit": "/w/Makefile", "old": "\tcc main.c", "new": "\tcc -O2 main.c"}, {"fetch": "https://example.dev/cc", "out": "Use -O2."},
             {"assistant": "Fixed."}]
    expected = [TurnKind.USER] + [TurnKind.TOOL_CALL, TurnKind.TOOL_OUTPUT] * 5 + [TurnKind.ASSISTANT]
    for variant in ({"format": "claude"}, {"format": "codex"}, {"format": "codex", "legacy": True}, {"format": "gemini"}, {"format": "cursor"}):
        case = build_sessions.Case.of({"id": f"kinds-{len(variant)}-{variant['format']}", "cwd": "/w", "start": "2026-11-01T10:00:00Z",
                                       "turns": turns, "deserves_memory": False, "note": "", **variant})
        rel, text = build_sessions.render(case)
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
        t = read_transcript(tmp_path / rel)
        if variant["format"] == "cursor":  # Cursor writes no tool results: the calls are all there is
            assert [turn.kind for turn in t.turns] == [k for k in expected if k is not TurnKind.TOOL_OUTPUT], variant
            assert t.cwd == "/w" and t.stats.malformed_lines == 0 and t.stats.unknown_records == 0
            assert "cc -O2 main.c" in t.turns[4].text
            continue
        assert [turn.kind for turn in t.turns] == expected, variant
        assert t.cwd == "/w" and t.stats.malformed_lines == 0 and t.stats.unknown_records == 0
        assert t.turns[2].is_error and "Error 2" in t.turns[2].text and not t.turns[4].is_error
        assert "cc -O2 main.c" in t.turns[7].text and "Use -O2." in t.turns[10].text


# --- scoring -------------------------------------------------------------------------------------------


def test_matching_ignores_case_backticks_typographic_quotes_and_spacing() -> None:
    assert contains("Don\u2019t use `any` in this   codebase", "don't use any in this codebase")
    assert contains("Use RUFF format,\nnot black", "use ruff format, not black")
    assert not contains("use ruff format", "use ruff format, not black")


def test_labels_that_break_the_scheme_are_refused() -> None:
    entry = {"id": "a", "file": "a.jsonl", "deserves_memory": True, "must_contain": [{"phrase": "x", "where": "both"}]}
    assert parse_labels({"sessions": [entry]})[0].must_contain == (Fact("x", "both"),)
    for broken in ({**entry, "must_contain": [{"phrase": "x", "where": "somewhere"}]},
                   {**entry, "deserves_memory": False},
                   {**entry, "must_contain": [{"phrase": " ", "where": "raw"}]}):
        with pytest.raises(ValueError):
            parse_labels({"sessions": [broken]})
    with pytest.raises(ValueError):
        parse_labels({"sessions": [entry, entry]})


def _handbook(*groups: tuple[str, str, list[str]]) -> str:
    text = "# Memory handbook\n"
    for scope, applies_to, prefs in groups:
        text += f"\n## Task group: g\nscope: {scope}\napplies_to: {applies_to}\n\n### User preferences\n"
        text += "".join(f"- {p}\n" for p in prefs)
    return text


def test_no_op_precision_and_recall_count_only_the_verdicts() -> None:
    labels = [Label("kept", "1", True, (Fact("use uv", "raw"),)), Label("dropped", "2", True, (Fact("use pnpm", "raw"),)),
              Label("quiet", "3", False), Label("chatty", "4", False)]
    outcomes = {"kept": Outcome("memory", "p", (Line("preference", "Use uv", "project"),)), "dropped": Outcome("no_op", "p"),
                "quiet": Outcome("skipped", "p"), "chatty": Outcome("memory", "p", (Line("knowledge", "regex tips", "project"),))}
    s = score(labels, outcomes, "", {})

    assert (s.noop_precision, s.noop_recall) == (Ratio(1, 2), Ratio(1, 2))  # 'dropped' was a wrong no-op, 'chatty' a missed one
    assert s.fact_recall == Ratio(1, 2) and s.junk_rate == Ratio(1, 2)
    assert [x.id for x in s.sessions if not x.clean] == ["dropped", "chatty"]


def test_a_fact_counts_only_where_and_in_the_scope_its_label_asks_for() -> None:
    label = Label("s", "f", True, (Fact("tabs", "both", "project"), Fact("imperative mood", "both", "global"), Fact("pip install -e .", "raw")))
    lines = (Line("preference", "We indent with TABS here", "project"), Line("preference", "Imperative mood everywhere", "project"),
             Line("failure", "`pytest` failed -> ran `pip install -e .`", "project"))
    memory_md = _handbook(("project", "github.com/acme/cms", ["We indent with tabs here"]),
                          ("project", "github.com/acme/other", ["Imperative mood everywhere"]))
    s = score([label], {"s": Outcome("memory", "github.com/acme/cms", lines)}, memory_md, {})

    # the global rule was filed under a project, in raw memory and in the handbook: missed twice
    assert s.sessions[0].missed == ["imperative mood (raw)", "imperative mood (handbook)"]
    assert s.fact_recall == Ratio(2, 3)
    in_wrong_project = score([label], {"s": Outcome("memory", "github.com/acme/elsewhere", lines)}, memory_md, {})
    assert "tabs (handbook)" in in_wrong_project.sessions[0].missed


def test_junk_is_a_line_without_a_label_phrase_or_with_a_wrong_one() -> None:
    label = Label("s", "f", True, (Fact("use ruff format", "raw"),), must_not_contain=("black",))
    lines = (Line("preference", "Use ruff format, not black", "project"),  # names black only to reject it... still matched
             Line("preference", "Use ruff format", "project"), Line("knowledge", "The tests ran with pytest", "project"))
    s = score([label], {"s": Outcome("memory", "p", lines)}, "", {})
    assert s.junk_rate == Ratio(2, 3) and s.wrong_hits == 1
    assert s.sessions[0].junk == ["preference: Use ruff format, not black", "knowledge: The tests ran with pytest"]


def test_forbidden_text_is_found_in_any_raw_memory_field_and_any_home_file_or_file_name() -> None:
    memory = parse_raw_memory({"decision": "remember", "rollout_summary": "Logged in.", "slug": "login", "tasks": [
        {"title": "Log in with Orchid-Lantern-42", "outcome": "success", "scope": "project", "cwd": None, "keywords": [],
         "preferences": [], "knowledge": [], "failures": [], "evidence": []}]})
    labels = [Label("secret", "f", False, forbidden=("orchid-lantern-42",))]
    s = score(labels, {"secret": outcome_of("memory", "p", memory)}, "",
              {"MEMORY.md": "nothing", "rollout_summaries/2026-11-06-orchid-lantern-42.md": "clean body"})
    assert [where for _, _, where in s.forbidden_hits] == ["raw memory of secret", "rollout_summaries/2026-11-06-orchid-lantern-42.md"]
    assert str(Ratio(0, 0)) == "n/a (0/0)" and str(Ratio(3, 4)) == "0.75 (3/4)"


def test_handbook_groups_read_the_handbook_the_builtin_consolidator_writes() -> None:
    memory = parse_raw_memory(_gold(Label("g", "f", True, (Fact("Always use uv", "both"), Fact("No emojis", "both", "global")))))
    stored = StoredMemory("r1", "/x.jsonl", "codex", "github.com/acme/api", memory, datetime(2026, 11, 2, tzinfo=UTC))
    groups = handbook_groups(handbook.render_memory_md([stored]))
    assert [(g.scope, g.applies_to) for g in groups] == [("global", "all projects"), ("project", "github.com/acme/api")]
    assert "No emojis" in groups[0].text and "Always use uv" in groups[1].text


def test_the_report_keeps_one_row_per_provider_and_models_and_the_text_around_it() -> None:
    def result(models: str, recall: Ratio) -> run.Result:
        s = score([], {}, "", {})
        s.fact_recall = recall
        return run.Result("openai", models, s, {}, {"codex": 1}, [], None, 3, 900, 40, 1.0)

    text = "# Memory quality evaluation\n\nWritten by hand.\n"
    text = run.update_report(text, result("mini-1, big-1", Ratio(1, 2)))
    text = run.update_report(text, result("mini-2, big-1", Ratio(2, 2)))
    text = run.update_report(text, result("mini-1, big-1", Ratio(2, 4)))
    rows = [line for line in text.splitlines() if line.startswith("| openai")]
    assert [r.split(" | ")[1] for r in rows] == ["mini-1, big-1", "mini-2, big-1"]
    assert "0.50 (2/4)" in rows[0] and "Written by hand." in text and text.count(run.DETAILS[0]) == 1


# --- the runner -----------------------------------------------------------------------------------------


def test_builtin_eval_runs_offline_scores_every_session_and_leaks_nothing(tmp_path: Path, capsys) -> None:
    report = tmp_path / "eval.md"
    assert run.main(["--report", str(report)]) == 0

    out = capsys.readouterr().out
    assert f"{len(LABELS)} sessions" in out and _figure(out, "forbidden hits") == ["0", "0", "0"] and "0 model calls" in out
    assert "| builtin | builtin | tuning |" in report.read_text() and "| builtin | builtin | held-out |" in report.read_text()
    held_out = set(json.loads((EVAL / "split.json").read_text(encoding="utf-8"))["held_out"])
    named = {sid for sid in re.findall(r"`([^`]+)`", out + report.read_text()) if sid in held_out}
    assert not named, f"held-out sessions named in the output or the report: {sorted(named)[:3]}"


def _figure(out: str, name: str) -> list[str]:
    """One row of the printed table: the figure per part (tuning, held-out), then over all sessions."""
    line = next(line for line in out.splitlines() if line.strip().startswith(name))
    return re.split(r"\s{2,}", line.strip())[1:]


def _gold(label: Label) -> dict:
    """The answer a perfect extractor gives: exactly the labelled facts, in the labelled scope."""
    if not label.deserves_memory:
        return NO_OP
    tasks = []
    for scope in ("project", "global"):
        if phrases := [f.phrase for f in label.must_contain if (f.scope or "project") == scope]:
            tasks.append({"title": label.id, "outcome": "success", "scope": scope, "cwd": None, "keywords": [],
                          "preferences": phrases, "knowledge": [], "failures": [], "evidence": ["user turn 1"]})
    return {"decision": "remember", "rollout_summary": f"Gold memory of {label.id}.", "slug": label.id, "tasks": tasks}


class GoldModel:
    """Answers extraction requests with the gold memory of the session named in the prompt, and
    consolidation-agent requests by writing the handbook the builtin renderer makes of those memories."""

    def __init__(self, sessions: Path, labels: list[Label], leak: str | None = None):
        self.by_session: dict[str, Label] = {}
        self.stored: list[StoredMemory] = []
        # A gold consolidation keeps no replaced or retracted rule and one statement of a repeated one.
        relations = parse_relations(json.loads((EVAL / "labels.json").read_text(encoding="utf-8")), LABELS)
        outdated = {sid for rel in relations for sid in rel.sessions[:-1]}
        for label in labels:
            t = read_transcript(sessions / label.file)
            self.by_session[t.session_id] = label
            memory = parse_raw_memory(_gold(label))
            if not memory.is_no_op and label.id not in outdated:
                key = project_key(t.cwd, t.git_remote, t.project_scope)
                self.stored.append(StoredMemory(t.session_id, t.path, t.source_format, key, memory, t.updated_at))
        self.leak = leak  # a string the model wrongly copies into every memory

    def __call__(self, request: dict) -> Reply:
        if request.get("tools"):
            memory_md, summary = handbook.render_memory_md(self.stored), handbook.render_summary_md(self.stored, run.SUMMARY_CAP)
            return Reply.tool_calls([("write_file", {"path": "MEMORY.md", "content": memory_md}),
                                     ("write_file", {"path": "memory_summary.md", "content": summary}),
                                     ("finish", {"summary": "Built the handbook from the raw memories."})], usage=(2000, 500))
        prompt = request["messages"][1]["content"]
        label = next(label for sid, label in self.by_session.items() if f"session: {sid} (" in prompt)
        answer = _gold(label)
        if self.leak and answer["tasks"]:
            answer["tasks"][0]["knowledge"] = [f"Log in with {self.leak}"]
        return Reply.json(answer, usage=(1000, 100))


def test_openai_eval_against_an_endpoint_that_gives_the_gold_answers_scores_100_percent(tmp_path: Path, monkeypatch, capsys) -> None:
    gold = GoldModel(EVAL / "sessions", LABELS)
    with FakeOpenAI(default=gold) as fake:
        monkeypatch.setenv("NIGHTSHIFT_BASE_URL", fake.base_url)
        monkeypatch.setenv("NIGHTSHIFT_API_KEY", "sk-test-key")
        monkeypatch.setenv("NIGHTSHIFT_EXTRACT_MODEL", "mini-1")
        monkeypatch.chdir(tmp_path)  # no nightshift.toml of the checkout applies
        code = run.main(["--provider", "openai", "--report", str(tmp_path / "eval.md")])
        requests = fake.requests
    extraction_requests = [r for r in requests if not r.json.get("tools")]
    agent_requests = len(requests) - len(extraction_requests)  # phase 2 runs an agent when the pipeline has one
    out = capsys.readouterr().out

    assert code == 0, out
    quiet = sum(not x.deserves_memory for x in LABELS)
    assert _figure(out, "no-op precision")[-1] == _figure(out, "no-op recall")[-1] == f"1.00 ({quiet}/{quiet})"
    assert _figure(out, "durable-fact recall")[-1].startswith(f"1.00 ({sum(len(x.must_contain) for x in LABELS)}/")
    assert _figure(out, "junk rate")[-1].startswith("0.00") and _figure(out, "forbidden hits")[-1] == "0"
    kinds = [rel.kind for rel in parse_relations(json.loads((EVAL / "labels.json").read_text(encoding="utf-8")), LABELS)]
    supersedes, retracts = kinds.count("supersedes"), kinds.count("retracts")
    assert _figure(out, "contradictions resolved")[-1] == f"1.00 ({supersedes}/{supersedes})"
    assert _figure(out, "retractions honoured")[-1] == f"1.00 ({retracts}/{retracts})"
    assert _figure(out, "duplicate lines")[-1] == "0" and _figure(out, "scope correct")[-1].startswith("1.00")
    assert "every session scored clean" in out and "- FORBIDDEN" not in out
    assert len(extraction_requests) == len(LABELS) and {r.json["model"] for r in extraction_requests} == {"mini-1"}
    assert f"{len(LABELS) * 1000 + agent_requests * 2000:,} in" in out  # counted from the endpoint's usage figures
    assert "| openai | mini-1, " in (tmp_path / "eval.md").read_text()


def _subset(tmp_path: Path, *ids: str) -> tuple[list[Label], list[str]]:
    """A small copy of the set (its sessions and labels), so a runner test reads only what it needs."""
    picked = [label for label in LABELS if label.id in ids]
    for label in picked:
        (tmp_path / "sessions" / label.file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(EVAL / "sessions" / label.file, tmp_path / "sessions" / label.file)
    entries = json.loads((EVAL / "labels.json").read_text())["sessions"]
    (tmp_path / "labels.json").write_text(json.dumps({"sessions": [e for e in entries if e["id"] in ids]}))
    return picked, ["--sessions", str(tmp_path / "sessions"), "--labels", str(tmp_path / "labels.json")]


def test_a_leaked_secret_fails_the_eval_with_exit_code_1(tmp_path: Path, monkeypatch, capsys) -> None:
    picked, args = _subset(tmp_path, "prose-password-no-hardcoding", "regex-iso-date-question")
    with FakeOpenAI(default=GoldModel(tmp_path / "sessions", picked, leak="Orchid-Lantern-42")) as fake:
        monkeypatch.setenv("NIGHTSHIFT_BASE_URL", fake.base_url)
        monkeypatch.setenv("NIGHTSHIFT_API_KEY", "sk-test-key")
        code = run.main(["--provider", "openai", *args, "--no-report"])
    out = capsys.readouterr()

    assert code == run.EXIT_FORBIDDEN
    assert "FORBIDDEN `prose-password-no-hardcoding`: 'Orchid-Lantern-42' found in raw memory" in out.out
    assert "forbidden phrases reached memory" in out.err


def test_the_openai_provider_without_an_endpoint_or_with_a_rejected_key_is_a_set_up_error(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert run.main(["--provider", "openai", "--no-report"]) == run.EXIT_USAGE
    assert "needs an endpoint" in capsys.readouterr().err

    _, args = _subset(tmp_path, "uv-instead-of-pip", "regex-iso-date-question")
    with FakeOpenAI(default=Reply.error(401, "Incorrect API key provided")) as fake:
        monkeypatch.setenv("NIGHTSHIFT_BASE_URL", fake.base_url)
        monkeypatch.setenv("NIGHTSHIFT_API_KEY", "sk-wrong")
        assert run.main(["--provider", "openai", *args, "--report", str(tmp_path / "eval.md")]) == run.EXIT_USAGE
    err = capsys.readouterr().err
    assert "every extraction failed" in err and "Incorrect API key" in err
    assert not (tmp_path / "eval.md").exists()  # a broken set-up never becomes a row in the comparison table


def test_a_consolidation_model_that_fails_is_scored_with_an_empty_handbook_not_a_crash(tmp_path: Path, monkeypatch, capsys) -> None:
    picked, args = _subset(tmp_path, "uv-instead-of-pip", "regex-iso-date-question")
    gold = GoldModel(tmp_path / "sessions", picked)

    def answer(request: dict) -> Reply:
        return Reply.error(400, "model 'big-1' does not support tools") if request.get("tools") else gold(request)

    with FakeOpenAI(default=answer) as fake:
        monkeypatch.setenv("NIGHTSHIFT_BASE_URL", fake.base_url)
        monkeypatch.setenv("NIGHTSHIFT_API_KEY", "sk-test-key")
        assert run.main(["--provider", "openai", *args, "--no-report"]) == 0
    out = capsys.readouterr().out
    assert _figure(out, "durable-fact recall")[-1] == "0.00 (0/1)" and "'use uv instead of pip (handbook)'" in out
    assert "consolidation failed: " in out and "does not support tools" in out
