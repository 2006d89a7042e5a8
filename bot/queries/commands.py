"""`/casebot`: the team's queue, one case's history, a practitioner's caseload.

The subcommand is parsed here (pure) and each query reads in one unit of work, bounded by a
limit, so the answer fits in Slack's 3 s. Who may see what is decided here, not in the
builders: sensitive text is dropped before it leaves this module unless the reader is an SPO
of the case's team, and restricted cases are only read for those SPOs. The results are plain
dataclasses holding no ORM object with sensitive text, so a builder cannot leak what it
never received.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import selectinload

from bot.domain.case_input import CRN_PATTERN
from bot.domain.policy_file import Policy
from bot.domain.slack_text import looks_like_user_id
from bot.domain.workload import DEFAULT_TIER_POINTS
from bot.queries.caseload import Workload, workload_now
from storage.db import UnitOfWork
from storage.models import Allocation, AuditEvent, Case, Practitioner, Team, Touchpoint

QUEUE_LIMIT = 30  # cases listed per team; the rest are counted ("and N more")
CASELOAD_LIMIT = 30
ALLOCATIONS_LIMIT = 10  # allocations shown in a case's history, newest first
AUDIT_LIMIT = 25  # the latest audit events of a case

# Audit detail that may be shown to anyone who may see the case: codes, dates, flags, never text.
SAFE_AUDIT_DETAIL = (
    "reason", "from_staff_code", "staff_code", "grade", "tier", "outside_policy", "kept_touchpoint", "due_on", "what", "team", "sensitive",
)  # fmt: skip

UowFactory = Callable[[], UnitOfWork]


# ---------------------------------------------------------------------------------------------
# Parsing


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class QueueQuery:
    pass


@dataclass(frozen=True)
class CaseQuery:
    crn: str


@dataclass(frozen=True)
class CaseloadQuery:
    user_id: str


Command = Help | QueueQuery | CaseQuery | CaseloadQuery


class UsageProblem(Exception):
    """The text is not a command we know; `message` says what was wrong (plain text, may quote
    the caller's own words, so builders escape it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


QUOTE_MAX = 40


def _quoted(word: str) -> str:
    """The caller's word as they typed it (Slack escapes &, < and > when should_escape is on)."""
    shown = html.unescape(word)
    return shown if len(shown) <= QUOTE_MAX else shown[: QUOTE_MAX - 1] + "…"


_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def _mentioned(text: str) -> str | None:
    """The user id when `text` is one mention as Slack sends it: `<@U123>` or `<@U123|name>`
    (the name may hold spaces)."""
    found = _MENTION.fullmatch(text)
    return found.group(1) if found and looks_like_user_id(found.group(1)) else None


def parse(text: str) -> Command:
    """The command in `/casebot`'s text; raises UsageProblem naming what was wrong."""
    words = (text or "").split()
    if not words:
        return Help()
    sub, args = words[0].lower(), words[1:]
    rest = (text or "").strip()[len(words[0]) :].strip()
    if sub == "help":
        return Help()
    if sub == "queue":
        if args:
            raise UsageProblem(f"`queue` takes nothing after it (got “{_quoted(' '.join(args))}”).")
        return QueueQuery()
    if sub == "case":
        if not args:
            raise UsageProblem("`case` needs a CRN, e.g. `/casebot case X123456`.")
        if len(args) > 1:
            raise UsageProblem("`case` takes one CRN, e.g. `/casebot case X123456`.")
        crn = args[0].upper()
        if not CRN_PATTERN.match(crn):
            raise UsageProblem(f"“{_quoted(args[0])}” is not a CRN: a CRN is one letter and six digits, e.g. X123456.")
        return CaseQuery(crn)
    if sub == "caseload":
        if not rest:
            raise UsageProblem("`caseload` needs a person: mention them, e.g. `/casebot caseload @Ada`.")
        user_id = _mentioned(rest)
        if user_id is not None:
            return CaseloadQuery(user_id)
        if rest.count("<@") > 1:
            raise UsageProblem("`caseload` takes one person: mention them, e.g. `/casebot caseload @Ada`.")
        raise UsageProblem(f"“{_quoted(rest)}” is not a person: mention them with @, e.g. `/casebot caseload @Ada`.")
    raise UsageProblem(f"I don't know “{_quoted(words[0])}”.")


# ---------------------------------------------------------------------------------------------
# Who the caller is


class NotInTeam(Exception):
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


async def _member(uow: UnitOfWork, user_id: str) -> Membership:
    found = await membership(uow, user_id)
    if not found.teams:
        raise NotInTeam()
    return found


# ---------------------------------------------------------------------------------------------
# queue


@dataclass(frozen=True)
class TeamQueue:
    team_name: str
    service: str  # probation | prison: whose words the answer uses (bot/domain/vocabulary.py)
    viewer_is_spo: bool
    cases: list[Case]  # soonest due first, at most the limit
    total: int
    overdue: int


@dataclass(frozen=True)
class QueueAnswer:
    today: date
    teams: list[TeamQueue]


async def queue(uow_factory: UowFactory, user_id: str, *, today: date, limit: int = QUEUE_LIMIT) -> QueueAnswer:
    """Each of the caller's teams' unallocated cases, soonest due first; restricted ones only
    for the team's SPOs. Raises NotInTeam."""
    async with uow_factory() as uow:
        member = await _member(uow, user_id)
        teams = []
        for team in member.teams:
            spo = member.is_spo(team.id)
            where = [Case.team_id == team.id, Case.state == "unallocated"]
            if not spo:
                where.append(Case.restricted.is_(False))
            cases = (await uow.session.scalars(select(Case).where(*where).order_by(Case.due_by, Case.id).limit(limit))).all()
            total, overdue = (
                await uow.session.execute(select(func.count(), func.sum(sql_case((Case.due_by < today, 1), else_=0))).select_from(Case).where(*where))
            ).one()
            teams.append(
                TeamQueue(team_name=team.name, service=team.service, viewer_is_spo=spo, cases=list(cases), total=int(total), overdue=int(overdue or 0))
            )
    return QueueAnswer(today=today, teams=teams)


# ---------------------------------------------------------------------------------------------
# case


class CaseNotVisible(Exception):
    """No case with this CRN that the caller may see. One answer for 'none held', 'another
    team's' and 'restricted', so the command never tells whether a restricted case exists."""


@dataclass(frozen=True)
class Note:
    """A text someone wrote, or the fact that it is withheld from this reader."""

    text: str | None
    withheld: bool
    sensitive: bool  # shown to an SPO, marked so they know not to pass it on


def note(text: str | None, sensitive: bool | None, may_read_sensitive: bool) -> Note | None:
    """`text` as this reader may see it. A note whose sensitivity was never answered is treated
    as sensitive: failing closed costs an SPO a look, failing open could breach a SAR."""
    if not text:
        return None
    flagged = sensitive is not False
    if flagged and not may_read_sensitive:
        return Note(text=None, withheld=True, sensitive=True)
    return Note(text=text, withheld=False, sensitive=flagged)


@dataclass(frozen=True)
class TouchpointRecord:
    state: str
    priority: str
    due_on: date | None
    not_required_reason: str | None
    notes: Note | None
    outcome_by: str | None
    outcome_at: datetime | None


@dataclass(frozen=True)
class AllocationRecord:
    practitioner_name: str
    practitioner_user_id: str
    staff_code: str
    grade: str
    allocated_by: str
    allocated_at: datetime
    current: bool
    ended_at: datetime | None
    reason: str | None  # why it was reallocated to this practitioner, in words (None for the first)
    outside_policy: bool
    policy_exceptions: list[str]
    evidence: Note | None
    hate_crime: bool
    hate_crime_notes: Note | None
    discrimination: bool
    discrimination_notes: Note | None
    touchpoint: TouchpointRecord | None


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class CaseHistory:
    case: Case  # columns only; the team's name is in team_name
    team_name: str
    service: str
    viewer_is_spo: bool
    today: date
    allocations: list[AllocationRecord]  # newest first
    allocations_total: int
    audit: list[AuditLine]  # oldest first, the latest `AUDIT_LIMIT`
    audit_total: int
    other_events: int  # other sentence events with this CRN the caller may see


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
        member = await _member(uow, user_id)
        policy = await uow.policies.current()
        visible = (
            await uow.session.scalars(select(Case).where(Case.crn == crn, member.visible_clause()).order_by(Case.received_at.desc(), Case.id.desc()).limit(10))
        ).all()
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
            case=case, team_name=team.name, service=team.service, viewer_is_spo=spo, today=today,
            allocations=[_allocation(a, touchpoints.get(a.id), may_read_sensitive(spo, a, user_id), policy) for a in allocations],
            allocations_total=int(allocations_total or 0),
            audit=[_audit_line(e, policy) for e in reversed(events)], audit_total=int(audit_total or 0), other_events=len(visible) - 1,
        )  # fmt: skip


