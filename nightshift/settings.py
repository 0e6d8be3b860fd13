"""One settings object: defaults < nightshift.toml (project dir, then memory home) < environment < CLI flags.

Environment variables are ``NIGHTSHIFT_<FIELD>`` (lists as JSON; ``NIGHTSHIFT_SOURCES`` also as one path or an
``os.pathsep``-separated list), plus ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` as fallbacks for the endpoint.
The provider is ``builtin`` until the user chooses ``openai``: a key or URL alone never sends a transcript anywhere.
Every problem with the configuration is a ``ConfigError`` that names the file, variable or flag it came from.
"""

from __future__ import annotations

import difflib
import os
import sys
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from nightshift.errors import UserError
from nightshift.phase2.contract import STATE_DIR

TOML_NAME = "nightshift.toml"
OPENAI_URL = "https://api.openai.com/v1"  # where the openai client sends requests without a base_url
_toml_files: ContextVar[tuple[Path, ...]] = ContextVar("nightshift_toml_files", default=())


def default_sources() -> list[Path]:
    """Codex CLI's and Claude Code's folders, and Gemini CLI's and Cursor's where those agents are installed."""
    home = Path.home()
    optional = [home / ".gemini" / "tmp", home / ".cursor" / "projects"]
    return [home / ".codex" / "sessions", home / ".codex" / "archived_sessions", home / ".claude" / "projects",
            *(folder for folder in optional if folder.is_dir())]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIGHTSHIFT_", extra="ignore", validate_default=True)

    home: Path = Field(default=Path("memory_home"), description="The memory home: a git repo nightshift writes to.")
    sources: list[Path] = Field(default_factory=default_sources, description="Folders searched for transcripts.")

    # Discovery
    idle_hours: float = Field(default=6, ge=0, description="A transcript is read only after this long untouched.")
    max_age_days: float = Field(default=10, gt=0, description="Older transcripts are not read at all.")
    max_rollouts_per_run: int = Field(default=64, ge=1, description="Bounds a night's extraction spend.")

    # Phase 1
    provider: Literal["builtin", "openai"] = Field(
        default="builtin", description="builtin (no network) or openai (any compatible endpoint); only ever chosen explicitly."
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
    def _expand_user(self) -> Settings:
        self.home = self.home.expanduser()
        self.sources = [s.expanduser() for s in self.sources]
        return self

    @property
    def state_dir(self) -> Path:
        return self.home / STATE_DIR

    @property
    def endpoint(self) -> str | None:
        """Where transcripts are sent: None for the builtin rules, which never leave this machine."""
        return None if self.provider == "builtin" else (self.base_url or OPENAI_URL)

    def endpoint_line(self) -> str:
        if self.endpoint is None:
            return "provider builtin: transcripts stay on this machine"
        return f"provider openai: transcripts are sent to {self.endpoint} ({self.extract_model}, {self.consolidate_model})"

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
        return (init_settings, _Env(settings_cls), toml)


class _Env(EnvSettingsSource):
    """NIGHTSHIFT_SOURCES as a deployment's job variables set it: one path, or several joined by os.pathsep."""

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        if field_name == "sources" and isinstance(value, str) and not value.lstrip().startswith("["):
            return [part for part in value.split(os.pathsep) if part]
        return super().decode_complex_value(field_name, field, value)


class ConfigError(UserError):
    """The configuration cannot be used; the message names the file, variable or flag."""


def toml_files(home_flag: Path | None) -> tuple[Path, ...]:
    """The nightshift.toml files that apply, lowest precedence first (``nightshift config show`` too)."""
    home = Path(home_flag or os.environ.get("NIGHTSHIFT_HOME") or "memory_home").expanduser()
    return tuple(p for p in (Path.cwd() / TOML_NAME, home / TOML_NAME) if p.is_file())


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.resolve()} is not valid TOML: {exc}; fix or remove the file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path.resolve()}: {exc}") from exc


def keys_of(name: str) -> list[str]:
    """The names a setting is read under: its environment variable(s), then its toml key."""
    alias = Settings.model_fields[name].validation_alias
    return list(alias.choices) if isinstance(alias, AliasChoices) else [f"NIGHTSHIFT_{name.upper()}", name]


def origin(name: str, flags: dict[str, Any], tomls: dict[Path, dict[str, Any]]) -> str:
    """Where a setting's value comes from: ``flag --x``, ``environment NAME``, a nightshift.toml path, or ``default``."""
    keys = keys_of(name)
    if flags.get(name) is not None:
        return f"flag --{FLAGS.get(name, name).replace('_', '-')}"
    env = {k.upper(): k for k in os.environ}
    if var := next((env[k.upper()] for k in keys if k.upper() in env and k.upper().startswith(("NIGHTSHIFT_", "OPENAI_"))), None):
        return f"environment {var}"
    lowered = {k.lower() for k in keys}
    if files := [path for path, table in tomls.items() if lowered & {k.lower() for k in table}]:
        return str(files[-1].resolve())
    return "default"


FLAGS = {"sources": "source"}  # setting -> command-line flag, where they differ
_warned: set[tuple[Path, str]] = set()


def _warn_unknown_keys(tomls: dict[Path, dict[str, Any]]) -> None:
    """A misspelt key would otherwise be ignored without a word; warn once per process and key."""
    known = list(Settings.model_fields)
    for path, table in tomls.items():
        for key in table:
            if key.lower() in known or (path, key) in _warned:
                continue
            _warned.add((path, key))
            close = difflib.get_close_matches(key.lower(), known, n=1)
            hint = f"; did you mean {close[0]}?" if close else "; `nightshift config show` lists the settings"
            print(f"nightshift: warning: {path.resolve()}: unknown setting {key!r} is ignored{hint}", file=sys.stderr)


def _config_error(exc: ValidationError, flags: dict[str, Any], tomls: dict[Path, dict[str, Any]]) -> ConfigError:
    problems = []
    for error in exc.errors():
        name = next((str(part) for part in error["loc"] if isinstance(part, str)), "?")
        name = next((field for field in Settings.model_fields if name in (field, *keys_of(field))), name)
        where = origin(name, flags, tomls) if name in Settings.model_fields else "the configuration"
        if where.endswith(TOML_NAME):
            where = f"{where} (key {name})"
        value = f" {error['input']!r}" if isinstance(error.get("input"), (str, int, float)) else ""
        problems.append(f"{where}: {name} ={value}: {error['msg']}")
    return ConfigError("configuration error: " + "; ".join(problems))


def load_settings(**overrides: Any) -> Settings:
    """Build the effective settings; ``overrides`` are CLI flags (None means "not given").

    Raises ConfigError naming the nightshift.toml, environment variable or flag that is wrong."""
    given = {k: v for k, v in overrides.items() if v is not None}
    files = toml_files(given.get("home"))
    tomls = {path: read_toml(path) for path in files}
    _warn_unknown_keys(tomls)
    token = _toml_files.set(files)
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise _config_error(exc, given, tomls) from exc
    except SettingsError as exc:  # a value pydantic-settings could not even decode, e.g. malformed JSON
        name = next((field for field in Settings.model_fields if f'"{field}"' in str(exc)), "?")
        raise ConfigError(f"configuration error: {origin(name, given, tomls) if name != '?' else exc}: "
                          f"cannot read {name}: {exc.__cause__ or exc}") from exc
    finally:
        _toml_files.reset(token)
