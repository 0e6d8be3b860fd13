"""``nightshift config show``: every effective setting and where it came from.

The precedence is the one ``nightshift.settings`` applies: a flag beats the environment, which beats
the nightshift.toml files (the memory home's over the current directory's), which beat the default.
The API key is never shown, only whether it is set.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, SecretStr

from nightshift.settings import Settings, load_settings, toml_files


FLAGS = {"sources": "source"}  # setting -> command-line flag, where they differ


@dataclass(frozen=True)
class Origin:
    name: str
    value: str
    source: str  # default | flag --x | environment NAME | /path/to/nightshift.toml

    def as_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "source": self.source}


def _names(name: str) -> list[str]:
    """The keys a field is read under: its env variable(s) and toml keys (case-insensitive)."""
    alias = Settings.model_fields[name].validation_alias
    return list(alias.choices) if isinstance(alias, AliasChoices) else [f"NIGHTSHIFT_{name.upper()}", name]


def _show(value: Any) -> str:
    if isinstance(value, SecretStr):
        return "(set, hidden)"
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return json.dumps(value) if value else "(none)"
    return str(value)


def origins(flags: dict[str, Any]) -> list[Origin]:
    """Raises pydantic.ValidationError like ``load_settings`` when the configuration is invalid."""
    settings = load_settings(**flags)
    given = {k for k, v in flags.items() if v is not None}
    env = {k.upper(): k for k in os.environ}
    tomls = [(path, {k.lower() for k in tomllib.loads(path.read_text(encoding="utf-8"))}) for path in toml_files(flags.get("home"))]
    found = []
    for name in Settings.model_fields:
        keys = _names(name)
        if name in given:
            source = f"flag --{FLAGS.get(name, name).replace('_', '-')}"
        elif var := next((env[k.upper()] for k in keys if k.upper() in env and k.upper().startswith(("NIGHTSHIFT_", "OPENAI_"))), None):
            source = f"environment {var}"
        elif files := [path for path, defined in tomls if {k.lower() for k in keys} & defined]:
            source = str(Path(files[-1]).resolve())
        else:
            source = "default (openai because an endpoint or key is set)" if name == "provider" and settings.provider == "openai" else "default"
        found.append(Origin(name, _show(getattr(settings, name)), source))
    return found


def render(found: list[Origin]) -> list[str]:
    width = max(len(o.name) for o in found)
    return [f"{o.name:<{width}}  {o.value}    [{o.source}]" for o in found]
