"""Time as a port, so tests move the clock instead of sleeping.

Every service takes a `Clock`; nothing in the bot calls `datetime.now()` directly. Dates that
people see (due-by, touchpoints) are dates in England and Wales, hence `LONDON`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    """Tells the current instant (aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock tests set and move forward explicitly."""

    def __init__(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        self._at += timedelta(**delta)

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)


def london_today(clock: Clock) -> date:
    """Today's date in England and Wales."""
    return london_day(clock.now())


def london_day(at: datetime) -> date:
    """The date in England and Wales at the instant `at`."""
    return at.astimezone(LONDON).date()
