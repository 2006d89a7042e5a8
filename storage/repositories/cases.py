"""Cases: lookup, the atomic allocated flip, the card rows, the morning chase."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload

from bot.domain.facts import WaitingCase
from storage.models import (
    Case,
    CaseEvent,
    OutboxMessage,
)
from storage.models.cases import SUMMARY_FIELDS, summary_columns, summary_of
from storage.repositories.base import Repository


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

    async def with_team_and_events(self, case_id: int) -> tuple[Case, list[CaseEvent]] | None:
        """`with_team` and the case's events, oldest first, in one query (an outer join): the
        Details click reads both, and a second round trip is most of its database time."""
        rows = await self.session.execute(
            select(Case, CaseEvent)
            .outerjoin(CaseEvent, CaseEvent.case_id == Case.id)
            .where(Case.id == case_id)
            .options(joinedload(Case.team))
            .order_by(CaseEvent.id)
        )
        found = rows.all()
        if not found:
            return None
        return found[0][0], [event for _, event in found if event is not None]

    async def with_teams(self, case_ids: Iterable[int]) -> dict[int, Case]:
        """`with_team` of many cases in one query (a scheduler tick's prison checks)."""
        wanted = list(set(case_ids))
        if not wanted:
            return {}
        rows = await self.session.scalars(select(Case).where(Case.id.in_(wanted)).options(joinedload(Case.team)))
        return {case.id: case for case in rows}

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

    async def card_rows(self, case_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
        """Each case's card row (id, lane), in one query of two columns (the morning chase
        threads under hundreds); the oldest card when a case has several."""
        wanted = sorted(set(case_ids))
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(OutboxMessage.case_id, OutboxMessage.id, OutboxMessage.lane)
            .where(OutboxMessage.case_id.in_(wanted), OutboxMessage.purpose == "case_card")
            .order_by(OutboxMessage.id)
        )
        cards: dict[int, tuple[int, str]] = {}
        for case_id, row_id, lane in rows:
            cards.setdefault(case_id or 0, (row_id, lane))
        return cards

    async def restricted_rows(self, case_id: int) -> Sequence[OutboxMessage]:
        return (
            await self.session.scalars(
                select(OutboxMessage).where(OutboxMessage.case_id == case_id, OutboxMessage.purpose == "restricted_case_dm").order_by(OutboxMessage.id)
            )
        ).all()

    async def awaiting_allocation(self, team_ids: Iterable[int], due_on_or_before: date) -> list[WaitingCase]:
        """Unallocated cases of the teams due by a date, soonest first (the morning chase):
        one query of plain columns for every team whose chase runs this morning."""
        wanted = list(team_ids)
        if not wanted:
            return []
        rows = await self.session.execute(
            select(Case.team_id, Case.excluded_practitioners, Case.restricted_to, *summary_columns())
            .where(Case.team_id.in_(wanted), Case.state == "unallocated", Case.due_by <= due_on_or_before)
            .order_by(Case.due_by, Case.id)
        )
        return [
            WaitingCase(team_id, summary_of(dict(zip(SUMMARY_FIELDS, rest, strict=True))), tuple(excluded or ()), tuple(restricted_to or ()))
            for team_id, excluded, restricted_to, *rest in rows
        ]

    async def count_by_state(self) -> dict[str, int]:
        rows = await self.session.execute(select(Case.state, func.count()).group_by(Case.state))
        return {state: count for state, count in rows.all()}
