"""When the bot may speak to people (bot/domain/working_hours.py).

Reminders go out "in working hours in Europe/London (default 09:00; never at night, never on
weekends or bank holidays)". British Summer Time 2026 runs from Sun 29 Mar to Sun 25 Oct, so
09:00 London is 08:00 UTC in summer and 09:00 UTC in winter. Christmas 2026: Fri 25 Dec is
Christmas Day, Sat 26 Boxing Day, Mon 28 Dec its substitute bank holiday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.clock import LONDON
from bot.domain.working_hours import CLOSE, MORNING, morning_of, next_working_day, next_working_moment, within_working_hours


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware instant given as London wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_working_hours_are_nine_to_half_past_five() -> None:
    assert (MORNING.hour, MORNING.minute) == (9, 0)
    assert (CLOSE.hour, CLOSE.minute) == (17, 30)


# --- morning_of ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 3, 27), utc(2026, 3, 27, 9), id="Fri 27 Mar: last GMT working day"),
        pytest.param(date(2026, 3, 30), utc(2026, 3, 30, 8), id="Mon 30 Mar: first BST working day"),
        pytest.param(date(2026, 10, 23), utc(2026, 10, 23, 8), id="Fri 23 Oct: last BST working day"),
        pytest.param(date(2026, 10, 26), utc(2026, 10, 26, 9), id="Mon 26 Oct: first GMT working day"),
        pytest.param(date(2026, 7, 1), utc(2026, 7, 1, 8), id="midsummer"),
        pytest.param(date(2026, 12, 1), utc(2026, 12, 1, 9), id="midwinter"),
    ],
)
def test_morning_of_is_nine_london_as_utc_across_the_clock_change(day: date, expected: datetime) -> None:
    morning = morning_of(day)
    assert morning == expected
    assert morning.tzinfo is UTC  # an aware UTC instant, not a London one
    assert morning.astimezone(LONDON).hour == 9


# --- within_working_hours -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "inside"),
    [
        pytest.param(8, 59, False, id="08:59"),
        pytest.param(9, 0, True, id="09:00"),
        pytest.param(12, 30, True, id="12:30"),
        pytest.param(17, 29, True, id="17:29"),
        pytest.param(17, 30, False, id="17:30"),
        pytest.param(2, 0, False, id="02:00 at night"),
    ],
)
@pytest.mark.parametrize("day", [date(2026, 3, 30), date(2026, 12, 1)], ids=["summer", "winter"])
def test_within_working_hours_edges_on_a_working_day(day: date, hour: int, minute: int, inside: bool) -> None:
    assert within_working_hours(london(day.year, day.month, day.day, hour, minute)) is inside


def test_within_working_hours_reads_london_time_not_utc() -> None:
    # 08:30 UTC on Mon 30 Mar 2026 is 09:30 BST: inside. 17:00 UTC is 18:00 BST: outside.
    assert within_working_hours(utc(2026, 3, 30, 8, 30)) is True
    assert within_working_hours(utc(2026, 3, 30, 17, 0)) is False
    # In winter UTC and London agree: 08:30 UTC is 08:30 GMT, before the morning.
    assert within_working_hours(utc(2026, 10, 26, 8, 30)) is False


@pytest.mark.parametrize(
    "at",
    [
        pytest.param(london(2026, 12, 5, 11), id="Saturday 11:00"),
        pytest.param(london(2026, 12, 6, 11), id="Sunday 11:00"),
        pytest.param(london(2026, 12, 28, 11), id="Mon 28 Dec 2026, Boxing Day substitute, 11:00"),
        pytest.param(london(2026, 12, 25, 11), id="Christmas Day 11:00"),
        pytest.param(london(2026, 8, 31, 11), id="late summer bank holiday 11:00"),
    ],
)
def test_not_within_working_hours_on_weekends_and_bank_holidays(at: datetime) -> None:
    assert within_working_hours(at) is False


# --- next_working_day / next_working_moment -----------------------------------------------


def test_next_working_day_skips_christmas_and_the_weekend() -> None:
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert next_working_day(date(2026, 12, 1)) == date(2026, 12, 2)
    assert next_working_day(date(2026, 12, 4)) == date(2026, 12, 7)  # Friday -> Monday


def test_next_working_moment_in_working_hours_is_now() -> None:
    at = london(2026, 12, 1, 10, 17)
    assert next_working_moment(at) == at


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(london(2026, 12, 1, 23, 15), london(2026, 12, 2, 9), id="Tue 23:15 -> Wed 09:00"),
        pytest.param(london(2026, 12, 2, 3, 0), london(2026, 12, 2, 9), id="Wed 03:00 -> Wed 09:00"),
        pytest.param(london(2026, 12, 2, 8, 59), london(2026, 12, 2, 9), id="Wed 08:59 -> Wed 09:00"),
        pytest.param(london(2026, 12, 2, 17, 30), london(2026, 12, 3, 9), id="Wed 17:30 -> Thu 09:00"),
        pytest.param(london(2026, 12, 4, 18, 0), london(2026, 12, 7, 9), id="Fri evening -> Mon 09:00"),
        pytest.param(london(2026, 12, 5, 12, 0), london(2026, 12, 7, 9), id="Saturday noon -> Mon 09:00"),
        pytest.param(london(2026, 12, 6, 7, 0), london(2026, 12, 7, 9), id="Sunday 07:00 -> Mon 09:00"),
        pytest.param(london(2026, 12, 24, 18, 0), london(2026, 12, 29, 9), id="Thu 24 Dec 18:00 -> Tue 29 Dec 09:00"),
        pytest.param(london(2026, 12, 28, 7, 0), london(2026, 12, 29, 9), id="bank holiday morning -> next day 09:00"),
        pytest.param(london(2026, 3, 27, 18, 0), london(2026, 3, 30, 9), id="Fri GMT evening -> Mon BST morning"),
        pytest.param(london(2026, 10, 23, 18, 0), london(2026, 10, 26, 9), id="Fri BST evening -> Mon GMT morning"),
    ],
)
def test_next_working_moment_outside_working_hours_is_the_next_working_morning(at: datetime, expected: datetime) -> None:
    moment = next_working_moment(at)
    assert moment == expected
    assert within_working_hours(moment)


def test_next_working_moment_over_christmas_in_utc() -> None:
    # The same Christmas case given and checked in UTC (GMT in December, so the same figures).
    assert next_working_moment(utc(2026, 12, 24, 18)) == utc(2026, 12, 29, 9)


def test_next_working_moment_uses_the_london_date_after_midnight_bst() -> None:
    # 23:30 UTC on Mon 30 Mar 2026 is already 00:30 BST on Tuesday: Tuesday 09:00 BST (08:00 UTC).
    assert next_working_moment(utc(2026, 3, 30, 23, 30)) == utc(2026, 3, 31, 8)


def test_next_working_moment_across_the_autumn_change() -> None:
    # Sat 24 Oct 2026 in BST; the clocks go back on Sunday; Monday 09:00 is GMT, 09:00 UTC.
    assert next_working_moment(utc(2026, 10, 24, 10)) == utc(2026, 10, 26, 9)
