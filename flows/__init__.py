"""Prefect flows over nightshift.

Importing the package turns Prefect's anonymous analytics off before Prefect itself loads, for the CLI and
for deployments alike: no telemetry banner, no "Failed to send telemetry" on an offline machine, and no
second writer on the temporary server's fresh database during a first run. A user who set
PREFECT_SERVER_ANALYTICS_ENABLED (or DO_NOT_TRACK) keeps their choice.
"""

import os

if "PREFECT_SERVER_ANALYTICS_ENABLED" not in os.environ:
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ.setdefault("DO_NOT_TRACK", "1")
# The temporary server's default 20 s start-up limit is too short on a busy machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
