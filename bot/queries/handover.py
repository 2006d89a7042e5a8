"""POM-led custodial cases of a team, awaiting handover (seeds/001 s2.3): the SPO's App Home
lists them with their handover date, soonest to allocate first."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.domain.home_view import HandoverItem
from storage.db import UnitOfWork
from storage.models import Case

HANDOVERS_SHOWN = 15


async def awaiting_handover(uow: UnitOfWork, team_id: int) -> tuple[list[HandoverItem], int]:
    """The first few POM-led cases and how many there are in all."""
    rows = (
        await uow.session.execute(
            select(Case.crn, Case.name, Case.handover_date, Case.allocatable_from, func.count().over(), Case.id)
            .where(Case.team_id == team_id, Case.state == "awaiting_handover")
            .order_by(Case.allocatable_from, Case.id)
            .limit(HANDOVERS_SHOWN)
        )
    ).all()
    items = [HandoverItem(case_id=r[5], crn=r[0], name=r[1], handover_date=r[2], allocatable_from=r[3]) for r in rows if r[2] and r[3]]
    return items, int(rows[0][4]) if rows else 0