def _audit_line(event: AuditEvent, policy: Policy) -> AuditLine:
    detail = {key: event.detail[key] for key in SAFE_AUDIT_DETAIL if key in (event.detail or {})}
    if isinstance(detail.get("reason"), str):
        detail["reason"] = policy.reason_label(detail["reason"])
    return AuditLine(at=event.at, actor=event.actor, action=event.action, detail=detail)


# ---------------------------------------------------------------------------------------------
# caseload


class UnknownPerson(Exception):
    """Nobody with this Slack id is a practitioner in casebot's teams."""

    def __init__(self, user_id: str) -> None:
        super().__init__(user_id)
        self.user_id = user_id


class NotAllowed(Exception):
    """The caller may not see this; `team_names` says whose SPOs may."""

    def __init__(self, user_id: str, team_names: Sequence[str]) -> None:
        super().__init__(user_id)
        self.user_id = user_id
        self.team_names = list(team_names)


@dataclass(frozen=True)
class HeldCase:
    case: Case
    allocated_at: datetime


@dataclass(frozen=True)
class CaseloadView:
    name: str
    grade: str
    staff_code: str
    user_id: str
    active: bool
    team_name: str
    service: str
    workload: Workload
    cases: list[HeldCase]  # newest allocation first, at most the limit
    listed_total: int  # cases this reader may see listed
    restricted_hidden: int  # restricted cases counted in the workload but not listed


async def caseload(
    uow_factory: UowFactory, user_id: str, person: str, *, weights: Mapping[str, float] = DEFAULT_TIER_POINTS, limit: int = CASELOAD_LIMIT
) -> list[CaseloadView]:
    """`person`'s open cases allocated through casebot and workload now, per team they work in.

    Shown to the SPOs of the practitioner's team and to the practitioner themselves, as App
    Home does (SPOs see the team's capacity, a practitioner their own workload). Raises
    NotInTeam, UnknownPerson or NotAllowed.
    """
    async with uow_factory() as uow:
        member = await _member(uow, user_id)
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
                    cases=[HeldCase(case=c, allocated_at=at) for c, at in listed],
                    listed_total=int(listed_total or 0), restricted_hidden=len(tiers) - int(listed_total or 0),
                )
            )  # fmt: skip
    return views
