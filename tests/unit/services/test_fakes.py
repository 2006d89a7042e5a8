"""The fake unit of work keeps the real one's promise: nothing stays unless committed."""

from __future__ import annotations

from storage.models import Case, Team
from tests.unit.services.fakes import FakeStore


async def test_leaving_without_commit_puts_everything_back(store: FakeStore, team: Team, case: Case) -> None:
    async with store.factory() as uow:
        assert await uow.cases.mark_allocated(case.id)
        uow.teams.add(Team(code="N07T9", name="Added", channel_id="C0", updated_at=case.received_at))
    assert case.state == "unallocated" and [t.code for t in store.rows(Team)] == ["N07T1"]

    async with store.factory() as uow:
        assert await uow.cases.mark_allocated(case.id)
        await uow.commit()
    assert case.state == "allocated" and store.commits == 1
