"""Allocations in force, the caseload they add, and their touchpoints."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import selectinload

from bot.domain.facts import DueTouchpoint
from storage.models import (
    Allocation,
    Case,
    Practitioner,
    Team,
    Touchpoint,
)
from storage.models.cases import SUMMARY_FIELDS, summary_columns, summary_of
from storage.repositories.base import Repository


class AllocationRepository(Repository[Allocation]):
    model = Allocation

    async def current_for_case(self, case_id: int) -> Allocation | None:
        return await self.session.scalar(
            select(Allocation).where(Allocation.case_id == case_id, Allocation.current.is_(True)).options(selectinload(Allocation.practitioner))
        )

    async def held_tiers(self, practitioner_ids: Sequence[int]) -> dict[int, list[str]]:
        """Each practitioner's cases allocated through casebot and in force, as tiers; those the
        workforce source counts already are left out (`current_tier_counts`)."""
        held: dict[int, list[str]] = {pid: [] for pid in practitioner_ids}
        for pid, tier, count, _ in await self.current_tier_counts(practitioner_ids):
            held[pid] += [tier] * count
        return held

    async def current_tier_counts(self, practitioner_ids: Sequence[int], recent_since: datetime | None = None) -> list[tuple[int, str, int, int]]:
        """(practitioner id, case tier, allocations in force the workforce source does not count
        yet, allocations since `recent_since` whether counted or not):
        the caseload casebot itself has added, counted in SQL (a region holds tens of thousands).

        When the workforce source has sent a caseload (`feed_as_of`), the allocations before it
        are in its figures already (docs/workload.md): only the later ones are added. The tier
        is the allocation's copy of its case's, so the counts come from the index
        `ix_allocations_caseload` and the practitioners alone, never the cases."""
        if not practitioner_ids:
            return []
        unreported = or_(Practitioner.feed_as_of.is_(None), Allocation.allocated_at > Practitioner.feed_as_of)
        recent = func.sum(case((Allocation.allocated_at >= recent_since, 1), else_=0)) if recent_since else func.sum(0)
        rows = await self.session.execute(
            select(Allocation.practitioner_id, Allocation.tier, func.sum(case((unreported, 1), else_=0)), recent)
            .join(Practitioner, Practitioner.id == Allocation.practitioner_id)
            .where(Allocation.current.is_(True), Allocation.practitioner_id.in_(list(practitioner_ids)))
            .group_by(Allocation.practitioner_id, Allocation.tier)
        )
        return [(pid, tier, int(count or 0), int(recent_count or 0)) for pid, tier, count, recent_count in rows.all()]

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
        row = (
            await self.session.execute(
                select(Touchpoint, Allocation, Case)
                .join(Allocation, Allocation.id == Touchpoint.allocation_id)
                .join(Case, Case.id == Touchpoint.case_id)
                .where(Touchpoint.id == touchpoint_id)
                .options(selectinload(Allocation.practitioner), selectinload(Case.team))
            )
        ).first()
        return (row[0], row[1], row[2]) if row else None

    async def due_touchpoints(self, ids: Iterable[int]) -> dict[int, DueTouchpoint]:
        """What the reminders of many touchpoints say, in one query of plain columns: a
        scheduler tick may hold hundreds, and ORM rows of three tables cost several times the
        read itself. Inner joins: a touchpoint without its allocation or case is left out."""
        wanted = list(ids)
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(
                Touchpoint.id, Touchpoint.state, Touchpoint.due_on, Touchpoint.priority, Allocation.current,
                Practitioner.slack_user_id, Allocation.allocated_by, Team.service, *summary_columns(),
            )
            .join(Allocation, Allocation.id == Touchpoint.allocation_id)
            .join(Practitioner, Practitioner.id == Allocation.practitioner_id)
            .join(Case, Case.id == Touchpoint.case_id)
            .join(Team, Team.id == Case.team_id)
            .where(Touchpoint.id.in_(wanted))
        )  # fmt: skip
        found: dict[int, DueTouchpoint] = {}
        for row in rows:
            tp_id, state, due_on, priority, current, practitioner_user, spo_user, service = row[:8]
            case = summary_of(dict(zip(SUMMARY_FIELDS, row[8:], strict=True)))
            found[tp_id] = DueTouchpoint(tp_id, state, due_on, priority, bool(current), practitioner_user, spo_user, service, case)
        return found

    async def overdue_touchpoints(self, team_ids: Iterable[int], before: date) -> list[tuple[Touchpoint, Allocation, Case]]:
        """Planned touchpoints of the teams' allocations in force due before a date, longest
        overdue first: one query for every team whose digest runs this morning."""
        wanted = list(team_ids)
        if not wanted:
            return []
        rows = await self.session.execute(
            select(Touchpoint, Allocation, Case)
            .join(Allocation, Allocation.id == Touchpoint.allocation_id)
            .join(Case, Case.id == Touchpoint.case_id)
            .where(Case.team_id.in_(wanted), Touchpoint.state == "planned", Touchpoint.due_on < before, Allocation.current.is_(True))
            .order_by(Touchpoint.due_on, Touchpoint.id)
            .options(selectinload(Allocation.practitioner))
        )
        return [(t, a, c) for t, a, c in rows.all()]

    async def touchpoint_for(self, allocation_id: int) -> Touchpoint | None:
        return await self.session.scalar(select(Touchpoint).where(Touchpoint.allocation_id == allocation_id))
