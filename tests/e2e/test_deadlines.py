"""Deadline chases, digests, the prison-notice alert and racing schedulers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.demo.fake_slack import FakeSlack
from bot.domain.clock import FixedClock
from bot.services.scheduled import Scheduler
from storage.db import Database
from storage.models import OutboxMessage, ScheduledJob
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest, clocked_bot
from tests.support.factories import case_fields

LONDON = ZoneInfo("Europe/London")
CHANNEL = "C0123456789"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
async def timed(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[tuple[BotUnderTest, FixedClock]]:
    async with clocked_bot(database_url, fake_slack, london(2026, 12, 21, 8, 0)) as world:  # Monday, before working hours
        yield world


def chases(bot: BotUnderTest) -> list[str]:
    return [c.args["text"] for c in bot.fake.calls_to("chat.postMessage") if c.args.get("thread_ts") and c.args["text"][:1] in "⏰⚠"]


async def allocate(bot: BotUnderTest, case_id: int, **answer) -> None:
    ids = await bot.practitioner_ids()
    answer.setdefault("touchpoint", date(2027, 1, 12))
    status, body = await bot.submit(case_id=case_id, user="U0SPO0001", values=answers(practitioner_id=ids["N07A001"], **answer))
    assert (status, body) == (200, {}), body


async def test_unallocated_cases_are_chased_in_their_thread_then_stop_on_allocation(timed) -> None:
    bot, clock = timed
    _, due_today = await bot.post_case(case_fields(event_id="a", crn="X000001", sentence_date="2026-12-17"))  # due Mon 21
    _, overdue = await bot.post_case(case_fields(event_id="b", crn="X000002", sentence_date="2026-12-16"))  # due Fri 18
    await bot.post_case(case_fields(event_id="c", crn="X000003", sentence_date="2026-12-18"))  # due Tue 22: not yet
    await bot.drained()

    clock.set(london(2026, 12, 21, 9, 0))
    await bot.runtime.scheduler.tick()
    await bot.runtime.scheduler.tick()  # once per team per morning
    await bot.drained()

    assert sorted(t.split(":")[0] for t in chases(bot)) == ["⏰ Due today", "⚠ Overdue by 1 working day"]
    assert all("<@U0SPO0001> <@U0SPO0002>" in t for t in chases(bot))
    [digest] = [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if c.args["channel"] == CHANNEL and not c.args.get("thread_ts") and "Cases to allocate" in json.dumps(c.args)
    ]
    lines = json.dumps(digest.args["blocks"])
    assert lines.index("X000002") < lines.index("X000001") and "X000003" not in lines  # soonest first

    await allocate(bot, overdue["id"])
    clock.set(london(2026, 12, 22, 9, 0))
    await bot.runtime.scheduler.tick()
    await bot.drained()
    tuesday = chases(bot)[2:]
    assert sorted(t.split(":")[0] for t in tuesday) == ["⏰ Due today", "⚠ Overdue by 1 working day"]  # X000003 due, X000001 overdue
    assert not any("X000002" in t for t in tuesday)


async def test_a_case_allocated_between_plan_and_send_is_not_chased(timed) -> None:
    bot, clock = timed
    _, case = await bot.post_case(case_fields(sentence_date="2026-12-17"))
    await bot.drained()
    bot.runtime.worker.stop()  # hold the outbox: the chase is planned but not sent
    await asyncio.sleep(0.1)
    clock.set(london(2026, 12, 21, 9, 0))
    await bot.runtime.scheduler.tick()
    await allocate(bot, case["id"])
    while await bot.runtime.worker.run_once():
        pass

    assert chases(bot) == []
    async with bot.runtime.db.uow() as uow:
        cancelled = await uow.session.scalar(select(func.count()).where(OutboxMessage.purpose == "deadline_chase", OutboxMessage.state == "cancelled"))
    assert cancelled == 1


async def test_overdue_touchpoints_reach_each_spo_in_one_digest(timed) -> None:
    bot, clock = timed
    clock.set(london(2026, 12, 21, 10, 0))
    for n in range(2):
        _, case = await bot.post_case(case_fields(event_id=f"t{n}", crn=f"X00010{n}"))
        await allocate(bot, case["id"], touchpoint=date(2026, 12, 22))
    await bot.drained()
    clock.set(london(2027, 1, 4, 9, 30))
    await bot.runtime.scheduler.tick()
    await bot.runtime.scheduler.tick()
    await bot.drained()

    digests = [c for c in bot.fake.calls_to("chat.postMessage") if "Overdue post-allocation touchpoints" in json.dumps(c.args)]
    assert len(digests) == 1 and digests[0].args["channel"] == "U0SPO0001"
    assert "X000100" in json.dumps(digests[0].args) and "X000101" in json.dumps(digests[0].args)


async def test_an_undelivered_prison_notice_alerts_the_spos_four_hours_before_the_limit(timed) -> None:
    bot, clock = timed  # no prison notifier configured: the notice waits in the outbox
    clock.set(london(2026, 12, 21, 10, 0))
    _, case = await bot.post_case(case_fields(custodial=True, prison="HMP Leeds"))
    await allocate(bot, case["id"])
    await bot.drained()

    clock.set(london(2026, 12, 22, 5, 59))
    await bot.runtime.scheduler.tick()
    clock.set(london(2026, 12, 22, 6, 0))  # 20 hours on: alerts do not wait for office hours
    await bot.runtime.scheduler.tick()
    await bot.drained()

    alerts = [c for c in bot.fake.calls_to("chat.postMessage") if "has not yet been notified" in c.args.get("text", "")]
    assert sorted(a.args["channel"] for a in alerts) == ["U0SPO0001", "U0SPO0002"]


async def test_two_schedulers_racing_send_each_reminder_once(timed, database_url: str) -> None:
    bot, clock = timed
    clock.set(london(2026, 12, 21, 10, 0))
    for n in range(6):
        _, case = await bot.post_case(case_fields(event_id=f"r{n}", crn=f"X00020{n}"))
        await allocate(bot, case["id"], touchpoint=date(2026, 12, 29), priority="high")
    await bot.drained()
    clock.set(london(2026, 12, 30, 10, 0))  # every reminder is due; only "after" is still current
    first, second = Scheduler(Database(database_url), clock), Scheduler(Database(database_url), clock)
    for _ in range(3):
        await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
    await bot.drained()

    async with bot.runtime.db.uow() as uow:
        count = await uow.session.scalar(select(func.count()).where(OutboxMessage.purpose == "touchpoint_reminder"))
        done = await uow.session.scalar(select(func.count()).where(ScheduledJob.state == "done"))
    assert count == 6 * 2  # six touchpoints, the "after" reminder, two people: none doubled
    assert done == 6 * 3 * 2  # the stale "before" and "day" reminders were settled without a message
    for scheduler in (first, second):
        await scheduler.db.dispose()
