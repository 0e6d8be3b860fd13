"""Preparing one transcript for the model: time against orjson alone, peak memory, bytes sent.

* time: ``prepare_rollout`` (stream-parse, sanitise, redact, render, truncate) of a tool-heavy session,
  against reading its lines and parsing each with orjson and nothing else; the target is 3x at most.
  The previous design (read every turn into memory, redact every turn, then render, which redacts the
  survivors again) is timed on the same file for comparison.
* memory: peak RSS of a fresh process preparing a 10 MB and a 100 MB session, beside a process that
  only imports the same modules; the 100 MB figure must not be 10x the 10 MB one.
* model input: rendered bytes as a fraction of the transcript's bytes, with a check that every user
  turn's text reaches the model intact.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

from bench.generate import write_session
from bench.run import REPO, Row, best_of, row, verdict
from nightshift.ingest.prepare import prepare_rollout
from nightshift.ingest.readers import read_transcript
from nightshift.ingest.redact import redact
from nightshift.ingest.render import render_transcript
from nightshift.settings import Settings

MB = 1_000_000
# VmHWM, not ru_maxrss: a forked child's ru_maxrss keeps the parent's peak across exec.
_RSS_SCRIPT = """
import sys
from pathlib import Path
from nightshift.ingest.prepare import prepare_rollout
from nightshift.settings import Settings
settings = Settings(home=Path(sys.argv[1]), sources=[], provider="openai", base_url="http://127.0.0.1:9/v1")
if len(sys.argv) > 2:
    prepare_rollout(Path(sys.argv[2]), settings)
print(next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def model_settings(home: Path) -> Settings:
    # The model path: prepare renders for a model but never calls one, so the endpoint is never reached.
    return Settings(home=home, sources=[], provider="openai", base_url="http://127.0.0.1:9/v1")


def orjson_only(path: Path) -> None:
    with path.open("rb") as fh:
        for line in fh:
            orjson.loads(line)


def previous_design(path: Path, s: Settings) -> str:
    transcript = read_transcript(path)
    for turn in transcript.turns:
        turn.text = redact(turn.text)
    return render_transcript(transcript, s.rollout_token_budget, s.tool_output_token_cap)


def peak_rss(home: Path, path: Path | None) -> int:
    args = [sys.executable, "-c", _RSS_SCRIPT, str(home)] + ([str(path)] if path else [])
    return int(subprocess.run(args, capture_output=True, text=True, check=True, cwd=REPO).stdout)


def largest_line(path: Path) -> int:
    with path.open("rb") as fh:
        return max(len(line) for line in fh)


def run(smoke: bool = False) -> list[Row]:
    rows: list[Row] = []
    big, small = (10 * MB, 1 * MB) if smoke else (100 * MB, 10 * MB)
    repeats = 2 if smoke else 3
    with tempfile.TemporaryDirectory(prefix="nightshift-bench-") as tmp:
        tmp_path = Path(tmp)
        s = model_settings(tmp_path / "home")
        for fmt in ("codex", "claude", "gemini", "cursor"):
            path = write_session(tmp_path / f"{fmt}.jsonl", fmt, big, seed=11)
            parse = best_of(repeats, lambda: orjson_only(path))
            prepare = best_of(repeats, lambda: prepare_rollout(path, s))
            size = f"{path.stat().st_size / MB:.0f} MB"
            rows.append(row(f"prepare a tool-heavy {fmt} session, {size}", prepare, parse,
                            f"seconds; baseline: read + orjson.loads of every line; target <= 3x: {verdict(prepare <= 3 * parse, smoke)}"))
            before = best_of(1, lambda: previous_design(path, s))
            rows.append(row(f"prepare {fmt} {size}, vs the previous design", prepare, before,
                            "seconds; baseline: read all turns, redact every turn, render (redacting again)"))
        rows += _memory(tmp_path, big, small, smoke)
        rows += _model_input(tmp_path, s, smoke)
    return rows


def _memory(tmp_path: Path, big: int, small: int, smoke: bool) -> list[Row]:
    home = tmp_path / "home"
    floor = peak_rss(home, None)
    rss = {}
    for size in (small, big):
        path = write_session(tmp_path / f"rss-{size}.jsonl", "codex", size, seed=5)
        rss[size] = (peak_rss(home, path), largest_line(path))
        path.unlink()
    (rss_big, line_big), (rss_small, line_small) = rss[big], rss[small]
    note = (f"MiB peak RSS, each in a fresh process; baseline: the {small // MB} MB session; "
            f"must not grow 10x: {verdict(rss_big < 10 * rss_small, smoke)}. "
            f"Above the {floor / 2**20:.0f} MiB of a process that only imports: +{(rss_small - floor) / 2**20:.0f} MiB and "
            f"+{(rss_big - floor) / 2**20:.0f} MiB; the rest of the growth follows the longest line "
            f"({line_small / MB:.1f} MB and {line_big / MB:.1f} MB), not the file")
    return [row(f"peak memory, prepare a {big // MB} MB codex session", rss_big / 2**20, rss_small / 2**20, note)]


def _model_input(tmp_path: Path, s: Settings, smoke: bool) -> list[Row]:
    rows = []
    sizes = (200_000, 2 * MB) if smoke else (200_000, 2 * MB, 20 * MB)
    for fmt in ("codex", "claude"):
        for size in sizes:
            users: list[str] = []
            path = write_session(tmp_path / f"input-{fmt}-{size}.jsonl", fmt, size, seed=3, user_turns=users)
            rendered = prepare_rollout(path, s).model_input or ""
            intact = sum(1 for text in users if text in rendered)
            survived = "all intact" if intact == len(users) else "SOME LOST"
            rows.append(row(f"model input, tool-heavy {fmt} session, {path.stat().st_size / MB:.1f} MB",
                            len(rendered.encode()), path.stat().st_size,
                            f"bytes; ratio = fraction of the transcript sent, lower is better; user turns {intact}/{len(users)}: {survived}"))
    return rows
