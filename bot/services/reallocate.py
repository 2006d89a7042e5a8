"""Reallocation (seeds/003 Annex D "Cases allocated in Error"; seeds/004 reallocation
across staff groups): an SPO moves an allocated case to another practitioner.

Same checks and the same one-transaction shape as allocation (bot/services/allocate.py): the old
allocation is ended with a conditional update (two SPOs reallocating at once: one wins), the
new one is written with its own evidence, planned reminders move to the new practitioner (or
the touchpoint is replanned), both practitioners are told, the card and thread record it, and
the system of record gets the change and the evidence contact. An exceptional public interest
case is held for the senior sign-off again when the region's policy says so (seeds/003 para 3.5
is silent on a later move: docs/policy-sources.md), as its first allocation was: nobody is told
and nothing is written back until an approver signs it off (bot/services/sign_off.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.domain.clock import Clock, london_today
from bot.domain.decision import ReallocationForm
from bot.domain.enums import CaseState, Priority, TouchpointState
from bot.domain.errors import AllocationRefused, Question
from bot.domain.facts import AllocationFacts
from bot.domain.policy_file import Policy
from bot.services import notices
from bot.services.allocate import Allocated, Checked, check_choice, concern_columns, concerns_of, hold_for_sign_off, queue_write_backs, spo_case
from bot.services.home_refresh import queue_home_refresh
from bot.services.outbox import audit
from bot.services.touchpoint_plan import check_touchpoint, plan_touchpoint, planned_touchpoint, touchpoint_default
from storage.db import UnitOfWork
from storage.models import Allocation, Case, Touchpoint


async def reallocate(
    uow_factory: Callable[[], UnitOfWork],
    *,
    case_id: int,
    spo: str,
    form: ReallocationForm,
    clock: Clock,
    record_case_url: str | None,
    record_configured: bool,
) -> Allocated:
    async with uow_factory() as uow:
        case = await spo_case(uow, case_id, spo)
        current = await uow.allocations.current_for_case(case_id)
        if case.state != CaseState.ALLOCATED or current is None:
            raise AllocationRefused("This case is not allocated yet: use Allocate.", Question.PRACTITIONER)
        if form.practitioner_id == current.practitioner_id:
            raise AllocationRefused("This practitioner already holds the case; choose another.", Question.PRACTITIONER)
        checked = await check_choice(uow, case, form.practitioner_id, form.exception_confirmed, form.evidence)
        if form.reason not in checked.policy.reallocation_reasons:
            raise AllocationRefused("Choose the reason for reallocating.", Question.REASON)
        check_touchpoint(form, checked.policy, today=london_today(clock))
        if needs_sign_off(case, checked.policy) and not case.team.senior_approver_user_ids:
            message = "This exceptional public interest case needs a senior sign-off, and the team has no senior_approvers in its teams file."
            raise AllocationRefused(message, Question.PRACTITIONER)
        old_user = current.practitioner.slack_user_id
        hate_crime, discrimination = concerns_of(current)
    now = clock.now()
    async with uow_factory() as uow:
        if not await uow.allocations.end_current(current.id, now):
            raise AllocationRefused("Someone else changed this allocation just now; close and look again.", Question.PRACTITIONER)
        new = uow.allocations.add(
            Allocation(
                case_id=case_id, practitioner_id=checked.practitioner.id, tier=case.tier, allocated_by=spo, allocated_at=now, current=True,
                evidence=form.evidence, evidence_sensitive=form.evidence_sensitive, **concern_columns(hate_crime, discrimination),
                outside_policy=not checked.fit.within_policy, policy_exceptions=list(checked.fit.exceptions),
                notify_user_ids=[], reason=form.reason, policy_version=checked.policy.version,
            )
        )  # fmt: skip
        await uow.flush()
        touchpoint = await _move_touchpoint(uow, current, new, form, clock, checked.policy)
        reason = checked.policy.reason_label(form.reason)
        audit(
            uow, actor=spo, action="reallocated", now=now, case_id=case_id, allocation_id=new.id, reason=form.reason,
            from_staff_code=current.practitioner.staff_code, staff_code=checked.practitioner.staff_code,
            grade=checked.practitioner.grade, tier=case.tier, outside_policy=not checked.fit.within_policy,
            policy_exceptions=list(checked.fit.exceptions), kept_touchpoint=form.keep_touchpoint, policy_version=checked.policy.version,
        )  # fmt: skip
        facts = AllocationFacts(
            practitioner_name=checked.practitioner.name, practitioner_grade=checked.practitioner.grade,
            practitioner_user=checked.practitioner.slack_user_id, spo_user=spo, allocated_at=now,
            evidence=form.evidence, evidence_sensitive=form.evidence_sensitive, hate_crime=hate_crime, discrimination=discrimination,
            touchpoint_priority=touchpoint.priority, touchpoint_date=touchpoint.due_on, touchpoint_reason=touchpoint.not_required_reason,
            outside_policy=not checked.fit.within_policy, policy_exceptions=list(checked.fit.exceptions),
            previous_user=old_user, reason=reason,
            practitioner_email=checked.practitioner.email, practitioner_phone=checked.practitioner.phone,
        )  # fmt: skip
        if needs_sign_off(case, checked.policy):
            await hold_for_sign_off(uow, checked, facts, now, record_case_url=record_case_url)
        else:
            await finish_reallocation(uow, checked, new, touchpoint, facts, now, record_case_url=record_case_url, record_configured=record_configured)
        await queue_home_refresh(uow, [*case.team.spo_user_ids, checked.practitioner.slack_user_id, old_user], now)
        await uow.commit()
    return Allocated(allocation_id=new.id, case_id=case_id, outside_policy=not checked.fit.within_policy)


def needs_sign_off(case: Case, policy: Policy) -> bool:
    """An exceptional public interest case's reallocation waits for a senior sign-off, when the
    region's policy asks (`exceptional_public_interest.sign_off_on_reallocation`)."""
    return case.exceptional_public_interest and policy.exceptional_public_interest.sign_off_on_reallocation


