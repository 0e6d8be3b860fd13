"""One sha256 over everything ``prepare_rollout`` produces, to show a speed-up changed no output.

    python -m bench.prepare_digest

Prepares every session under ``samples/``, ``eval/sessions/`` and ``tests/fixtures/shapes/`` and a
generated session of each format, on the model path (at the default budget and at a small one, so the
window drops turns from the middle even of a short session) and on the builtin path, and hashes what
comes out: the rendered text, the citations, the transcript's identity, scope and read stats, and
the builtin path's sanitised turns; and a second sha256 over the rendered text alone, what a model reads. Run
it before and after a change: the digests must be equal.
The files are prepared from copies whose mtime is fixed (a Cursor session's time is its file's), so
the digest does not depend on when the checkout was made.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import write_session
from bench.run import REPO
from nightshift.ingest.prepare import Prepared, prepare_rollout
from nightshift.ingest.readers import NotATranscript
from nightshift.settings import Settings

SOURCES = ("samples", "eval/sessions", "tests/fixtures/shapes")
GENERATED_BYTES = 3_000_000  # a few thousand turns per format: more than the default budget keeps
FIXED_TIME = datetime(2026, 11, 30, 12, tzinfo=UTC)
BUDGETS = (100_000, 1_000)  # tokens: the default, and the smallest the settings allow


def sessions(root: Path) -> list[Path]:
    """Copies of the bundled sessions and generated ones under ``root``, each with the same mtime."""
    copies = []
    for source in SOURCES:
        for path in sorted((REPO / source).rglob("*")):
            if path.is_file() and path.suffix in (".jsonl", ".json"):
                copy = root / path.relative_to(REPO)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, copy)
                copies.append(copy)
    for fmt in ("codex", "claude", "gemini", "cursor"):
        chat = f"generated-{fmt}"
        # Cursor's reader scopes a session by the project folder above agent-transcripts
        folder = root / "generated" / fmt / "home-dev-acme-api" / "agent-transcripts" / chat
        copies.append(write_session(folder / f"{chat}.jsonl", fmt, GENERATED_BYTES, seed=11, start=FIXED_TIME))
    for copy in copies:
        os.utime(copy, (FIXED_TIME.timestamp(), FIXED_TIME.timestamp()))
    return copies


def describe(prepared: Prepared) -> str:
    t = prepared.transcript
    fields = [t.session_id, t.source_format, t.cwd, t.project_scope, t.git_remote, t.git_branch, t.started_at,
              t.updated_at, sorted(t.metadata.items()), repr(t.stats), len(t.turns), prepared.cited]
    return "\n".join(map(str, fields)) + f"\n{prepared.model_input}"


def builtin_turns(prepared: Prepared) -> str:
    return "\n".join(repr(turn) for turn in prepared.transcript.turns)


def digest() -> tuple[str, str, int]:
    outputs, rendered = hashlib.sha256(), hashlib.sha256()
    with tempfile.TemporaryDirectory(prefix="nightshift-digest-") as tmp:
        root = Path(tmp)
        paths = sessions(root)
        home = root / "home"
        runs = [Settings(home=home, sources=[], provider="openai", base_url="http://127.0.0.1:9/v1",
                         rollout_token_budget=budget) for budget in BUDGETS]
        runs.append(Settings(home=home, sources=[], provider="builtin"))
        for path in paths:
            name = str(path.relative_to(root))
            for s in runs:
                key = f"{name}\0{s.provider}\0{s.rollout_token_budget}\0"
                try:
                    prepared = prepare_rollout(path, s)
                    text = describe(prepared) + (builtin_turns(prepared) if s.provider == "builtin" else "")
                    rendered.update(f"{key}{prepared.model_input}\0".encode())
                except (NotATranscript, OSError) as exc:
                    text = f"{type(exc).__name__}: {str(exc).replace(tmp, '')}"
                outputs.update(f"{key}{text}\0".encode())
    return outputs.hexdigest(), rendered.hexdigest(), len(paths)


def main() -> int:
    everything, rendered, count = digest()
    print(f"{everything}  everything prepared ({count} sessions, {len(BUDGETS) + 1} preparations each)")
    print(f"{rendered}  the rendered text alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
