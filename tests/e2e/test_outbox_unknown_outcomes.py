"""When Slack acts and then fails (an `ok: false` it gives after acting, or a dropped connection),
the outbox reconciles before it resends: every card and DM lands exactly once. The listeners'
client waits out a 429 without holding the ack."""

from __future__ import annotations

from typing import Any

import pytest

from blocks.ids import Action
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields

CHANNEL = "C0123456789"
SPOS = ("U0SPO0001", "U0SPO0002")
AFTER_ACTING: dict[str, dict[str, Any]] = {
    "internal_error": {"error": "internal_error"},
    "fatal_error": {"error": "fatal_error"},
    "request_timeout": {"error": "request_timeout"},
    "service_unavailable": {"error": "service_unavailable"},
    "dropped connection": {"drop": True},
}


@pytest.mark.parametrize("fault", sorted(AFTER_ACTING))
async def test_a_card_slack_posted_before_failing_is_posted_once(bot: BotUnderTest, fault: str) -> None:
    bot.fake.fail_after_acting("chat.postMessage", **AFTER_ACTING[fault])
    await bot.post_case(case_fields())

    await bot.fake.wait_for_async("conversations.history", timeout=10)
    await bot.drained()

    assert len(bot.fake.messages_in(CHANNEL)) == 1
    assert len(bot.fake.calls_to("chat.postMessage")) == 1  # found by reconciling: never resent


async def test_a_dm_whose_connection_dropped_after_slack_posted_it_is_delivered_once(bot: BotUnderTest) -> None:
    bot.fake.fail_after_acting("chat.postMessage", drop=True, times=2)  # both restricted-case DMs
    await bot.post_case(case_fields(restricted=True))  # restricted: one DM per SPO, no card

    await bot.fake.wait_for_async("conversations.history", count=2, timeout=10)
    await bot.drained()

    assert [len(bot.fake.messages_in(spo)) for spo in SPOS] == [1, 1]
    assert len(bot.fake.calls_to("chat.postMessage")) == 2


async def test_the_outbox_client_makes_one_attempt_and_the_listeners_client_waits_out_429s(bot: BotUnderTest) -> None:
    assert bot.runtime.outbox_client.retry_handlers == []
    [handler] = bot.runtime.client.retry_handlers
    assert type(handler).__name__ == "AsyncRateLimitErrorRetryHandler"


async def test_a_listener_rate_limited_by_slack_retries_after_the_ack(bot: BotUnderTest) -> None:
    _, case = await bot.post_case(case_fields())
    bot.fake.fail_next("views.open", status=429, retry_after=1)

    status, _ = await bot.click(action_id=Action.DETAILS, value=str(case["id"]), user="U0PP00001")
    calls_at_ack = len(bot.fake.calls_to("views.open"))
    limited, opened = await bot.fake.wait_for_async("views.open", count=2, timeout=10)

    assert status == 200 and calls_at_ack <= 1  # answered before the retry was made
    assert (limited.status, opened.status) == (429, 200)
    assert opened.at - limited.at >= 0.95  # after Retry-After
