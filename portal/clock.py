"""Time in the portal: stored in UTC, shown and entered in Dutch time (Europe/Amsterdam)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """Return the current moment in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Treat a naive moment read back from SQLite as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def from_local(day: date, at: time) -> datetime:
    """Turn a Dutch date and time of day, as people enter them, into a UTC moment."""
    return datetime.combine(day, at, tzinfo=AMSTERDAM).astimezone(UTC)


def local(moment: datetime) -> datetime:
    """Return a stored moment in Dutch time."""
    return as_utc(moment).astimezone(AMSTERDAM)
