"""An exceptional public interest allocation waits for a senior approver's sign-off (PI 05/2014
para 3.5) before anyone else is told, through the real app with signed requests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from blocks.ids import Action
from bot.demo.fake_slack import FakeSlack
from bot.domain.clock import FixedClock
from bot.domain.policy_file import default_policy_text
from storage.models import AuditEvent, Case, OutboxMessage, StoredPolicy
from tests.e2e.test_reallocation import reallocation
from tests.e2e.test_reallocation import submit as submit_reallocation
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest, bot_settings, start_bot
from tests.support.factories import TEAMS_YAML, case_fields

CHANNEL = "C0123456789"
APPROVER = "U0DD00001"
TEAMS = TEAMS_YAML.replace("    notify: [U0ADMIN01]\n", f"    notify: [U0ADMIN01]\n    senior_approvers: [{APPROVER}]\n", 1)


@pytest.fixture
async def timed(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[BotUnderTest]:
    clock = FixedClock(datetime(2026, 12, 21, 10, 0, tzinfo=ZoneInfo("Europe/London")))
    async with AsyncExitStack() as stack:
        bot = await start_bot(stack, bot_settings(database_url, fake_slack), fake_slack, clock=clock)
        await bot.load_teams(TEAMS)
        yield bot


def dms_to(bot: BotUnderTest, user: str) -> list[str]:
    return [json.dumps(c.args, ensure_ascii=False) for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == user]


async def state_of(bot: BotUnderTest, case_id: int) -> str:
    async with bot.runtime.db.uow() as uow:
        case = await uow.session.get(Case, case_id)
        assert case is not None
        return case.state


async def test_an_exceptional_public_interest_allocation_waits_for_the_senior_sign_off(timed) -> None:
    bot = timed
    status, case = await bot.post_case(case_fields(event_id="epi", crn="X500001", exceptional_public_interest=True))
    assert status == 201 and case["resourcing_reason"].startswith("MAPPA category 2; exceptional public interest")
    await bot.drained()
    ids = await bot.practitioner_ids()
    status, body = await bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=ids["N07A001"], touchpoint=date(2027, 1, 12)))
    assert (status, body) == (200, {}), body
    await bot.drained()

    assert await state_of(bot, case["id"]) == "awaiting_sign_off"
    [card] = [m for m in bot.fake.messages_in(CHANNEL) if "X500001" in m["text"]]
    assert "awaiting senior sign-off" in json.dumps(card["blocks"]) and f"<@{APPROVER}>" in json.dumps(card["blocks"])
    assert dms_to(bot, "U0PP00001") == []  # the practitioner is not told yet
    [request] = dms_to(bot, APPROVER)
    assert Action.SIGN_OFF in request and "Sign off" in request
    async with bot.runtime.db.uow() as uow:
        held = list(await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.purpose.in_(("write_back", "practitioner_notice")))))
    assert held == []

    # An SPO cannot sign off their own allocation: only the team's senior approvers.
    await bot.click(action_id=Action.SIGN_OFF, value=str(case["id"]), user="U0SPO0001", channel=APPROVER)
    [refusal] = await bot.fake.wait_for_async("chat.postEphemeral")
    assert "Only the team's senior approvers" in refusal.args["text"]
    assert await state_of(bot, case["id"]) == "awaiting_sign_off"

    await bot.click(action_id=Action.SIGN_OFF, value=str(case["id"]), user=APPROVER, channel=APPROVER)
    await bot.fake.wait_for_async("chat.postEphemeral", count=2)
    await bot.drained()
    assert await state_of(bot, case["id"]) == "allocated"
    assert any("allocated you a new case" in dm for dm in dms_to(bot, "U0PP00001"))
    [card] = [m for m in bot.fake.messages_in(CHANNEL) if "X500001" in m["text"]]
    assert "Allocated to <@U0PP00001>" in json.dumps(card["blocks"])
    async with bot.runtime.db.uow() as uow:
        actions = [e.action for e in await uow.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case["id"]))]
        writes = list(await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "write_back")))
    assert actions == ["case_received", "allocated", "sign_off_requested", "signed_off"]
    assert writes  # the system of record hears of it only now

    # A second click is told it is done already; nothing is sent twice.
    await bot.click(action_id=Action.SIGN_OFF, value=str(case["id"]), user=APPROVER, channel=APPROVER)
    [*_, again] = await bot.fake.wait_for_async("chat.postEphemeral", count=3)
    assert "not waiting for a sign-off" in again.args["text"]


async def signed_off_case(bot: BotUnderTest, crn: str) -> tuple[int, dict[str, int]]:
    """An exceptional public interest case allocated to Ada and signed off."""
    _, case = await bot.post_case(
        case_fields(event_id=f"epi-{crn}", crn=crn, tier="C1", mappa_category=None, mappa_level=None, exceptional_public_interest=True)
    )
    ids = await bot.practitioner_ids()
    status, body = await bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=ids["N07A001"], touchpoint=date(2027, 1, 12)))
    assert (status, body) == (200, {}), body
    await bot.drained()
    await bot.click(action_id=Action.SIGN_OFF, value=str(case["id"]), user=APPROVER, channel=APPROVER)
    await bot.fake.wait_for_async("chat.postEphemeral")
    await bot.drained()
    assert await state_of(bot, case["id"]) == "allocated"
    return int(case["id"]), ids


async def test_reallocating_an_exceptional_public_interest_case_waits_for_the_sign_off_again(timed) -> None:
    bot = timed
    case_id, ids = await signed_off_case(bot, "X500002")
    told_before = {user: len(dms_to(bot, user)) for user in ("U0PP00001", "U0PP00002", APPROVER)}

    status, body = await submit_reallocation(bot, case_id, reallocation(ids["N07A002"], reason="workload"))
    assert (status, body) == (200, {}), body
    await bot.drained()

    assert await state_of(bot, case_id) == "awaiting_sign_off"
    assert len(dms_to(bot, "U0PP00001")) == told_before["U0PP00001"]  # the old holder is not told yet
    assert len(dms_to(bot, "U0PP00002")) == told_before["U0PP00002"]  # nor the new one
    assert len(dms_to(bot, APPROVER)) == told_before[APPROVER] + 1  # the approvers are asked again
    async with bot.runtime.db.uow() as uow:
        writes_before = len(list(await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "write_back"))))

    await bot.click(action_id=Action.SIGN_OFF, value=str(case_id), user=APPROVER, channel=APPROVER)
    await bot.fake.wait_for_async("chat.postEphemeral", count=2)
    await bot.drained()
    assert await state_of(bot, case_id) == "allocated"
    assert "has been reallocated to <@U0PP00002>" in dms_to(bot, "U0PP00001")[-1]
    assert "allocated you a new case" in dms_to(bot, "U0PP00002")[-1]
    async with bot.runtime.db.uow() as uow:
        writes = list(await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "write_back").order_by(OutboxMessage.id)))
        actions = [e.action for e in await uow.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id))]
    assert actions[-3:] == ["reallocated", "sign_off_requested", "signed_off"]
    [allocation_write] = [w for w in writes[writes_before:] if w.method == "record.allocation"]
    assert allocation_write.payload["body"]["reason_code"] == "workload"  # written back as the reallocation it is


async def test_a_region_may_let_a_reallocation_of_such_a_case_stand_without_a_sign_off(timed) -> None:
    bot = timed
    text = (
        default_policy_text()
        .replace("version: casebot-default-1", "version: north-2")
        .replace("sign_off_on_reallocation: true", "sign_off_on_reallocation: false")
    )
    async with bot.runtime.db.uow() as uow:
        await uow.session.execute(update(StoredPolicy).values(current=False))
        uow.session.add(StoredPolicy(version="north-2", text=text, loaded_at=datetime(2026, 12, 1, tzinfo=UTC), loaded_by="test", current=True))
        await uow.commit()
    case_id, ids = await signed_off_case(bot, "X500003")

    status, body = await submit_reallocation(bot, case_id, reallocation(ids["N07A002"]))
    assert (status, body) == (200, {}), body
    await bot.drained()
    assert await state_of(bot, case_id) == "allocated"
    assert "has been reallocated to <@U0PP00002>" in dms_to(bot, "U0PP00001")[-1]
