"""One-off measurement: detect-secrets (plugins + its default filters) against nightshift's redactor.

Not part of ``make bench``: detect-secrets is not a dependency. Run it in an environment that has both:

    pip install detect-secrets && python -m bench.compare_detect_secrets

It reports, per corpus part, recall (a secret counts as caught when every 12-character window of it is
gone once the found values are cut out), look-alikes flagged, and throughput over transcript text.
The figures and the choice they led to are in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from detect_secrets.core.scan import scan_line
from detect_secrets.settings import default_settings

from nightshift.ingest.redact import redact

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "secrets"
WINDOW = 12


def _leaks(secret: str, out: str) -> bool:
    return any(secret[i : i + WINDOW] in out for i in range(max(1, len(secret) - WINDOW + 1)))


def detect_secrets_redact(text: str) -> str:
    """Cut every value detect-secrets reports on any line of ``text``."""
    found = {s.secret_value for line in text.splitlines() for s in scan_line(line) if s.secret_value}
    for value in sorted(found, key=len, reverse=True):
        text = text.replace(value, "[REDACTED]")
    return text


def measure(name: str, fn, transcript: str) -> None:
    for part in ("tuning", "heldout"):
        corpus = json.loads((DATA / f"{part}.json").read_text(encoding="utf-8"))
        missed = sum(_leaks(s["secret"], fn(s["text"])) for s in corpus["secrets"])
        flagged = sum(fn(x["text"]) != x["text"] for x in corpus["lookalikes"])
        n, m = len(corpus["secrets"]), len(corpus["lookalikes"])
        print(f"{name:16} {part:8} recall {100 * (n - missed) / n:5.1f}% ({n - missed}/{n})  look-alikes changed {flagged}/{m}")
    started = time.perf_counter()
    fn(transcript)
    elapsed = time.perf_counter() - started
    print(f"{name:16} throughput {len(transcript) / 1e6 / elapsed:8.2f} MB/s")


def main() -> None:
    from bench.bench_redact import _turns

    transcript = "\n".join(_turns(2_000_000))
    with default_settings():
        measure("detect-secrets", detect_secrets_redact, transcript)
    with default_settings() as settings:  # the same without the two entropy plugins, which flag every hash
        settings.disable_plugins("Base64HighEntropyString", "HexHighEntropyString")
        measure("ds-no-entropy", detect_secrets_redact, transcript)
    measure("nightshift", redact, transcript)


if __name__ == "__main__":
    main()
