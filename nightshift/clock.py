"""Time, in one place: nightshift keeps every moment in UTC.

DuckDB TIMESTAMP columns hold naive UTC, so moments are made naive on the way into the store
(``naive_utc``) and aware again on the way out (``utc``); files and commit trailers carry ``stamp``.
"""

from __future__ import annotations

from datetime import UTC, datetime

STAMP = "%Y-%m-%dT%H:%M:%SZ"


def utcnow() -> datetime:
    return datetime.now(UTC)


def utc(moment: datetime | None) -> datetime | None:
    """Aware UTC; a naive moment (as DuckDB returns it) is read as UTC."""
    if moment is None:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def naive_utc(moment: datetime) -> datetime:
    """Naive UTC, as DuckDB TIMESTAMP columns hold it; aware moments are converted."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def stamp(moment: datetime) -> str:
    """``2026-11-18T09:12:03Z``: how moments are written in the memory home and the model's input."""
    return utc(moment).strftime(STAMP)


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, STAMP).replace(tzinfo=UTC)


def compact_stamp(moment: datetime) -> str:
    """``20261118T091203Z``: a moment inside a name (run ids, a damaged database set aside)."""
    return utc(moment).strftime("%Y%m%dT%H%M%SZ")
