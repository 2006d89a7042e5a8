"""The App Home's read model: what each person sees on casebot's Home tab, as plain values.

`home_data(uow, user_id, now)` reads the database for one person. An SPO (a user in a team's
`spo_user_ids`) gets, per team, the queue of unallocated cases (soonest due first, overdue
marked), the team's capacity, the exceptions to policy of the last 30 days and the
touchpoints overdue. A practitioner gets their new cases of the last 14 days, their planned
touchpoints and their own workload. Someone who is both sees both. `blocks/home_blocks.py`
renders the result; handlers/presenters.py joins the two for the Home handler and for the
outbox's publisher (bot/adapters/home_publisher.py), which publishes at send time what
bot/services/home_refresh.py queued.

Who may see what is decided here, as in bot/queries/commands.py: restricted (limited-access) cases are
shown by name only to the SPOs of their team (they are in the SPO's queue); anywhere else
their name and CRN are blanked before the builders see them. No note text is ever read.

Cost: a fixed number of queries whatever the team size (about six per SPO team and four per
practitioner row), each bounded by LIMIT or by the team's staff, so a team of 200
practitioners and 1,000 open cases builds in tens of milliseconds (benchmarks/home_build.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from bot.domain.access import codes_of, open_to
from bot.domain.clock import LONDON
from bot.domain.home_view import (
    CapacityLine,
    ExceptionItem,
    HomeData,
    NewCaseItem,
    PractitionerSection,
    QueueItem,
    SpoSection,
    TouchpointItem,
)
from bot.domain.policy import CaseSnapshot
from bot.domain.vocabulary import terms_for
from bot.domain.workload import DEFAULT_TIER_POINTS
from bot.queries.caseload import away_today, workload_now
from bot.queries.handover import awaiting_handover
from storage.db import UnitOfWork
from storage.models import Allocation, Case, Practitioner, Team, Touchpoint

QUEUE_SHOWN = 20  # queue items with buttons (2 blocks each) for an SPO of one team
LIST_SHOWN = 15  # lines in each of the other lists
CAPACITY_SECTIONS = 8  # ~28 practitioners a section: 200 fit in 8
EXCEPTION_DAYS = 30
NEW_CASE_DAYS = 14


UowFactory = Callable[[], UnitOfWork]


HIDDEN = "a limited-access case its lists keep from you"


async def read_home(uow_factory: UowFactory, user_id: str, now: datetime, *, weights: Mapping[str, float] = DEFAULT_TIER_POINTS) -> HomeData:
    """`home_data` in its own unit of work (read only: nothing is committed)."""
    async with uow_factory() as uow:
        return await home_data(uow, user_id, now, weights=weights)


async def home_data(uow: UnitOfWork, user_id: str, now: datetime, *, weights: Mapping[str, float] = DEFAULT_TIER_POINTS) -> HomeData:
    local = now.astimezone(LONDON)
    today = local.date()
    # Teams are few (one per probation team or prison): their SPO lists, stored as JSON, are
    # filtered here rather than with each dialect's JSON operators (as bot/queries/commands.py does).
    teams = (await uow.session.scalars(select(Team).order_by(Team.name, Team.id))).all()
    spo_teams = [team for team in teams if user_id in (team.spo_user_ids or [])]
    own = (
        await uow.session.scalars(select(Practitioner).where(Practitioner.slack_user_id == user_id, Practitioner.active.is_(True)).order_by(Practitioner.id))
    ).all()
    spo_team_ids = {team.id for team in spo_teams}
    by_id = {team.id: team for team in teams}
    shares = max(1, len(spo_teams))
    queue_shown = max(3, QUEUE_SHOWN // shares)
    capacity_sections = max(2, CAPACITY_SECTIONS // shares)
    spo = [await _spo_section(uow, team, user_id, now, today, weights, queue_shown, capacity_sections) for team in spo_teams]
    practitioner = [await _practitioner_section(uow, person, by_id[person.team_id], spo_team_ids, now, today, weights) for person in own]
    return HomeData(user_id=user_id, today=today, updated_at=local, spo=spo, practitioner=practitioner)


def _london_day(at: datetime) -> date:
    return at.astimezone(LONDON).date()


async def _spo_section(
    uow: UnitOfWork, team: Team, user_id: str, now: datetime, today: date, weights: Mapping[str, float], queue_shown: int, capacity_sections: int
) -> SpoSection:
    # The queue: the soonest few, with the totals from window counts in the same query.
    waiting = [Case.team_id == team.id, Case.state == "unallocated"]
    rows = (
        await uow.session.execute(
            select(
                Case.id, Case.crn, Case.name, Case.tier, Case.sentence_type, Case.due_by, Case.restricted, Case.custodial,
                func.count().over(), func.sum(sql_case((Case.due_by < today, 1), else_=0)).over(), Case.excluded_practitioners, Case.restricted_to,
            )
            .where(*waiting)
            .order_by(Case.due_by, Case.id)
            .limit(queue_shown)
        )
    ).all()  # fmt: skip
    queue = [
        QueueItem(case_id=r[0], crn=r[1], name=r[2], tier=r[3], sentence_type=r[4], due_by=r[5], restricted=r[6], custodial=r[7])
        if not r[6] or open_to(CaseSnapshot(tier=r[3], excluded_practitioners=tuple(r[10] or ()), restricted_to=tuple(r[11] or ())), codes_of(team, user_id))
        # Counted, so the totals stay true, but nothing of it shown to an SPO its lists keep it from.
        else QueueItem(case_id=r[0], crn="restricted", name=HIDDEN, tier="-", sentence_type="not on its list", due_by=r[5], restricted=True, custodial=False)
        for r in rows
    ]  # fmt: skip
    queue_total = int(rows[0][8]) if rows else 0
    queue_overdue = int(rows[0][9] or 0) if rows else 0

    capacity = await _capacity(uow, team.id, weights, today)

    since = now - timedelta(days=EXCEPTION_DAYS)
    rows = (
        await uow.session.execute(
            select(
                Case.crn, Case.name, Case.tier, Case.restricted, Practitioner.name, Practitioner.grade,
                Allocation.allocated_by, Allocation.allocated_at, Allocation.policy_exceptions, Allocation.reason, func.count().over(),
                Case.id, Allocation.current,
            )
            .join(Case, Case.id == Allocation.case_id)
            .join(Practitioner, Practitioner.id == Allocation.practitioner_id)
            .where(Case.team_id == team.id, Allocation.outside_policy.is_(True), Allocation.allocated_at >= since)
            .order_by(Allocation.allocated_at.desc(), Allocation.id.desc())
            .limit(LIST_SHOWN)
        )
    ).all()  # fmt: skip
    exceptions = [
        ExceptionItem(
            case_id=r[11], current=bool(r[12]), crn=r[0], name=r[1], tier=r[2], restricted=r[3], practitioner_name=r[4], grade=r[5], allocated_by=r[6],
            allocated_on=_london_day(r[7]), reasons=[str(x) for x in (r[8] or [])], reallocation=r[9] is not None,
        )
        for r in rows
    ]  # fmt: skip
    exceptions_total = int(rows[0][10]) if rows else 0

    codes = codes_of(team, user_id)
    overdue, overdue_total = await _touchpoints(
        uow, [Case.team_id == team.id, Touchpoint.due_on < today], may_see=lambda _team, snapshot: open_to(snapshot, codes)
    )
    handovers, handovers_total = await awaiting_handover(uow, team.id, may_see=lambda snapshot: open_to(snapshot, codes), hidden_name=HIDDEN)
    return SpoSection(
        team_name=team.name, terms=terms_for(team.service), queue=queue, queue_total=queue_total, queue_overdue=queue_overdue,
        capacity=capacity, exceptions=exceptions, exceptions_total=exceptions_total, exception_days=EXCEPTION_DAYS,
        overdue_touchpoints=overdue, overdue_total=overdue_total, capacity_sections_max=capacity_sections,
        awaiting_handover=handovers, awaiting_handover_total=handovers_total,
    )  # fmt: skip


async def _capacity(uow: UnitOfWork, team_id: int, weights: Mapping[str, float], today: date) -> list[CapacityLine]:
    """Each active practitioner's workload, counted as bot/queries/candidates.py counts it (the
    workforce source's caseload, or the teams file's, plus casebot's allocations it does not count
    yet), and whether they are away today: two queries for the whole team."""
    staff = await uow.teams.active_practitioners(team_id)
    held = await uow.allocations.held_tiers([p.id for p in staff])
    lines = []
    for person in staff:
        figures = workload_now(person, held[person.id], weights)
        lines.append(
            CapacityLine(
                name=person.name, grade=person.grade, percent=figures.percent, tier_mix=figures.tier_mix,
                ready_for_tiers=list(person.ready_for_tiers or []), away=away_today(person, today), from_feed=figures.from_feed,
            )
        )  # fmt: skip
    lines.sort(key=lambda line: (line.away is not None, line.percent, line.name))  # most room first, anyone away last: whom to allocate to next
    return lines


async def _touchpoints(uow: UnitOfWork, where: Sequence[Any], *, may_see: Callable[[int, CaseSnapshot], bool]) -> tuple[list[TouchpointItem], int]:
    """Planned touchpoints of allocations in force matching `where`, soonest (or longest
    overdue) first, at most LIST_SHOWN, with the total. `may_see(team_id, case)`: whether the
    reader may see this restricted case of that team by name (its lists, bot/domain/access.py)."""
    rows = (
        await uow.session.execute(
            select(
                Touchpoint.due_on, Touchpoint.priority, Case.crn, Case.name, Case.restricted, Case.team_id,
                Practitioner.name, Practitioner.slack_user_id, Allocation.allocated_by, func.count().over(),
                Case.tier, Case.excluded_practitioners, Case.restricted_to,
            )
            .join(Allocation, Allocation.id == Touchpoint.allocation_id)
            .join(Case, Case.id == Touchpoint.case_id)
            .join(Practitioner, Practitioner.id == Allocation.practitioner_id)
            .where(Touchpoint.state == "planned", Touchpoint.due_on.is_not(None), Allocation.current.is_(True), *where)
            .order_by(Touchpoint.due_on, Touchpoint.id)
            .limit(LIST_SHOWN)
        )
    ).all()  # fmt: skip
    items = []
    for r in rows:
        snapshot = CaseSnapshot(tier=r[10], excluded_practitioners=tuple(r[11] or ()), restricted_to=tuple(r[12] or ()))
        hidden, due_on = bool(r[4]) and not may_see(r[5], snapshot), r[0]
        assert due_on is not None, "the query keeps only touchpoints with a due date"
        items.append(
            TouchpointItem(
                crn="" if hidden else r[2], name="" if hidden else r[3], hidden=hidden, due_on=due_on, priority=r[1],
                practitioner_name=r[6], practitioner_user_id=r[7], spo_user_id=r[8],
            )
        )  # fmt: skip
    return items, (int(rows[0][9]) if rows else 0)


async def _practitioner_section(
    uow: UnitOfWork, person: Practitioner, team: Team, spo_team_ids: set[int], now: datetime, today: date, weights: Mapping[str, float]
) -> PractitionerSection:
    def may_see(team_id: int, _case: CaseSnapshot | None = None) -> bool:
        """The practitioner holds the case; its restricted details stay with the team's SPOs."""
        return team_id in spo_team_ids

    since = now - timedelta(days=NEW_CASE_DAYS)
    rows = (
        await uow.session.execute(
            select(
                Case.id, Case.crn, Case.name, Case.tier, Case.sentence_type, Case.restricted, Case.team_id,
                Allocation.allocated_at, Allocation.allocated_by, func.count().over(),
            )
            .join(Case, Case.id == Allocation.case_id)
            .where(Allocation.practitioner_id == person.id, Allocation.current.is_(True), Allocation.allocated_at >= since)
            .order_by(Allocation.allocated_at.desc(), Allocation.id.desc())
            .limit(LIST_SHOWN)
        )
    ).all()  # fmt: skip
    new_cases = []
    for r in rows:
        hidden = bool(r[5]) and not may_see(r[6])
        new_cases.append(
            NewCaseItem(
                case_id=r[0], crn="" if hidden else r[1], name="" if hidden else r[2], hidden=hidden, tier=r[3],
                sentence_type=r[4], allocated_on=_london_day(r[7]), allocated_by=r[8],
            )
        )  # fmt: skip
    new_total = int(rows[0][9]) if rows else 0

    touchpoints, touchpoints_total = await _touchpoints(uow, [Allocation.practitioner_id == person.id], may_see=may_see)
    tiers = (await uow.allocations.held_tiers([person.id]))[person.id]
    figures = workload_now(person, tiers, weights)
    return PractitionerSection(
        team_name=team.name, terms=terms_for(team.service), grade=person.grade, percent=figures.percent, tier_mix=figures.tier_mix,
        ready_for_tiers=list(person.ready_for_tiers or []), new_cases=new_cases, new_total=new_total, new_days=NEW_CASE_DAYS,
        touchpoints=touchpoints, touchpoints_total=touchpoints_total,
    )  # fmt: skip
