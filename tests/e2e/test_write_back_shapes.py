"""The write-back bodies a system of record receives are the ones docs/write-back.md shows.

docs/write-back.md's JSON examples are parsed here and compared with what the fake system of
record received after a real allocation (signed Slack requests, the real app) and a recorded
touchpoint: the same keys, the same kinds of value, and the same values wherever the scenario
fixes them (the doc's example is this scenario), so the doc cannot drift from the code.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from blocks.ids import Callback, TouchpointBlock
from bot.demo.fake_slack import FakeSlack
from bot.demo.slack_requests import view_submission
from bot.domain.clock import FixedClock
from storage.models import Touchpoint
from tests.fakes.fake_http_sink import FakeHttpSink
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest, bot_settings, start_bot
from tests.support.factories import TEAMS_YAML, case_fields

DOC = Path(__file__).resolve().parents[2] / "docs" / "write-back.md"
SPO = "U0SPO0001"
TEAMS = TEAMS_YAML.replace("spos: [U0SPO0001, U0SPO0002]", "spos: [{slack_user: U0SPO0001, staff_code: N07S001, name: Sue Price}, U0SPO0002]")
# Values that differ between the doc's example and a run: the SPO's own words, and the clock.
FREE = {"text", "allocated_at", "created_at", "recorded_at"}
TIMES = {"allocated_at", "created_at", "recorded_at"}


def documented_bodies() -> list[dict[str, Any]]:
    """Every ```json example of docs/write-back.md, in order."""
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture
async def world(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[tuple[BotUnderTest, FixedClock, FakeHttpSink]]:
    clock = FixedClock(datetime(2026, 12, 2, 10, 4, tzinfo=ZoneInfo("Europe/London")))
    with FakeHttpSink() as record:
        settings = bot_settings(database_url, fake_slack, record_api_url=record.url)
        async with AsyncExitStack() as stack:
            bot = await start_bot(stack, settings, fake_slack, clock=clock)
            await bot.load_teams(TEAMS)
            yield bot, clock, record


async def record_touchpoint(bot: BotUnderTest, case_id: int) -> None:
    async with bot.runtime.db.uow() as uow:
        touchpoint_id = await uow.session.scalar(select(Touchpoint.id).where(Touchpoint.case_id == case_id))
    values = {
        TouchpointBlock.NOTES: {"value": {"type": "plain_text_input", "value": "Discussed the plan."}},
        TouchpointBlock.NOTES_SENSITIVE: {"value": {"type": "radio_buttons", "selected_option": {"value": "no"}}},
    }
    payload = view_submission(callback_id=Callback.TOUCHPOINT_RECORD, private_metadata=str(touchpoint_id), values=values, user=SPO)
    assert await bot.submit_view(payload) == (200, {})


def same_shape(received: dict[str, Any], documented: dict[str, Any]) -> None:
    assert list(received) == list(documented), f"keys differ: got {list(received)}, doc shows {list(documented)}"
    for key, shown in documented.items():
        got = received[key]
        assert type(got) is type(shown), f"{key}: got {got!r}, doc shows {shown!r}"
        if key in TIMES:
            assert datetime.fromisoformat(got).tzinfo is not None
        elif key not in FREE:
            assert got == shown, f"{key}: got {got!r}, doc shows {shown!r}"


async def test_the_allocation_and_every_contact_are_sent_as_documented(world) -> None:
    bot, clock, record = world
    status, case = await bot.post_case(case_fields(event_number=1, mappa_category=None, mappa_level=None))
    assert status == 201 and case["event_number"] == "1", case
    grace = (await bot.practitioner_ids())["N07A002"]  # a PSO for tier B: outside policy, confirmed
    values = answers(
        practitioner_id=grace, confirm=True, hate_crime="yes", hate_notes="Racially aggravated.", hate_notes_sensitive="no",
        discrimination="yes", discrimination_notes="Remarks about the victim.", discrimination_notes_sensitive="yes",
    )  # fmt: skip
    assert await bot.submit(case_id=case["id"], user=SPO, values=values) == (200, {})
    await bot.drained()
    clock.advance(days=15)
    await record_touchpoint(bot, case["id"])
    await bot.drained()

    sent = [r.body for r in sorted(record.accepted(), key=lambda r: int(r.headers["Idempotency-Key"]))]
    allocation_doc, *contact_docs = documented_bodies()
    assert [b.get("type_key", "allocation") for b in sent] == ["allocation", *(d["type_key"] for d in contact_docs)]
    same_shape(sent[0], allocation_doc)
    for body, documented in zip(sent[1:], contact_docs, strict=True):
        same_shape(body, documented)
    assert sent[2]["text"] == contact_docs[1]["text"]  # the oversight contact is casebot's own words: exactly as shown
    assert sent[4]["sensitive"] is True  # each contact carries its own flag (discrimination notes marked sensitive)
    assert datetime.fromisoformat(sent[-1]["recorded_at"]).date() == date(2026, 12, 17)
