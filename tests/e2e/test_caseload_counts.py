"""The caseload counts the Allocate modal reads come from each allocation's copy of its case's
tier (storage/repositories/allocations.py `current_tier_counts`): after allocations and a
reallocation they must equal a recount from the cases themselves."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from storage.models import Allocation, Case
from tests.e2e.test_reallocation import reallocation, submit
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields


async def _recount(bot: BotUnderTest) -> Counter[tuple[int, str]]:
    """(practitioner id, tier) -> allocations in force, the tier read from the case."""
    async with bot.runtime.db.uow() as uow:
        rows = await uow.session.execute(
            select(Allocation.practitioner_id, Case.tier, func.count())
            .join(Case, Case.id == Allocation.case_id)
            .where(Allocation.current.is_(True))
            .group_by(Allocation.practitioner_id, Case.tier)
        )
        return Counter({(pid, tier): count for pid, tier, count in rows})


async def _stored(bot: BotUnderTest, practitioner_ids: list[int]) -> Counter[tuple[int, str]]:
    async with bot.runtime.db.uow() as uow:
        rows = await uow.allocations.current_tier_counts(practitioner_ids)
    return Counter({(pid, tier): count for pid, tier, count, _ in rows if count})


async def test_stored_tier_counts_match_a_recount_after_allocating_and_reallocating(bot: BotUnderTest) -> None:
    ids = await bot.practitioner_ids()
    ada, grace = ids["N07A001"], ids["N07A002"]
    cases = []
    for n, tier in enumerate(("C1", "C2", "D1", "C1")):
        _, case = await bot.post_case(case_fields(event_id=f"counts-{n}", crn=f"X{n:06d}", tier=tier, mappa_category=None, mappa_level=None))
        cases.append(int(case["id"]))
    for case_id, person in zip(cases, (ada, ada, grace, ada), strict=True):
        status, body = await bot.submit(case_id=case_id, user="U0SPO0001", values=answers(practitioner_id=person))
        assert (status, body) == (200, {})
    assert await _stored(bot, [ada, grace]) == await _recount(bot) == Counter({(ada, "C1"): 2, (ada, "C2"): 1, (grace, "D1"): 1})

    status, body = await submit(bot, cases[1], reallocation(grace))  # Ada's C2 moves to Grace
    assert (status, body) == (200, {})
    assert await _stored(bot, [ada, grace]) == await _recount(bot) == Counter({(ada, "C1"): 2, (grace, "C2"): 1, (grace, "D1"): 1})

    async with bot.runtime.db.uow() as uow:  # the ended allocation keeps its tier too
        held = (await uow.session.execute(select(Allocation.tier, Case.tier).join(Case, Case.id == Allocation.case_id))).all()
    assert len(held) == 5 and all(copy == tier for copy, tier in held)
