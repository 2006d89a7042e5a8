"""The touchpoint an allocation plans (seeds/000: the SPO and the practitioner meet about 15
days after): its usual date, the reason a date far from it needs, the row the form asks for and
its reminders. Shared by allocation, reallocation and the touchpoint buttons, in the caller's
transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.domain.calendar import working_day_on_or_after
from bot.domain.decision import AllocationForm, ReallocationForm
from bot.domain.enums import Priority, TouchpointState
from bot.domain.errors import AllocationRefused, Question
from bot.domain.policy_file import Policy, Reminders
from bot.domain.reminder_plan import plan_reminders
from storage.db import UnitOfWork
from storage.models import Allocation, ScheduledJob, Touchpoint


def touchpoint_default(today: date, policy: Policy) -> date:
    """The usual touchpoint day: the policy's offset after allocation, on a working day."""
    return working_day_on_or_after(today + timedelta(days=policy.touchpoint.days_after_allocation))


def check_touchpoint(form: AllocationForm | ReallocationForm, policy: Policy, *, today: date) -> None:
    """A touchpoint date far from the usual offset needs its reason (docs/policy-sources.md)."""
    if form.touchpoint_date is None or form.touchpoint_priority == Priority.NOT_REQUIRED or form.touchpoint_reason:
        return
    usual = touchpoint_default(today, policy)
    if policy.touchpoint_needs_reason(usual, form.touchpoint_date):
        raise AllocationRefused(
            f"This date is not about {policy.touchpoint.days_after_allocation} days after allocation: say why it is then.",
            Question.TOUCHPOINT_REASON,
        )


def planned_touchpoint(allocation: Allocation, form: AllocationForm | ReallocationForm, now: datetime) -> Touchpoint:
    """The touchpoint the SPO planned in the form: its priority, its date, and the reason (why
    none is needed, or why the date is far from the usual)."""
    not_required = form.touchpoint_priority == Priority.NOT_REQUIRED
    return Touchpoint(
        case_id=allocation.case_id, allocation_id=allocation.id, due_on=form.touchpoint_date, priority=form.touchpoint_priority,
        not_required_reason=form.touchpoint_reason if not_required else None, date_reason=None if not_required else form.touchpoint_reason,
        state=TouchpointState.NOT_REQUIRED if not_required else TouchpointState.PLANNED, created_at=now,
    )  # fmt: skip


def plan_touchpoint(uow: UnitOfWork, touchpoint: Touchpoint, recipients: list[str], now: datetime, *, rules: Reminders) -> None:
    """Store the touchpoint's reminders (bot/domain/reminder_plan.py) in the caller's transaction."""
    if touchpoint.state != TouchpointState.PLANNED or touchpoint.due_on is None:
        return
    for planned in plan_reminders(touchpoint.due_on, touchpoint.priority, recipients, now=now, rules=rules):
        uow.jobs.add(
            ScheduledJob(
                kind="touchpoint_reminder", case_id=touchpoint.case_id, touchpoint_id=touchpoint.id, recipient=planned.recipient,
                due_at=planned.due_at, state="planned", detail={"when": planned.when}, created_at=now,
            )
        )  # fmt: skip
