"""A submission is answered within Slack's 3 seconds whatever the database does.

Another connection holds the database locked for longer than the submission budget while an
SPO submits the Allocate modal: the answer still arrives in time ("Allocating..." in the
modal), the allocation completes once when the lock goes, and the outcome replaces the
modal's working view. Nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, contextmanager
from urllib.parse import urlparse

import psycopg
import pytest
from sqlalchemy import func, select

from blocks.ids import Callback, TouchpointBlock
from bot.demo.fake_slack import FakeSlack
from bot.demo.slack_requests import interaction_body, view_submission
from bot.runtime.settings import Settings
from storage.models import Allocation, Touchpoint
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest, bot_settings, start_bot
from tests.support.factories import case_fields

BUDGET_SECONDS = Settings.model_fields["submission_budget_seconds"].default  # production's, not the tests' longer one
HOLD_SECONDS = BUDGET_SECONDS + 3  # well past the budget and past Slack's 3 s


@pytest.fixture
async def bot(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[BotUnderTest]:
    """The bot with the submission budget it ships with."""
    async with AsyncExitStack() as stack:
        under_test = await start_bot(stack, bot_settings(database_url, fake_slack, submission_budget_seconds=BUDGET_SECONDS), fake_slack)
        await under_test.load_teams()
        yield under_test


@contextmanager
def database_locked(url: str, table: str = "allocations") -> Iterator[None]:
    """Hold the write lock (SQLite) or a lock on `table` (PostgreSQL)."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(urlparse(url).path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        connection.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield
        connection.rollback()


async def test_a_submission_during_a_database_lock_is_answered_in_time_and_completes_once(bot: BotUnderTest, database_url: str) -> None:
    status, case = await bot.post_case(case_fields())
    assert status == 201, case
    await bot.drained()
    pp = (await bot.practitioner_ids())["N07A001"]

    with database_locked(database_url):
        started = time.monotonic()
        submission = asyncio.ensure_future(bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=pp), settle_late=False))
        status, answer = await asyncio.wait_for(asyncio.shield(submission), HOLD_SECONDS)
        answered_in = time.monotonic() - started
        await asyncio.sleep(max(0.0, HOLD_SECONDS - answered_in))  # the lock outlives the answer

    assert status == 200 and answer["response_action"] == "update", answer
    assert "Allocating" in str(answer["view"])
    [update] = await bot.fake.wait_for_async("views.update")
    assert "Done" in str(update.args["view"]) and "Saved" in str(update.args["view"])
    await bot.drained()
    async with bot.runtime.db.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(Allocation))
    assert count == 1
    assert sum(1 for c in bot.fake.calls_to("chat.postMessage") if c.args.get("channel") == "U0PP00001") == 1


async def test_an_outcome_for_a_closed_modal_reaches_the_spo_by_dm(bot: BotUnderTest, database_url: str) -> None:
    """The SPO closed the modal while the commit waited: Slack refuses the views.update
    (not_found, the view is gone), so the outcome arrives as a DM instead of being lost."""
    status, case = await bot.post_case(case_fields())
    assert status == 201, case
    await bot.drained()
    pp = (await bot.practitioner_ids())["N07A001"]

    with database_locked(database_url):
        # bot.submit's view was never opened through the fake, which answers not_found for it,
        # as Slack does for a view the person has closed.
        status, answer = await bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=pp), settle_late=False)
        assert status == 200 and answer["response_action"] == "update", answer

    [update] = await bot.fake.wait_for_async("views.update")
    assert update.response["error"] == "not_found"
    deadline = time.monotonic() + 20

    # The DM channel Slack opens for the SPO (handlers/replies.py), not the user id as a channel.
    def spo_dm() -> set[str]:
        return {c.response["channel"]["id"] for c in bot.fake.calls_to("conversations.open") if c.args.get("users") == "U0SPO0001" and c.response.get("ok")}

    while not (dms := [c for c in bot.fake.calls_to("chat.postMessage") if c.args.get("channel") in spo_dm() and "Done" in c.args.get("text", "")]):
        assert time.monotonic() < deadline, "no DM with the outcome"
        await asyncio.sleep(0.05)
    assert len(dms) == 1 and "closed" in dms[0].args["text"]
    await bot.drained()
    async with bot.runtime.db.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Allocation)) == 1


async def test_a_touchpoint_recorded_during_a_database_lock_is_answered_in_time_and_saved_once(bot: BotUnderTest, database_url: str) -> None:
    """The same for the touchpoint modals, which save more than they check."""
    status, case = await bot.post_case(case_fields())
    assert status == 201, case
    pp = (await bot.practitioner_ids())["N07A001"]
    assert await bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=pp)) == (200, {})
    await bot.drained()
    async with bot.runtime.db.uow() as uow:
        tp = await uow.session.scalar(select(Touchpoint.id).where(Touchpoint.case_id == case["id"]))
    values = {
        TouchpointBlock.NOTES: {"value": {"type": "plain_text_input", "value": "Discussed the plan."}},
        TouchpointBlock.NOTES_SENSITIVE: {"value": {"type": "radio_buttons", "selected_option": {"value": "no"}}},
    }
    payload = view_submission(callback_id=Callback.TOUCHPOINT_RECORD, private_metadata=str(tp), values=values, user="U0SPO0001")
    before = len(bot.fake.calls_to("views.update"))

    with database_locked(database_url, table="touchpoints"):
        started = time.monotonic()
        status, text = await asyncio.wait_for(bot.slack_request(interaction_body(payload)), HOLD_SECONDS)
        await asyncio.sleep(max(0.0, HOLD_SECONDS - (time.monotonic() - started)))

    answer = json.loads(text)
    assert status == 200 and answer["response_action"] == "update" and "Saving" in str(answer["view"]), text
    update = (await bot.fake.wait_for_async("views.update", count=before + 1))[before]
    assert "Done" in str(update.args["view"]), update.args
    async with bot.runtime.db.uow() as uow:
        states = (await uow.session.execute(select(Touchpoint.state, Touchpoint.outcome_by).where(Touchpoint.id == tp))).all()
    assert [(state, by) for state, by in states] == [("recorded", "U0SPO0001")]
