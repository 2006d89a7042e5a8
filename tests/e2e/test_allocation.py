"""The allocation journey through the real app: Allocate click -> modal -> submission -> commit
-> card update, thread reply, notices and write-backs. Dates are relative to today."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import partial

from sqlalchemy import select

from blocks.ids import Action, AllocateBlock
from bot.domain.calendar import is_bank_holiday, working_day_on_or_after
from storage.models import Allocation, AuditEvent, Case, Touchpoint
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields

TODAY = date.today()
GOOD_DAY = working_day_on_or_after(TODAY + timedelta(days=15))
CHANNEL = "C0123456789"
dumps = partial(json.dumps, ensure_ascii=False)


def next_saturday() -> date:
    return TODAY + timedelta(days=(5 - TODAY.weekday()) % 7 or 7)


def next_weekday_bank_holiday() -> date:
    day = TODAY + timedelta(days=1)
    while not (is_bank_holiday(day) and day.weekday() < 5):
        day += timedelta(days=1)
    return day


async def _posted_case(bot: BotUnderTest, **fields) -> int:
    status, body = await bot.post_case(case_fields(**fields))
    assert status == 201
    await bot.drained()
    return int(body["id"])


async def _stored(bot: BotUnderTest, model) -> list:
    async with bot.runtime.db.uow() as uow:
        return list(await uow.session.scalars(select(model)))


async def test_click_opens_at_once_then_fills_the_modal_with_ranked_practitioners(bot: BotUnderTest) -> None:
    case_id = await _posted_case(bot, tier="C1", previous_practitioner="N07A002", mappa_category=None, mappa_level=None)
    await bot.click(action_id=Action.ALLOCATE, value=str(case_id), user="U0SPO0001")

    [opened] = await bot.fake.wait_for_async("views.open")
    [updated] = await bot.fake.wait_for_async("views.update")
    assert "Loading practitioners" in dumps(opened.args["view"])
    assert updated.args["view_id"] == opened.response["view"]["id"] and updated.args["hash"] == opened.response["view"]["hash"]
    view = updated.args["view"]
    text = dumps(view)
    by_block = {b.get("block_id"): b for b in view["blocks"]}
    # The touchpoint's priority is the SPO's judgement: nothing is pre-selected. Hate crime and
    # discrimination are two questions, each with its own notes and sensitivity.
    assert "initial_option" not in by_block[AllocateBlock.TOUCHPOINT_PLAN]["element"]
    assert {AllocateBlock.HATE_CRIME, AllocateBlock.HATE_NOTES_SENSITIVE, AllocateBlock.DISCRIMINATION, AllocateBlock.DISCRIMINATION_NOTES_SENSITIVE} <= set(
        by_block
    )
    assert "subject access request" in dumps(by_block[AllocateBlock.EVIDENCE_SENSITIVE])
    select_block = next(b for b in view["blocks"] if b.get("block_id") == AllocateBlock.PRACTITIONER)
    labels = [o["text"]["text"] for o in select_block["element"]["options"]]
    assert labels[0].startswith("↩ Grace Hopper · PSO")  # previous practitioner first among the within-policy
    assert "Ada Lovelace · PO" in labels[1]
    assert "A 0 · B 0 · C 0 · D 0" in text and "new in 7 days" in text and "Within policy" in text
    assert GOOD_DAY.isoformat() in text  # touchpoint defaults to allocation + 15 days (a working day)
    notify = next(b for b in view["blocks"] if b.get("block_id") == AllocateBlock.NOTIFY)
    assert notify["element"]["initial_users"] == ["U0ADMIN01"]


async def test_happy_path_commits_once_and_tells_everyone(bot: BotUnderTest) -> None:
    case_id = await _posted_case(bot)
    ids = await bot.practitioner_ids()
    [card] = bot.fake.calls_to("chat.postMessage")

    status, body = await bot.submit(
        case_id=case_id, user="U0SPO0001",
        values=answers(practitioner_id=ids["N07A001"], priority="high", touchpoint=GOOD_DAY, notify=["U0ADMIN01", "U0OTHER01"]),
    )  # fmt: skip

    assert (status, body) == (200, {})
    await bot.drained()
    [allocation] = await _stored(bot, Allocation)
    [touchpoint] = await _stored(bot, Touchpoint)
    [case] = await _stored(bot, Case)
    assert (case.state, allocation.allocated_by, allocation.outside_policy) == ("allocated", "U0SPO0001", False)
    assert (touchpoint.due_on, touchpoint.priority, touchpoint.state) == (GOOD_DAY, "high", "planned")
    assert [e.action for e in await _stored(bot, AuditEvent)][-1] == "allocated"

    [update] = bot.fake.calls_to("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (CHANNEL, card.response["ts"])
    assert "Allocated to <@U0PP00001> by <@U0SPO0001>" in dumps(update.args["blocks"])
    assert Action.ALLOCATE not in dumps(update.args["blocks"])
    posts = {c.args["channel"]: c for c in bot.fake.calls_to("chat.postMessage")[1:]}
    assert posts[CHANNEL].args["thread_ts"] == card.response["ts"]
    pp = dumps(posts["U0PP00001"].args)
    assert "high priority" in pp and str(GOOD_DAY.day) in pp and f"p{card.response['ts'].replace('.', '')}" in pp
    assert set(posts) == {CHANNEL, "U0PP00001", "U0ADMIN01", "U0OTHER01", "U0SPO0001"}


async def test_each_bad_answer_comes_back_inline_and_nothing_is_stored(bot: BotUnderTest) -> None:
    case_id = await _posted_case(bot)
    pp = (await bot.practitioner_ids())["N07A001"]
    cases = [
        (answers(practitioner_id=None), AllocateBlock.PRACTITIONER),
        (answers(practitioner_id=pp, evidence=""), AllocateBlock.EVIDENCE),
        (answers(practitioner_id=pp, evidence_sensitive=None), AllocateBlock.EVIDENCE_SENSITIVE),
        (answers(practitioner_id=pp, hate_crime="yes", hate_notes_sensitive="no"), AllocateBlock.HATE_NOTES),
        (answers(practitioner_id=pp, hate_crime="yes", hate_notes="Targeted for religion."), AllocateBlock.HATE_NOTES_SENSITIVE),
        (answers(practitioner_id=pp, discrimination=None), AllocateBlock.DISCRIMINATION),
        (answers(practitioner_id=pp, discrimination="yes", discrimination_notes_sensitive="no"), AllocateBlock.DISCRIMINATION_NOTES),
        (answers(practitioner_id=pp, priority=None), AllocateBlock.TOUCHPOINT_PLAN),
        (answers(practitioner_id=pp, touchpoint=TODAY - timedelta(days=1)), AllocateBlock.TOUCHPOINT_DATE),
        (answers(practitioner_id=pp, touchpoint=next_saturday()), AllocateBlock.TOUCHPOINT_DATE),
        (answers(practitioner_id=pp, touchpoint=next_weekday_bank_holiday()), AllocateBlock.TOUCHPOINT_DATE),
        (answers(practitioner_id=pp, priority="not_required"), AllocateBlock.TOUCHPOINT_REASON),
    ]
    messages = []
    for values, block in cases:
        status, body = await bot.submit(case_id=case_id, user="U0SPO0001", values=values)
        assert status == 200 and body["response_action"] == "errors", body
        assert list(body["errors"]) == [block], (block, body)
        messages.append(body["errors"][block])
    assert "weekend" in messages[9] and "bank holiday" in messages[10] and "past" in messages[8]
    assert await _stored(bot, Allocation) == []
    [case] = await _stored(bot, Case)
    assert case.state == "unallocated"


async def test_outside_policy_needs_explicit_confirmation_and_is_audited(bot: BotUnderTest) -> None:
    case_id = await _posted_case(bot, tier="B2")  # Grace Hopper is a PSO, not ready for B
    pso = (await bot.practitioner_ids())["N07A002"]

    status, refused = await bot.submit(case_id=case_id, user="U0SPO0001", values=answers(practitioner_id=pso))
    assert refused["response_action"] == "errors"
    assert "Tier B needs PO grade" in refused["errors"][AllocateBlock.CONFIRM_EXCEPTION]
    assert await _stored(bot, Allocation) == []

    status, body = await bot.submit(case_id=case_id, user="U0SPO0001", values=answers(practitioner_id=pso, confirm=True))
    assert (status, body) == (200, {})
    [allocation] = await _stored(bot, Allocation)
    assert allocation.outside_policy and any("PO grade" in e for e in allocation.policy_exceptions)
    audit = [e for e in await _stored(bot, AuditEvent) if e.action == "allocated"]
    assert audit[0].detail["outside_policy"] is True


async def test_a_non_spo_cannot_allocate_by_submission_either(bot: BotUnderTest) -> None:
    case_id = await _posted_case(bot)
    pp = (await bot.practitioner_ids())["N07A001"]

    _, body = await bot.submit(case_id=case_id, user="U0PP00001", values=answers(practitioner_id=pp))

    assert "Only the team's SPOs can allocate" in body["errors"][AllocateBlock.PRACTITIONER]
    assert await _stored(bot, Allocation) == []


async def test_an_spo_of_another_team_cannot_allocate(bot: BotUnderTest) -> None:
    case_id = await _posted_case(bot)
    await bot.click(action_id=Action.ALLOCATE, value=str(case_id), user="U0SPO0009")

    [reply] = await bot.fake.wait_for_async("chat.postEphemeral")
    assert "Only the team's SPOs" in reply.args["text"]
    assert bot.fake.calls_to("views.open") == []
