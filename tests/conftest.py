"""Shared fixtures. Prefect is pointed at a throw-away home before anything imports it."""

from __future__ import annotations

import os
import tempfile

_prefect_home = tempfile.mkdtemp(prefix="nightshift-prefect-")
os.environ.setdefault("PREFECT_HOME", _prefect_home)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Prefect's temporary server gives up after 20 s by default; a loaded CI machine needs longer.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# A developer's own endpoint must never leak into tests: the builtin provider is the default here.
for _name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NIGHTSHIFT_API_KEY", "NIGHTSHIFT_BASE_URL", "NIGHTSHIFT_HOME", "NIGHTSHIFT_PROVIDER"):
    os.environ.pop(_name, None)

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "memory_home"

import shutil  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

from nightshift.night import steps as pipeline  # noqa: E402
from nightshift.settings import Settings  # noqa: E402

SAMPLE_SECRET = "sk-proj-Xq7vR2mN9bT4kLw8ZcY1pD6sHf3JgA0e5UoQiE7rWt2yB9nM4xKv"


@pytest.fixture
def sources(tmp_path: Path) -> list[Path]:
    """A private copy of the bundled sample sessions, so tests may touch and edit them."""
    target = tmp_path / "sources"
    shutil.copytree(SAMPLES, target, ignore=shutil.ignore_patterns("README.md"))
    return [target / "codex", target / "claude"]


@pytest.fixture
def settings(home: Path, sources: list[Path]) -> Settings:
    return Settings(home=home, sources=sources, idle_hours=0, provider="builtin")


def run_night(settings: Settings, now: datetime | None = None) -> tuple[pipeline.Run, str | None]:
    """The consolidate flow's steps in order, without Prefect (the flow itself has its own tests)."""
    now = now or datetime.now(UTC) + timedelta(seconds=1)
    run = pipeline.begin_run(settings, now)
    _, claimed = pipeline.find_work(run, now)
    pipeline.record_extractions(run, [pipeline.extract_rollout(f, settings) for f in claimed], now)
    sha = pipeline.consolidate(run, now)
    pipeline.end_run(run, status="ok", now=now, commit_sha=sha, message=pipeline.summary_line(run, sha))
    return run, sha
