"""A later sentence event for a person casebot already holds a case for.

seeds/001 s3.3: "Where a case is current and being actively managed ... The responsibility for
the case is retained by the existing allocated officer in the first instance": a new community
event for an allocated case stays with its practitioner (`currently_managed`), who is told, as
are the SPOs, and the card's thread records it. A new event for a case still waiting joins it
(the card lists both events) rather than posting a second card. A new custodial sentence on an
allocated case is a new case, and follows the custody rule (seeds/001 s2.3 NB and s3.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.case_input import CaseIn
from bot.domain.case_path import EventLine
from bot.domain.clock import Clock
from bot.domain.enums import CaseState
from bot.services import notices
from bot.services.case_path import path_facts
from bot.services.home_refresh import queue_home_refresh
from bot.services.outbox import audit
from storage.db import UnitOfWork
from storage.models import Case, CaseEvent, Practitioner, Team

JOINED = "joined"
NEW_CASE = "new_case"
HELD = (CaseState.ALLOCATED, CaseState.AWAITING_SIGN_OFF)  # a practitioner is chosen (signed off or not)
Target = Case | str  # an open case in the store, or the CRN of a case stored earlier in the batch


@dataclass(frozen=True)
class Received:
    """The stored case, and whether this receipt created it (False: a repeat of the event).

    For a later event of an open case `event_id` is the event's own id and `state` what the
    intake answers: `currently_managed` when the case stays with `holder`, its practitioner."""

    case: Case
    created: bool
    event_id: str | None = None
    state: str | None = None
    holder: Practitioner | None = None

    @property
    def stored(self) -> str | None:
        """What this receipt stored, as the metrics and the import report count it apart: a new
        case (`NEW_CASE`), an event joining a waiting case (`joined`), an event its practitioner
        keeps (`currently_managed`); None for a repeat, which stored nothing."""
        if not self.created:
            return None
        if self.event_id is None:
            return NEW_CASE
        return CaseState.CURRENTLY_MANAGED if self.state == CaseState.CURRENTLY_MANAGED else JOINED


async def answered(uow: UnitOfWork, event_ids: Iterable[str]) -> dict[str, Received]:
    """Later events already received: a repeat answers as the first receipt did."""
    out: dict[str, Received] = {}
    for row in (await uow.paths.by_event_ids(event_ids)).values():
        case = await uow.cases.with_team(row.case_id)
        assert case is not None, "an event's case is never deleted"
        holder = None
        if row.outcome == CaseState.CURRENTLY_MANAGED:
            current = await uow.allocations.current_for_case(case.id)
            holder = current.practitioner if current else None
        state = CaseState.CURRENTLY_MANAGED if row.outcome == CaseState.CURRENTLY_MANAGED else case.state
        out[row.event_id] = Received(case, created=False, event_id=row.event_id, state=state, holder=holder)
    return out


async def route(uow: UnitOfWork, fresh: Sequence[tuple[CaseIn, Team]]) -> tuple[list[tuple[CaseIn, Team]], list[tuple[CaseIn, Target]]]:
    """Split new events into new cases and later events of an open case (in the store, or
    created earlier in this batch)."""
    open_cases = await uow.paths.open_by_crns({data.crn for data, _ in fresh})
    new: list[tuple[CaseIn, Team]] = []
    later: list[tuple[CaseIn, Target]] = []
    new_crns: set[str] = set()
    for data, team in fresh:
        existing = open_cases.get(data.crn)
        if existing is not None and not (existing.state in HELD and data.custodial):
            later.append((data, existing))
        elif existing is None and data.crn in new_crns:
            later.append((data, data.crn))
        else:
            new.append((data, team))
            new_crns.add(data.crn)
    return new, later


async def attach(
    uow: UnitOfWork, later: Sequence[tuple[CaseIn, Target]], known: Mapping[str, Case], *, clock: Clock, record_case_url: str | None
) -> dict[str, Received]:
    """Record each later event on its case and tell the people concerned; one answer each."""
    now = clock.now()
    by_crn = {case.crn: case for case in sorted(known.values(), key=lambda c: c.id)}  # the newest case of each person
    out: dict[str, Received] = {}
    for data, target in later:
        case = by_crn[target] if isinstance(target, str) else target
        current = await uow.allocations.current_for_case(case.id) if case.state in HELD else None
        outcome = CaseState.CURRENTLY_MANAGED if current is not None else JOINED
        uow.paths.add(
            CaseEvent(
                case_id=case.id, event_id=data.event_id, sentence_type=data.sentence_type, sentence_date=data.sentence_date,
                custodial=data.custodial, outcome=outcome, received_at=now,
            )
        )  # fmt: skip
        await uow.flush()
        if current is not None:
            event = EventLine(data.sentence_type, data.sentence_date)
            await notices.currently_managed(uow, case, case.team, current.practitioner.slack_user_id, event, now)
            people = [current.practitioner.slack_user_id, *case.team.spo_user_ids]
        else:
            facts = path_facts(case, await uow.paths.events_for(case.id))
            await notices.case_events_changed(uow, case, case.team, facts, record_case_url, now)
            people = list(case.team.spo_user_ids)
        audit(uow, actor="intake", action=f"event_{outcome}", now=now, case_id=case.id, event_id=data.event_id, team=case.team.code)
        await queue_home_refresh(uow, people, now)
        state = CaseState.CURRENTLY_MANAGED if current is not None else case.state
        out[data.event_id] = Received(case, created=True, event_id=data.event_id, state=state, holder=current.practitioner if current else None)
    return out
