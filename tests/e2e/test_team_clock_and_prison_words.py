"""The team's clock and a prison team's words, through the real app.

- A case that reaches the team on the Friday before the late-summer bank holiday is due by the
  team's target counted from that Friday (the bank holiday and the weekend skipped), whatever
  its sentence date; the card calls it the team's target.
- A prison team's touchpoint reminder names the HOMD and the POM, and a POM allocation's
  evidence is written back as the prison's contact type, not the community CADE type.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.demo.fake_slack import FakeSlack
from bot.domain.clock import FixedClock
from tests.e2e.test_prison_vocabulary import PRISON_YAML
from tests.fakes.fake_http_sink import FakeHttpSink
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest, bot_settings, start_bot
from tests.support.factories import case_fields

LONDON = ZoneInfo("Europe/London")
HOMD, POM = "U0HOMD001", "U0POM0001"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
async def timed(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[tuple[BotUnderTest, FixedClock, FakeHttpSink]]:
    clock = FixedClock(london(2026, 8, 28, 15, 0))  # Friday before the bank holiday on Mon 31 Aug 2026
    with FakeHttpSink() as record:
        settings = bot_settings(database_url, fake_slack, record_api_url=record.url)
        async with AsyncExitStack() as stack:
            bot = await start_bot(stack, settings, fake_slack, clock=clock)
            await bot.load_teams()
            yield bot, clock, record


async def test_a_case_arriving_on_the_friday_before_a_bank_holiday_is_due_by_the_team_target_from_arrival(timed) -> None:
    bot, _, _ = timed
    status, body = await bot.post_case(case_fields(sentence_date="2026-08-20", arrived_on=None))  # received today, Fri 28 Aug
    assert status == 201, body
    # Fri 28 Aug + two working days: Sat, Sun and the bank holiday Mon 31 Aug skipped -> Wed 2 Sep.
    # Counted from the sentence (Thu 20 Aug) it would have been Mon 24 Aug, long overdue.
    assert body["due_by"] == "2026-09-02"
    [card] = await bot.fake.wait_for_async("chat.postMessage")
    blocks = json.dumps(card.args["blocks"])
    assert "Team target*\\nallocate by Wed 2 Sep" in blocks and "PI 05/2014" not in blocks


async def test_a_prison_teams_reminder_names_the_homd_and_the_pom_and_the_evidence_is_the_prisons_contact(timed) -> None:
    bot, clock, record = timed
    await bot.load_teams(PRISON_YAML)
    _, case = await bot.post_case(case_fields(team="LEI01", sentence_type="Custody", custodial=True, prison="HMP Leeds", sentence_date="2026-08-27"))
    async with bot.runtime.db.uow() as uow:
        pom = (await uow.teams.practitioners_by_code(["LEIP001"]))["LEIP001"].id
    touchpoint = date(2026, 9, 14)
    status, answer = await bot.submit(case_id=case["id"], user=HOMD, values=answers(practitioner_id=pom, touchpoint=touchpoint, priority="normal"))
    assert (status, answer) == (200, {}), answer
    await bot.drained()

    clock.set(london(2026, 9, 14, 9, 0))  # the touchpoint's morning
    await bot.runtime.scheduler.tick()
    await bot.drained()
    reminders = [c for c in bot.fake.calls_to("chat.postMessage") if "Post-allocation touchpoint today" in json.dumps(c.args)]
    assert {c.args["channel"] for c in reminders} == {HOMD, POM}
    for reminder in reminders:
        text = json.dumps(reminder.args)
        assert "(HOMD)" in text and "(POM)" in text and "(SPO)" not in text and "(practitioner)" not in text

    await record.wait_for_async(2)
    contacts = [r.body for r in record.accepted() if r.path.endswith("/contacts")]
    assert [c["type"] for c in contacts] == ["POM allocation evidence"]
