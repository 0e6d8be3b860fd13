"""Where the shipped data files (prompts/, schemas/) are found, and how a prompt's placeholders are filled.

In a wheel they live inside the package as ``nightshift/_data/{prompts,schemas}`` (see the
force-include in pyproject.toml); in a source checkout or an editable install they are the
top-level folders of the repository.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any


def data_dir(name: str) -> Path:
    packaged = files("nightshift") / "_data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / name


@cache
def load_schema(name: str) -> dict[str, Any]:
    return json.loads((data_dir("schemas") / f"{name}.schema.json").read_text(encoding="utf-8"))


def prompt_path(name: str, prompts_dir: Path | None = None) -> Path:
    """A user's ``prompts_dir`` overrides a shipped prompt file by file name."""
    if prompts_dir is not None and (prompts_dir / name).is_file():
        return prompts_dir / name
    return data_dir("prompts") / name


_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def fill_prompt(template: str, values: Mapping[str, object]) -> str:
    """``{{ name }}`` placeholders replaced in one pass over the template: inserted text is never read
    again, so a transcript or a summary that holds ``{{ ... }}`` reaches the model as written. A name
    without a value stays as it is written (a user's prompt file may show the syntax)."""
    return _PLACEHOLDER.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], template)
