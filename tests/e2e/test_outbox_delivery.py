"""The outbox against a misbehaving Slack: 429, 500, timeouts, permanent refusals, ordering.

Each test counts what the fake Slack holds at the end: every message exactly once.
"""

from __future__ import annotations

from sqlalchemy import select

from storage.models import OutboxMessage
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields

CHANNEL = "C0123456789"


async def _rows(bot: BotUnderTest) -> list[OutboxMessage]:
    """The Slack messages in the outbox (not the App Home refreshes queued beside them)."""
    async with bot.runtime.db.uow() as uow:
        return list(await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.method == "chat.postMessage").order_by(OutboxMessage.id)))


async def test_429_waits_for_retry_after_then_delivers_once(bot: BotUnderTest) -> None:
    bot.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    await bot.post_case(case_fields())

    limited, delivered = await bot.fake.wait_for_async("chat.postMessage", count=2)
    await bot.drained()

    assert limited.status == 429 and delivered.status == 200
    assert delivered.at - limited.at >= 0.95
    assert len(bot.fake.messages_in(CHANNEL)) == 1
    [row] = await _rows(bot)
    assert row.state == "sent" and row.attempts == 1  # a 429 is not held against the row


async def test_500_is_reconciled_then_retried_without_duplicate(bot: BotUnderTest) -> None:
    bot.fake.fail_next("chat.postMessage", status=500)
    await bot.post_case(case_fields())

    await bot.fake.wait_for_async("chat.postMessage", count=2)
    await bot.drained()

    assert bot.fake.calls_to("conversations.history"), "an unknown outcome must be looked up before resending"
    assert len(bot.fake.messages_in(CHANNEL)) == 1


async def test_timed_out_send_that_slack_kept_is_not_sent_again(bot: BotUnderTest) -> None:
    bot.fake.delay_next("chat.postMessage", seconds=4)  # longer than the 2 s client timeout
    _, body = await bot.post_case(case_fields())

    await bot.fake.wait_for_async("conversations.history")
    await bot.drained()

    assert len(bot.fake.calls_to("chat.postMessage")) == 1
    [message] = bot.fake.messages_in(CHANNEL)
    async with bot.runtime.db.uow() as uow:
        case = await uow.cases.get(body["id"])
    assert case is not None and case.slack_ts == message["ts"]
    # At least one reconciliation found the message; on a busy machine a retry may time out again
    # and be reconciled again, which is the point: still exactly one post.
    assert bot.runtime.metrics.reconciled._value.get() >= 1


async def test_permanent_refusal_marks_failed_and_stops_retrying(bot: BotUnderTest) -> None:
    bot.fake.fail_next("chat.postMessage", status=200, error="channel_not_found")
    await bot.post_case(case_fields())

    await bot.drained()

    [row] = await _rows(bot)
    assert (row.state, row.last_error) == ("failed", "channel_not_found")
    assert len(bot.fake.calls_to("chat.postMessage")) == 1
    status, metrics = await bot.get("/metrics")
    assert 'casebot_delivery_failures_total{kind="permanent",method="chat.postMessage"} 1.0' in metrics
    assert 'casebot_outbox_backlog{state="failed"} 1.0' in metrics  # the refused card; refreshes were sent


async def test_messages_of_one_case_keep_their_order_through_a_failure(bot: BotUnderTest) -> None:
    bot.fake.fail_next("chat.postMessage", status=503)
    await bot.post_case(case_fields(restricted=True))  # one DM per SPO, in team order

    await bot.drained()

    channels = [c.args["channel"] for c in bot.fake.calls_to("chat.postMessage")]
    assert channels == ["U0SPO0001", "U0SPO0001", "U0SPO0002"]
    assert len(bot.fake.messages_in("D0SPO0001")) == 1
    assert len(bot.fake.messages_in("D0SPO0002")) == 1
