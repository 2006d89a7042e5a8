"""Allocating a case: check, then one transaction writes everything (issue 5, "The commit").

DESIGN.md flow 3. The allocation, the case state, the touchpoint, the audit event and every
outbox row (Slack notices, write-backs to the system of record, the prison notice) are written
together or not at all. The check that nobody else allocated the case first is a conditional
update, the first statement of the writing transaction, so it holds under real concurrency on
SQLite (writers queue on the database lock) and PostgreSQL (the row lock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from blocks.allocation_notices import (
    allocated_card,
    allocation_thread_reply,
    notify_notice,
    practitioner_notice,
    prison_notice,
    spo_copy,
    thread_link,
)
from blocks.formats import when_text
from bot.domain.facts import AllocationFacts
from blocks.case_card import record_link
from blocks.ids import AllocateBlock
from blocks.text import mrkdwn_safe
from bot.domain.vocabulary import terms_for
from bot.domain.access import is_spo, refusal
from bot.domain.decision import AllocationForm
from bot.domain.clock import Clock
from bot.queries.home import queue_home_refresh
from bot.services.outbox import audit, enqueue
from bot.domain.policy import PolicyFit, offerable, policy_fit
from bot.domain.reminder_plan import DEFAULT_DAYS_BEFORE, plan_reminders
from storage.db import UnitOfWork
from storage.models import Allocation, Case, OutboxMessage, Practitioner, ScheduledJob, Team, Touchpoint

PRISON_NOTICE_LIMIT = timedelta(hours=24)  # seeds/003 s1.15: notified "within 24 hours of allocation"
PRISON_ALERT_MARGIN = timedelta(hours=4)  # issue 6: SPOs alerted 4 hours before the limit
CADE_CONTACT = "Case allocation decision evidencing"  # seeds/000 / DESIGN.md glossary
HATE_CRIME_CONTACT = "Hate crime or discrimination"


class AllocationRefused(Exception):
    """The submission cannot be taken; `block` is the modal field the message belongs on."""

    def __init__(self, block: str, message: str) -> None:
        super().__init__(message)
        self.block = block
        self.message = message


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


async def spo_case(uow: UnitOfWork, case_id: int, spo: str) -> Case:
    """The case, if it exists and `spo` may allocate it (a team SPO)."""
    case = await uow.cases.with_team(case_id)
    if case is None:
        raise AllocationRefused(AllocateBlock.PRACTITIONER, "This case is no longer held by casebot.")
    if not is_spo(case.team, spo):
        raise AllocationRefused(AllocateBlock.PRACTITIONER, refusal(case.team, "allocate"))
    return case


async def check_choice(uow: UnitOfWork, case: Case, practitioner_id: int, exception_confirmed: bool) -> Checked:
    """The chosen practitioner may be offered, and an exception to policy is confirmed."""
    person = await uow.teams.practitioner(practitioner_id)
    if person is None or person.team_id != case.team_id or not person.active or not offerable(case, person):
        raise AllocationRefused(AllocateBlock.PRACTITIONER, "This practitioner cannot be offered this case; choose another.")
    fit = policy_fit(case, person)
    if not fit.within_policy and not exception_confirmed:
        reasons = "; ".join(fit.exceptions)
        raise AllocationRefused(
            AllocateBlock.CONFIRM_EXCEPTION,
            f"This allocation is outside policy ({reasons}). Tick to confirm, and say why in the evidence."[:2000],
        )
    return Checked(case=case, team=case.team, practitioner=person, fit=fit)


async def _check(uow: UnitOfWork, case_id: int, spo: str, form: AllocationForm) -> Checked:
    case = await spo_case(uow, case_id, spo)
    if case.state != "unallocated":
        raise await _already_allocated(uow, case_id)
    return await check_choice(uow, case, form.practitioner_id, form.exception_confirmed)


async def _already_allocated(uow: UnitOfWork, case_id: int) -> AllocationRefused:
    current = await uow.allocations.current_for_case(case_id)
    if current is None:
        return AllocationRefused(AllocateBlock.PRACTITIONER, "This case is no longer waiting for allocation.")
    who = current.practitioner
    return AllocationRefused(
        AllocateBlock.PRACTITIONER,
        f"Already allocated to {mrkdwn_safe(who.name, 200)} by <@{current.allocated_by}> on {when_text(current.allocated_at)}.",
    )


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
        hate_crime_notes=form.hate_crime_notes,
        hate_crime_sensitive=form.hate_crime_sensitive,
        touchpoint_priority=form.touchpoint_priority,
        touchpoint_date=form.touchpoint_date,
        touchpoint_reason=form.touchpoint_reason,
        outside_policy=not checked.fit.within_policy,
        policy_exceptions=list(checked.fit.exceptions),
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
    reminder_days_before: int = DEFAULT_DAYS_BEFORE,
) -> Allocated:
    """Allocate or raise `AllocationRefused` (inline error for the modal). Stores nothing on refusal."""
    async with uow_factory() as uow:
        checked = await _check(uow, case_id, spo, form)
    now = clock.now()
    async with uow_factory() as uow:
        if not await uow.cases.mark_allocated(case_id):
            raise await _already_allocated(uow, case_id)
        allocation = uow.allocations.add(
            Allocation(
                case_id=case_id,
                practitioner_id=checked.practitioner.id,
                allocated_by=spo,
                allocated_at=now,
                current=True,
                evidence=form.evidence,
                evidence_sensitive=form.evidence_sensitive,
                hate_crime=form.hate_crime,
                hate_crime_notes=form.hate_crime_notes,
                hate_crime_sensitive=form.hate_crime_sensitive,
                outside_policy=not checked.fit.within_policy,
                policy_exceptions=list(checked.fit.exceptions),
                notify_user_ids=list(form.notify_user_ids),
            )
        )
        await uow.session.flush()
        touchpoint = uow.allocations.add_touchpoint(
            Touchpoint(
                case_id=case_id,
                allocation_id=allocation.id,
                due_on=form.touchpoint_date,
                priority=form.touchpoint_priority,
                not_required_reason=form.touchpoint_reason,
                state="not_required" if form.touchpoint_priority == "not_required" else "planned",
                created_at=now,
            )
        )
        audit(
            uow, actor=spo, action="allocated", now=now, case_id=case_id,
            allocation_id=allocation.id, staff_code=checked.practitioner.staff_code, grade=checked.practitioner.grade,
            tier=checked.case.tier, outside_policy=not checked.fit.within_policy, policy_exceptions=list(checked.fit.exceptions),
        )  # fmt: skip
        await uow.session.flush()
        plan_touchpoint(uow, touchpoint, [checked.practitioner.slack_user_id, spo], now, days_before=reminder_days_before)
        if checked.case.custodial and checked.case.prison:
            uow.jobs.add(
                ScheduledJob(
                    kind="prison_check", case_id=case_id, due_at=now + PRISON_NOTICE_LIMIT - PRISON_ALERT_MARGIN,
                    state="planned", detail={"allocated_at": now.isoformat()}, created_at=now,
                )
            )  # fmt: skip
        await uow.outbox.cancel_pending(case_id, ["deadline_chase"])  # allocation stops the chase at once
        facts = _facts(checked, spo, form, now)
        await queue_notices(uow, checked, facts, allocation, record_case_url, record_configured, now)
        await queue_home_refresh(uow, [*checked.team.spo_user_ids, checked.practitioner.slack_user_id], now)
        await uow.commit()
    return Allocated(allocation_id=allocation.id, case_id=case_id, outside_policy=not checked.fit.within_policy)


async def queue_notices(
    uow: UnitOfWork,
    checked: Checked,
    facts: AllocationFacts,
    allocation: Allocation,
    record_case_url: str | None,
    record_configured: bool,
    now: datetime,
) -> None:
    """Every message and write-back an allocation (or reallocation) causes, as outbox rows."""
    case, team = checked.case, checked.team
    key = f"case:{case.id}"
    link = record_link(record_case_url, case.crn)
    thread = None if case.restricted else thread_link(case.slack_channel, case.slack_ts)

    def slack(method: str, payload: dict[str, Any], purpose: str, reply_to: OutboxMessage | None = None) -> None:
        enqueue(uow, method=method, payload=payload, purpose=purpose, ordering_key=key, now=now, case_id=case.id, reply_to=reply_to)

    card_view = allocated_card(case, facts, team_name=team.name, record_url=link)
    if case.restricted:
        for row in await uow.cases.restricted_rows(case.id):
            slack("chat.update", dict(card_view), "restricted_case_allocated", reply_to=row)
    else:
        card = await uow.cases.card_row(case.id)
        if card is not None:
            slack("chat.update", dict(card_view), "card_allocated", reply_to=card)
            slack("chat.postMessage", allocation_thread_reply(facts, record_url=link), "allocation_thread", reply_to=card)
    notice = practitioner_notice(case, facts, record_url=link, link=thread, terms=terms_for(team.service))
    slack("chat.postMessage", {"channel": facts.practitioner_user, **notice}, "practitioner_notice")
    for user in dict.fromkeys(allocation.notify_user_ids):
        if user not in (facts.practitioner_user, facts.spo_user):
            slack("chat.postMessage", {"channel": user, **notify_notice(case, facts, link=thread, record_url=link)}, "notify_notice")
    if await uow.preferences.spo_copies(facts.spo_user):
        slack("chat.postMessage", {"channel": facts.spo_user, **spo_copy(case, facts, record_url=link, record_configured=record_configured)}, "spo_copy")
    _queue_write_backs(uow, checked, facts, allocation, now)
    if case.custodial and case.prison:
        notice = prison_notice(case, facts, team_name=team.name)
        enqueue(
            uow, method="prison.notify", payload={"prison": case.prison, **notice}, purpose="prison_notice",
            ordering_key=f"prison:{case.id}", now=now, case_id=case.id,
        )  # fmt: skip


def plan_touchpoint(uow: UnitOfWork, touchpoint: Touchpoint, recipients: list[str], now: datetime, *, days_before: int) -> None:
    """Store the touchpoint's reminders (bot/domain/reminder_plan.py) in the caller's transaction."""
    if touchpoint.state != "planned" or touchpoint.due_on is None:
        return
    for planned in plan_reminders(touchpoint.due_on, touchpoint.priority, recipients, now=now, days_before=days_before):
        uow.jobs.add(
            ScheduledJob(
                kind="touchpoint_reminder", case_id=touchpoint.case_id, touchpoint_id=touchpoint.id, recipient=planned.recipient,
                due_at=planned.due_at, state="planned", detail={"when": planned.when}, created_at=now,
            )
        )  # fmt: skip


def _queue_write_backs(uow: UnitOfWork, checked: Checked, facts: AllocationFacts, allocation: Allocation, now: datetime) -> None:
    """The system of record gets the allocation and the evidence contacts, flagged (seeds/000)."""
    case = checked.case
    staff = checked.practitioner.staff_code
    writes = [
        ("record.allocation", {"staff_code": staff, "allocated_by": facts.spo_user, "allocated_at": now.isoformat(), "outside_policy": facts.outside_policy}),
        ("record.contact", _contact(CADE_CONTACT, facts.evidence, facts.evidence_sensitive, staff, facts.spo_user, now)),
    ]
    if facts.hate_crime and facts.hate_crime_notes and facts.previous_user is None:  # recorded once, at allocation
        writes.append(("record.contact", _contact(HATE_CRIME_CONTACT, facts.hate_crime_notes, bool(facts.hate_crime_sensitive), staff, facts.spo_user, now)))
    for method, body in writes:
        enqueue(
            uow, method=method, payload={"crn": case.crn, "body": body}, purpose="write_back",
            ordering_key=f"record:{case.id}", now=now, case_id=case.id,
        )  # fmt: skip


def _contact(kind: str, text: str, sensitive: bool, staff: str, by: str, now: datetime) -> dict[str, object]:
    return {"type": kind, "text": text, "sensitive": sensitive, "staff_code": staff, "recorded_by": by, "recorded_at": now.isoformat()}
