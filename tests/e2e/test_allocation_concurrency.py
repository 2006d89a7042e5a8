"""Two SPOs (or one double-clicking) submit the same case at the same moment: exactly one
allocation, and the other gets an inline error naming who allocated it."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from blocks.ids import AllocateBlock
from storage.models import Allocation, OutboxMessage
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields


async def _race(bot: BotUnderTest, users: list[str], rounds: int = 5) -> None:
    for n in range(rounds):
        _, body = await bot.post_case(case_fields(event_id=f"race-{n}", crn=f"X10000{n}"))
        ids = await bot.practitioner_ids()
        results = await asyncio.gather(*(bot.submit(case_id=body["id"], user=user, values=answers(practitioner_id=ids["N07A001"])) for user in users))
        winners = [r for r in results if r == (200, {})]
        losers = [r[1] for r in results if r != (200, {})]
        assert len(winners) == 1, results
        for loser in losers:
            message = loser["errors"][AllocateBlock.PRACTITIONER]
            assert message.startswith("Already allocated to Ada Lovelace (<@U0PP00001>) by <@U0SPO000"), message  # names who allocated
        async with bot.runtime.db.uow() as uow:
            allocations = list(await uow.session.scalars(select(Allocation).where(Allocation.case_id == body["id"])))
            notices = list(
                await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == body["id"], OutboxMessage.purpose == "practitioner_notice"))
            )
        assert len(allocations) == 1 and len(notices) == 1


async def test_two_spos_at_once_make_one_allocation(bot: BotUnderTest) -> None:
    await _race(bot, ["U0SPO0001", "U0SPO0002"])


async def test_a_double_click_makes_one_allocation(bot: BotUnderTest) -> None:
    await _race(bot, ["U0SPO0001", "U0SPO0001", "U0SPO0001"])
