"""When the bot may speak to people: working hours on working days in Europe/London.

Issue 6: reminders go out "in working hours in Europe/London (default 09:00; never at night,
never on weekends or bank holidays)". Working days are bot/domain/calendar.py's (England and Wales).
Pure: instants in, instants out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.domain.calendar import is_working_day
from bot.domain.clock import LONDON

MORNING = time(9, 0)  # when reminders and digests go out
CLOSE = time(17, 30)  # after this, wait for the next working morning


def morning_of(day: date) -> datetime:
    """09:00 London on `day`, as an aware UTC instant (DST handled by zoneinfo)."""
    return datetime.combine(day, MORNING, tzinfo=LONDON).astimezone(UTC)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def within_working_hours(at: datetime) -> bool:
    local = at.astimezone(LONDON)
    return is_working_day(local.date()) and MORNING <= local.time() < CLOSE


def next_working_moment(at: datetime) -> datetime:
    """`at` itself if it is in working hours, else the next working morning."""
    if within_working_hours(at):
        return at
    local = at.astimezone(LONDON)
    if is_working_day(local.date()) and local.time() < MORNING:
        return morning_of(local.date())
    return morning_of(next_working_day(local.date()))
