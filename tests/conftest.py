"""Shared fixtures. Prefect is pointed at a throw-away home before anything imports it."""

from __future__ import annotations

import os
import sys
import tempfile

# Always a throw-away home, even under `make test` (whose PREFECT_HOME is the checkout's .prefect, the one
# `make serve` shows): a test's flow runs, killed ones included, must never appear in the user's Prefect UI.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="nightshift-prefect-")
os.environ.pop("PREFECT_API_URL", None)
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

from nightshift.night import schedule  # noqa: E402
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
    # No age limit: the sample files are as old as the checkout, and a test must not depend on that.
    return Settings(home=home, sources=sources, idle_hours=0, max_age_days=100_000, provider="builtin")


def run_night(settings: Settings, now: datetime | None = None) -> tuple[pipeline.Run, str | None]:
    """One nightly pass in this process, every step seeing the same ``now`` (the flow has its own tests)."""
    now = now or datetime.now(UTC) + timedelta(seconds=1)
    result = schedule.run_pass(settings, schedule.NIGHTLY, clock=lambda: now)
    return result.run, result.commit


def pytest_sessionfinish(session, exitstatus):
    """Stop Prefect's temporary server while pytest's output streams are open: left to interpreter exit, its
    goodbye line hits a closed stream and `make test` ends with a "--- Logging error ---" traceback."""
    server = sys.modules.get("prefect.server.api.server")  # only when a test ran a flow in this process
    if server:
        server.subprocess_server_logger.setLevel("WARNING")  # nor its goodbye line after the summary
    for instance in list(server.SubprocessASGIServer._instances.values()) if server else []:
        instance.stop()
