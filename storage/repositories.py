"""Queries, one small repository per aggregate. Repositories never commit (the unit of work does)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from storage.models import AuditEvent, Base, Case, OutboxMessage, Practitioner, Team

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


class TeamRepository(Repository[Team]):
    model = Team

    async def by_code(self) -> dict[str, Team]:
        rows = await self.session.scalars(select(Team).options(selectinload(Team.practitioners)))
        return {team.code: team for team in rows}

    async def by_codes(self, codes: Iterable[str]) -> dict[str, Team]:
        """Only the named teams, without their staff: what intake needs per request."""
        rows = await self.session.scalars(select(Team).where(Team.code.in_(list(codes))))
        return {team.code: team for team in rows}

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
        return await self.session.scalar(select(Case).where(Case.id == case_id).options(selectinload(Case.team)))

    async def count_by_state(self) -> dict[str, int]:
        rows = await self.session.execute(select(Case.state, func.count()).group_by(Case.state))
        return {state: count for state, count in rows.all()}


class AuditRepository(Repository[AuditEvent]):
    model = AuditEvent

    async def for_case(self, case_id: int) -> Sequence[AuditEvent]:
        return (await self.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id))).all()


class OutboxRepository(Repository[OutboxMessage]):
    model = OutboxMessage

    async def claimable(
        self, now: datetime, limit: int, *, skip_locked: bool, only_prefixes: Sequence[str]
    ) -> Sequence[OutboxMessage]:
        """Rows ready to send: due, not leased by a live worker, and first in line for their key.

        Per-key order is kept by only offering a row when no earlier row of its key is still
        unsent. On PostgreSQL the rows are locked with SKIP LOCKED so replicas share the work.
        """
        earlier = aliased(OutboxMessage)
        blocked = exists().where(
            and_(
                earlier.ordering_key == OutboxMessage.ordering_key,
                earlier.id < OutboxMessage.id,
                earlier.state.in_(("pending", "sending")),
            )
        )
        ready = (
            ((OutboxMessage.state == "pending") & (OutboxMessage.next_attempt_at <= now))
            | ((OutboxMessage.state == "sending") & (OutboxMessage.lease_until < now))
        )
        deliverable = or_(*(OutboxMessage.method.startswith(prefix) for prefix in only_prefixes))
        query = select(OutboxMessage).where(ready, deliverable, ~blocked).order_by(OutboxMessage.id).limit(limit)
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

