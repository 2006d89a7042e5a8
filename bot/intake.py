"""Intake: a case arrives, is stored, and its card is queued for the team's channel.

DESIGN.md flow 1. Stored first, then posted (through the outbox, in the same transaction), so
a Slack outage never loses a case. Idempotent on the source's `event_id` (CONTRACT.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from blocks.case_card import case_card, record_link, restricted_case_dm
from bot.calendar import allocation_due_by
from bot.case_input import CaseIn, parse_case
from bot.clock import Clock, london_today
from bot.errors import InvalidInput
from bot.outbox import audit, enqueue
from storage.db import UnitOfWork
from storage.models import Case, Team

INTAKE_ACTOR = "intake"


@dataclass(frozen=True)
class Received:
    """The stored case, and whether this receipt created it (False: a repeat of the event)."""

    case: Case
    created: bool


@dataclass(frozen=True)
class Rejected:
    """A line of an import that failed validation."""

    index: int
    error: InvalidInput


def case_post_payloads(case: Case, team: Team, record_case_url: str | None) -> list[dict[str, Any]]:
    """The chat.postMessage calls that announce a new case.

    A restricted (limited-access) case never reaches the channel: each SPO gets it privately.
    """
    link = record_link(record_case_url, case.crn)
    if case.restricted:
        dm = restricted_case_dm(case, team_name=team.name, record_url=link)
        return [{"channel": spo, **dm} for spo in team.spo_user_ids]
    return [{"channel": team.channel_id, **case_card(case, team_name=team.name, record_url=link)}]


def _new_case(data: CaseIn, team: Team, clock: Clock) -> Case:
    return Case(
        event_id=data.event_id,
        crn=data.crn,
        name=data.name,
        team=team,
        tier=data.tier,
        sentence_type=data.sentence_type,
        sentence_date=data.sentence_date,
        custodial=data.custodial,
        prison=data.prison,
        rosh=data.rosh,
        rsr=data.rsr,
        mappa_category=data.mappa_category,
        mappa_level=data.mappa_level,
        offence=data.offence,
        previous_practitioner=data.previous_practitioner,
        restricted=data.restricted,
        excluded_practitioners=data.excluded_practitioners,
        state="unallocated",
        due_by=allocation_due_by(data.sentence_date),
        received_at=clock.now(),
    )


async def _store(uow: UnitOfWork, data: CaseIn, team: Team, clock: Clock, record_case_url: str | None) -> Case:
    case = uow.cases.add(_new_case(data, team, clock))
    await uow.session.flush()
    now = clock.now()
    for payload in case_post_payloads(case, team, record_case_url):
        purpose = "restricted_case_dm" if case.restricted else "case_card"
        enqueue(uow, method="chat.postMessage", payload=payload, purpose=purpose, ordering_key=f"case:{case.id}", now=now, case_id=case.id)
    audit(uow, actor=INTAKE_ACTOR, action="case_received", now=now, case_id=case.id, event_id=case.event_id, team=team.code)
    return case


async def receive_cases(
    uow_factory: Callable[[], UnitOfWork],
    rows: Sequence[Mapping[str, Any]],
    *,
    clock: Clock,
    record_case_url: str | None,
) -> list[Received | Rejected]:
    """Validate and store a batch in one transaction; one result per row, in order.

    Bad rows are reported, good rows stored; a repeated event id (in the store or earlier in
    the batch) returns the stored case. If a concurrent receipt of the same event wins the
    race, the batch is retried once so the caller sees that stored case instead of an error.
    """
    for attempt in (1, 2):
        try:
            return await _receive_batch(uow_factory, rows, clock=clock, record_case_url=record_case_url)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _receive_batch(
    uow_factory: Callable[[], UnitOfWork],
    rows: Sequence[Mapping[str, Any]],
    *,
    clock: Clock,
    record_case_url: str | None,
) -> list[Received | Rejected]:
    async with uow_factory() as uow:
        teams = await uow.teams.by_code()
        today = london_today(clock)
        parsed: list[CaseIn | Rejected] = []
        for index, row in enumerate(rows):
            try:
                parsed.append(parse_case(row, today=today, team_codes=teams))
            except InvalidInput as error:
                parsed.append(Rejected(index, error))
        known = await uow.cases.by_event_ids(p.event_id for p in parsed if isinstance(p, CaseIn))
        results: list[Received | Rejected] = []
        for item in parsed:
            if isinstance(item, Rejected):
                results.append(item)
            elif item.event_id in known:
                results.append(Received(known[item.event_id], created=False))
            else:
                case = await _store(uow, item, teams[item.team], clock, record_case_url)
                known[item.event_id] = case
                results.append(Received(case, created=True))
        await uow.commit()
        return results


async def receive_case(
    uow_factory: Callable[[], UnitOfWork], raw: Mapping[str, Any], *, clock: Clock, record_case_url: str | None
) -> Received:
    """One case from the intake API; raises `InvalidInput` naming every bad field."""
    [result] = await receive_cases(uow_factory, [raw], clock=clock, record_case_url=record_case_url)
    if isinstance(result, Rejected):
        raise result.error
    return result
