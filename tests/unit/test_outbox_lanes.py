"""Which lane an outbox row goes in, and how the worker's pacer spaces and pauses lanes.

The pacer takes the moment as an argument, so these need no clock and no waiting; the
worker's nudges (held back within a gap) are the one exception.
"""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.metrics import Metrics
from bot.adapters.outbox_pacing import Pacer
from bot.adapters.outbox_worker import NUDGE_GAP_SECONDS, OutboxWorker
from bot.adapters.slack_port import WebApiSlack
from bot.domain.clock import SystemClock
from bot.domain.lanes import lane_for
from storage.db import Database
from storage.models import OutboxMessage


def test_each_conversation_app_home_and_outside_system_has_its_own_lane() -> None:
    assert lane_for("chat.postMessage", {"channel": "C0123456789"}) == "ch:C0123456789"
    assert lane_for("chat.postMessage", {"channel": "U0PP00001"}) == "dm:U0PP00001"
    assert lane_for("chat.update", {"text": "edited"}, parent_lane="ch:C0123456789") == "ch:C0123456789"
    assert lane_for("chat.postMessage", {"text": "in thread"}, parent_lane="dm:U0SPO0001") == "dm:U0SPO0001"
    assert lane_for("home.publish", {"user_id": "U0SPO0001"}) == "home"
    assert lane_for("record.contact", {"crn": "X123456", "channel": "C0123456789"}) == "record"
    assert lane_for("prison.notify", {"prison": "HMP Leeds"}) == "prison"


def _row(id_: int, lane: str, method: str = "chat.postMessage") -> OutboxMessage:
    return OutboxMessage(id=id_, lane=lane, method=method)


def test_a_conversation_waits_its_interval_plus_margin_and_others_do_not() -> None:
    pacer = Pacer(1.0, {})
    pacer.sending(_row(1, "ch:A"), 100.0)

    assert pacer.wait_until(_row(2, "ch:A"), 100.5) == 100.0 + pacer.lane_interval
    assert pacer.lane_interval > 1.0  # a margin over Slack's one a second
    assert pacer.wait_until(_row(3, "ch:B"), 100.5) is None
    assert pacer.wait_until(_row(4, "home", "home.publish"), 100.5) is None
    assert pacer.held_lanes(100.5) == ["ch:A"] and pacer.held_lanes(101.5) == []


def test_a_method_rate_allows_that_many_calls_in_any_window_across_lanes() -> None:
    pacer = Pacer(0, {"chat.postMessage": 2})
    pacer.reserve(_row(1, "ch:A"), 10.0)
    pacer.reserve(_row(2, "ch:B"), 10.0)

    free = pacer.wait_until(_row(3, "ch:C"), 10.1)
    assert free is not None and free > 11.0
    assert pacer.wait_until(_row(4, "home", "home.publish"), 10.1) is None
    assert pacer.wait_until(_row(3, "ch:C"), free) is None


def test_a_429_on_a_post_pauses_its_conversation_and_otherwise_the_method() -> None:
    pacer = Pacer(0, {})
    pacer.pause(_row(1, "ch:A"), 3, 50.0)
    pacer.pause(_row(2, "ch:B", "chat.update"), 3, 50.0)

    assert pacer.held_lanes(51.0) == ["ch:A"]
    assert pacer.held_methods(51.0) == ["chat.update"]
    assert pacer.wait_until(_row(3, "ch:B"), 51.0) is None  # posts to B go on
    assert pacer.held_lanes(53.5) == [] and pacer.held_methods(53.5) == []


async def test_a_burst_of_nudges_shares_one_wake_and_the_last_is_not_lost() -> None:
    """Commits nudging every few milliseconds wake one claim, not one each; a nudge held back
    still wakes the worker once the gap has passed, so no new row waits for the next poll."""
    worker = OutboxWorker(Database("sqlite+aiosqlite://"), WebApiSlack(AsyncWebClient(token="xoxb-unit")), SystemClock(), Metrics())
    worker.nudge()
    assert worker._wake.is_set()
    worker._wake.clear()  # the worker woke and claimed
    worker.nudge()
    worker.nudge()
    assert not worker._wake.is_set()  # held: within the gap of the first
    await asyncio.sleep(NUDGE_GAP_SECONDS * 1.5)
    assert worker._wake.is_set()  # the held nudges woke it once the gap had passed
    worker.stop()
