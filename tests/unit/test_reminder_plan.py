"""The touchpoint reminder plan (bot/domain/reminder_plan.py).

Issue 6: reminders "a configurable number of working days before the touchpoint (default 2)
and on the morning of the day; high-priority touchpoints also get one the working day after",
to the PP and the SPO, in working hours in Europe/London.

The running example is a touchpoint on Tue 29 Dec 2026, after the bank-holiday weekend:
Thu 24 Dec working, Fri 25 Christmas, Sat 26, Sun 27, Mon 28 (Boxing Day substitute).
Two working days before it is Wed 23 Dec; the working day after is Wed 30 Dec.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.clock import LONDON
from bot.domain.policy_file import Reminders
from bot.domain.reminder_plan import DEFAULT_REMINDERS, PlannedReminder, plan_reminders, reminder_moments
from bot.domain.working_hours import within_working_hours

PP = "U0PP00001"
SPO = "U0SPO0001"
TOUCHPOINT_DAY = date(2026, 12, 29)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def plan(
    priority: str = "high",
    *,
    now: datetime | None = None,
    recipients: list[str] | None = None,
    due_on: date = TOUCHPOINT_DAY,
    days_before: int = DEFAULT_REMINDERS.working_days_before,
) -> list[PlannedReminder]:
    return plan_reminders(
        due_on, priority, recipients if recipients is not None else [PP, SPO],
        now=now or london(2026, 12, 14, 10), rules=rules(days_before),
    )  # fmt: skip


def rules(days_before: int, *, on_the_day: bool = True, day_after: bool = True) -> Reminders:
    return Reminders(working_days_before=days_before, on_the_day=on_the_day, day_after_if_high_priority=day_after)


def moments(reminders: list[PlannedReminder]) -> list[tuple[str, datetime]]:
    """(which reminder, its London wall-clock time), one entry per distinct moment, in order."""
    return list(dict.fromkeys((r.when, r.due_at.astimezone(LONDON).replace(tzinfo=None)) for r in reminders))


def test_the_shipped_policy_reminds_two_working_days_before_on_the_day_and_after_if_high() -> None:
    assert DEFAULT_REMINDERS == rules(2)


def test_a_region_may_drop_the_day_of_and_day_after_reminders() -> None:
    assert reminder_moments(TOUCHPOINT_DAY, "high", rules=rules(2, on_the_day=False, day_after=False)) == [("before", date(2026, 12, 23))]


# --- reminder_moments: the days, before any clipping to now ----------------------------------


def test_moments_for_a_high_priority_touchpoint_across_the_bank_holiday_weekend() -> None:
    assert reminder_moments(TOUCHPOINT_DAY, "high") == [
        ("before", date(2026, 12, 23)),  # Thu 24 is one working day before; Wed 23 is two
        ("day", date(2026, 12, 29)),
        ("after", date(2026, 12, 30)),
    ]


def test_moments_for_a_normal_touchpoint_have_no_after() -> None:
    assert reminder_moments(TOUCHPOINT_DAY, "normal") == [("before", date(2026, 12, 23)), ("day", date(2026, 12, 29))]


def test_moments_with_no_days_before_have_no_before() -> None:
    assert reminder_moments(TOUCHPOINT_DAY, "high", rules=rules(0)) == [("day", date(2026, 12, 29)), ("after", date(2026, 12, 30))]


@pytest.mark.parametrize(
    ("days_before", "expected"),
    [
        pytest.param(1, date(2026, 12, 24), id="1: Thu 24 Dec"),
        pytest.param(3, date(2026, 12, 22), id="3: Tue 22 Dec"),
        pytest.param(5, date(2026, 12, 18), id="5: Fri 18 Dec"),
    ],
)
def test_moments_with_a_configured_days_before(days_before: int, expected: date) -> None:
    assert reminder_moments(TOUCHPOINT_DAY, "normal", rules=rules(days_before))[0] == ("before", expected)


def test_after_skips_a_weekend() -> None:
    # A high-priority touchpoint on Fri 4 Dec 2026: the working day after is Mon 7 Dec.
    assert reminder_moments(date(2026, 12, 4), "high")[-1] == ("after", date(2026, 12, 7))


# --- plan_reminders ---------------------------------------------------------------------------


def test_high_priority_plan_across_the_bank_holiday_weekend() -> None:
    reminders = plan("high", now=london(2026, 12, 14, 10))
    assert [(r.when, r.recipient, r.due_at) for r in reminders] == [
        ("before", PP, london(2026, 12, 23, 9)),
        ("before", SPO, london(2026, 12, 23, 9)),
        ("day", PP, london(2026, 12, 29, 9)),
        ("day", SPO, london(2026, 12, 29, 9)),
        ("after", PP, london(2026, 12, 30, 9)),
        ("after", SPO, london(2026, 12, 30, 9)),
    ]


def test_planned_instants_follow_summer_time() -> None:
    # A touchpoint on Wed 3 Jun 2026 (BST): 09:00 London is 08:00 UTC.
    reminders = plan("normal", now=london(2026, 5, 18, 10), due_on=date(2026, 6, 3))
    assert [(r.when, r.due_at) for r in reminders[::2]] == [
        ("before", datetime(2026, 6, 1, 8, tzinfo=UTC)),
        ("day", datetime(2026, 6, 3, 8, tzinfo=UTC)),
    ]


def test_normal_priority_has_no_after() -> None:
    assert moments(plan("normal")) == [("before", datetime(2026, 12, 23, 9)), ("day", datetime(2026, 12, 29, 9))]


def test_not_required_plans_nothing() -> None:
    assert plan("not_required") == []


def test_every_moment_goes_to_both_recipients() -> None:
    reminders = plan("high")
    for when in ("before", "day", "after"):
        assert [r.recipient for r in reminders if r.when == when] == [PP, SPO]


def test_a_pp_who_is_also_the_spo_gets_one_reminder_per_moment() -> None:
    reminders = plan("high", recipients=[SPO, SPO])
    assert [(r.when, r.recipient) for r in reminders] == [("before", SPO), ("day", SPO), ("after", SPO)]


def test_reminders_whose_day_has_passed_are_dropped() -> None:
    # Planned on Thu 24 Dec at 10:00: the "before" day (Wed 23) has gone.
    reminders = plan("high", now=london(2026, 12, 24, 10))
    assert moments(reminders) == [("day", datetime(2026, 12, 29, 9)), ("after", datetime(2026, 12, 30, 9))]


def test_nothing_left_once_every_day_has_passed() -> None:
    assert plan("high", now=london(2026, 12, 31, 10)) == []


def test_one_due_earlier_today_goes_out_now_in_working_hours() -> None:
    now = london(2026, 12, 23, 11, 15)  # the "before" day, after its 09:00
    reminders = plan("normal", now=now)
    assert [(r.when, r.due_at) for r in reminders if r.when == "before"] == [("before", now), ("before", now)]
    assert [r.due_at for r in reminders if r.when == "day"] == [london(2026, 12, 29, 9)] * 2


def test_one_due_earlier_today_waits_for_the_next_working_morning_after_hours() -> None:
    # Wed 23 Dec 18:00: the "before" reminder goes on Thu 24 Dec at 09:00, not tonight.
    reminders = plan("normal", now=london(2026, 12, 23, 18))
    assert moments(reminders) == [("before", datetime(2026, 12, 24, 9)), ("day", datetime(2026, 12, 29, 9))]


def test_one_due_later_today_keeps_its_morning() -> None:
    # Planned at 07:30 on the "before" day: 09:00 that day, not 07:30.
    reminders = plan("normal", now=london(2026, 12, 23, 7, 30))
    assert moments(reminders)[0] == ("before", datetime(2026, 12, 23, 9))


def test_a_touchpoint_booked_for_today_is_reminded_now() -> None:
    now = london(2026, 12, 29, 14, 5)
    reminders = plan("normal", now=now)
    assert [(r.when, r.recipient, r.due_at) for r in reminders] == [("day", PP, now), ("day", SPO, now)]


def test_a_touchpoint_booked_for_today_after_hours_waits_for_the_next_working_morning() -> None:
    reminders = plan("normal", now=london(2026, 12, 24, 19), due_on=date(2026, 12, 24))
    assert moments(reminders) == [("day", datetime(2026, 12, 29, 9))]


def test_no_days_before_gives_no_before_reminder() -> None:
    reminders = plan("high", days_before=0)
    assert "before" not in {r.when for r in reminders}
    assert moments(reminders) == [("day", datetime(2026, 12, 29, 9)), ("after", datetime(2026, 12, 30, 9))]


def test_a_configured_three_days_before() -> None:
    # Three working days before Tue 29 Dec 2026: Thu 24, Wed 23, Tue 22.
    reminders = plan("normal", days_before=3)
    assert moments(reminders) == [("before", datetime(2026, 12, 22, 9)), ("day", datetime(2026, 12, 29, 9))]


def test_every_planned_moment_is_in_working_hours() -> None:
    for now in (london(2026, 12, 14, 10), london(2026, 12, 23, 18), london(2026, 12, 24, 23), london(2026, 12, 27, 12)):
        for reminder in plan("high", now=now):
            assert within_working_hours(reminder.due_at), (now, reminder)


def test_one_person_never_gets_two_reminders_of_a_touchpoint_at_the_same_moment() -> None:
    # High priority, booked on Tue 29 Dec 2026 at 18:00 for that same day.
    reminders = plan("high", now=london(2026, 12, 29, 18))
    instants = [(r.recipient, r.due_at) for r in reminders]
    assert len(instants) == len(set(instants)), [(r.when, r.recipient, r.due_at.isoformat()) for r in reminders]
