"""Package versions under names that merely contain "token", "key" or "secret" are not secrets: a
package.json or lock file read in a session must reach the model and the memory home as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nightshift.ingest.redact import redact

LOOKALIKES = json.loads((Path(__file__).resolve().parent / "data" / "lookalikes_versions.json").read_text())["lookalikes"]


@pytest.mark.parametrize("line", LOOKALIKES)
def test_a_package_version_is_left_alone(line):
    assert redact(line) == line


@pytest.mark.parametrize("line", [
    '"token": "ghp_R8xk2LmQ9vNw4TzYb7HcJd3FsPa6Ue1Gi0Ko"',  # a real-looking credential under the same kind of key
    '"apiKey": "AIzaSyD3x9Qm7Lk2Vb8Nc4Wp1Rt6Yz0Hs5Ju3Ea"',
    'SECRET_KEY = "f3a9c8e71b2d4056a7e9c1b3d5f70812"',
])
def test_a_secret_under_the_same_names_is_still_redacted(line):
    assert "[REDACTED" in redact(line)
