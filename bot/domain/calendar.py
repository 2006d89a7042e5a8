"""Working days in England and Wales, and the allocation due-by date.

PI 05/2014 Case Allocation (seeds/003) s1.9 and s2.2: a case must be allocated "within two
working days of sentence". Working days exclude weekends and England and Wales bank holidays,
taken from the maintained `holidays` package with subdiv="ENG" (without it Easter Monday and the
late summer bank holiday are missing: SLACK.md s8). England and Wales share one list.
Pure functions: no I/O, no clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

ALLOCATION_WORKING_DAYS = 2  # seeds/003 s1.9, s2.2 (revised 11 Aug 2015 from one to two)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    """True on an England and Wales bank holiday, including substitute days."""
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def allocation_due_by(sentence_date: date) -> date:
    """Two working days after sentence (seeds/003 s1.9, s2.2)."""
    return add_working_days(sentence_date, ALLOCATION_WORKING_DAYS)


def working_day_on_or_after(day: date) -> date:
    """`day` itself when it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def subtract_working_days(end: date, days: int) -> date:
    """The date `days` working days before `end` (`end` itself never counts)."""
    current = end
    remaining = days
    while remaining > 0:
        current -= timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
