"""The scheduler's tick, against the fake unit of work (bot/services/scheduled.py): touchpoint
reminders, the prison-notice check, the morning deadline chase and the overdue touchpoint digest.

The case is allocated on Tuesday 1 December 2026 at 10:00 (conftest NOW), so its touchpoint is
on Wednesday 16 December and the default policy plans a reminder on Monday 14 December (two
working days before) and one on the day, each to the practitioner and the SPO, at 09:00 London
(GMT in December, so 09:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.clock import FixedClock
from bot.domain.enums import OutboxPurpose
from bot.services import notices
from bot.services.allocate import allocate
from bot.services.scheduled import Scheduler
from storage.models import Allocation, Case, OutboxMessage, Practitioner, ScheduledJob, Team, Touchpoint
from tests.unit.services.conftest import NOW, PO_USER, SPO
from tests.unit.services.fakes import FakeStore, Nudges, add_case
from tests.unit.services.test_allocate import allocation_form

TOUCHPOINT_DAY = date(2026, 12, 16)
BEFORE = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)  # Monday, two working days before
ON_THE_DAY = datetime(2026, 12, 16, 9, 0, tzinfo=UTC)


def scheduler(store: FakeStore, clock: FixedClock, nudges: Nudges | None = None) -> Scheduler:
    return Scheduler(store.database, clock, nudge=nudges or Nudges())


def sent(store: FakeStore, purpose: OutboxPurpose) -> list[OutboxMessage]:
    return [row for row in store.rows(OutboxMessage) if row.purpose == purpose]


def reminder_jobs(store: FakeStore, when: str) -> list[ScheduledJob]:
    return [job for job in store.rows(ScheduledJob) if job.kind == "touchpoint_reminder" and job.detail["when"] == when]


@pytest.fixture
async def touchpoint(store: FakeStore, case: Case, po: Practitioner, clock: FixedClock) -> Touchpoint:
    """The case allocated to the PO at NOW, with its planned touchpoint and reminders."""
    await allocate(store.factory, case_id=case.id, spo=SPO, form=allocation_form(po), clock=clock, record_case_url=None)
    [tp] = store.rows(Touchpoint)
    assert tp.due_on == TOUCHPOINT_DAY
    return tp


# ---- touchpoint reminders ---------------------------------------------------------------------


async def test_a_reminder_goes_to_the_practitioner_and_the_spo_when_due_and_only_once(store: FakeStore, touchpoint: Touchpoint, clock: FixedClock) -> None:
    nudges = Nudges()
    clock.set(BEFORE.replace(hour=8, minute=59))  # not due yet
    assert await scheduler(store, clock, nudges).tick() == 0
    assert sent(store, OutboxPurpose.TOUCHPOINT_REMINDER) == [] and nudges.count == 0

    clock.set(BEFORE)
    assert await scheduler(store, clock, nudges).tick() == 2
    reminders = sent(store, OutboxPurpose.TOUCHPOINT_REMINDER)
    assert sorted(row.payload["channel"] for row in reminders) == sorted([PO_USER, SPO])
    assert all(row.ordering_key == f"touchpoint:{touchpoint.id}" and row.case_id == touchpoint.case_id for row in reminders)
    assert all("Post-allocation touchpoint on" in row.payload["text"] for row in reminders)  # the 'before' wording
    assert [(job.state, job.done_at, job.claim) for job in reminder_jobs(store, "before")] == [("done", BEFORE, None)] * 2
    assert {job.state for job in reminder_jobs(store, "day")} == {"planned"}
    assert nudges.count == 1

    clock.advance(minutes=5)
    assert await scheduler(store, clock, nudges).tick() == 0  # a second tick (or scheduler) finds nothing to claim
    assert len(sent(store, OutboxPurpose.TOUCHPOINT_REMINDER)) == 2 and nudges.count == 1


async def test_a_reminder_due_while_the_bot_was_down_at_night_waits_for_the_working_morning(
    store: FakeStore, touchpoint: Touchpoint, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 12, 14, 20, 0, tzinfo=UTC))  # Monday evening, after 17:30
    assert await scheduler(store, clock).tick() == 0
    assert sent(store, OutboxPurpose.TOUCHPOINT_REMINDER) == []
    tuesday_morning = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
    assert [(job.state, job.due_at, job.claim) for job in reminder_jobs(store, "before")] == [("planned", tuesday_morning, None)] * 2

    clock.set(tuesday_morning)
    assert await scheduler(store, clock).tick() == 2
    assert len(sent(store, OutboxPurpose.TOUCHPOINT_REMINDER)) == 2


@pytest.mark.parametrize(
    ("now", "expected_wording"),
    [
        (datetime(2026, 12, 16, 10, 0, tzinfo=UTC), ["Post-allocation touchpoint today"] * 2),  # 'before' is late, 'day' still right
        (datetime(2026, 12, 17, 10, 0, tzinfo=UTC), []),  # both late: the digest says it instead
    ],
)
async def test_a_reminder_that_would_mislead_when_sent_late_is_dropped(
    store: FakeStore, touchpoint: Touchpoint, clock: FixedClock, now: datetime, expected_wording: list[str]
) -> None:
    clock.set(now)
    await scheduler(store, clock).tick()
    reminders = sent(store, OutboxPurpose.TOUCHPOINT_REMINDER)
    assert [row.payload["text"].split(" (")[0] for row in reminders] == expected_wording
    assert {job.state for job in store.rows(ScheduledJob) if job.kind == "touchpoint_reminder"} == {"done"}  # none retried


@pytest.mark.parametrize("moved_on", ["allocation_ended", "touchpoint_settled"])
async def test_no_reminder_once_the_touchpoint_is_settled_or_the_case_has_moved_on(
    store: FakeStore, touchpoint: Touchpoint, clock: FixedClock, moved_on: str
) -> None:
    if moved_on == "allocation_ended":
        [allocation] = store.rows(Allocation)
        allocation.current = False
    else:
        touchpoint.state = "not_required"
    clock.set(BEFORE)
    await scheduler(store, clock).tick()
    assert sent(store, OutboxPurpose.TOUCHPOINT_REMINDER) == []
    assert {job.state for job in reminder_jobs(store, "before")} == {"done"}


async def test_a_tick_that_fails_part_way_leaves_every_job_planned(
    store: FakeStore, touchpoint: Touchpoint, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims and messages are one transaction: a crash sends nothing and loses nothing."""
    calls = []

    def second_fails(*args: object) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("boom")

    monkeypatch.setattr(notices, "touchpoint_reminder", second_fails)
    clock.set(BEFORE)
    with pytest.raises(RuntimeError):
        await scheduler(store, clock).tick()
    assert [(job.state, job.claim) for job in reminder_jobs(store, "before")] == [("planned", None)] * 2

    monkeypatch.undo()
    assert await scheduler(store, clock).tick() == 2
    assert len(sent(store, OutboxPurpose.TOUCHPOINT_REMINDER)) == 2


