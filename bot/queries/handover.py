"""POM-led custodial cases of a team, awaiting handover (seeds/001 s2.3): the SPO's App Home
lists them with their handover date, soonest to allocate first."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from bot.domain.home_view import HandoverItem
from bot.domain.policy import CaseSnapshot
from storage.db import UnitOfWork
from storage.models import Case

HANDOVERS_SHOWN = 15


async def awaiting_handover(uow: UnitOfWork, team_id: int, *, may_see: Callable[[CaseSnapshot], bool], hidden_name: str) -> tuple[list[HandoverItem], int]:
    """The first few POM-led cases and how many there are in all. A restricted case whose lists
    keep it from the reader (`may_see`) is counted but shows neither CRN nor name, and offers no
    Allocate early button (bot/domain/access.py)."""
    rows = (
        await uow.session.execute(
            select(
                Case.crn,
                Case.name,
                Case.handover_date,
                Case.allocatable_from,
                func.count().over(),
                Case.id,
                Case.restricted,
                Case.tier,
                Case.excluded_practitioners,
                Case.restricted_to,
            )
            .where(Case.team_id == team_id, Case.state == "awaiting_handover")
            .order_by(Case.allocatable_from, Case.id)
            .limit(HANDOVERS_SHOWN)
        )
    ).all()
    items = []
    for r in rows:
        if not (r[2] and r[3]):
            continue
        hidden = bool(r[6]) and not may_see(CaseSnapshot(tier=r[7], excluded_practitioners=tuple(r[8] or ()), restricted_to=tuple(r[9] or ())))
        crn, name = ("restricted", hidden_name) if hidden else (r[0], r[1])
        items.append(HandoverItem(case_id=r[5], crn=crn, name=name, handover_date=r[2], allocatable_from=r[3], hidden=hidden))
    return items, int(rows[0][4]) if rows else 0
