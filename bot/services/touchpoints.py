"""Settling a touchpoint: record it, reschedule it, mark it not required, snooze a reminder.

Issue 6. Each change, its cancelled or replaced reminders, its write-back and the updates to
the reminder messages are one transaction. Recording oversight is the SPO's record (seeds/000:
a "Management oversight" contact), so only the team's SPOs may record it or mark it not
required; the practitioner and the SPO may both reschedule and snooze.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.access import is_spo
from bot.domain.clock import Clock, london_today
from bot.domain.decision import MAX_TEXT_CHARS, touchpoint_date_problem
from bot.domain.enums import OutboxPurpose, TouchpointState
from bot.domain.errors import Question, TouchpointRefused
from bot.domain.working_hours import morning_of, next_working_day
from bot.domain.write_back import CONTACT_TYPE_NAMES, ContactKind, RecordContext, contact_body, spo_staff_code
from bot.services import notices
from bot.services.home_refresh import queue_home_refresh
from bot.services.outbox import audit, enqueue
from bot.services.touchpoint_plan import plan_touchpoint
from storage.db import UnitOfWork
from storage.models import Allocation, Case, ScheduledJob, Touchpoint


@dataclass(frozen=True)
class Loaded:
    touchpoint: Touchpoint
    allocation: Allocation
    case: Case


async def load(uow: UnitOfWork, touchpoint_id: int) -> Loaded:
    found = await uow.allocations.touchpoint(touchpoint_id)
    if found is None:
        raise TouchpointRefused("This touchpoint is no longer held by casebot.")
    return Loaded(*found)


def check_can_settle(loaded: Loaded, user: str) -> None:
    """Record and not-required are the SPO's (seeds/000: the SPO's management oversight)."""
    if not is_spo(loaded.case.team, user):
        raise TouchpointRefused(
            f"Recording the touchpoint is the SPO's oversight record, so <@{loaded.allocation.allocated_by}> or another of the team's SPOs does it. "
            "You can reschedule it or snooze your reminder."
        )
    _check_open(loaded)


def check_involved(loaded: Loaded, user: str) -> None:
    involved = {loaded.allocation.practitioner.slack_user_id, loaded.allocation.allocated_by}
    if user not in involved and not is_spo(loaded.case.team, user):
        raise TouchpointRefused("Only the practitioner and the team's SPOs can change this touchpoint.")
    _check_open(loaded)


def _check_open(loaded: Loaded) -> None:
    tp = loaded.touchpoint
    if tp.state != TouchpointState.PLANNED or not loaded.allocation.current:
        by = f" by <@{tp.outcome_by}>" if tp.outcome_by else ""
        raise TouchpointRefused(f"This touchpoint is already settled ({tp.state.replace('_', ' ')}{by}).")


async def _settle_reminders(uow: UnitOfWork, loaded: Loaded, outcome: str, user: str, now: datetime) -> None:
    """Cancel what is planned; turn every reminder already queued or sent into 'done by'."""
    tp, case = loaded.touchpoint, loaded.case
    await uow.jobs.cancel(touchpoint_id=tp.id)
    sent = []
    for row in await uow.outbox.with_key(f"touchpoint:{tp.id}", OutboxPurpose.TOUCHPOINT_REMINDER):
        if row.state == "pending":
            row.state = "cancelled"
        elif row.state in ("sent", "sending"):
            sent.append(row)
    notices.reminders_settled(uow, case, tp, sent, outcome, user, now)


def _write_back(uow: UnitOfWork, loaded: Loaded, text: str, sensitive: bool, user: str, now: datetime) -> None:
    """The SPO's management oversight of the touchpoint (seeds/000 Research insights)."""
    case = loaded.case
    ctx = RecordContext(
        team_code=case.team.code, event_number=case.event_number, staff_code=loaded.allocation.practitioner.staff_code,
        by_user=user, by_staff_code=spo_staff_code(case.team.spo_staff or {}, user), at=now,
    )  # fmt: skip
    body = contact_body(ctx, ContactKind.TOUCHPOINT, CONTACT_TYPE_NAMES[ContactKind.TOUCHPOINT], text, sensitive=sensitive)
    enqueue(
        uow, method="record.contact", payload={"crn": loaded.case.crn, "body": body}, purpose=OutboxPurpose.WRITE_BACK,
        ordering_key=f"record:{loaded.case.id}", now=now, case_id=loaded.case.id,
    )  # fmt: skip


