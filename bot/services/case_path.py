"""The case's path, decided at intake: resourcing (seeds/003 para 1.12, Annex A), custody under
OMiC (seeds/001 s2.3), and what the card shows of it (bot/domain/case_path.py `PathFacts`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.domain.calendar import allocation_due_by
from bot.domain.case_input import CaseIn
from bot.domain.case_path import Custody, EventLine, FirstAppointment, PathFacts, decide_path
from bot.domain.enums import CaseState
from bot.domain.errors import AllocationRefused, Question
from bot.domain.policy_file import Policy
from bot.domain.resourcing import ResourcingInputs, assess
from storage.models import Case, CaseEvent, Team


def path_values(data: CaseIn, team: Team, policy: Policy, *, arrived: date, today: date) -> dict[str, Any]:
    """The columns the path sets on a new case: resourcing, and for a community team's custodial
    case POM-led until handover, its clock starting at the handover less the lead time. A prison
    team's case is its own (a POM is allocated now)."""
    outcome = assess(ResourcingInputs(**{f: getattr(data, f) for f in ResourcingInputs.__dataclass_fields__}))
    values: dict[str, Any] = {
        "resourcing": outcome.resourcing.value,
        "resourcing_reason": outcome.reason[:300],
        "state": CaseState.UNALLOCATED,
        "due_by": allocation_due_by(arrived, policy.allocation_target_days(team.service)),
    }
    if team.service != "probation":
        return values
    path = decide_path(Custody(data.custodial, data.sentence_date, data.release_date, data.handover_date), outcome.resourcing, policy.omic, today=today)
    values["path_reason"] = path.reason or None
    values["handover_date"] = path.handover_date
    if path.pom_led and path.allocatable_from is not None:
        values["state"] = CaseState.AWAITING_HANDOVER
        values["allocatable_from"] = path.allocatable_from
        values["due_by"] = allocation_due_by(path.allocatable_from, policy.allocation_target_days(team.service))
    return values


def allocation_refusal(case: Case, early_reason: str | None) -> AllocationRefused | None:
    """What the case's path asks before an SPO allocates: why now, for a POM-led case before its
    lead time (audited); senior approvers to sign off, for exceptional public interest."""
    if case.state == CaseState.AWAITING_HANDOVER and not early_reason:
        return AllocationRefused("This case is POM-led until its handover lead time: say why you allocate it now.", Question.EARLY_REASON)
    if case.exceptional_public_interest and not case.team.senior_approver_user_ids:
        message = "This exceptional public interest case needs a senior sign-off, and the team has no senior_approvers in its teams file."
        return AllocationRefused(message, Question.PRACTITIONER)
    return None


def path_facts(case: Case, later_events: Sequence[CaseEvent] = ()) -> PathFacts:
    """What the messages show of a stored case's path."""
    given = case.resourcing_given if case.resourcing_given and case.resourcing_given != case.resourcing else None
    events = (EventLine(case.sentence_type, case.sentence_date), *(EventLine(e.sentence_type, e.sentence_date) for e in later_events))
    appointment = (
        FirstAppointment(case.first_appointment_date, case.first_appointment_time, case.first_appointment_place) if case.first_appointment_date else None
    )
    return PathFacts(
        resourcing=case.resourcing,
        resourcing_reason=case.resourcing_reason,
        resourcing_given=given,
        pom_led=case.state == CaseState.AWAITING_HANDOVER,
        path_reason=case.path_reason,
        handover_date=case.handover_date,
        allocatable_from=case.allocatable_from,
        events=events if later_events else (),
        first_appointment=appointment,
        senior_sign_off=case.exceptional_public_interest,
    )
