"""Who is away today and until when (bot/domain/availability.py)."""

from __future__ import annotations

from datetime import date

from bot.domain.availability import Absence, Away, away_on

MON, FRI, NEXT_MON, NEXT_TUE = date(2026, 12, 7), date(2026, 12, 11), date(2026, 12, 14), date(2026, 12, 15)


def test_an_absence_covering_today_says_its_last_day() -> None:
    assert away_on([Absence(MON, FRI, "training")], date(2026, 12, 9)) == Away(FRI)
    assert away_on([Absence(MON, FRI, "training")], MON) == Away(FRI)
    assert away_on([Absence(MON, FRI, "training")], FRI) == Away(FRI)


def test_no_absence_today_is_not_away() -> None:
    assert away_on([Absence(MON, FRI, "training")], NEXT_MON) is None
    assert away_on([Absence(NEXT_MON, NEXT_TUE, "other")], FRI) is None
    assert away_on([], MON) is None


def test_back_to_back_absences_across_a_weekend_are_one_stretch() -> None:
    week_and_monday = [Absence(NEXT_MON, NEXT_MON, "annual_leave"), Absence(MON, FRI, "sickness")]  # any order
    assert away_on(week_and_monday, date(2026, 12, 8)) == Away(NEXT_MON)
    gap = [Absence(MON, FRI, "sickness"), Absence(NEXT_TUE, NEXT_TUE, "annual_leave")]  # back on Monday between
    assert away_on(gap, date(2026, 12, 8)) == Away(FRI)


def test_an_absence_with_no_end_has_no_return_date() -> None:
    assert away_on([Absence(MON, None, "sickness")], date(2027, 3, 1)) == Away(None)
    assert away_on([Absence(MON, FRI, "sickness"), Absence(NEXT_MON, None, "sickness")], MON) == Away(None)


def test_the_christmas_bank_holidays_do_not_break_a_stretch() -> None:
    before, after = Absence(date(2026, 12, 21), date(2026, 12, 24), "annual_leave"), Absence(date(2026, 12, 29), date(2026, 12, 31), "annual_leave")
    assert away_on([before, after], date(2026, 12, 22)) == Away(date(2026, 12, 31))  # 25, 28 Dec: bank holidays