async def finish_reallocation(
    uow: UnitOfWork, checked: Checked, allocation: Allocation, touchpoint: Touchpoint, facts: AllocationFacts, now: datetime,
    *, record_case_url: str | None, record_configured: bool,
) -> None:  # fmt: skip
    """What makes a reallocation final: the touchpoint's reminders for the new practitioner, both
    practitioners told, the card and thread, the write-backs with the reason (at once, or at the
    senior sign-off)."""
    assert facts.previous_user is not None, "a reallocation has a previous holder"
    plan_touchpoint(uow, touchpoint, [checked.practitioner.slack_user_id, facts.spo_user], now, rules=checked.policy.touchpoint.reminders)
    await notices.allocation_made(
        uow, checked.case, checked.team, facts, allocation, record_case_url=record_case_url, record_configured=record_configured, now=now
    )
    queue_write_backs(uow, checked, facts, now, reason_code=allocation.reason)
    notices.handed_over(uow, checked.case, facts, facts.previous_user, now)


async def _move_touchpoint(uow: UnitOfWork, old: Allocation, new: Allocation, form: ReallocationForm, clock: Clock, policy: Policy) -> Touchpoint:
    """Kept: the planned touchpoint moves to the new allocation, its reminders re-planned for
    the new practitioner. Otherwise the old one is cancelled and the one the SPO planned in the
    form takes its place (its priority is the SPO's judgement, as at allocation)."""
    touchpoint = await uow.allocations.touchpoint_for(old.id)
    if touchpoint is not None:
        await uow.jobs.cancel(touchpoint_id=touchpoint.id)
    if form.keep_touchpoint and touchpoint is not None:
        touchpoint.allocation_id = new.id
        return touchpoint
    if form.touchpoint_priority is None:  # kept, but there was none to keep: the usual one, to be judged later
        form = replace(form, touchpoint_priority=Priority.NORMAL, touchpoint_date=touchpoint_default(london_today(clock), policy))
    if touchpoint is not None and touchpoint.state == TouchpointState.PLANNED:
        touchpoint.state = TouchpointState.CANCELLED
    fresh = uow.allocations.add_touchpoint(planned_touchpoint(new, form, clock.now()))
    await uow.flush()
    return fresh
