"""Touchpoint reminders and their buttons, through the real app with a moved clock."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from blocks.ids import Action, Callback, TouchpointBlock
from bot.demo.fake_slack import FakeSlack
from bot.demo.slack_requests import button_click, interaction_body, view_submission
from bot.domain.clock import FixedClock
from storage.models import ScheduledJob, Touchpoint
from tests.fakes.fake_http_sink import FakeHttpSink
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest, bot_settings, start_bot
from tests.support.factories import case_fields

LONDON = ZoneInfo("Europe/London")
PP, SPO = "U0PP00001", "U0SPO0001"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
async def timed(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[tuple[BotUnderTest, FixedClock, FakeHttpSink]]:
    clock = FixedClock(london(2026, 12, 21, 10, 0))  # Monday before Christmas
    with FakeHttpSink() as record:
        settings = bot_settings(database_url, fake_slack, record_api_url=record.url)
        async with AsyncExitStack() as stack:
            bot = await start_bot(stack, settings, fake_slack, clock=clock)
            await bot.load_teams()
            yield bot, clock, record


async def allocate(bot: BotUnderTest, touchpoint: date, priority: str = "high", **case) -> int:
    _, body = await bot.post_case(case_fields(**case))
    ids = await bot.practitioner_ids()
    status, answer = await bot.submit(case_id=body["id"], user=SPO, values=answers(practitioner_id=ids["N07A001"], priority=priority, touchpoint=touchpoint))
    assert (status, answer) == (200, {}), answer
    await bot.drained()
    async with bot.runtime.db.uow() as uow:
        return int(await uow.session.scalar(select(Touchpoint.id).where(Touchpoint.case_id == body["id"])))


def reminders(bot: BotUnderTest) -> list[tuple[str, str]]:
    """(recipient, headline) of every reminder DM the fake Slack received."""
    out = []
    for call in bot.fake.calls_to("chat.postMessage"):
        blocks = json.dumps(call.args.get("blocks", []))
        if Action.TOUCHPOINT_RECORD in blocks:
            out.append((call.args["channel"], call.args["text"]))
    return out


async def tick_at(bot: BotUnderTest, clock: FixedClock, at: datetime) -> None:
    clock.set(at)
    await bot.runtime.scheduler.tick()
    await bot.drained()


async def test_reminder_plan_across_the_christmas_bank_holidays(timed) -> None:
    bot, clock, _ = timed
    tp = await allocate(bot, date(2026, 12, 29))  # Tue after Christmas and the Boxing Day substitute

    async with bot.runtime.db.uow() as uow:
        jobs = await uow.jobs.planned(touchpoint_id=tp)
    planned = sorted({(j.detail["when"], j.due_at.astimezone(LONDON).strftime("%a %d %b %H:%M")) for j in jobs})
    assert planned == [("after", "Wed 30 Dec 09:00"), ("before", "Wed 23 Dec 09:00"), ("day", "Tue 29 Dec 09:00")]
    assert {j.recipient for j in jobs} == {PP, SPO}

    await tick_at(bot, clock, london(2026, 12, 23, 8, 59))
    assert reminders(bot) == []
    await tick_at(bot, clock, london(2026, 12, 23, 9, 0))
    assert sorted(r[0] for r in reminders(bot)) == [PP, SPO]
    await tick_at(bot, clock, london(2026, 12, 24, 9, 0))
    await tick_at(bot, clock, london(2026, 12, 28, 9, 0))  # bank holiday: nothing
    assert len(reminders(bot)) == 2
    await tick_at(bot, clock, london(2026, 12, 29, 9, 1))
    assert len(reminders(bot)) == 4 and "today" in reminders(bot)[-1][1]
    await tick_at(bot, clock, london(2026, 12, 30, 9, 1))
    assert len(reminders(bot)) == 6 and "not recorded yet" in reminders(bot)[-1][1]


async def test_a_reminder_due_at_night_waits_for_the_working_morning(timed) -> None:
    bot, clock, _ = timed
    await allocate(bot, date(2026, 12, 23), priority="normal")  # "before" is Mon 21 Dec: today
    clock.set(london(2026, 12, 21, 20, 0))
    assert await bot.runtime.scheduler.tick() == 0
    await bot.drained()
    assert reminders(bot) == []
    await tick_at(bot, clock, london(2026, 12, 22, 9, 0))
    assert sorted(r[0] for r in reminders(bot)) == [PP, SPO]


async def test_record_is_the_spos_and_is_written_back_and_stops_reminders(timed) -> None:
    bot, clock, record = timed
    tp = await allocate(bot, date(2026, 12, 29))
    await tick_at(bot, clock, london(2026, 12, 23, 9, 0))

    await bot.click(action_id=Action.TOUCHPOINT_RECORD, value=str(tp), user=PP, channel="D0PP00001")
    [refusal] = await bot.fake.wait_for_async("chat.postEphemeral")
    assert "SPO's oversight record" in refusal.args["text"]
    await bot.click(action_id=Action.TOUCHPOINT_RECORD, value=str(tp), user=SPO, channel="D0SPO0001")
    [opened] = await bot.fake.wait_for_async("views.open")
    assert opened.args["view"]["callback_id"] == Callback.TOUCHPOINT_RECORD

    values = {
        TouchpointBlock.NOTES: {"value": {"type": "plain_text_input", "value": "Discussed risk plan; agreed weekly contact."}},
        TouchpointBlock.NOTES_SENSITIVE: {"value": {"type": "radio_buttons", "selected_option": {"value": "no"}}},
    }
    assert await bot.submit_view(view_submission(callback_id=Callback.TOUCHPOINT_RECORD, private_metadata=str(tp), values=values, user=SPO)) == (200, {})
    await bot.drained()

    oversight = [r.body for r in record.accepted() if r.body.get("type") == "Management oversight"]
    assert oversight == [{**oversight[0], "text": "Discussed risk plan; agreed weekly contact.", "sensitive": False}]
    updates = bot.fake.calls_to("chat.update")
    touchpoint_updates = [u for u in updates if "Recorded by <@U0SPO0001>" in json.dumps(u.args)]
    assert len(touchpoint_updates) == 2  # both reminder DMs now say who recorded it
    await tick_at(bot, clock, london(2026, 12, 29, 9, 0))
    await tick_at(bot, clock, london(2026, 12, 30, 9, 0))
    assert len(reminders(bot)) == 2


async def test_reschedule_checks_the_date_tells_both_and_replans(timed) -> None:
    bot, clock, _ = timed
    tp = await allocate(bot, date(2026, 12, 29), priority="normal")

    def submit(day: str):  # type: ignore[no-untyped-def]
        values = {TouchpointBlock.DATE: {"value": {"type": "datepicker", "selected_date": day}}}
        return bot.submit_view(view_submission(callback_id=Callback.TOUCHPOINT_RESCHEDULE, private_metadata=str(tp), values=values, user=PP))

    _, answer = await submit("2026-12-26")
    assert "weekend" in answer["errors"][TouchpointBlock.DATE]
    _, answer = await submit("2027-01-01")
    assert "bank holiday" in answer["errors"][TouchpointBlock.DATE]
    assert await submit("2027-01-05") == (200, {})
    await bot.drained()

    told = [c.args["channel"] for c in bot.fake.calls_to("chat.postMessage") if "moved the post-allocation touchpoint" in json.dumps(c.args)]
    assert sorted(told) == [PP, SPO]
    async with bot.runtime.db.uow() as uow:
        jobs = await uow.jobs.planned(touchpoint_id=tp)
        [touchpoint] = list(await uow.session.scalars(select(Touchpoint)))
    assert touchpoint.due_on == date(2027, 1, 5)
    assert {j.due_at.astimezone(LONDON).date() for j in jobs} == {date(2026, 12, 31), date(2027, 1, 5)}


async def test_not_required_needs_a_reason_and_ends_the_reminders(timed) -> None:
    bot, clock, record = timed
    tp = await allocate(bot, date(2026, 12, 29))

    def submit(reason: str):  # type: ignore[no-untyped-def]
        values = {TouchpointBlock.REASON: {"value": {"type": "plain_text_input", "value": reason or None}}}
        return bot.submit_view(view_submission(callback_id=Callback.TOUCHPOINT_NOT_REQUIRED, private_metadata=str(tp), values=values, user=SPO))

    _, answer = await submit("")
    assert TouchpointBlock.REASON in answer["errors"]
    assert await submit("Case transferred out before the touchpoint.") == (200, {})
    await bot.drained()

    async with bot.runtime.db.uow() as uow:
        assert await uow.jobs.planned(touchpoint_id=tp) == []
    assert any("not required: Case transferred out" in json.dumps(r.body) for r in record.accepted())
    for day in (23, 29, 30):
        await tick_at(bot, clock, london(2026, 12, day, 9, 0))
    assert reminders(bot) == []


async def test_snooze_is_for_the_clicker_only(timed) -> None:
    bot, clock, _ = timed
    tp = await allocate(bot, date(2026, 12, 29), priority="normal")
    await tick_at(bot, clock, london(2026, 12, 23, 9, 0))
    await bot.slack_request(interaction_body(button_click(action_id=Action.TOUCHPOINT_SNOOZE, value=str(tp), user=PP, channel="D0PP00001")))
    [reply] = await bot.fake.wait_for_async("chat.postEphemeral")
    assert "remind you again" in reply.args["text"]

    await tick_at(bot, clock, london(2026, 12, 24, 9, 0))
    assert [r[0] for r in reminders(bot)][2:] == [PP]


async def test_restart_sends_what_fell_due_while_down_once(timed, database_url: str, fake_slack: FakeSlack) -> None:
    bot, clock, _ = timed
    await allocate(bot, date(2026, 12, 29), priority="normal")
    clock.set(london(2026, 12, 24, 11, 0))  # the bot was down on Wed 23 Dec
    from bot.services.scheduled import Scheduler
    from storage.db import Database

    restarted = Scheduler(Database(database_url), clock)
    assert await restarted.tick() == 2
    assert await restarted.tick() == 0
    await bot.drained()
    assert sorted(r[0] for r in reminders(bot)) == [PP, SPO]
    await restarted.db.dispose()


async def test_sensitive_oversight_notes_never_reach_slack(timed) -> None:
    bot, clock, record = timed
    tp = await allocate(bot, date(2026, 12, 29))
    await tick_at(bot, clock, london(2026, 12, 23, 9, 0))
    canary = "CANARY-oversight-5e2d"
    values = {
        TouchpointBlock.NOTES: {"value": {"type": "plain_text_input", "value": f"Concern: {canary}"}},
        TouchpointBlock.NOTES_SENSITIVE: {"value": {"type": "radio_buttons", "selected_option": {"value": "yes"}}},
    }
    assert await bot.submit_view(view_submission(callback_id=Callback.TOUCHPOINT_RECORD, private_metadata=str(tp), values=values, user=SPO)) == (200, {})
    await bot.drained()

    assert canary not in bot.fake.all_text()
    [written] = [r.body for r in record.accepted() if r.body.get("type") == "Management oversight"]
    assert written["sensitive"] is True and canary in written["text"]


async def test_jobs_survive_in_the_database(timed) -> None:
    bot, _, _ = timed
    await allocate(bot, date(2026, 12, 29))
    async with bot.runtime.db.uow() as uow:
        states = {j.state for j in await uow.session.scalars(select(ScheduledJob))}
    assert states == {"planned"}
