"""The outbox's lanes: a busy channel, or a 429 on one, holds up nothing but itself.

Asserted by the order in which calls reach the fake Slack (never by wall-clock budgets), and
every message exactly once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from bot.demo.fake_slack import FakeSlack, RecordedCall
from tests.support.bot import BotUnderTest, bot_settings, start_bot
from tests.support.factories import case_fields

BUSY, QUIET = "C0123456789", "C0987654321"  # the channels of teams N07T1 and N07T2
BURST = 60  # more than one claim batch (50) of the old, lane-blind claim


@pytest.fixture
async def paced_bot(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[BotUnderTest]:
    """The bot pacing each channel as Slack asks (here 20 posts a second, to keep tests short)."""
    async with AsyncExitStack() as stack:
        under_test = await start_bot(stack, bot_settings(database_url, fake_slack, slack_channel_interval_seconds=0.05), fake_slack)
        await under_test.load_teams()
        yield under_test


def _posted(fake: FakeSlack) -> list[RecordedCall]:
    return [c for c in fake.calls_to("chat.postMessage") if c.status == 200 and c.response.get("ok")]


def _outbox_id(call: RecordedCall) -> int:
    return int(call.args["metadata"]["event_payload"]["outbox_id"])


async def test_a_burst_for_one_channel_starves_neither_another_channel_nor_app_home(paced_bot: BotUnderTest) -> None:
    burst = [case_fields(event_id=f"busy-{n}", crn=f"X{n:06d}", team="N07T1") for n in range(BURST)]
    quiet = case_fields(event_id="quiet-1", crn="Q000001", team="N07T2")
    await paced_bot.runtime.services.receive_cases([*burst, quiet], source="test")  # the quiet card last in line

    await paced_bot.drained()

    posts = _posted(paced_bot.fake)
    channels = [c.args["channel"] for c in posts]
    assert Counter(channels) == {BUSY: BURST, QUIET: 1}  # every card, once
    assert QUIET in channels[:2], "the quiet channel's card must go in the first round, not after the burst"
    calls = paced_bot.fake.calls
    first_home = next(i for i, c in enumerate(calls) if c.method == "views.publish")
    tenth_post = [i for i, c in enumerate(calls) if c.method == "chat.postMessage"][9]
    # Queued after all 61 cards, the Home refreshes are claimed in the first round (a lane-blind
    # claim of the oldest 50 rows reaches them only after 13 posts); building the view takes a
    # moment, so the publish lands among the first posts rather than before a given one.
    assert first_home < tenth_post, "App Home publishes have their own lane: they never wait for the burst"
    busy_ids = [_outbox_id(c) for c in posts if c.args["channel"] == BUSY]
    assert busy_ids == sorted(busy_ids), "one channel's posts go in the order they were queued"


async def test_a_429_on_one_channel_does_not_hold_another_channels_posts(bot: BotUnderTest) -> None:
    bot.fake.fail_next("chat.postMessage", status=429, retry_after=3)
    await bot.post_case(case_fields(event_id="busy-1", crn="X000001", team="N07T1"))
    [limited] = await bot.fake.wait_for_async("chat.postMessage")
    assert limited.status == 429 and limited.args["channel"] == BUSY

    for n in range(3):
        await bot.post_case(case_fields(event_id=f"quiet-{n}", crn=f"Q00000{n}", team="N07T2"))
    await bot.drained()

    channels = [c.args["channel"] for c in _posted(bot.fake)]
    assert channels == [QUIET, QUIET, QUIET, BUSY], "the 429 pauses its own channel only"
