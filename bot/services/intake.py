"""Intake: a case arrives, is stored, and its card is queued for the team's channel.

docs/architecture.md flow 1. Stored first, then posted (through the outbox, in the same transaction), so
a Slack outage never loses a case. Idempotent on the source's `event_id` (README).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from bot.domain.case_input import CaseIn, parse_case
from bot.domain.case_picture import PICTURE_FIELDS, picture_of
from bot.domain.clock import Clock, london_day, london_today
from bot.domain.errors import InvalidInput
from bot.domain.policy_file import Policy
from bot.services import case_events, notices
from bot.services.case_events import Received
from bot.services.case_path import path_values
from bot.services.home_refresh import queue_home_refresh
from bot.services.outbox import audit_values, insert_bulk
from storage.db import UnitOfWork
from storage.models import Case, Team

INTAKE_ACTOR = "intake"


@dataclass(frozen=True)
class Rejected:
    """A line of an import that failed validation."""

    index: int
    error: InvalidInput


def _case_values(data: CaseIn, team: Team, policy: Policy, now: datetime) -> dict[str, Any]:
    """The case's columns. Its clock is the team's: the policy's target for the team's service,
    in working days from the day the case reached the team (the day of receipt when the source
    does not say); a POM-led custodial case's clock starts at its handover less the lead time
    (bot/services/case_path.py)."""
    arrived = data.arrived_on or london_day(now)
    values = data.model_dump(exclude={"team", "arrived_on"})
    return {
        **{name: value for name, value in values.items() if name not in PICTURE_FIELDS and name != "resourcing"},
        "picture": picture_of(values).to_stored(),
        "resourcing_given": data.resourcing,
        "arrived_on": arrived,
        "team_id": team.id,
        **path_values(data, team, policy, arrived=arrived, today=london_day(now)),
        "received_at": now,
    }


def _stored_case(case_id: int, values: dict[str, Any], team: Team) -> Case:
    """The case as stored, built from the values just inserted (no session: nothing to flush)."""
    case = Case(id=case_id, **values)
    set_committed_value(case, "team", team)
    return case


async def _store_all(uow: UnitOfWork, new: list[tuple[CaseIn, Team]], clock: Clock, record_case_url: str | None, home_delay: timedelta) -> list[Case]:
    """Insert the new cases, their card messages and audit events with one executemany each.

    Batched, not a flush per case: an import of 10,000 cases is bound by round trips to the
    database, not by Python.
    """
    if not new:
        return []
    now = clock.now()
    policy = await uow.policies.current()
    values = [_case_values(data, team, policy, now) for data, team in new]
    # The write part is kept short (SQLite holds its one write lock from the first insert to
    # the commit): the cases come back as ids from the insert, not from a read-back.
    ids = await uow.cases.insert_returning_ids(values, by="event_id")  # unique: `fresh` is keyed by it
    cases = [_stored_case(case_id, row, team) for case_id, row, (_, team) in zip(ids, values, new, strict=True)]
    outbox_rows: list[dict[str, Any]] = []
    audit_rows: list[dict[str, Any]] = []
    for case, (_, team) in zip(cases, new, strict=True):
        outbox_rows += notices.new_case_rows(case, team, record_case_url, now)
        audit_rows.append(audit_values(actor=INTAKE_ACTOR, action="case_received", now=now, case_id=case.id, event_id=case.event_id, team=team.code))
    await insert_bulk(uow, outbox_rows, audit_rows)
    await queue_home_refresh(uow, {spo for _, team in new for spo in team.spo_user_ids}, now, delay=home_delay)
    return cases


async def receive_cases(
    uow_factory: Callable[[], UnitOfWork],
    rows: Sequence[Mapping[str, Any]],
    *,
    clock: Clock,
    record_case_url: str | None,
    home_delay: timedelta = timedelta(0),
) -> list[Received | Rejected]:
    """Validate and store a batch in one transaction; one result per row, in order.

    Bad rows are reported, good rows stored; a repeated event id (in the store or earlier in
    the batch) returns the stored case. If a concurrent receipt of the same event wins the
    race, the batch is retried once so the caller sees that stored case instead of an error.
    `home_delay` holds back the SPOs' Home refresh, so a burst of cases shares one publish.
    """
    for attempt in (1, 2):
        try:
            return await _receive_batch(uow_factory, rows, clock=clock, record_case_url=record_case_url, home_delay=home_delay)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _team_codes(rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """The team codes to look up before validation. A code with NUL in it is left out: no team
    has one, PostgreSQL refuses it even in a query, and validation reports it on its field."""
    codes = {str(row.get("team", "")).strip() for row in rows if isinstance(row, Mapping)}
    return {code for code in codes if "\x00" not in code}


async def _receive_batch(
    uow_factory: Callable[[], UnitOfWork],
    rows: Sequence[Mapping[str, Any]],
    *,
    clock: Clock,
    record_case_url: str | None,
    home_delay: timedelta,
) -> list[Received | Rejected]:
    async with uow_factory() as uow:
        teams = await uow.teams.by_codes(_team_codes(rows))
        today = london_today(clock)
        parsed: list[CaseIn | Rejected] = []
        for index, row in enumerate(rows):
            try:
                parsed.append(parse_case(row, today=today, team_codes=teams))
            except InvalidInput as error:
                parsed.append(Rejected(index, error))
        # Serialised per person before anything is looked up (README "The intake API").
        await uow.paths.serialise_crns(p.crn for p in parsed if isinstance(p, CaseIn))
        event_ids = [p.event_id for p in parsed if isinstance(p, CaseIn)]
        known = await uow.cases.by_event_ids(event_ids)
        answered = await case_events.answered(uow, event_ids)
        fresh: dict[str, tuple[CaseIn, Team]] = {}
        for item in parsed:
            if isinstance(item, CaseIn) and item.event_id not in known and item.event_id not in answered and item.event_id not in fresh:
                fresh[item.event_id] = (item, teams[item.team])
        new, later = await case_events.route(uow, list(fresh.values()))
        for case in await _store_all(uow, new, clock, record_case_url, home_delay):
            known[case.event_id] = case
        answered.update(await case_events.attach(uow, later, known, clock=clock, record_case_url=record_case_url))
        results: list[Received | Rejected] = []
        for item in parsed:
            if isinstance(item, Rejected):
                results.append(item)
                continue
            created = item.event_id in fresh
            fresh.pop(item.event_id, None)  # a repeat later in the same batch is not 'created'
            results.append(replace(answered[item.event_id], created=created) if item.event_id in answered else Received(known[item.event_id], created=created))
        await uow.commit()
        return results


async def receive_case(
    uow_factory: Callable[[], UnitOfWork], raw: Mapping[str, Any], *, clock: Clock, record_case_url: str | None, home_delay: timedelta = timedelta(0)
) -> Received:
    """One case from the intake API; raises `InvalidInput` naming every bad field."""
    [result] = await receive_cases(uow_factory, [raw], clock=clock, record_case_url=record_case_url, home_delay=home_delay)
    if isinstance(result, Rejected):
        raise result.error
    return result
