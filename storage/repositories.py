"""Queries, one small repository per aggregate. Repositories never commit (the unit of work does)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, case, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload, selectinload

from bot.domain.policy_file import Policy, default_policy, parse_policy
from storage.models import (
    Allocation,
    AuditEvent,
    Base,
    Case,
    DailyRun,
    OutboxMessage,
    Practitioner,
    ScheduledJob,
    StoredPolicy,
    Team,
    Touchpoint,
    UserPreference,
)

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    """The shared part: fetch by id and add."""

    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, id_: int, *, for_update: bool = False) -> M | None:
        return await self.session.get(self.model, id_, with_for_update=for_update)

    def add(self, obj: M) -> M:
        self.session.add(obj)
        return obj

    async def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Many rows (column values) in one executemany, for batch intake: no ids come back, and
        SQLite cannot batch ORM inserts that return ids (SQLAlchemy falls back to one statement a row)."""
        if rows:
            await self.session.execute(insert(self.model), list(rows))

    async def insert_returning_ids(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Many rows in one statement (Core, insertmanyvalues), their new ids in the rows' order:
        one round trip where an insert and a read-back would take two."""
        if not rows:
            return []
        result = await self.session.execute(insert(self.model).returning(self.model.id, sort_by_parameter_order=True), list(rows))  # type: ignore[attr-defined]
        return list(result.scalars())


class TeamRepository(Repository[Team]):
    model = Team

    async def by_code(self) -> dict[str, Team]:
        rows = await self.session.scalars(select(Team).options(selectinload(Team.practitioners)))
        return {team.code: team for team in rows}

    async def plain(self) -> Sequence[Team]:
        """Every team, without its staff (the scheduler's morning runs need only ids and codes)."""
        return (await self.session.scalars(select(Team).order_by(Team.code))).all()

    async def by_codes(self, codes: Iterable[str]) -> dict[str, Team]:
        """Only the named teams, without their staff: what intake needs per request."""
        rows = await self.session.scalars(select(Team).where(Team.code.in_(list(codes))))
        return {team.code: team for team in rows}

    async def active_practitioners(self, team_id: int) -> Sequence[Practitioner]:
        return (
            await self.session.scalars(select(Practitioner).where(Practitioner.team_id == team_id, Practitioner.active.is_(True)).order_by(Practitioner.name))
        ).all()

    async def practitioner(self, practitioner_id: int) -> Practitioner | None:
        return await self.session.get(Practitioner, practitioner_id)

    def add_practitioner(self, practitioner: Practitioner) -> Practitioner:
        self.session.add(practitioner)
        return practitioner

    async def practitioners_by_code(self, codes: Iterable[str]) -> dict[str, Practitioner]:
        rows = await self.session.scalars(select(Practitioner).where(Practitioner.staff_code.in_(list(codes))))
        return {p.staff_code: p for p in rows}


class CaseRepository(Repository[Case]):
    model = Case

    async def by_event_ids(self, event_ids: Iterable[str]) -> dict[str, Case]:
        ids = list(event_ids)
        if not ids:
            return {}
        rows = await self.session.scalars(select(Case).where(Case.event_id.in_(ids)).options(selectinload(Case.team)))
        return {case.event_id: case for case in rows}

    async def with_team(self, case_id: int) -> Case | None:
        """One case and its team in one query (a join: selectin would make it two round trips on
        the Details and Allocate clicks)."""
        return await self.session.scalar(select(Case).where(Case.id == case_id).options(joinedload(Case.team)))

    async def mark_allocated(self, case_id: int) -> bool:
        """unallocated -> allocated, atomically; False when someone else got there first.

        A conditional update, not read-then-write: two SPOs submitting at once (or one SPO
        double-clicking) race here and exactly one wins, on SQLite and PostgreSQL alike.
        """
        result = await self.session.execute(
            update(Case).where(Case.id == case_id, Case.state == "unallocated").values(state="allocated").execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def card_row(self, case_id: int) -> OutboxMessage | None:
        """The outbox row that posted the case's channel card (or the first restricted DM)."""
        return await self.session.scalar(
            select(OutboxMessage).where(OutboxMessage.case_id == case_id, OutboxMessage.purpose.in_(("case_card",))).order_by(OutboxMessage.id).limit(1)
        )

    async def restricted_rows(self, case_id: int) -> Sequence[OutboxMessage]:
        return (
            await self.session.scalars(
                select(OutboxMessage).where(OutboxMessage.case_id == case_id, OutboxMessage.purpose == "restricted_case_dm").order_by(OutboxMessage.id)
            )
        ).all()

    async def awaiting_allocation(self, team_id: int, due_on_or_before: date) -> Sequence[Case]:
        """Unallocated cases of a team due by a date, soonest first (the morning chase)."""
        return (
            await self.session.scalars(
                select(Case).where(Case.team_id == team_id, Case.state == "unallocated", Case.due_by <= due_on_or_before).order_by(Case.due_by, Case.id)
            )
        ).all()

    async def count_by_state(self) -> dict[str, int]:
        rows = await self.session.execute(select(Case.state, func.count()).group_by(Case.state))
        return {state: count for state, count in rows.all()}


class AllocationRepository(Repository[Allocation]):
    model = Allocation

    async def current_for_case(self, case_id: int) -> Allocation | None:
        return await self.session.scalar(
            select(Allocation).where(Allocation.case_id == case_id, Allocation.current.is_(True)).options(selectinload(Allocation.practitioner))
        )

    async def held_tiers(self, practitioner_ids: Sequence[int]) -> dict[int, list[str]]:
        """Each practitioner's cases allocated through casebot and in force, as tiers."""
        held: dict[int, list[str]] = {pid: [] for pid in practitioner_ids}
        for pid, tier, count, _ in await self.current_tier_counts(practitioner_ids):
            held[pid] += [tier] * count
        return held

    async def current_tier_counts(self, practitioner_ids: Sequence[int], recent_since: datetime | None = None) -> list[tuple[int, str, int, int]]:
        """(practitioner id, case tier, allocations in force, of which since `recent_since`):
        the caseload casebot itself has added, counted in SQL (a region holds tens of thousands)."""
        if not practitioner_ids:
            return []
        recent = func.sum(case((Allocation.allocated_at >= recent_since, 1), else_=0)) if recent_since else func.sum(0)
        rows = await self.session.execute(
            select(Allocation.practitioner_id, Case.tier, func.count(), recent)
            .join(Case, Case.id == Allocation.case_id)
            .where(Allocation.current.is_(True), Allocation.practitioner_id.in_(list(practitioner_ids)))
            .group_by(Allocation.practitioner_id, Case.tier)
        )
        return [(pid, tier, int(count), int(recent_count or 0)) for pid, tier, count, recent_count in rows.all()]

    async def end_current(self, allocation_id: int, now: datetime) -> bool:
        """End an allocation in force, atomically; False when it was already ended."""
        result = await self.session.execute(
            update(Allocation)
            .where(Allocation.id == allocation_id, Allocation.current.is_(True))
            .values(current=False, ended_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def add_touchpoint(self, touchpoint: Touchpoint) -> Touchpoint:
        self.session.add(touchpoint)
        return touchpoint

    async def touchpoint(self, touchpoint_id: int) -> tuple[Touchpoint, Allocation, Case] | None:
        """A touchpoint with its allocation (and practitioner) and case (and team)."""
        return (await self.touchpoints([touchpoint_id])).get(touchpoint_id)

    async def touchpoints(self, ids: Iterable[int]) -> dict[int, tuple[Touchpoint, Allocation, Case]]:
        """Many touchpoints in one query (a scheduler tick may hold hundreds)."""
        wanted = list(ids)
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(Touchpoint, Allocation, Case)
            .join(Allocation, Allocation.id == Touchpoint.allocation_id)
            .join(Case, Case.id == Touchpoint.case_id)
            .where(Touchpoint.id.in_(wanted))
            .options(selectinload(Allocation.practitioner), selectinload(Case.team))
        )
        return {t.id: (t, a, c) for t, a, c in rows.all()}

    async def overdue_touchpoints(self, team_id: int, before: date) -> list[tuple[Touchpoint, Allocation, Case]]:
        rows = await self.session.execute(
            select(Touchpoint, Allocation, Case)
            .join(Allocation, Allocation.id == Touchpoint.allocation_id)
            .join(Case, Case.id == Touchpoint.case_id)
            .where(Case.team_id == team_id, Touchpoint.state == "planned", Touchpoint.due_on < before, Allocation.current.is_(True))
            .order_by(Touchpoint.due_on)
            .options(selectinload(Allocation.practitioner))
        )
        return [(t, a, c) for t, a, c in rows.all()]

    async def touchpoint_for(self, allocation_id: int) -> Touchpoint | None:
        return await self.session.scalar(select(Touchpoint).where(Touchpoint.allocation_id == allocation_id))


class JobRepository(Repository[ScheduledJob]):
    model = ScheduledJob

    async def claim_due(self, now: datetime, token: str, limit: int) -> Sequence[ScheduledJob]:
        """Take due jobs for this tick: one conditional UPDATE first, then read what we took.

        The UPDATE is the transaction's first statement, so on SQLite it queues on the write
        lock; on PostgreSQL a racing tick waits on the row locks and then finds the rows no
        longer 'planned'. Either way no job is taken twice, and a crash before commit leaves
        them planned (their work is done in the same transaction).
        """
        due = select(ScheduledJob.id).where(ScheduledJob.state == "planned", ScheduledJob.due_at <= now).order_by(ScheduledJob.due_at).limit(limit)
        await self.session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.id.in_(due.scalar_subquery()), ScheduledJob.state == "planned")
            .values(state="running", claim=token)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.scalars(select(ScheduledJob).where(ScheduledJob.claim == token, ScheduledJob.state == "running"))).all()

    async def cancel(self, *, touchpoint_id: int | None = None, case_id: int | None = None, kinds: Sequence[str] | None = None) -> None:
        """Cancel planned jobs of a touchpoint or a case (same transaction as the change)."""
        query = update(ScheduledJob).where(ScheduledJob.state == "planned")
        if touchpoint_id is not None:
            query = query.where(ScheduledJob.touchpoint_id == touchpoint_id)
        if case_id is not None:
            query = query.where(ScheduledJob.case_id == case_id)
        if kinds is not None:
            query = query.where(ScheduledJob.kind.in_(list(kinds)))
        await self.session.execute(query.values(state="cancelled").execution_options(synchronize_session=False))

    async def planned(self, *, touchpoint_id: int) -> Sequence[ScheduledJob]:
        return (
            await self.session.scalars(
                select(ScheduledJob).where(ScheduledJob.touchpoint_id == touchpoint_id, ScheduledJob.state == "planned").order_by(ScheduledJob.due_at)
            )
        ).all()

    async def runs_on(self, day: date) -> set[tuple[str, str]]:
        """(kind, scope) of every daily run recorded for `day`: one read, so an idle scheduler
        tick need not open a transaction per team to learn that the morning's work is done."""
        rows = await self.session.execute(select(DailyRun.kind, DailyRun.scope).where(DailyRun.day == day))
        return {(kind, scope) for kind, scope in rows.all()}

    async def first_run_today(self, kind: str, scope: str, day: date, now: datetime) -> bool:
        """Record that `kind` ran for `scope` today; False when it already had (any replica)."""
        exists_already = await self.session.scalar(select(DailyRun.id).where(DailyRun.kind == kind, DailyRun.scope == scope, DailyRun.day == day))
        if exists_already is not None:
            return False
        self.session.add(DailyRun(kind=kind, scope=scope, day=day, at=now))
        await self.session.flush()  # the unique key refuses a racing replica's insert
        return True


@lru_cache(maxsize=8)
def _parsed(text: str) -> Policy:
    """A stored policy's text was validated when loaded; parse it once per process, not per use."""
    return parse_policy(text)


class PolicyRepository(Repository[StoredPolicy]):
    model = StoredPolicy

    async def current_row(self) -> StoredPolicy | None:
        """The policy loaded last and in force; None when the shipped default applies. Should two
        loads ever race, the later one counts."""
        return await self.session.scalar(select(StoredPolicy).where(StoredPolicy.current.is_(True)).order_by(StoredPolicy.id.desc()).limit(1))

    async def current(self) -> Policy:
        """The policy in force: the one loaded, else the shipped default."""
        row = await self.current_row()
        return default_policy() if row is None else _parsed(row.text)

    async def by_version(self, version: str) -> StoredPolicy | None:
        return await self.session.scalar(select(StoredPolicy).where(StoredPolicy.version == version))

    async def make_current(self, row: StoredPolicy) -> None:
        """Put `row` in force and every other stored policy out of it (nothing else changes)."""
        await self.session.flush()
        await self.session.execute(
            update(StoredPolicy)
            .where(StoredPolicy.current.is_(True), StoredPolicy.id != row.id)
            .values(current=False)
            .execution_options(synchronize_session=False)
        )
        row.current = True


class PreferenceRepository(Repository[UserPreference]):
    model = UserPreference

    async def spo_copies(self, user_id: str) -> bool:
        pref = await self.session.get(UserPreference, user_id)
        return True if pref is None else pref.spo_copies

    async def set_spo_copies(self, user_id: str, on: bool, now: datetime) -> None:
        pref = await self.session.get(UserPreference, user_id)
        if pref is None:
            self.session.add(UserPreference(user_id=user_id, spo_copies=on, updated_at=now))
        else:
            pref.spo_copies = on
            pref.updated_at = now


class AuditRepository(Repository[AuditEvent]):
    model = AuditEvent

    async def for_case(self, case_id: int) -> Sequence[AuditEvent]:
        return (await self.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id))).all()


