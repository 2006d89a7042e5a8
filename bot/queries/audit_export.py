"""The allocation decisions for management review: `casebot audit`.

One row per allocation: how long from sentence to allocation in working days, whether that was
within the two working days of PI 05/2014 (seeds/003 s1.9, s2.2), who took the case at what
grade, who allocated it (the SPO by staff code and name, as the teams file gives them in
`spos`: blank when it does not; never a Slack id, which means nothing in a review), and whether it was outside policy and why (seeds/004 grades for tiers,
confirmed as exceptions: seeds/000). A reallocation is a row of its own, with its reason
(seeds/003 Annex D); the earlier allocation's row then has `current` false. Its working days
still run from sentence to the reallocation, so a review of the two-day rule reads the rows
without a reallocation reason. No evidence or notes text at all, sensitive or not: a
review of decisions needs the facts, and the export may be passed around as a spreadsheet.

Dates are England and Wales dates (`--since`, `--until` and the allocation day are London days),
as the two-working-day rule counts them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from bot.domain.calendar import working_days_between
from bot.domain.clock import LONDON
from bot.domain.errors import FieldError, InvalidInput
from bot.domain.policy_file import Policy
from storage.db import UnitOfWork
from storage.models import Allocation, AuditEvent, Case, Practitioner, Team

COLUMNS = (
    "crn", "team", "tier", "sentence_date", "arrived_on", "allocated_at", "working_days_from_sentence",
    "working_days_from_arrival", "team_target_met", "staff_code", "practitioner", "grade", "allocated_by_staff_code",
    "allocated_by_name", "outside_policy", "policy_exceptions", "policy_version", "current", "reallocation_reason",
)  # fmt: skip
DECISION_ACTIONS = ("allocated", "reallocated")  # audit events that record the grade at the time
# A spreadsheet runs a cell starting with these as a formula (OWASP "CSV injection"); names and
# exception texts are user-supplied, so such cells are prefixed with a quote in the CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    """Which allocations: made on London days `since`..`until` (inclusive), of one team or all."""

    since: date
    until: date | None = None
    team: str | None = None


def parse_day(value: str, option: str) -> date:
    """An ISO date for `option`, or `InvalidInput` naming the option."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput([FieldError(option, f"'{value[:40]}' is not a date; use YYYY-MM-DD")]) from None


def audit_filter(since: str, until: str | None, team: str | None) -> AuditFilter:
    """The command's options checked together; every bad one named."""
    errors: list[FieldError] = []
    days: dict[str, date | None] = {"--since": None, "--until": None}
    for option, raw in (("--since", since), ("--until", until)):
        if raw is not None:
            try:
                days[option] = parse_day(raw, option)
            except InvalidInput as exc:
                errors += exc.errors
    first, last = days["--since"], days["--until"]
    if first and last and last < first:
        errors.append(FieldError("--until", f"{last.isoformat()} is before --since {first.isoformat()}"))
    if errors or first is None:
        raise InvalidInput(errors)
    return AuditFilter(since=first, until=last, team=team.strip() if team else None)  # codes match exactly, as at intake


async def allocation_rows(uow_factory: Callable[[], UnitOfWork], flt: AuditFilter) -> list[dict[str, Any]]:
    """The rows, oldest allocation first; `InvalidInput` naming `--team` when it is unknown."""
    async with uow_factory() as uow:
        if flt.team is not None and not await uow.teams.by_codes([flt.team]):
            raise InvalidInput([FieldError("--team", f"no team with code '{flt.team[:20]}' is known (load it with `casebot teams load`)")])
        found = await _allocations(uow, flt)
        grades = await _grades_at_allocation(uow, flt) if found else {}
        policy = await uow.policies.current()
    return [_row(a, case, team, person, grades.get(a.id), policy) for a, case, team, person in found]


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def _window(flt: AuditFilter) -> tuple[datetime, datetime | None]:
    """The instants the London days `since`..`until` span (the end exclusive)."""
    end = _london_midnight(flt.until + timedelta(days=1)) if flt.until is not None else None
    return _london_midnight(flt.since), end


async def _allocations(uow: UnitOfWork, flt: AuditFilter) -> Sequence[tuple[Allocation, Case, Team, Practitioner]]:
    start, end = _window(flt)
    query = (
        select(Allocation, Case, Team, Practitioner)
        .join(Case, Case.id == Allocation.case_id)
        .join(Team, Team.id == Case.team_id)
        .join(Practitioner, Practitioner.id == Allocation.practitioner_id)
        .where(Allocation.allocated_at >= start)
        .order_by(Allocation.allocated_at, Allocation.id)
    )
    if end is not None:
        query = query.where(Allocation.allocated_at < end)
    if flt.team is not None:
        query = query.where(Team.code == flt.team)
    rows = await uow.session.execute(query)
    return [(a, c, t, p) for a, c, t, p in rows.all()]


async def _grades_at_allocation(uow: UnitOfWork, flt: AuditFilter) -> dict[int, str]:
    """Allocation id -> the grade the practitioner held when allocated, from the decision's audit
    event (written in the same transaction, at the same instant, as the allocation): a PQiP who
    has since qualified still shows as the PQiP the decision was made about."""
    start, end = _window(flt)
    query = select(AuditEvent).where(AuditEvent.action.in_(DECISION_ACTIONS), AuditEvent.at >= start)
    if end is not None:
        query = query.where(AuditEvent.at < end)
    grades: dict[int, str] = {}
    for event in await uow.session.scalars(query):
        detail = event.detail or {}
        if isinstance(detail.get("allocation_id"), int) and isinstance(detail.get("grade"), str):
            grades[detail["allocation_id"]] = detail["grade"]
    return grades


def _row(allocation: Allocation, case: Case, team: Team, person: Practitioner, grade: str | None, policy: Policy) -> dict[str, Any]:
    allocated_on = allocation.allocated_at.astimezone(LONDON).date()
    found = (team.spo_staff or {}).get(allocation.allocated_by)
    spo: dict[str, Any] = found if isinstance(found, dict) else {}
    arrived = case.arrived_on or case.sentence_date
    return {
        "crn": case.crn,
        "team": team.code,
        "tier": case.tier,
        "sentence_date": case.sentence_date.isoformat(),
        "allocated_at": allocation.allocated_at.isoformat(),
        "arrived_on": arrived.isoformat(),
        "working_days_from_sentence": working_days_between(case.sentence_date, allocated_on),
        "working_days_from_arrival": working_days_between(arrived, allocated_on),
        "team_target_met": allocated_on <= case.due_by,
        "policy_version": allocation.policy_version,
        "staff_code": person.staff_code,
        "practitioner": person.name,
        "grade": grade or person.grade,
        "allocated_by_staff_code": spo.get("staff_code"),
        "allocated_by_name": spo.get("name"),
        "outside_policy": allocation.outside_policy,
        "policy_exceptions": list(allocation.policy_exceptions),
        "current": allocation.current,
        "reallocation_reason": policy.reason_label(allocation.reason) if allocation.reason else None,
    }


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    """A header row, then one line per allocation; booleans as true/false, exceptions joined by '; '."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    text = "; ".join(value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
