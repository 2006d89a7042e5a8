"""A lease can run out while its attempt is still busy: here, the look into Slack that comes
before a resend of a DM (conversations.open, then conversations.history) answers later than the
lease lasts. Another attempt (a second replica's worker, or the same worker's next claim) then
takes the row, looks, finds nothing and posts; the first attempt must not post as well when its
look comes back. The DM lands once."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack

import pytest

from bot.demo.fake_slack import FakeSlack
from bot.runtime.app import create_runtime
from tests.support.bot import bot_settings, start_bot
from tests.support.factories import case_fields

LEASE_SECONDS = 1.0
TIMEOUT_SECONDS = 3  # a claim leases a row for a call and a lease: 4 s
SLOW_SECONDS = 2.5  # each of the two slow answers: within the call's timeout, together past the lease


def _posted(fake: FakeSlack) -> Counter[int]:
    """The outbox ids of the posts Slack made (a 500 before acting made none)."""
    return Counter(c.args["metadata"]["event_payload"]["outbox_id"] for c in fake.calls_to("chat.postMessage") if c.status == 200)


@pytest.mark.parametrize("workers", [1, 2])
async def test_an_attempt_that_outlived_its_lease_does_not_post_beside_the_next(database_url: str, fake_slack: FakeSlack, workers: int) -> None:
    settings = bot_settings(database_url, fake_slack, outbox_lease_seconds=LEASE_SECONDS, slack_timeout_seconds=TIMEOUT_SECONDS)
    async with AsyncExitStack() as stack:
        bot = await start_bot(stack, settings, fake_slack)
        await bot.load_teams()
        workers_of = [bot.runtime.worker]
        if workers == 2:  # a second replica's worker on the same database
            other = create_runtime(settings)
            task = asyncio.create_task(other.worker.run())
            workers_of.append(other.worker)
            stack.push_async_callback(other.db.dispose)
            stack.push_async_callback(lambda: task)
            stack.callback(other.worker.stop)
        # A DM's first post fails before Slack acts (the outcome is unknown to the bot), so the
        # next attempt looks in the conversation first, and that look outlasts its lease.
        fake_slack.fail_next("chat.postMessage", status=500)
        fake_slack.delay_next("conversations.open", SLOW_SECONDS)
        fake_slack.delay_next("conversations.history", SLOW_SECONDS)
        await bot.post_case(case_fields(restricted=True))  # restricted: a DM to each SPO, no card

        await fake_slack.wait_for_async("conversations.history", timeout=20)  # the slow look is on its way
        await bot.drained()
        while any(worker._tasks for worker in workers_of):  # every attempt has ended, the slow one too
            await asyncio.sleep(0.05)

        posted = _posted(fake_slack)
        assert posted and set(posted.values()) == {1}, posted
