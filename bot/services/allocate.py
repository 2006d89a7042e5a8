"""Allocating a case: check, then one transaction writes everything.

docs/architecture.md flow 3. The allocation, the case state, the touchpoint, the audit event and every
outbox row (Slack notices, write-backs to the system of record, the prison notice) are written
together or not at all. The check that nobody else allocated the case first is a conditional
update, the first statement of the writing transaction, so it holds under real concurrency on
SQLite (writers queue on the database lock) and PostgreSQL (the row lock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.access import is_spo, refusal
from bot.domain.clock import Clock, london_day
from bot.domain.decision import AllocationForm, Concern, CurrentAllocation
from bot.domain.enums import CaseState, OutboxPurpose
from bot.domain.errors import AllocationRefused, AlreadyAllocated, Question
from bot.domain.facts import AllocationFacts
from bot.domain.policy import PolicyFit, offerable, policy_fit
from bot.domain.policy_file import Policy
from bot.domain.write_back import CONTACT_TYPE_NAMES, ContactKind, RecordContext, allocation_body, contact_body, oversight_text, spo_staff_code
from bot.services import notices
from bot.services.case_path import allocation_refusal
from bot.services.home_refresh import queue_home_refresh
from bot.services.outbox import audit, enqueue
from bot.services.touchpoint_plan import check_touchpoint, plan_touchpoint, planned_touchpoint
from storage.db import UnitOfWork
from storage.models import Allocation, Case, Practitioner, ScheduledJob, Team, Touchpoint

PRISON_NOTICE_LIMIT = timedelta(hours=24)  # seeds/003 s1.15: notified "within 24 hours of allocation"
PRISON_ALERT_MARGIN = timedelta(hours=4)  # SPOs alerted 4 hours before the limit
# Each question answered yes is its own contact, flagged as the SPO said (seeds/000 version two).
CONCERN_CONTACTS = {"Hate crime": ContactKind.HATE_CRIME, "Discrimination": ContactKind.DISCRIMINATION}


@dataclass(frozen=True)
class Allocated:
    allocation_id: int
    case_id: int
    outside_policy: bool


@dataclass(frozen=True)
class Checked:
    case: Case
    team: Team
    practitioner: Practitioner
    fit: PolicyFit
    policy: Policy


async def spo_case(uow: UnitOfWork, case_id: int, spo: str) -> Case:
    """The case, if it exists and `spo` may allocate it (a team SPO)."""
    case = await uow.cases.with_team(case_id)
    if case is None:
        raise AllocationRefused("This case is no longer held by casebot.", Question.PRACTITIONER)
    if not is_spo(case.team, spo):
        raise AllocationRefused(refusal(case.team, "allocate"), Question.PRACTITIONER)
    return case


async def check_choice(uow: UnitOfWork, case: Case, practitioner_id: int, exception_confirmed: bool, evidence: str) -> Checked:
    """The chosen practitioner may be offered, the evidence meets the region's minimum, and an
    exception to the region's policy (the one in force now) is confirmed."""
    policy = await uow.policies.current()
    person = await uow.teams.practitioner(practitioner_id)
    if person is None or person.team_id != case.team_id or not person.active or not offerable(case, person):
        raise AllocationRefused("This practitioner cannot be offered this case; choose another.", Question.PRACTITIONER)
    if policy.evidence_too_short(evidence):
        raise AllocationRefused(
            f"Say a little more (at least {policy.cade_min_chars} characters, your region's policy): which knowledge, "
            "skills or experience make this practitioner right for the case.",
            Question.EVIDENCE,
        )
    fit = policy_fit(case, person, policy=policy)
    if not fit.within_policy and not exception_confirmed:
        reasons = "; ".join(fit.exceptions)
        raise AllocationRefused(f"This allocation is outside policy ({reasons}). Tick to confirm, and say why in the evidence.", Question.CONFIRM_EXCEPTION)
    return Checked(case=case, team=case.team, practitioner=person, fit=fit, policy=policy)


async def _check(uow: UnitOfWork, case_id: int, spo: str, form: AllocationForm, now: datetime) -> Checked:
    case = await spo_case(uow, case_id, spo)
    if (refused := allocation_refusal(case, form.early_reason)) is not None:
        raise refused
    if case.state not in (CaseState.UNALLOCATED, CaseState.AWAITING_HANDOVER):
        raise await _already_allocated(uow, case_id)
    checked = await check_choice(uow, case, form.practitioner_id, form.exception_confirmed, form.evidence)
    check_touchpoint(form, checked.policy, today=london_day(now))
    return checked


