"""`/casebot case X123456`: the latest sentence event with this CRN the caller may see, with its
allocations, touchpoints and audit trail.

Who may see what is decided here: sensitive notes are kept only for the team's SPOs and the
practitioner holding the case (`may_read_sensitive`); anyone else gets a "withheld" marker, so a
builder cannot leak what it never received.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.domain.access import codes_of, open_to
from bot.domain.case_history_view import AllocationRecord, AuditLine, CaseHistory, Note, TouchpointRecord
from bot.domain.errors import CasebotError
from bot.domain.policy_file import Policy
from bot.queries.commands import UowFactory, member_of
from storage.models import Allocation, AuditEvent, Case, Touchpoint

ALLOCATIONS_LIMIT = 10  # allocations shown in a case's history, newest first
AUDIT_LIMIT = 25  # the latest audit events of a case

# Audit detail that may be shown to anyone who may see the case: codes, dates, flags, never text.
SAFE_AUDIT_DETAIL = (
    "reason", "from_staff_code", "staff_code", "grade", "tier", "outside_policy", "kept_touchpoint", "due_on", "what", "team", "sensitive",
)  # fmt: skip


class CaseNotVisible(CasebotError):
    """No case with this CRN that the caller may see. One answer for 'none held', 'another
    team's' and 'restricted', so the command never tells whether a restricted case exists."""


def note(text: str | None, sensitive: bool | None, may_read_sensitive: bool) -> Note | None:
    """`text` as this reader may see it. A note whose sensitivity was never answered is treated
    as sensitive: failing closed costs an SPO a look, failing open could breach a SAR."""
    if not text:
        return None
    flagged = sensitive is not False
    if flagged and not may_read_sensitive:
        return Note(text=None, withheld=True, sensitive=True)
    return Note(text=text, withheld=False, sensitive=flagged)


def _touchpoint(tp: Touchpoint | None, spo: bool) -> TouchpointRecord | None:
    if tp is None:
        return None
    return TouchpointRecord(
        state=tp.state, priority=tp.priority, due_on=tp.due_on, not_required_reason=tp.not_required_reason,
        notes=note(tp.notes, tp.notes_sensitive, spo), outcome_by=tp.outcome_by, outcome_at=tp.outcome_at,
    )  # fmt: skip


def may_read_sensitive(spo: bool, allocation: Allocation, user_id: str) -> bool:
    """Sensitive notes are for the team's SPOs and the practitioner who holds the case now: they
    exist so the SPO can raise concerns with that practitioner (docs/policy-sources.md)."""
    return spo or (allocation.current and allocation.practitioner.slack_user_id == user_id)


def _allocation(allocation: Allocation, tp: Touchpoint | None, spo: bool, policy: Policy) -> AllocationRecord:
    person = allocation.practitioner
    return AllocationRecord(
        practitioner_name=person.name, practitioner_user_id=person.slack_user_id, staff_code=person.staff_code, grade=person.grade,
        allocated_by=allocation.allocated_by, allocated_at=allocation.allocated_at, current=allocation.current,
        ended_at=allocation.ended_at, reason=policy.reason_label(allocation.reason) if allocation.reason else None,
        outside_policy=allocation.outside_policy, policy_exceptions=list(allocation.policy_exceptions or []),
        evidence=note(allocation.evidence, allocation.evidence_sensitive, spo), hate_crime=allocation.hate_crime,
        hate_crime_notes=note(allocation.hate_crime_notes, allocation.hate_crime_sensitive, spo) if allocation.hate_crime else None,
        discrimination=allocation.discrimination,
        discrimination_notes=note(allocation.discrimination_notes, allocation.discrimination_sensitive, spo) if allocation.discrimination else None,
        touchpoint=_touchpoint(tp, spo),
    )  # fmt: skip


async def case_history(uow_factory: UowFactory, user_id: str, crn: str, *, today: date) -> CaseHistory:
    """The latest sentence event with this CRN the caller may see, with its allocations,
    touchpoints and audit trail. Raises NotInTeam or CaseNotVisible."""
    async with uow_factory() as uow:
        member = await member_of(uow, user_id)
        policy = await uow.policies.current()
        visible = (
            await uow.session.scalars(select(Case).where(Case.crn == crn, member.visible_clause()).order_by(Case.received_at.desc(), Case.id.desc()).limit(10))
        ).all()
        teams = {team.id: team for team in member.teams}
        # The case's own lists too (bot/domain/access.py): an excluded SPO gets the same answer as for no case.
        visible = [c for c in visible if open_to(c, codes_of(teams[c.team_id], user_id))]
        if not visible:
            raise CaseNotVisible()
        case = visible[0]
        spo = member.is_spo(case.team_id)
        team = next(team for team in member.teams if team.id == case.team_id)
        allocations = (
            await uow.session.scalars(
                select(Allocation)
                .where(Allocation.case_id == case.id)
                .order_by(Allocation.allocated_at.desc(), Allocation.id.desc())
                .limit(ALLOCATIONS_LIMIT)
                .options(selectinload(Allocation.practitioner))
            )
        ).all()
        allocations_total = await uow.session.scalar(select(func.count()).select_from(Allocation).where(Allocation.case_id == case.id))
        touchpoints = {
            tp.allocation_id: tp
            for tp in await uow.session.scalars(select(Touchpoint).where(Touchpoint.allocation_id.in_([a.id for a in allocations])).order_by(Touchpoint.id))
        }
        events = (await uow.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id.desc()).limit(AUDIT_LIMIT))).all()
        audit_total = await uow.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case.id))
        return CaseHistory(
            case=case.summary(), team_name=team.name, service=team.service, viewer_is_spo=spo, today=today,
            allocations=[_allocation(a, touchpoints.get(a.id), may_read_sensitive(spo, a, user_id), policy) for a in allocations],
            allocations_total=int(allocations_total or 0),
            audit=[_audit_line(e, policy) for e in reversed(events)], audit_total=int(audit_total or 0), other_events=len(visible) - 1,
        )  # fmt: skip


def _audit_line(event: AuditEvent, policy: Policy) -> AuditLine:
    detail = {key: event.detail[key] for key in SAFE_AUDIT_DETAIL if key in (event.detail or {})}
    if isinstance(detail.get("reason"), str):
        detail["reason"] = policy.reason_label(detail["reason"])
    return AuditLine(at=event.at, actor=event.actor, action=event.action, detail=detail)