async def record(uow_factory: Callable[[], UnitOfWork], *, touchpoint_id: int, user: str, notes: str, sensitive: bool, clock: Clock) -> None:
    if not notes.strip():
        raise TouchpointRefused("Write the oversight notes: what you discussed and agreed.", Question.NOTES)
    if len(notes) > MAX_TEXT_CHARS:
        raise TouchpointRefused(f"Keep the notes within {MAX_TEXT_CHARS} characters.", Question.NOTES)
    now = clock.now()
    async with uow_factory() as uow:
        loaded = await load(uow, touchpoint_id)
        check_can_settle(loaded, user)
        tp = loaded.touchpoint
        tp.state, tp.notes, tp.notes_sensitive, tp.outcome_by, tp.outcome_at = TouchpointState.RECORDED, notes.strip(), sensitive, user, now
        await _settle_reminders(uow, loaded, "recorded", user, now)
        _write_back(uow, loaded, notes.strip(), sensitive, user, now)
        audit(uow, actor=user, action="touchpoint_recorded", now=now, case_id=loaded.case.id, touchpoint_id=tp.id, sensitive=sensitive)
        await queue_home_refresh(uow, [*loaded.case.team.spo_user_ids, loaded.allocation.practitioner.slack_user_id], now)
        await uow.commit()


async def not_required(uow_factory: Callable[[], UnitOfWork], *, touchpoint_id: int, user: str, reason: str, clock: Clock) -> None:
    if not reason.strip():
        raise TouchpointRefused("Say why the touchpoint is not required.", Question.REASON)
    now = clock.now()
    async with uow_factory() as uow:
        loaded = await load(uow, touchpoint_id)
        check_can_settle(loaded, user)
        tp = loaded.touchpoint
        tp.state, tp.not_required_reason, tp.outcome_by, tp.outcome_at = TouchpointState.NOT_REQUIRED, reason.strip()[:MAX_TEXT_CHARS], user, now
        await _settle_reminders(uow, loaded, "not_required", user, now)
        _write_back(uow, loaded, f"Post-allocation touchpoint not required: {tp.not_required_reason}", False, user, now)
        audit(uow, actor=user, action="touchpoint_not_required", now=now, case_id=loaded.case.id, touchpoint_id=tp.id)
        await queue_home_refresh(uow, [*loaded.case.team.spo_user_ids, loaded.allocation.practitioner.slack_user_id], now)
        await uow.commit()


async def reschedule(uow_factory: Callable[[], UnitOfWork], *, touchpoint_id: int, user: str, new_date: date | None, clock: Clock) -> None:
    problem = touchpoint_date_problem(new_date, london_today(clock))
    if problem:
        raise TouchpointRefused(problem, Question.DATE)
    assert new_date is not None
    now = clock.now()
    async with uow_factory() as uow:
        loaded = await load(uow, touchpoint_id)
        check_involved(loaded, user)
        await _settle_reminders(uow, loaded, "rescheduled", user, now)
        loaded.touchpoint.due_on = new_date
        people = [loaded.allocation.practitioner.slack_user_id, loaded.allocation.allocated_by]
        policy = await uow.policies.current()
        plan_touchpoint(uow, loaded.touchpoint, people, now, rules=policy.touchpoint.reminders)
        notices.touchpoint_rescheduled(uow, loaded.case, touchpoint_id, people, new_date, user, now)
        audit(uow, actor=user, action="touchpoint_rescheduled", now=now, case_id=loaded.case.id, touchpoint_id=touchpoint_id, due_on=new_date.isoformat())
        await queue_home_refresh(uow, [*loaded.case.team.spo_user_ids, loaded.allocation.practitioner.slack_user_id], now)
        await uow.commit()


async def snooze(uow_factory: Callable[[], UnitOfWork], *, touchpoint_id: int, user: str, clock: Clock) -> datetime:
    """Remind only this person again on the next working morning; returns when."""
    now = clock.now()
    until = morning_of(next_working_day(london_today(clock)))
    async with uow_factory() as uow:
        loaded = await load(uow, touchpoint_id)
        check_involved(loaded, user)
        uow.jobs.add(
            ScheduledJob(
                kind="touchpoint_reminder", case_id=loaded.case.id, touchpoint_id=touchpoint_id, recipient=user,
                due_at=until, state="planned", detail={"when": "snooze"}, created_at=now,
            )
        )  # fmt: skip
        await uow.commit()
    return until
