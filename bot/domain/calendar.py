"""Working days in England and Wales, and the allocation due-by date.

PI 05/2014 Case Allocation (seeds/003) s1.9 and s2.2: a case must be allocated "within two
working days of sentence". Working days exclude weekends and England and Wales bank holidays.
Both the holidays and the working-day arithmetic come from the maintained `holidays` package
(`HolidayBase.is_working_day`, `get_nth_working_day`, `get_working_days_count`, 0.78 or later
for `get_nth_working_day(day, 0)`), so substitute days and new bank holidays arrive with an
upgrade rather than a patch here. subdiv="ENG" is England and Wales (they share one list;
without it Easter Monday and the late summer bank holiday are missing). The functions below
keep casebot's meanings (a start day never counts) over the package's. Pure: no I/O, no clock;
the holiday table fills in each year the first time it is asked about.
"""

from __future__ import annotations

from datetime import date

import holidays

_ENGLAND_AND_WALES = holidays.country_holidays("GB", subdiv="ENG")


def is_bank_holiday(day: date) -> bool:
    """True on an England and Wales bank holiday, including substitute days."""
    return day in _ENGLAND_AND_WALES


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday."""
    return _ENGLAND_AND_WALES.is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself never counts; 0 is `start`)."""
    if days < 0:
        raise ValueError("days must not be negative")
    return _ENGLAND_AND_WALES.get_nth_working_day(start, days) if days else start


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    # The package counts both ends; `start` itself is not 'after start'.
    return _ENGLAND_AND_WALES.get_working_days_count(start, end) - int(is_working_day(start))


def allocation_due_by(arrived_on: date, target_working_days: int) -> date:
    """The day a case is due for allocation: the team's target, in working days, after it
    reached the team (the region's policy file sets the target; docs/policy-sources.md)."""
    return add_working_days(arrived_on, target_working_days)


def working_day_on_or_after(day: date) -> date:
    """`day` itself when it is a working day, else the next one."""
    return _ENGLAND_AND_WALES.get_nth_working_day(day, 0)


def subtract_working_days(end: date, days: int) -> date:
    """The date `days` working days before `end` (`end` itself never counts; 0 or less is `end`)."""
    return _ENGLAND_AND_WALES.get_nth_working_day(end, -days) if days > 0 else end