class OutboxRepository(Repository[OutboxMessage]):
    model = OutboxMessage

    async def claimable(
        self,
        now: datetime,
        limit: int,
        *,
        skip_locked: bool,
        only_prefixes: Sequence[str],
        per_lane: int = 1,
        held_lanes: Sequence[str] = (),
        held_methods: Sequence[str] = (),
        last_lanes: Sequence[str] = (),
    ) -> Sequence[OutboxMessage]:
        """Rows ready to send: due, not leased by a live worker, first in line for their key,
        and at most the first `per_lane` of each lane, so one busy lane cannot fill the batch.

        Per-key order is kept by only offering a row when no earlier row of its key is still
        unsent. `held_lanes` and `held_methods` (paced or paused by the caller) are left out.
        Order: lanes whose name starts with one of `last_lanes` after the others (so App Home
        publishes and write-backs never queue behind channel posts), then each lane's first
        row before any lane's second, oldest first. On PostgreSQL the rows are locked with
        SKIP LOCKED so replicas share the work.
        """
        earlier = aliased(OutboxMessage)
        blocked = exists().where(
            and_(
                earlier.ordering_key == OutboxMessage.ordering_key,
                earlier.id < OutboxMessage.id,
                earlier.state.in_(("pending", "sending")),
            )
        )
        ready = ((OutboxMessage.state == "pending") & (OutboxMessage.next_attempt_at <= now)) | (
            (OutboxMessage.state == "sending") & (OutboxMessage.lease_until < now)
        )
        deliverable = or_(*(OutboxMessage.method.startswith(prefix) for prefix in only_prefixes))
        conditions = [ready, deliverable, ~blocked]
        if held_lanes:
            conditions.append(OutboxMessage.lane.not_in(list(held_lanes)))
        if held_methods:
            conditions.append(OutboxMessage.method.not_in(list(held_methods)))
        place = func.row_number().over(partition_by=OutboxMessage.lane, order_by=OutboxMessage.id).label("place")
        ranked = select(OutboxMessage.id, place).where(*conditions).subquery()
        late = case((or_(*(OutboxMessage.lane.startswith(p) for p in last_lanes)), 1), else_=0) if last_lanes else None
        query = (
            select(OutboxMessage)
            .join(ranked, ranked.c.id == OutboxMessage.id)
            .where(ranked.c.place <= per_lane)
            .order_by(*([late] if late is not None else []), ranked.c.place, OutboxMessage.id)
            .limit(limit)
        )
        if skip_locked:
            query = query.with_for_update(skip_locked=True, of=OutboxMessage)
        return (await self.session.scalars(query)).all()

    async def lease(self, row: OutboxMessage, *, now: datetime, lease_until: datetime) -> bool:
        """Conditionally take the row; False when another worker took it first."""
        taken = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row.id,
                OutboxMessage.state == row.state,
                OutboxMessage.attempts == row.attempts,
            )
            .values(
                state="sending",
                attempts=OutboxMessage.attempts + 1,
                lease_until=lease_until,
                first_attempt_at=func.coalesce(OutboxMessage.first_attempt_at, now),
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(taken, "rowcount", 0) == 1)

    async def backlog(self) -> dict[str, int]:
        rows = await self.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
        return {state: count for state, count in rows.all()}

    async def for_case(self, case_id: int) -> Sequence[OutboxMessage]:
        return (await self.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id))).all()

    async def with_key(self, ordering_key: str, purpose: str) -> Sequence[OutboxMessage]:
        return (
            await self.session.scalars(
                select(OutboxMessage).where(OutboxMessage.ordering_key == ordering_key, OutboxMessage.purpose == purpose).order_by(OutboxMessage.id)
            )
        ).all()

    async def lock_pending(self, ordering_key: str, purpose: str) -> bool:
        """Lock the row of `ordering_key` and `purpose` still waiting to be sent, if there is one.

        A write that changes nothing, for its lock (PostgreSQL row lock; SQLite's write lock),
        held until the caller commits: the worker cannot claim the row meanwhile. False when no
        such row is waiting.
        """
        touched = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.ordering_key == ordering_key, OutboxMessage.purpose == purpose, OutboxMessage.state == "pending")
            .values(purpose=OutboxMessage.purpose)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(touched, "rowcount", 0))

    async def cancel_pending(self, case_id: int, purposes: Sequence[str]) -> None:
        """Stop messages not yet sent (a chase for a case that has just been allocated)."""
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.case_id == case_id, OutboxMessage.purpose.in_(list(purposes)), OutboxMessage.state == "pending")
            .values(state="cancelled")
            .execution_options(synchronize_session=False)
        )
