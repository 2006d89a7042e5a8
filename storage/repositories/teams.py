"""Teams and their practitioners."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storage.models import (
    Practitioner,
    Team,
)
from storage.repositories.base import Repository


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
        wanted = list(codes)
        if not wanted:  # most cases name no previous practitioner: no round trip for them
            return {}
        rows = await self.session.scalars(select(Practitioner).where(Practitioner.staff_code.in_(wanted)))
        return {p.staff_code: p for p in rows}
