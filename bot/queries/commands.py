"""`/casebot`: the team's queue (and its cases awaiting handover), one case's history, a
practitioner's caseload.

The subcommand is parsed by handlers/command_text.py; each query here reads in one unit of
work, bounded by a limit, so the answer fits in Slack's 3 s. Who may see what is decided here, not in the
builders: sensitive text is dropped before it leaves this module unless the reader is an SPO
of the case's team, and restricted cases are only read for those SPOs. The results are plain
values (bot/domain/command_views.py) holding no ORM object, so a builder cannot leak what it
never received.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy import case as sql_case

from bot.domain.access import codes_of, open_to
from bot.domain.command_views import AwaitingCase, CaseloadView, HeldCase, QueueAnswer, QueueCase, TeamQueue
from bot.domain.enums import CaseState
from bot.domain.errors import CasebotError
from bot.domain.policy import CaseSnapshot
from bot.domain.workload import DEFAULT_TIER_POINTS
from bot.queries.caseload import away_today, workload_now
from storage.db import UnitOfWork
from storage.models import Allocation, Case, Practitioner, Team

QUEUE_LIMIT = 30  # cases listed per team; the rest are counted ("and N more")
CASELOAD_LIMIT = 30


UowFactory = Callable[[], UnitOfWork]


# ---------------------------------------------------------------------------------------------
# Who the caller is


class NotInTeam(CasebotError):
    """The caller is neither an SPO nor a practitioner of any team casebot knows."""


@dataclass(frozen=True)
class Membership:
    teams: list[Team]  # the caller's teams, by name; each without its staff loaded
    spo_team_ids: frozenset[int]

    def is_spo(self, team_id: int) -> bool:
        return team_id in self.spo_team_ids

    @property
    def team_ids(self) -> list[int]:
        return [team.id for team in self.teams]

    def visible_clause(self) -> ColumnElement[bool]:
        """The cases the caller may see, as SQL: their teams' cases, restricted ones only for
        the team's SPOs."""
        if not self.teams:
            return false()
        spo = list(self.spo_team_ids)
        unrestricted = Case.restricted.is_(False)
        return Case.team_id.in_(self.team_ids) & (or_(unrestricted, Case.team_id.in_(spo)) if spo else unrestricted)


async def membership(uow: UnitOfWork, user_id: str) -> Membership:
    """The teams where `user_id` is an SPO or an active practitioner. Teams are few (one per
    probation team or prison), so the SPO lists, stored as JSON, are filtered here rather than
    with each dialect's JSON operators."""
    teams = (await uow.session.scalars(select(Team).order_by(Team.name, Team.id))).all()
    as_practitioner = set(
        (await uow.session.scalars(select(Practitioner.team_id).where(Practitioner.slack_user_id == user_id, Practitioner.active.is_(True)))).all()
    )
    spo = frozenset(team.id for team in teams if user_id in (team.spo_user_ids or []))
    mine = [team for team in teams if team.id in spo or team.id in as_practitioner]
    return Membership(teams=mine, spo_team_ids=spo)


async def member_of(uow: UnitOfWork, user_id: str) -> Membership:
    found = await membership(uow, user_id)
    if not found.teams:
        raise NotInTeam()
    return found


# ---------------------------------------------------------------------------------------------
# queue


def queue_case(case: Case) -> QueueCase:
    """The columns a list line shows, copied out of the ORM row."""
    return QueueCase(crn=case.crn, name=case.name, tier=case.tier, due_by=case.due_by, restricted=case.restricted)


async def _kept_from(uow: UnitOfWork, where: list[ColumnElement[bool]], team: Team, user_id: str) -> list[int]:
    """The restricted cases among `where` whose lists keep them from this SPO (bot/domain/access.py).
    Restricted cases are few, so their JSON lists are read and checked here, not in SQL."""
    rows = await uow.session.execute(select(Case.id, Case.tier, Case.excluded_practitioners, Case.restricted_to).where(*where, Case.restricted.is_(True)))
    codes = codes_of(team, user_id)
    return [r[0] for r in rows if not open_to(CaseSnapshot(tier=r[1], excluded_practitioners=tuple(r[2] or ()), restricted_to=tuple(r[3] or ())), codes)]


async def _visible_in(uow: UnitOfWork, team: Team, state: str, user_id: str, *, spo: bool) -> list[ColumnElement[bool]]:
    """The team's cases in `state` this caller may see: restricted ones only for the team's
    SPOs, and of those only the ones the case's lists leave open to this SPO."""
    where = [Case.team_id == team.id, Case.state == state]
    if not spo:
        where.append(Case.restricted.is_(False))
    elif closed := await _kept_from(uow, where, team, user_id):
        where.append(Case.id.not_in(closed))
    return where


