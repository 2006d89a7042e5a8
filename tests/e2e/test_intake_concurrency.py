"""Several first events for a brand-new CRN arriving at the same moment at two bots sharing one
database (each bot's group commit already batches its own requests): intake is serialised per
CRN, so they end as one case holding every event, never as two cases for one person."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from sqlalchemy import func, select

from bot.demo.fake_slack import FakeSlack
from storage.models import Case, CaseEvent
from tests.support.bot import BotUnderTest, bot_settings, start_bot
from tests.support.factories import case_fields

EVENTS = 4


async def test_concurrent_first_events_for_one_new_person_make_one_case(bot: BotUnderTest, database_url: str, fake_slack: FakeSlack) -> None:
    async with AsyncExitStack() as stack:
        other = await start_bot(stack, bot_settings(database_url, fake_slack), fake_slack)
        for n in range(6):
            crn = f"X70000{n}"
            posts = ((bot, other)[e % 2].post_case(case_fields(event_id=f"race-{n}-{e}", crn=crn)) for e in range(EVENTS))
            answers = await asyncio.gather(*posts)
            assert {status for status, _ in answers} == {201}, answers
            assert len({body["id"] for _, body in answers}) == 1, answers  # every event answers with the one case
            async with bot.runtime.db.uow() as uow:
                cases = await uow.session.scalar(select(func.count()).select_from(Case).where(Case.crn == crn))
                events = await uow.session.scalar(select(func.count()).select_from(CaseEvent).join(Case).where(Case.crn == crn))
            assert (cases, events) == (1, EVENTS - 1)  # the first event made the case; the others joined it
        await bot.drained()
