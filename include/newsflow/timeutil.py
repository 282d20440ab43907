"""Date normalising that never raises on a hostile date.

Why: `datetime` covers years 1 to 9999, so `9999-12-31T23:59:59-05:00` parses but cannot be
expressed in UTC (it is in the year 10000 there), and `0001-01-01T00:00:00+05:00` is before
year 1. `astimezone(UTC)` raises `OverflowError` on both, and one such date in one page's
metadata used to fail the whole clean task for every retry. Every function that turns a date
into UTC goes through `as_utc`, which says None ("no usable date") instead.
"""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(dt: datetime | None) -> datetime | None:
    """`dt` in UTC (a naive date is taken as UTC), or None when it cannot be expressed in UTC."""
    if dt is None:
        return None
    try:
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def parse_iso_utc(value: str) -> datetime | None:
    """An ISO 8601 string (a trailing `Z` allowed) as aware UTC, or None."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        return None
    return as_utc(dt)