async def _already_allocated(uow: UnitOfWork, case_id: int) -> AllocationRefused:
    current = await uow.allocations.current_for_case(case_id)
    if current is None:
        return AlreadyAllocated("This case is no longer waiting for allocation.", None)
    return AlreadyAllocated("This case was allocated by someone else just now.", current_allocation(current))


def current_allocation(allocation: Allocation | None) -> CurrentAllocation | None:
    """Who holds the case and who allocated it, as a plain value."""
    if allocation is None:
        return None
    person = allocation.practitioner
    return CurrentAllocation(person.name, person.slack_user_id, allocation.allocated_by, allocation.allocated_at)


def _facts(checked: Checked, spo: str, form: AllocationForm, now: datetime) -> AllocationFacts:
    person = checked.practitioner
    return AllocationFacts(
        practitioner_name=person.name,
        practitioner_grade=person.grade,
        practitioner_user=person.slack_user_id,
        spo_user=spo,
        allocated_at=now,
        evidence=form.evidence,
        evidence_sensitive=form.evidence_sensitive,
        hate_crime=form.hate_crime,
        discrimination=form.discrimination,
        touchpoint_priority=form.touchpoint_priority,
        touchpoint_date=form.touchpoint_date,
        touchpoint_reason=form.touchpoint_reason,
        outside_policy=not checked.fit.within_policy,
        policy_exceptions=list(checked.fit.exceptions),
        practitioner_email=person.email,
        practitioner_phone=person.phone,
    )


async def allocate(
    uow_factory: Callable[[], UnitOfWork],
    *,
    case_id: int,
    spo: str,
    form: AllocationForm,
    clock: Clock,
    record_case_url: str | None,
    record_configured: bool = True,
) -> Allocated:
    """Allocate or raise `AllocationRefused` (inline error for the modal). Stores nothing on refusal."""
    now = clock.now()
    async with uow_factory() as uow:
        checked = await _check(uow, case_id, spo, form, now)
    async with uow_factory() as uow:
        early = checked.case.state == CaseState.AWAITING_HANDOVER
        if not await (uow.paths.mark_allocated_early(case_id) if early else uow.cases.mark_allocated(case_id)):
            raise await _already_allocated(uow, case_id)
        allocation = uow.allocations.add(
            Allocation(
                case_id=case_id,
                practitioner_id=checked.practitioner.id,
                tier=checked.case.tier,
                allocated_by=spo,
                allocated_at=now,
                current=True,
                evidence=form.evidence,
                evidence_sensitive=form.evidence_sensitive,
                **concern_columns(form.hate_crime, form.discrimination),
                outside_policy=not checked.fit.within_policy,
                policy_exceptions=list(checked.fit.exceptions),
                notify_user_ids=list(form.notify_user_ids),
                policy_version=checked.policy.version,
                early_reason=form.early_reason if early else None,
            )
        )
        await uow.flush()
        touchpoint = uow.allocations.add_touchpoint(planned_touchpoint(allocation, form, now))
        audit(
            uow, actor=spo, action="allocated", now=now, case_id=case_id,
            allocation_id=allocation.id, staff_code=checked.practitioner.staff_code, grade=checked.practitioner.grade,
            tier=checked.case.tier, outside_policy=not checked.fit.within_policy, policy_exceptions=list(checked.fit.exceptions),
            policy_version=checked.policy.version, **({"early_reason": form.early_reason} if early else {}),
        )  # fmt: skip
        await uow.flush()
        await uow.outbox.cancel_pending(case_id, [OutboxPurpose.DEADLINE_CHASE])  # allocation stops the chase at once
        facts = _facts(checked, spo, form, now)
        if checked.case.exceptional_public_interest:  # seeds/003 para 3.5: final only once signed off
            await hold_for_sign_off(uow, checked, facts, now, record_case_url=record_case_url)
        else:
            await finish_allocation(uow, checked, allocation, touchpoint, facts, now, record_case_url=record_case_url, record_configured=record_configured)
        await queue_home_refresh(uow, [*checked.team.spo_user_ids, checked.practitioner.slack_user_id], now)
        await uow.commit()
    return Allocated(allocation_id=allocation.id, case_id=case_id, outside_policy=not checked.fit.within_policy)


async def hold_for_sign_off(uow: UnitOfWork, checked: Checked, facts: AllocationFacts, now: datetime, *, record_case_url: str | None) -> None:
    """Exceptional public interest: held for a senior sign-off (seeds/003 para 3.5), the approvers
    asked. An allocation, or a reallocation when the policy asks (bot/services/reallocate.py)."""
    await uow.paths.hold_for_sign_off(checked.case.id)
    checked.case.state = CaseState.AWAITING_SIGN_OFF
    await notices.sign_off_requested(uow, checked.case, checked.team, facts, now, record_case_url=record_case_url)
    audit(uow, actor=facts.spo_user, action="sign_off_requested", now=now, case_id=checked.case.id, approvers=list(checked.team.senior_approver_user_ids))


