"""Working days in England and Wales and the two-working-day allocation due-by (bot/domain/calendar.py)."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.calendar import (
    add_working_days,
    allocation_due_by,
    is_bank_holiday,
    is_working_day,
    subtract_working_days,
    working_day_on_or_after,
    working_days_between,
)


@pytest.mark.parametrize(
    ("arrived", "due"),
    [
        # Ordinary weeks.
        pytest.param(date(2026, 3, 9), date(2026, 3, 11), id="Mon->Wed"),
        pytest.param(date(2026, 3, 5), date(2026, 3, 9), id="Thu->Mon over a weekend"),
        pytest.param(date(2026, 3, 6), date(2026, 3, 10), id="Fri->Tue over a weekend"),
        # Sentenced at a weekend: the weekend day itself never counts.
        pytest.param(date(2026, 3, 7), date(2026, 3, 10), id="Sat->Tue"),
        pytest.param(date(2026, 3, 8), date(2026, 3, 10), id="Sun->Tue"),
        # Christmas 2026: Fri 25 Christmas, weekend, Mon 28 Boxing Day substitute; Tue 29, Wed 30.
        pytest.param(date(2026, 12, 24), date(2026, 12, 30), id="Christmas 2026"),
        # Christmas 2027 falls on a weekend: substitutes Mon 27 and Tue 28.
        pytest.param(date(2027, 12, 24), date(2027, 12, 30), id="Christmas 2027 double substitute"),
        # Easter 2026: Good Friday 3 Apr, Easter Monday 6 Apr; Tue 7, Wed 8.
        pytest.param(date(2026, 4, 2), date(2026, 4, 8), id="Easter 2026"),
        # Early May bank holiday Mon 4 May 2026.
        pytest.param(date(2026, 5, 1), date(2026, 5, 6), id="early May bank holiday"),
        # Sentenced on a bank holiday itself (late summer, Mon 31 Aug 2026).
        pytest.param(date(2026, 8, 31), date(2026, 9, 2), id="sentenced on a bank holiday"),
        # Across the new year: Fri 1 Jan 2027 is a holiday.
        pytest.param(date(2026, 12, 31), date(2027, 1, 5), id="across the new year"),
    ],
)
def test_allocation_due_by_a_two_working_day_target(arrived: date, due: date) -> None:
    assert allocation_due_by(arrived, 2) == due


def test_a_region_target_of_three_working_days_counts_three() -> None:
    # Fri 24 Dec 2026 is not Christmas (that is Fri 25); Thu 24 -> Tue 29, Wed 30, Thu 31.
    assert allocation_due_by(date(2026, 12, 24), 3) == date(2026, 12, 31)


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2026, 4, 3), id="Good Friday"),
        # Easter Monday and the late summer bank holiday are only present with subdiv="ENG".
        pytest.param(date(2026, 4, 6), id="Easter Monday"),
        pytest.param(date(2026, 8, 31), id="late summer bank holiday"),
        pytest.param(date(2026, 12, 25), id="Christmas Day"),
        pytest.param(date(2026, 12, 28), id="Boxing Day substitute"),
        pytest.param(date(2027, 1, 1), id="New Year's Day"),
    ],
)
def test_england_and_wales_bank_holidays(day: date) -> None:
    assert day.weekday() < 5, "the example must be a weekday to test the holiday rule"
    assert is_bank_holiday(day)
    assert not is_working_day(day)


@pytest.mark.parametrize(
    ("day", "subdiv"),
    [
        pytest.param(date(2026, 1, 2), "SCT", id="Scottish 2 January"),
        pytest.param(date(2026, 8, 3), "SCT", id="Scottish summer bank holiday"),
        pytest.param(date(2026, 11, 30), "SCT", id="St Andrew's Day (Mon)"),
        pytest.param(date(2026, 3, 17), "NIR", id="St Patrick's Day"),
        pytest.param(date(2026, 7, 13), "NIR", id="Battle of the Boyne substitute"),
    ],
)
def test_other_uk_nations_holidays_are_working_days_in_england_and_wales(day: date, subdiv: str) -> None:
    # Guard against a vacuous test: the day really is a holiday elsewhere in the UK.
    assert day in holidays.country_holidays("GB", subdiv=subdiv, years=day.year)
    assert not is_bank_holiday(day)
    assert is_working_day(day)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 3, 8), False),  # Sunday
        (date(2026, 3, 10), True),  # ordinary Tuesday
    ],
)
def test_weekends_are_not_working_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    "start",
    [date(2026, 3, 10), date(2026, 3, 7), date(2026, 12, 25)],
    ids=["weekday", "Saturday", "bank holiday"],
)
def test_add_zero_working_days_is_the_start_date(start: date) -> None:
    assert add_working_days(start, 0) == start


def test_add_negative_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 3, 10), -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 12, 24), date(2026, 12, 30), 2),
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # Fri -> Mon
        (date(2026, 3, 7), date(2026, 3, 8), 0),  # Sat -> Sun
        (date(2026, 3, 10), date(2026, 3, 10), 0),  # same day
        (date(2026, 4, 2), date(2026, 4, 8), 2),  # over Easter
    ],
)
def test_working_days_between_is_antisymmetric(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end) == expected
    assert working_days_between(end, start) == -expected


_days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(_days, st.integers(min_value=0, max_value=40))
def test_between_inverts_add(start: date, days: int) -> None:
    end = add_working_days(start, days)
    assert working_days_between(start, end) == days
    assert working_days_between(end, start) == -days


@given(_days, st.integers(min_value=1, max_value=40))
def test_add_lands_on_a_working_day_after_start(start: date, days: int) -> None:
    end = add_working_days(start, days)
    assert end > start
    assert is_working_day(end)
    # The day before the result is still short of the target: no working day is skipped.
    assert working_days_between(start, end - timedelta(days=1)) == days - 1


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 3, 10), date(2026, 3, 10), id="a working day is itself"),
        pytest.param(date(2026, 3, 7), date(2026, 3, 9), id="Saturday -> Monday"),
        pytest.param(date(2026, 4, 3), date(2026, 4, 7), id="Good Friday -> Tuesday after Easter Monday"),
        pytest.param(date(2026, 12, 25), date(2026, 12, 29), id="Christmas -> after the Boxing Day substitute"),
    ],
)
def test_working_day_on_or_after(day: date, expected: date) -> None:
    # holidays >= 0.78: get_nth_working_day(day, 0) moves forward to a working day.
    assert working_day_on_or_after(day) == expected


@pytest.mark.parametrize(
    ("end", "days", "expected"),
    [
        pytest.param(date(2026, 12, 30), 2, date(2026, 12, 24), id="back over Christmas"),
        pytest.param(date(2026, 4, 8), 2, date(2026, 4, 2), id="back over Easter"),
        pytest.param(date(2026, 3, 9), 1, date(2026, 3, 6), id="Monday -> Friday"),
        pytest.param(date(2026, 3, 8), 0, date(2026, 3, 8), id="zero days is the end itself"),
    ],
)
def test_subtract_working_days(end: date, days: int, expected: date) -> None:
    assert subtract_working_days(end, days) == expected
