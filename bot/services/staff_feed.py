"""Workload and availability from the workforce source (README, "The staff feed").

`PUT /api/v1/staff/{staff_code}` and `casebot staff import FILE` both land here. A record
replaces what the source said before about that practitioner (its figures and its absences);
the teams file's figures are untouched and stay the fallback for what the source leaves out.
The whole batch is one transaction: an import either stores every known practitioner's line
or, on a database failure, nothing. The SPOs' App Home is refreshed, so the capacity list and
who is away show the new figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.domain.clock import Clock
from bot.domain.staff_input import StaffIn
from bot.services.home_refresh import queue_home_refresh
from bot.services.outbox import audit
from storage.db import UnitOfWork
from storage.models import Practitioner


@dataclass
class StaffFeedResult:
    updated: list[Practitioner] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # staff codes no teams file has loaded
    team_codes: dict[int, str] = field(default_factory=dict)  # team id -> code, of the updated


def _apply(person: Practitioner, record: StaffIn, clock: Clock) -> None:
    """The source's record onto the practitioner's feed columns. A caseload (points or counts)
    is dated `as_of` (the time of receipt by default): casebot's allocations after it are added
    to it, earlier ones are in it already (bot/queries/caseload.py)."""
    reports_caseload = record.caseload_points is not None or record.caseload is not None
    person.feed_caseload_points = record.caseload_points
    person.feed_caseload = dict(record.caseload) if record.caseload is not None else None
    person.feed_as_of = (record.as_of or clock.now()) if reports_caseload else None
    person.feed_contracted_hours = record.contracted_hours
    person.feed_available_hours = record.available_hours
    person.absences = [a.as_json() for a in record.absence_values()]


async def update_staff(uow_factory: Callable[[], UnitOfWork], records: Sequence[StaffIn], *, clock: Clock, actor: str) -> StaffFeedResult:
    """Store each record whose staff code is known; name the unknown ones (nothing is created:
    who works where is the teams file's to say)."""
    result = StaffFeedResult()
    now = clock.now()
    async with uow_factory() as uow:
        staff = await uow.teams.practitioners_by_code(r.staff_code for r in records)
        for record in records:
            person = staff.get(record.staff_code)
            if person is None:
                result.unknown.append(record.staff_code)
                continue
            _apply(person, record, clock)
            result.updated.append(person)
        if result.updated:
            audit(uow, actor=actor, action="staff_feed_updated", now=now, staff_codes=[p.staff_code for p in result.updated])
            teams = [await uow.teams.get(team_id) for team_id in {p.team_id for p in result.updated}]
            result.team_codes = {team.id: team.code for team in teams if team is not None}
            spos = [user for team in teams if team is not None for user in team.spo_user_ids]
            await queue_home_refresh(uow, [*spos, *(p.slack_user_id for p in result.updated)], now)
        await uow.commit()
    return result
