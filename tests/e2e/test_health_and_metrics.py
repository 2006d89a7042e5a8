"""GET /healthz and GET /metrics (README routes)."""

from __future__ import annotations

import json
from contextlib import AsyncExitStack

from bot.demo.fake_slack import FakeSlack
from tests.support.allocation import DEFAULT_TOUCHPOINT, answers
from tests.support.bot import BotUnderTest, bot_settings, start_bot
from tests.support.factories import case_fields


async def test_healthz_is_ok_when_the_database_answers(bot: BotUnderTest) -> None:
    status, body = await bot.get("/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})


async def test_healthz_is_503_when_the_database_does_not_answer(fake_slack: FakeSlack, tmp_path) -> None:
    missing = tmp_path / "no-such-dir" / "casebot.db"  # SQLite cannot open a file in a missing directory
    async with AsyncExitStack() as stack:
        bot = await start_bot(stack, bot_settings(f"sqlite:///{missing}", fake_slack), fake_slack)
        status, body = await bot.get("/healthz")
    assert status == 503
    assert json.loads(body)["status"] == "unavailable"


async def test_metrics_count_cases_messages_and_backlog(bot: BotUnderTest) -> None:
    await bot.post_case(case_fields(event_id="a"))
    await bot.post_case(case_fields(event_id="b", crn="X000002"))
    await bot.post_case(case_fields(event_id="b", crn="X000002"))  # a repeat is not a new case
    await bot.drained()

    status, text = await bot.get("/metrics")

    assert status == 200
    assert 'casebot_cases_received_total{source="api"} 2.0' in text
    assert 'casebot_slack_messages_sent_total{method="chat.postMessage"} 2.0' in text
    assert 'casebot_outbox_backlog{state="pending"} 0.0' in text
    async with bot.runtime.db.uow() as uow:
        sent = (await uow.outbox.backlog())["sent"]  # two cards and the SPOs' App Home refreshes
    assert sent >= 2 and f'casebot_outbox_backlog{{state="sent"}} {float(sent)}' in text
    assert 'casebot_cases{state="unallocated"} 2.0' in text


async def test_later_events_are_counted_apart_from_new_cases(bot: BotUnderTest) -> None:
    _, waiting = await bot.post_case(case_fields(event_id="w1", crn="X600001"))
    _, joined = await bot.post_case(case_fields(event_id="w2", crn="X600001"))
    _, held = await bot.post_case(case_fields(event_id="h1", crn="X600002", tier="C1", mappa_category=None, mappa_level=None))
    ids = await bot.practitioner_ids()
    status, body = await bot.submit(case_id=held["id"], user="U0SPO0001", values=answers(practitioner_id=ids["N07A001"], touchpoint=DEFAULT_TOUCHPOINT))
    assert (status, body) == (200, {}), body
    _, kept = await bot.post_case(case_fields(event_id="h2", crn="X600002", tier="C1", mappa_category=None, mappa_level=None))
    assert (joined["id"], kept["id"], kept["state"]) == (waiting["id"], held["id"], "currently_managed")
    await bot.drained()

    _, text = await bot.get("/metrics")

    assert 'casebot_cases_received_total{source="api"} 2.0' in text  # two people, two cases
    assert 'casebot_events_joined_total{source="api"} 1.0' in text
    assert 'casebot_events_currently_managed_total{source="api"} 1.0' in text