async def queue(uow_factory: UowFactory, user_id: str, *, today: date, limit: int = QUEUE_LIMIT) -> QueueAnswer:
    """Each of the caller's teams' unallocated cases, soonest due first, then its POM-led
    custodial cases awaiting handover, soonest to join the queue first; restricted ones only
    for the team's SPOs. Raises NotInTeam."""
    async with uow_factory() as uow:
        member = await member_of(uow, user_id)
        teams = []
        for team in member.teams:
            spo = member.is_spo(team.id)
            where = await _visible_in(uow, team, CaseState.UNALLOCATED, user_id, spo=spo)
            cases = (await uow.session.scalars(select(Case).where(*where).order_by(Case.due_by, Case.id).limit(limit))).all()
            total, overdue = (
                await uow.session.execute(select(func.count(), func.sum(sql_case((Case.due_by < today, 1), else_=0))).select_from(Case).where(*where))
            ).one()
            waiting = await _visible_in(uow, team, CaseState.AWAITING_HANDOVER, user_id, spo=spo)
            awaiting = (await uow.session.scalars(select(Case).where(*waiting).order_by(Case.allocatable_from, Case.id).limit(limit))).all()
            awaiting_total = await uow.session.scalar(select(func.count()).select_from(Case).where(*waiting))
            teams.append(
                TeamQueue(
                    team_name=team.name,
                    service=team.service,
                    viewer_is_spo=spo,
                    cases=[queue_case(c) for c in cases],
                    total=int(total),
                    overdue=int(overdue or 0),
                    awaiting=[AwaitingCase(queue_case(c), c.handover_date, c.allocatable_from) for c in awaiting],
                    awaiting_total=int(awaiting_total or 0),
                )
            )
    return QueueAnswer(today=today, teams=teams)


# ---------------------------------------------------------------------------------------------
# caseload


class UnknownPerson(CasebotError):
    """Nobody with this Slack id is a practitioner in casebot's teams."""

    def __init__(self, user_id: str) -> None:
        super().__init__(user_id)
        self.user_id = user_id


class NotAllowed(CasebotError):
    """The caller may not see this; `team_names` says whose SPOs may."""

    def __init__(self, user_id: str, team_names: Sequence[str]) -> None:
        super().__init__(user_id)
        self.user_id = user_id
        self.team_names = list(team_names)


async def caseload(
    uow_factory: UowFactory,
    user_id: str,
    person: str,
    *,
    today: date,
    weights: Mapping[str, float] = DEFAULT_TIER_POINTS,
    limit: int = CASELOAD_LIMIT,
) -> list[CaseloadView]:
    """`person`'s open cases allocated through casebot, workload now and whether away `today`
    (a London date), per team they work in.

    Shown to the SPOs of the practitioner's team and to the practitioner themselves, as App
    Home does (SPOs see the team's capacity, a practitioner their own workload). Raises
    NotInTeam, UnknownPerson or NotAllowed.
    """
    async with uow_factory() as uow:
        member = await member_of(uow, user_id)
        rows = (
            await uow.session.execute(
                select(Practitioner, Team)
                .join(Team, Team.id == Practitioner.team_id)
                .where(Practitioner.slack_user_id == person)
                .order_by(Practitioner.active.desc(), Team.name, Practitioner.id)
            )
        ).all()
        if not rows:
            raise UnknownPerson(person)
        allowed = [(p, team) for p, team in rows if person == user_id or member.is_spo(p.team_id)]
        if not allowed:
            raise NotAllowed(person, [team.name for _, team in rows])
        views = []
        for practitioner, team in allowed:
            tiers = (await uow.allocations.held_tiers([practitioner.id]))[practitioner.id]  # as bot/queries/candidates.py counts
            listable = [Allocation.practitioner_id == practitioner.id, Allocation.current.is_(True)]
            if not member.is_spo(practitioner.team_id):
                listable.append(Case.restricted.is_(False))
            listed = (
                await uow.session.execute(
                    select(Case, Allocation.allocated_at)
                    .join(Allocation, Allocation.case_id == Case.id)
                    .where(*listable)
                    .order_by(Allocation.allocated_at.desc(), Case.id.desc())
                    .limit(limit)
                )
            ).all()
            listed_total = await uow.session.scalar(select(func.count()).select_from(Allocation).join(Case, Case.id == Allocation.case_id).where(*listable))
            views.append(
                CaseloadView(
                    name=practitioner.name, grade=practitioner.grade, staff_code=practitioner.staff_code,
                    user_id=practitioner.slack_user_id, active=practitioner.active, team_name=team.name, service=team.service,
                    workload=workload_now(practitioner, tiers, weights),
                    cases=[HeldCase(case=queue_case(c), allocated_at=at) for c, at in listed],
                    listed_total=int(listed_total or 0), restricted_hidden=len(tiers) - int(listed_total or 0),
                    away=away_today(practitioner, today),
                )
            )  # fmt: skip
    return views
