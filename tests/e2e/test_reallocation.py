"""Reallocation (seeds/003 Annex D): from the card, with a reason and new evidence."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from blocks.allocate_modal import AllocateMetadata
from blocks.ids import INPUT_ACTION, Action, AllocateBlock, Callback
from bot.demo.slack_requests import view_submission
from storage.models import Allocation, AuditEvent, ScheduledJob, Touchpoint
from tests.support.allocation import DEFAULT_TOUCHPOINT, answers
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields

EVIDENCE = "Grace has the PSO experience this tier C case needs and capacity this month."


def reallocation(practitioner_id: int, *, reason: str = "error_user", keep: str = "yes", evidence: str = EVIDENCE, **touchpoint: object) -> dict:
    values = answers(practitioner_id=practitioner_id, evidence=evidence, **touchpoint)
    values[AllocateBlock.REASON] = {INPUT_ACTION: {"selected_option": {"value": reason}} if reason else {"selected_option": None}}
    values[AllocateBlock.KEEP_TOUCHPOINT] = {INPUT_ACTION: {"selected_option": {"value": keep}}}
    return values


async def submit(bot: BotUnderTest, case_id: int, values: dict, user: str = "U0SPO0001") -> tuple[int, dict]:
    payload = view_submission(callback_id=Callback.REALLOCATE, private_metadata=AllocateMetadata(case_id).dumps(), values=values, user=user)
    return await bot.submit_view(payload)


async def allocated_case(bot: BotUnderTest) -> tuple[int, dict[str, int]]:
    _, case = await bot.post_case(case_fields(tier="C1", mappa_category=None, mappa_level=None))
    ids = await bot.practitioner_ids()
    status, body = await bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=ids["N07A001"], touchpoint=DEFAULT_TOUCHPOINT))
    assert (status, body) == (200, {})
    await bot.drained()
    return int(case["id"]), ids


async def test_reallocate_from_the_card_moves_the_case_and_its_reminders(bot: BotUnderTest) -> None:
    case_id, ids = await allocated_case(bot)
    [update] = bot.fake.calls_to("chat.update")
    assert Action.REALLOCATE in json.dumps(update.args["blocks"])

    await bot.click(action_id=Action.REALLOCATE, value=str(case_id), user="U0SPO0001")
    [updated] = await bot.fake.wait_for_async("views.update")
    view = json.dumps(updated.args["view"], ensure_ascii=False)
    assert "Currently held by *Ada Lovelace (PO)*" in view and "Allocated in error - user" in view
    select_block = next(b for b in updated.args["view"]["blocks"] if b.get("block_id") == AllocateBlock.PRACTITIONER)
    assert [o["value"] for o in select_block["element"]["options"]] == [str(ids["N07A002"])]  # not the current holder

    status, body = await submit(bot, case_id, reallocation(ids["N07A002"]))
    assert (status, body) == (200, {})
    await bot.drained()

    async with bot.runtime.db.uow() as uow:
        allocations = list(await uow.session.scalars(select(Allocation).order_by(Allocation.id)))
        [touchpoint] = list(await uow.session.scalars(select(Touchpoint)))
        jobs = list(await uow.session.scalars(select(ScheduledJob).where(ScheduledJob.state == "planned")))
        audit = [e for e in await uow.session.scalars(select(AuditEvent)) if e.action == "reallocated"]
    assert [(a.current, a.reason) for a in allocations] == [(False, None), (True, "error_user")]
    assert allocations[0].ended_at is not None
    assert touchpoint.allocation_id == allocations[1].id and touchpoint.due_on == DEFAULT_TOUCHPOINT
    assert {j.recipient for j in jobs} == {"U0PP00002", "U0SPO0001"}  # reminders moved to the new practitioner
    assert audit[0].detail["from_staff_code"] == "N07A001" and audit[0].detail["staff_code"] == "N07A002"

    texts = {c.args["channel"]: json.dumps(c.args, ensure_ascii=False) for c in bot.fake.calls_to("chat.postMessage")}
    assert "has been reallocated to <@U0PP00002>" in texts["U0PP00001"]
    assert "allocated you a new case" in texts["U0PP00002"]
    thread = [c for c in bot.fake.calls_to("chat.postMessage") if c.args.get("thread_ts")][-1]
    assert "Reallocated to <@U0PP00002>" in thread.args["text"] and "(was <@U0PP00001>)" in thread.args["text"]
    assert "Reason: Allocated in error - user" in thread.args["text"]
    last_card = bot.fake.calls_to("chat.update")[-1]
    assert "Reallocated to <@U0PP00002>" in json.dumps(last_card.args["blocks"])


async def test_not_keeping_the_touchpoint_asks_the_same_questions_as_allocation(bot: BotUnderTest) -> None:
    case_id, ids = await allocated_case(bot)
    _, body = await submit(bot, case_id, reallocation(ids["N07A002"], keep="no", reason="workload", priority=None))
    assert list(body["errors"]) == [AllocateBlock.TOUCHPOINT_PLAN]  # the SPO judges it: nothing is assumed
    status, body = await submit(bot, case_id, reallocation(ids["N07A002"], keep="no", reason="workload", priority="high"))
    assert (status, body) == (200, {})
    async with bot.runtime.db.uow() as uow:
        touchpoints = list(await uow.session.scalars(select(Touchpoint).order_by(Touchpoint.id)))
    assert [t.state for t in touchpoints] == ["cancelled", "planned"]
    assert touchpoints[1].priority == "high" and touchpoints[1].due_on == DEFAULT_TOUCHPOINT


async def test_reallocation_errors_are_inline_and_change_nothing(bot: BotUnderTest) -> None:
    case_id, ids = await allocated_case(bot)
    _, body = await submit(bot, case_id, reallocation(ids["N07A002"], reason=""))
    assert list(body["errors"]) == [AllocateBlock.REASON]
    _, body = await submit(bot, case_id, reallocation(ids["N07A001"]))
    assert "already holds" in body["errors"][AllocateBlock.PRACTITIONER]
    _, body = await submit(bot, case_id, reallocation(ids["N07A002"]), user="U0PP00001")
    assert "Only the team's SPOs" in body["errors"][AllocateBlock.PRACTITIONER]
    async with bot.runtime.db.uow() as uow:
        assert len(list(await uow.session.scalars(select(Allocation)))) == 1


async def test_two_spos_reallocating_at_once_make_one_change(bot: BotUnderTest) -> None:
    case_id, ids = await allocated_case(bot)
    results = await asyncio.gather(
        submit(bot, case_id, reallocation(ids["N07A002"]), user="U0SPO0001"),
        submit(bot, case_id, reallocation(ids["N07A002"]), user="U0SPO0002"),
    )
    assert sorted(r[1] == {} for r in results) == [False, True]
    async with bot.runtime.db.uow() as uow:
        current = list(await uow.session.scalars(select(Allocation).where(Allocation.current.is_(True))))
    assert len(current) == 1
