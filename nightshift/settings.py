"""One settings object: defaults < nightshift.toml (project dir, then memory home) < environment < CLI flags.

Environment variables are ``NIGHTSHIFT_<FIELD>`` (lists as JSON, e.g. ``NIGHTSHIFT_SOURCES='["/a","/b"]'``),
plus ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` as fallbacks for the endpoint.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

TOML_NAME = "nightshift.toml"
_toml_files: ContextVar[tuple[Path, ...]] = ContextVar("nightshift_toml_files", default=())


def default_sources() -> list[Path]:
    home = Path.home()
    return [home / ".codex" / "sessions", home / ".codex" / "archived_sessions", home / ".claude" / "projects"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIGHTSHIFT_", extra="ignore", validate_default=True)

    home: Path = Field(default=Path("memory_home"), description="The memory home: a git repo nightshift writes to.")
    sources: list[Path] = Field(default_factory=default_sources, description="Folders searched for transcripts.")

    # Discovery
    idle_hours: float = Field(default=6, ge=0, description="A transcript is read only after this long untouched.")
    max_age_days: float = Field(default=10, gt=0, description="Older transcripts are not read at all.")
    max_rollouts_per_run: int = Field(default=64, ge=1, description="Bounds a night's extraction spend.")

    # Phase 1
    provider: Literal["builtin", "openai"] | None = Field(
        default=None, description="builtin (no network) or openai (any compatible endpoint); default: openai when an endpoint or key is set."
    )
    base_url: str | None = Field(default=None, validation_alias=AliasChoices("NIGHTSHIFT_BASE_URL", "OPENAI_BASE_URL", "base_url"))
    api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("NIGHTSHIFT_API_KEY", "OPENAI_API_KEY", "api_key"))
    extract_model: str = "gpt-5-mini"
    consolidate_model: str = "gpt-5"
    extract_concurrency: int = Field(default=8, ge=1)
    task_runner: Literal["threads", "dask"] = Field(
        default="threads", description="Where extraction runs: threads of this process, or a Dask cluster (needs the dask extra)."
    )
    dask_address: str | None = Field(default=None, description="Scheduler of an existing Dask cluster (tcp://host:8786); implies task_runner dask.")
    model_timeout_seconds: float = Field(default=120, gt=0, description="Per request; a timeout is retried.")
    model_max_retries: int = Field(default=4, ge=0, description="Client retries of timeouts, 429 and 5xx (exponential backoff with jitter).")
    model_prices: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="Optional USD per million tokens (input, output) per model, for cost figures."
    )
    rollout_token_budget: int = Field(default=100_000, ge=1_000, description="Rendered transcript cap, 4 bytes per token.")
    tool_output_token_cap: int = Field(default=2_000, ge=50, description="Each tool output is clipped to this, head and tail kept.")
    prompts_dir: Path | None = Field(default=None, description="Overrides shipped prompts by file name.")
    exclude_projects: list[str] = Field(
        default_factory=list, description="Glob patterns of projects never read (project key or directory, e.g. github.com/acme/*); "
        "a .nightshift-ignore file in a repository does the same.",
    )
    exclude_external_context: bool = Field(
        default=False, description="Skip sessions that pulled in web pages, search results or MCP tool output (prompt-injection risk)."
    )

    # Jobs
    job_max_retries: int = Field(default=3, ge=0)
    job_retry_backoff_minutes: float = Field(default=60, ge=0)
    job_lease_minutes: float = Field(default=60, gt=0)

    # Scheduling: the opt-in fresh mode (nightshift.night.schedule) and `nightshift watch`
    consolidate_cooldown_hours: float = Field(default=6, ge=0, description="Fresh mode: phase 2 runs at most this often.")
    fresh_interval_minutes: float = Field(default=60, gt=0, description="nightshift watch wakes at least this often, changes or not.")

    # Selection and phase 2
    max_raw_memories: int = Field(default=256, ge=1)
    max_unused_days: float = Field(default=30, gt=0)
    usage_half_life_days: float = Field(default=30, gt=0, description="A citation's weight in the ranking halves over this many days.")
    retention_days: float = Field(default=90, gt=0, description="Unselected memories unused and unseen this long are deleted.")
    prune_batch_size: int = Field(default=200, ge=1, description="At most this many memories are deleted per run.")
    summary_token_cap: int = Field(default=2_500, ge=100)
    review: bool = Field(default=False, description="Consolidations wait on the proposed branch for `nightshift accept`.")
    phase2_max_steps: int = Field(default=80, ge=1)
    phase2_max_tokens: int = Field(default=400_000, ge=1_000, description="Tokens (in + out) one consolidation agent run may spend.")
    phase2_timeout_minutes: float = Field(default=30, gt=0, description="Wall-clock limit of one consolidation agent run.")

    @model_validator(mode="after")
    def _resolve_provider(self) -> Settings:
        if self.provider is None:
            self.provider = "openai" if (self.base_url or self.api_key) else "builtin"
        self.home = self.home.expanduser()
        self.sources = [s.expanduser() for s in self.sources]
        return self

    @property
    def state_dir(self) -> Path:
        return self.home / ".nightshift"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Later TOML files win over earlier ones, so the memory home's file is listed last.
        toml = TomlConfigSettingsSource(settings_cls, toml_file=list(_toml_files.get()))
        return (init_settings, env_settings, toml)


def toml_files(home_flag: Path | None) -> tuple[Path, ...]:
    """The nightshift.toml files that apply, lowest precedence first (``nightshift config show`` too)."""
    home = Path(home_flag or os.environ.get("NIGHTSHIFT_HOME") or "memory_home").expanduser()
    return tuple(p for p in (Path.cwd() / TOML_NAME, home / TOML_NAME) if p.is_file())


def load_settings(**overrides: Any) -> Settings:
    """Build the effective settings; ``overrides`` are CLI flags (None means "not given")."""
    given = {k: v for k, v in overrides.items() if v is not None}
    token = _toml_files.set(toml_files(given.get("home")))
    try:
        return Settings(**given)
    finally:
        _toml_files.reset(token)
