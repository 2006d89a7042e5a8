"""One formatter per figure, date and due text (blocks/formats.py)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blocks.formats import (
    day_text,
    due_text,
    due_words,
    london_time_text,
    long_date,
    percent_text,
    plural,
    ready_text,
    rsr_text,
    short_date,
    tier_mix_bars,
    tier_mix_text,
    when_text,
    workload_bar,
)

# --- workload per cent ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "shown"),
    [
        (0.0, "0%"),
        (62.3, "62%"),
        (62.5, "63%"),  # half up, not to even
        (61.5, "62%"),
        (99.6, "100%"),  # full, not over: exactly what 100% means
        (100.0, "100%"),
        (100.1, "101%"),  # over capacity never reads as 100%
        (100.4, "101%"),
        (100.5, "101%"),
        (137.25, "137%"),
        (math.inf, "no capacity"),
        (math.nan, "no capacity"),
    ],
)
def test_percent_is_a_whole_number(percent: float, shown: str) -> None:
    assert percent_text(percent) == shown


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_percent_never_has_decimals_and_over_capacity_never_reads_100_or_less(percent: float) -> None:
    shown = percent_text(percent)
    assert shown.endswith("%") and shown[:-1].isdigit()
    if percent > 100.0:
        assert int(shown[:-1]) > 100


@pytest.mark.parametrize(
    ("percent", "bar"),
    [
        (0.0, "░░░░░░░░░░ 0%"),
        (62.3, "▓▓▓▓▓▓░░░░ 62%"),
        (100.0, "▓▓▓▓▓▓▓▓▓▓ 100%"),
        (100.2, "▓▓▓▓▓▓▓▓▓▓ 101% :warning:"),
        (250.0, "▓▓▓▓▓▓▓▓▓▓ 250% :warning:"),
        (math.inf, "▓▓▓▓▓▓▓▓▓▓ no capacity :warning:"),
    ],
)
def test_workload_bar_uses_the_one_percent_format(percent: float, bar: str) -> None:
    assert workload_bar(percent) == bar


# --- tier mix -------------------------------------------------------------------------------


def test_tier_mix_text() -> None:
    assert tier_mix_text({"A": 2, "B": 5, "C": 9, "D": 3}) == "A 2 · B 5 · C 9 · D 3"
    assert tier_mix_text({}) == "A 0 · B 0 · C 0 · D 0"


def test_tier_mix_bars_one_cell_a_case_with_the_count_beside() -> None:
    assert tier_mix_bars({"A": 2, "B": 5, "C": 9, "D": 3}) == "A ▇▇ 2 · B ▇▇▇▇▇ 5 · C ▇▇▇▇▇▇▇▇▇ 9 · D ▇▇▇ 3"


def test_tier_mix_bars_zero_and_missing_letters_have_no_bar() -> None:
    assert tier_mix_bars({"C": 1}) == "A 0 · B 0 · C ▇ 1 · D 0"
    assert tier_mix_bars({}) == "A 0 · B 0 · C 0 · D 0"


def test_tier_mix_bars_scale_down_together_and_keep_a_cell_for_any_case() -> None:
    # 40 B cases: B gets the full 10 cells, the others in proportion; 1 A case keeps one cell.
    assert tier_mix_bars({"A": 1, "B": 40, "C": 20, "D": 0}) == "A ▇ 1 · B ▇▇▇▇▇▇▇▇▇▇ 40 · C ▇▇▇▇▇ 20 · D 0"
    assert tier_mix_bars({"A": 1, "B": 40, "C": 20}, cells=4) == "A ▇ 1 · B ▇▇▇▇ 40 · C ▇▇ 20 · D 0"
    assert tier_mix_bars({"B": 1234}) == "A 0 · B ▇▇▇▇▇▇▇▇▇▇ 1,234 · C 0 · D 0"


@given(st.dictionaries(st.sampled_from("ABCD"), st.integers(min_value=0, max_value=10_000)), st.integers(min_value=1, max_value=10))
def test_tier_mix_bars_never_exceed_their_cells(mix: dict[str, int], cells: int) -> None:
    text = tier_mix_bars(mix, cells=cells)
    for part in text.split(" · "):
        assert part.count("▇") <= cells
    assert [int(part.rsplit(" ", 1)[1].replace(",", "")) for part in text.split(" · ")] == [mix.get(x, 0) for x in "ABCD"]


def test_ready_text() -> None:
    assert ready_text(["d", " C ", "A"]) == "ready ACD"
    assert ready_text([]) == "readiness not recorded"


def test_rsr_keeps_its_decimals() -> None:
    # A risk score, not a workload: its bands turn on tenths.
    assert rsr_text(4.2) == "4.2%" and rsr_text(12.0) == "12%" and rsr_text(None) == "Not recorded"


def test_plural() -> None:
    assert plural(1, "case") == "1 case" and plural(0, "case") == "0 cases" and plural(1000, "case") == "1,000 cases"


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "short", "long"),
    [
        (date(2026, 12, 30), "Wed 30 Dec", "Wed 30 Dec 2026"),
        (date(2026, 4, 8), "Wed 8 Apr", "Wed 8 Apr 2026"),  # no leading zero
        (date(2027, 1, 1), "Fri 1 Jan", "Fri 1 Jan 2027"),
    ],
)
def test_dates(day: date, short: str, long: str) -> None:
    assert short_date(day) == short
    assert long_date(day) == long


def test_day_text_names_the_year_only_outside_the_readers_year() -> None:
    assert day_text(date(2026, 12, 4), date(2026, 11, 30)) == "Fri 4 Dec"
    assert day_text(date(2027, 1, 4), date(2026, 12, 30)) == "Mon 4 Jan 2027"


def test_times_are_london_times() -> None:
    winter = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 7, 10, 0, tzinfo=UTC)
    assert london_time_text(winter) == "Mon 7 Dec 2026 at 10:00"
    assert london_time_text(summer) == "Tue 7 Jul 2026 at 11:00"  # BST
    assert when_text(winter) == f"<!date^{int(winter.timestamp())}^{{date_short_pretty}} at {{time}}|Mon 7 Dec 2026 at 10:00>"


# --- due ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "today", "shown"),
    [
        (date(2026, 12, 4), date(2026, 11, 30), "due Fri 4 Dec"),
        (date(2027, 1, 4), date(2026, 12, 30), "due Mon 4 Jan 2027"),
        (date(2026, 12, 4), date(2026, 12, 4), "due *today*"),
        (date(2026, 12, 4), date(2026, 12, 7), ":warning: *Overdue* by 1 working day (was due Fri 4 Dec)"),  # over a weekend
        # Christmas Day, Boxing Day (a Saturday: its substitute is Mon 28) are not working days.
        (date(2026, 12, 24), date(2026, 12, 30), ":warning: *Overdue* by 2 working days (was due Thu 24 Dec)"),
        (date(2026, 12, 4), date(2026, 12, 5), ":warning: *Overdue* (was due Fri 4 Dec)"),  # late, but no working day yet
    ],
)
def test_due_text(due: date, today: date, shown: str) -> None:
    assert due_text(due, today) == shown


@pytest.mark.parametrize(("late", "words"), [(-1, "due today"), (0, "due today"), (1, "overdue by 1 working day"), (3, "overdue by 3 working days")])
def test_due_words(late: int, words: str) -> None:
    assert due_words(late) == words
