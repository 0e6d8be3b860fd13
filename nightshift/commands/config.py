"""``nightshift config show``: every effective setting and where it came from.

The precedence is the one ``nightshift.settings`` applies: a flag beats the environment, which beats
the nightshift.toml files (the memory home's over the current directory's), which beat the default.
The API key is never shown, only whether it is set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from nightshift.settings import Settings, load_settings, origin, read_toml, toml_files


@dataclass(frozen=True)
class Origin:
    name: str
    value: str
    source: str  # default | flag --x | environment NAME | /path/to/nightshift.toml

    def as_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "source": self.source}


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


def origins(flags: dict[str, Any]) -> tuple[Settings, list[Origin]]:
    """The settings and each one's origin, then ``endpoint`` (where transcripts go, from provider and base_url).
    Raises ConfigError like ``load_settings`` when the configuration is invalid."""
    settings = load_settings(**flags)
    tomls = {path: read_toml(path) for path in toml_files(flags.get("home"))}
    found = [Origin(name, _show(getattr(settings, name)), origin(name, flags, tomls)) for name in Settings.model_fields]
    found.append(Origin("endpoint", settings.endpoint or "none (this machine)", "provider, base_url"))
    return settings, found


def render(settings: Settings, found: list[Origin]) -> list[str]:
    width = max(len(o.name) for o in found)
    return [settings.endpoint_line()] + [f"{o.name:<{width}}  {o.value}    [{o.source}]" for o in found]