async def finish_allocation(
    uow: UnitOfWork, checked: Checked, allocation: Allocation, touchpoint: Touchpoint, facts: AllocationFacts, now: datetime,
    *, record_case_url: str | None, record_configured: bool,
) -> None:  # fmt: skip
    """What makes an allocation final: the touchpoint's reminders, the prison check, every
    notice and the write-backs (at once, or at the senior sign-off: bot/services/sign_off.py)."""
    plan_touchpoint(uow, touchpoint, [checked.practitioner.slack_user_id, facts.spo_user], now, rules=checked.policy.touchpoint.reminders)
    if notices.prison_is_notified(checked.case, checked.team):
        due = now + PRISON_NOTICE_LIMIT - PRISON_ALERT_MARGIN
        uow.jobs.add(
            ScheduledJob(kind="prison_check", case_id=checked.case.id, due_at=due, state="planned", detail={"allocated_at": now.isoformat()}, created_at=now)
        )
    await notices.allocation_made(
        uow, checked.case, checked.team, facts, allocation, record_case_url=record_case_url, record_configured=record_configured, now=now
    )
    queue_write_backs(uow, checked, facts, now)


def queue_write_backs(uow: UnitOfWork, checked: Checked, facts: AllocationFacts, now: datetime, *, reason_code: str | None = None) -> None:
    """The system of record gets the allocation (with why: the first allocation, or the
    reallocation's reason) and the contacts, each flagged (docs/write-back.md): the evidence
    (its type is the policy's for the team's service: CADE in probation, the prison's own in a
    prison), the SPO's oversight of an allocation outside policy (seeds/000 Background: the
    rationale of a decision outside the guidelines; seeds/004: "endorsed through a management
    oversight entry"), and the hate crime and discrimination notes."""
    case, team = checked.case, checked.team
    ctx = RecordContext(
        team_code=team.code, event_number=case.event_number, staff_code=checked.practitioner.staff_code,
        by_user=facts.spo_user, by_staff_code=spo_staff_code(team.spo_staff or {}, facts.spo_user), at=now,
    )  # fmt: skip
    allocation = allocation_body(ctx, outside_policy=facts.outside_policy, reason_code=reason_code, reason=facts.reason, policy_version=checked.policy.version)
    evidence_type = checked.policy.evidence_contact(team.service)
    writes: list[tuple[str, dict[str, object]]] = [
        ("record.allocation", allocation),
        ("record.contact", contact_body(ctx, ContactKind.CADE, evidence_type, facts.evidence, sensitive=facts.evidence_sensitive)),
    ]
    if facts.outside_policy:
        oversight = oversight_text(facts.policy_exceptions)
        writes.append(
            ("record.contact", contact_body(ctx, ContactKind.SPO_OVERSIGHT, CONTACT_TYPE_NAMES[ContactKind.SPO_OVERSIGHT], oversight, sensitive=False))
        )
    if facts.previous_user is None:  # recorded once, at allocation
        for label, concern in facts.concerns():
            kind = CONCERN_CONTACTS[label]
            writes.append(("record.contact", contact_body(ctx, kind, CONTACT_TYPE_NAMES[kind], concern.notes or "", sensitive=bool(concern.sensitive))))
    for method, body in writes:
        enqueue(
            uow, method=method, payload={"crn": case.crn, "body": body}, purpose=OutboxPurpose.WRITE_BACK,
            ordering_key=f"record:{case.id}", now=now, case_id=case.id,
        )  # fmt: skip


def concern_columns(hate_crime: Concern, discrimination: Concern) -> dict[str, object]:
    """The allocation's columns for the two questions about the offence."""
    return {
        "hate_crime": hate_crime.linked, "hate_crime_notes": hate_crime.notes, "hate_crime_sensitive": hate_crime.sensitive,
        "discrimination": discrimination.linked, "discrimination_notes": discrimination.notes,
        "discrimination_sensitive": discrimination.sensitive,
    }  # fmt: skip


def concerns_of(allocation: Allocation) -> tuple[Concern, Concern]:
    """The two answers as an allocation stored them (a reallocation carries them over)."""
    return (
        Concern(allocation.hate_crime, allocation.hate_crime_notes, allocation.hate_crime_sensitive),
        Concern(allocation.discrimination, allocation.discrimination_notes, allocation.discrimination_sensitive),
    )
