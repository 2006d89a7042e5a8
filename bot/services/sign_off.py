"""The senior sign-off of an exceptional public interest allocation (seeds/003 para 3.5).

"Allocation decisions regarding cases which fall into the exceptional public interest domain
must be referred to the NPS Deputy Director for final sign off". The SPO's allocation is stored
and held (`awaiting_sign_off`, bot/services/allocate.py); one of the team's `senior_approvers`
(teams file) signs it off, and only then is it final: the practitioner, the people to notify,
the prison and the system of record are told, and the touchpoint's reminders are planned. A
reallocation held for the sign-off (bot/services/reallocate.py) is finished as a reallocation:
the practitioner who held the case is told too, and the write-back carries the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.domain.clock import Clock
from bot.domain.enums import CaseState
from bot.domain.errors import Refused
from bot.domain.facts import AllocationFacts
from bot.domain.policy import policy_fit
from bot.services.allocate import Checked, concerns_of, finish_allocation
from bot.services.home_refresh import queue_home_refresh
from bot.services.outbox import audit
from bot.services.reallocate import finish_reallocation
from storage.db import UnitOfWork
from storage.models import Allocation, Touchpoint


class SignOffRefused(Refused):
    """A sign-off that cannot be taken: not an approver, or nothing waiting."""


@dataclass(frozen=True)
class SignedOff:
    crn: str
    practitioner_name: str


def facts_of(allocation: Allocation, touchpoint: Touchpoint) -> AllocationFacts:
    """The notices' facts, from the allocation as stored when the SPO made it."""
    person = allocation.practitioner
    hate_crime, discrimination = concerns_of(allocation)
    return AllocationFacts(
        practitioner_name=person.name, practitioner_grade=person.grade, practitioner_user=person.slack_user_id,
        spo_user=allocation.allocated_by, allocated_at=allocation.allocated_at, evidence=allocation.evidence,
        evidence_sensitive=allocation.evidence_sensitive, hate_crime=hate_crime, discrimination=discrimination,
        touchpoint_priority=touchpoint.priority, touchpoint_date=touchpoint.due_on,
        touchpoint_reason=touchpoint.not_required_reason or touchpoint.date_reason,
        outside_policy=allocation.outside_policy, policy_exceptions=list(allocation.policy_exceptions),
        practitioner_email=person.email, practitioner_phone=person.phone,
    )  # fmt: skip


async def sign_off(
    uow_factory: Callable[[], UnitOfWork], *, case_id: int, user: str, clock: Clock, record_case_url: str | None, record_configured: bool
) -> SignedOff:
    """Sign off a held allocation, or raise `SignOffRefused` saying why. One transaction."""
    now = clock.now()
    async with uow_factory() as uow:
        case = await uow.cases.with_team(case_id)
        if case is None:
            raise SignOffRefused("This case is no longer held by casebot.")
        approvers = case.team.senior_approver_user_ids
        if user not in approvers:
            who = ", ".join(f"<@{u}>" for u in approvers) or "nobody yet (the teams file's senior_approvers)"
            raise SignOffRefused(f"Only the team's senior approvers can sign off this allocation: {who}.")
        if case.state != CaseState.AWAITING_SIGN_OFF or not await uow.paths.mark_signed_off(case_id):
            raise SignOffRefused("This allocation is not waiting for a sign-off (already signed off, or reallocated).")
        case.state = CaseState.ALLOCATED
        allocation = await uow.allocations.current_for_case(case_id)
        assert allocation is not None, "a held allocation is the case's current one"
        allocation.signed_off_by, allocation.signed_off_at = user, now
        touchpoint = await uow.allocations.touchpoint_for(allocation.id)
        assert touchpoint is not None, "every allocation plans its touchpoint (or records it not required)"
        policy = await uow.policies.current()
        person = allocation.practitioner
        checked = Checked(case=case, team=case.team, practitioner=person, fit=policy_fit(case, person, policy=policy), policy=policy)
        facts = facts_of(allocation, touchpoint)
        audit(uow, actor=user, action="signed_off", now=now, case_id=case_id, allocation_id=allocation.id, staff_code=person.staff_code)
        refresh = [*case.team.spo_user_ids, person.slack_user_id]
        if allocation.reason is None:
            await finish_allocation(uow, checked, allocation, touchpoint, facts, now, record_case_url=record_case_url, record_configured=record_configured)
        else:  # a reallocation held for the sign-off (bot/services/reallocate.py)
            previous = await uow.paths.previous_holder(case_id, allocation.id)
            facts = replace(facts, previous_user=previous, reason=policy.reason_label(allocation.reason))
            await finish_reallocation(uow, checked, allocation, touchpoint, facts, now, record_case_url=record_case_url, record_configured=record_configured)
            refresh.append(previous)
        await queue_home_refresh(uow, refresh, now)
        await uow.commit()
    return SignedOff(crn=case.crn, practitioner_name=person.name)