# ---- the prison notice ------------------------------------------------------------------------


@pytest.fixture
async def custodial(store: FakeStore, team: Team, po: Practitioner, clock: FixedClock) -> Case:
    """A custodial case allocated at NOW: its prison notice is queued, its check planned."""
    case = add_case(store, team, received_at=NOW, due_by=NOW.date())
    case.custodial, case.prison = True, "HMP Leeds"
    await allocate(store.factory, case_id=case.id, spo=SPO, form=allocation_form(po), clock=clock, record_case_url=None)
    assert len(sent(store, OutboxPurpose.PRISON_NOTICE)) == 1
    return case


async def test_the_spos_are_alerted_when_the_prison_notice_is_not_delivered_even_at_night(store: FakeStore, custodial: Case, clock: FixedClock) -> None:
    """20 hours after allocation is 06:00 on Wednesday: the law's limit, not office hours."""
    clock.set(datetime(2026, 12, 2, 5, 59, tzinfo=UTC))
    await scheduler(store, clock).tick()
    assert sent(store, OutboxPurpose.PRISON_ALERT) == []

    clock.set(datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
    assert await scheduler(store, clock).tick() == 1
    [alert] = sent(store, OutboxPurpose.PRISON_ALERT)
    assert alert.payload["channel"] == SPO and alert.case_id == custodial.id
    assert "HMP Leeds" in alert.payload["text"] and "within 24 hours" in alert.payload["text"]
    [check] = [job for job in store.rows(ScheduledJob) if job.kind == "prison_check"]
    assert check.state == "done"


async def test_no_alert_when_the_prison_notice_was_delivered(store: FakeStore, custodial: Case, clock: FixedClock) -> None:
    [notice] = sent(store, OutboxPurpose.PRISON_NOTICE)
    notice.state = "sent"
    clock.set(datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
    await scheduler(store, clock).tick()
    assert sent(store, OutboxPurpose.PRISON_ALERT) == []
    assert [job.state for job in store.rows(ScheduledJob) if job.kind == "prison_check"] == ["done"]


# ---- the morning runs -------------------------------------------------------------------------


async def test_the_morning_chase_threads_under_each_due_card_and_sends_the_team_one_digest(store: FakeStore, team: Team, case: Case, clock: FixedClock) -> None:
    """The case fixture is due today (1 December); one overdue since Friday, one due later."""
    overdue = add_case(store, team, received_at=NOW, due_by=date(2026, 11, 27))
    overdue.crn = "X000001"
    add_case(store, team, received_at=NOW, due_by=date(2026, 12, 3))  # not yet due: not chased
    assert await scheduler(store, clock).tick() == 2

    chases = sent(store, OutboxPurpose.DEADLINE_CHASE)
    cards = {row.case_id: row for row in store.rows(OutboxMessage) if row.purpose == OutboxPurpose.CASE_CARD}
    assert sorted(row.case_id for row in chases) == sorted([case.id, overdue.id])
    assert all(row.reply_to_id == cards[row.case_id].id and row.ordering_key == f"case:{row.case_id}" for row in chases)
    assert all(f"<@{SPO}>" in row.payload["text"] for row in chases)
    [digest] = sent(store, OutboxPurpose.DEADLINE_DIGEST)
    assert digest.payload["channel"] == team.channel_id
    text = str(digest.payload)
    assert "(2)" in text and text.index("X000001") < text.index("X123456")  # soonest first

    clock.advance(hours=2)
    assert await scheduler(store, clock).tick() == 0  # once a day
    assert len(sent(store, OutboxPurpose.DEADLINE_DIGEST)) == 1

    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    await scheduler(store, clock).tick()  # the next working morning: chased again
    assert len(sent(store, OutboxPurpose.DEADLINE_DIGEST)) == 2


async def test_no_morning_run_outside_working_hours(store: FakeStore, case: Case, clock: FixedClock) -> None:
    for moment in (datetime(2026, 12, 1, 8, 59, tzinfo=UTC), datetime(2026, 12, 1, 17, 30, tzinfo=UTC), datetime(2026, 12, 5, 10, 0, tzinfo=UTC)):
        clock.set(moment)  # before 09:00, from 17:30, a Saturday
        assert await scheduler(store, clock).tick() == 0
    assert sent(store, OutboxPurpose.DEADLINE_CHASE) == [] and sent(store, OutboxPurpose.DEADLINE_DIGEST) == []


async def test_each_spo_gets_one_digest_of_the_touchpoints_overdue(
    store: FakeStore, team: Team, touchpoint: Touchpoint, po: Practitioner, clock: FixedClock
) -> None:
    second = add_case(store, team, received_at=NOW, due_by=NOW.date())
    second.crn = "X000002"
    await allocate(store.factory, case_id=second.id, spo=SPO, form=allocation_form(po), clock=clock, record_case_url=None)

    clock.set(datetime(2026, 12, 16, 10, 0, tzinfo=UTC))  # the day itself: not overdue yet
    await scheduler(store, clock).tick()
    assert sent(store, OutboxPurpose.TOUCHPOINT_DIGEST) == []

    clock.set(datetime(2026, 12, 17, 10, 0, tzinfo=UTC))
    await scheduler(store, clock).tick()
    [digest] = sent(store, OutboxPurpose.TOUCHPOINT_DIGEST)
    assert digest.payload["channel"] == SPO and "(2)" in str(digest.payload)
    assert "X123456" in str(digest.payload) and "X000002" in str(digest.payload)

    touchpoint.state = "recorded"
    clock.set(datetime(2026, 12, 18, 10, 0, tzinfo=UTC))
    await scheduler(store, clock).tick()
    latest = sent(store, OutboxPurpose.TOUCHPOINT_DIGEST)[-1]
    assert "(1)" in str(latest.payload) and "X123456" not in str(latest.payload)
