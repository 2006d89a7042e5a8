"""The case's path in the store: its events, the open case of a person, POM-led cases due for
handover. Never commits (the unit of work does)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.orm import joinedload, selectinload

from storage.models import Allocation, Case, CaseEvent
from storage.repositories import Repository

OPEN_STATES = ("unallocated", "awaiting_handover", "awaiting_sign_off", "allocated")
INTAKE_LOCK_CLASS = 0x435242  # the first key of intake's two-key advisory locks ("CRB"), apart from the migration lock
CRN_LOCK_SLOTS = 1024  # CRNs share this many locks: an import of 10,000 people takes at most this many


class CasePathRepository(Repository[CaseEvent]):
    model = CaseEvent

    async def by_event_ids(self, event_ids: Iterable[str]) -> dict[str, CaseEvent]:
        """Later events already received, with their case and its team."""
        ids = list(event_ids)
        if not ids:
            return {}
        rows = await self.session.scalars(select(CaseEvent).where(CaseEvent.event_id.in_(ids)))
        return {row.event_id: row for row in rows}

    async def events_for(self, case_id: int) -> Sequence[CaseEvent]:
        return (await self.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))).all()

    async def serialise_crns(self, crns: Iterable[str]) -> None:
        """Hold off, until this transaction ends, any other intake of these people: two first
        events for one new CRN arriving at once must find each other's case, not make two.

        PostgreSQL: a transaction advisory lock per CRN's slot (a stable hash, the same in every
        process), taken in sorted order so two batches never wait on each other in a circle.
        Two CRNs sharing a slot only wait for each other. SQLite: its one write lock, taken now
        by an empty write (storage/sqlite_writer.py queues it), so the reads that follow are in
        the write transaction and see the last writer's cases."""
        slots = sorted({zlib.crc32(crn.encode()) % CRN_LOCK_SLOTS for crn in crns})
        if not slots:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            ordered = select(func.unnest(array(slots)).label("slot")).order_by("slot").subquery()
            await self.session.execute(select(func.count(func.pg_advisory_xact_lock(INTAKE_LOCK_CLASS, ordered.c.slot))))  # one round trip
        else:
            await self.session.execute(text("UPDATE cases SET id = id WHERE 0 = 1"))

    async def open_by_crns(self, crns: Iterable[str]) -> dict[str, Case]:
        """Each person's latest case that is waiting or held (an allocated one only while its
        allocation is in force), with its team: where a new event for them goes."""
        wanted = list(crns)
        if not wanted:
            return {}
        held = select(Allocation.id).where(Allocation.case_id == Case.id, Allocation.current.is_(True)).exists()
        # The state is checked here, not in SQL: beside `state IN (...)`, SQLite's planner (no
        # statistics) read the cases by the state index, every allocated case in the region,
        # instead of the few rows of these people (13 ms a batch at 100,000 cases, 0.1 ms now).
        rows = await self.session.scalars(
            select(Case).where(Case.crn.in_(wanted), (Case.state != "allocated") | held).order_by(Case.id).options(selectinload(Case.team))
        )
        return {case.crn: case for case in rows if case.state in OPEN_STATES}  # the latest wins

    async def handover_due(self, today: date) -> Sequence[Case]:
        """POM-led cases whose allocation lead time before handover has come."""
        return (
            await self.session.scalars(
                select(Case)
                .where(Case.state == "awaiting_handover", Case.allocatable_from <= today)
                .order_by(Case.allocatable_from, Case.id)
                .options(joinedload(Case.team))
            )
        ).all()

    async def mark_allocatable(self, case_id: int) -> bool:
        """awaiting_handover -> unallocated, atomically; False when another tick (or an early
        allocation) moved it first."""
        result = await self.session.execute(
            update(Case).where(Case.id == case_id, Case.state == "awaiting_handover").values(state="unallocated").execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def hold_for_sign_off(self, case_id: int) -> None:
        """allocated -> awaiting_sign_off, in the allocation's own transaction."""
        await self.session.execute(
            update(Case).where(Case.id == case_id, Case.state == "allocated").values(state="awaiting_sign_off").execution_options(synchronize_session=False)
        )

    async def mark_signed_off(self, case_id: int) -> bool:
        """awaiting_sign_off -> allocated, atomically; False when someone signed it off first."""
        result = await self.session.execute(
            update(Case).where(Case.id == case_id, Case.state == "awaiting_sign_off").values(state="allocated").execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def previous_holder(self, case_id: int, allocation_id: int) -> str:
        """The Slack user of the practitioner who held the case before `allocation_id` (a reallocation)."""
        previous = await self.session.scalar(
            select(Allocation).options(joinedload(Allocation.practitioner))
            .where(Allocation.case_id == case_id, Allocation.id < allocation_id).order_by(Allocation.id.desc()).limit(1)
        )  # fmt: skip
        assert previous is not None, "a reallocation follows an allocation"
        return previous.practitioner.slack_user_id

    async def mark_allocated_early(self, case_id: int) -> bool:
        """awaiting_handover -> allocated (an SPO's early allocation, with its reason), atomically."""
        result = await self.session.execute(
            update(Case).where(Case.id == case_id, Case.state == "awaiting_handover").values(state="allocated").execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)
