"""Slack's side of the HTTP door: signatures, and the Allocate entry point's access rule."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from blocks.ids import Action
from bot.adapters.replay import ReplayGuard
from bot.demo.slack_requests import button_click, interaction_body, signed_headers
from bot.domain.clock import FixedClock
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields


async def test_forged_and_stale_signatures_are_rejected_and_do_nothing(bot: BotUnderTest) -> None:
    _, case = await bot.post_case(case_fields())
    body = interaction_body(button_click(action_id=Action.DETAILS, value=str(case["id"]), user="U0PP00001"))

    forged, _ = await bot.slack_request(body, signed_headers(body, secret="not-the-secret"))
    stale, _ = await bot.slack_request(body, signed_headers(body, timestamp=int(time.time()) - 301))

    assert (forged, stale) == (401, 401)
    assert bot.fake.calls_to("views.open") == []


async def test_a_replayed_signed_request_is_refused(bot: BotUnderTest) -> None:
    _, case = await bot.post_case(case_fields())
    body = interaction_body(button_click(action_id=Action.DETAILS, value=str(case["id"]), user="U0PP00001"))
    headers = signed_headers(body)

    first, _ = await bot.slack_request(body, headers)
    replay, text = await bot.slack_request(body, headers)  # at once: this process remembers it

    assert (first, replay) == (200, 401)
    assert "already received" in text
    assert len(await bot.fake.wait_for_async("views.open")) == 1


async def test_two_copies_sent_at_once_are_answered_once(bot: BotUnderTest) -> None:
    """The signature is taken before the request is dispatched, so copies racing at one
    process cannot both pass the check."""
    _, case = await bot.post_case(case_fields())
    body = interaction_body(button_click(action_id=Action.DETAILS, value=str(case["id"]), user="U0PP00001"))
    headers = signed_headers(body)

    answers = await asyncio.gather(*(bot.slack_request(body, headers) for _ in range(5)))

    assert sorted(status for status, _ in answers) == [200, 401, 401, 401, 401]
    await bot.fake.wait_for_async("views.open")
    await asyncio.sleep(0.2)  # no second modal arrives later either
    assert len(bot.fake.calls_to("views.open")) == 1


async def test_a_replay_after_a_restart_or_to_another_replica_is_refused(bot: BotUnderTest) -> None:
    """The signature reaches the database (in a batch, after the ack): a restarted process
    loads it at start, and a replica already running on the shared store learns it."""
    other_replica = ReplayGuard(bot.runtime.db, bot.runtime.clock, shared=True)
    await other_replica.start()
    _, case = await bot.post_case(case_fields())
    body = interaction_body(button_click(action_id=Action.DETAILS, value=str(case["id"]), user="U0PP00001"))
    signature = signed_headers(body)["X-Slack-Signature"]
    await bot.slack_request(body, signed_headers(body))

    deadline = time.monotonic() + 60  # bounds a hang; a busy machine is slower
    while not other_replica.seen_before(signature):
        assert time.monotonic() < deadline, "the other replica never learned the signature"
        await asyncio.sleep(0.05)
    await other_replica.close()
    await bot.runtime.replay.close()  # what `serve` does on stop: write what is pending
    restarted = ReplayGuard(bot.runtime.db, bot.runtime.clock, shared=False)
    await restarted.start()

    assert restarted.seen_before(signature)
    assert not restarted.seen_before("v0=" + "0" * 64)


async def test_allocate_by_a_non_spo_gets_a_polite_ephemeral_naming_the_spos(bot: BotUnderTest) -> None:
    _, case = await bot.post_case(case_fields())
    status, _ = await bot.click(action_id=Action.ALLOCATE, value=str(case["id"]), user="U0PP00001")

    assert status == 200
    [reply] = await bot.fake.wait_for_async("chat.postEphemeral")
    assert reply.args["user"] == "U0PP00001"
    assert "<@U0SPO0001>" in reply.args["text"] and "<@U0SPO0002>" in reply.args["text"]
    assert bot.fake.calls_to("views.open") == []


async def test_details_of_a_restricted_case_are_for_spos_only(bot: BotUnderTest) -> None:
    _, case = await bot.post_case(case_fields(restricted=True, offence="secret-offence-text"))

    await bot.click(action_id=Action.DETAILS, value=str(case["id"]), user="U0PP00001")
    [refused] = await bot.fake.wait_for_async("views.open")
    await bot.click(action_id=Action.DETAILS, value=str(case["id"]), user="U0SPO0001", trigger_id="trigger-2")
    _, shown = await bot.fake.wait_for_async("views.open", count=2)

    assert "secret-offence-text" not in str(refused.args["view"])
    assert "only the team's SPOs" in str(refused.args["view"])
    assert "secret-offence-text" in str(shown.args["view"])


async def test_signatures_past_the_window_are_forgotten(bot: BotUnderTest) -> None:
    """Memory stays bounded: a signature older than twice Slack's 5 minutes is dropped (Bolt
    refuses a request that old as stale before the guard is asked)."""
    clock = FixedClock(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    guard = ReplayGuard(bot.runtime.db, clock, shared=False)
    guard.take("v0=old")
    clock.advance(minutes=9)
    guard.take("v0=newer")
    await guard.close()
    clock.advance(minutes=2)
    await guard.flush()

    assert (guard.seen_before("v0=old"), guard.seen_before("v0=newer")) == (False, True)
