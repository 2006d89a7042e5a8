"""Who may do what: every action, submission and subcommand by a non-member, a practitioner,
an SPO of another team and an SPO of the team. Only the last may allocate, reallocate or record
oversight; sensitive text is for the team's SPOs and the practitioner who holds the case; every
refusal is polite and stores nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from blocks.allocate_modal import AllocateMetadata
from blocks.ids import INPUT_ACTION, Action, AllocateBlock, Callback, TouchpointBlock
from bot.demo.slack_requests import signed_headers, slash_body, view_submission
from bot.domain.calendar import working_day_on_or_after
from storage.models import Allocation, AuditEvent, Touchpoint
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields

STRANGER, PRACTITIONER, OTHER_SPO, SPO = "U0STRANGE1", "U0PP00001", "U0SPO0009", "U0SPO0001"
OUTSIDERS = (STRANGER, PRACTITIONER, OTHER_SPO)
CANARY = "CANARY-matrix-2b9e"
POLITE = ("Only the team's SPOs", "SPO's oversight record", "only the practitioner and the team's SPOs")


async def _state(bot: BotUnderTest) -> tuple[int, int, list[str]]:
    async with bot.runtime.db.uow() as uow:
        allocations = await uow.session.scalar(select(func.count()).select_from(Allocation))
        audit = await uow.session.scalar(select(func.count()).select_from(AuditEvent))
        touchpoints = [t.state for t in await uow.session.scalars(select(Touchpoint).order_by(Touchpoint.id))]
    return allocations, audit, touchpoints


async def _submit(bot: BotUnderTest, callback: str, metadata: str, values: dict, user: str) -> dict:
    status, answer = await bot.submit_view(view_submission(callback_id=callback, private_metadata=metadata, values=values, user=user))
    assert status == 200
    return dict(answer)


def _reallocation(practitioner_id: int) -> dict:
    values = answers(practitioner_id=practitioner_id, evidence_sensitive="yes", confirm=True)
    values[AllocateBlock.REASON] = {INPUT_ACTION: {"selected_option": {"value": "workload"}}}
    values[AllocateBlock.KEEP_TOUCHPOINT] = {INPUT_ACTION: {"selected_option": {"value": "yes"}}}
    return values


async def test_only_the_teams_spo_may_allocate_reallocate_record_or_read_sensitive_text(bot: BotUnderTest) -> None:
    ids = await bot.practitioner_ids()
    _, fresh = await bot.post_case(case_fields(event_id="fresh", crn="X000001"))
    _, held = await bot.post_case(case_fields(event_id="held", crn="X000002"))
    touchpoint = working_day_on_or_after(date.today() + timedelta(days=15))
    assert (
        await bot.submit(
            case_id=held["id"],
            user=SPO,
            values=answers(practitioner_id=ids["N07A001"], evidence=f"{CANARY} " * 5, evidence_sensitive="yes", touchpoint=touchpoint),
        )
    )[1] == {}
    async with bot.runtime.db.uow() as uow:
        tp = int(await uow.session.scalar(select(Touchpoint.id)))
    await bot.drained()
    before = await _state(bot)
    oversight = {
        TouchpointBlock.NOTES: {INPUT_ACTION: {"type": "plain_text_input", "value": "Discussed."}},
        TouchpointBlock.NOTES_SENSITIVE: {INPUT_ACTION: {"type": "radio_buttons", "selected_option": {"value": "no"}}},
    }
    reason = {TouchpointBlock.REASON: {INPUT_ACTION: {"type": "plain_text_input", "value": "Not needed."}}}

    for user in OUTSIDERS:
        clicks = [(Action.ALLOCATE, fresh["id"]), (Action.REALLOCATE, held["id"]), (Action.TOUCHPOINT_RECORD, tp), (Action.TOUCHPOINT_NOT_REQUIRED, tp)]
        for action, value in clicks:
            await bot.click(action_id=action, value=str(value), user=user)
        replies = await bot.fake.wait_for_async("chat.postEphemeral", count=len(clicks))
        assert all(any(p in r.args["text"] for p in POLITE) for r in replies[-len(clicks) :]), [r.args["text"] for r in replies]
        assert bot.fake.calls_to("views.open") == []

        refusals = [
            await _submit(bot, Callback.ALLOCATE, AllocateMetadata(fresh["id"]).dumps(), answers(practitioner_id=ids["N07A001"]), user),
            await _submit(bot, Callback.REALLOCATE, AllocateMetadata(held["id"]).dumps(), _reallocation(ids["N07A002"]), user),
            await _submit(bot, Callback.TOUCHPOINT_RECORD, str(tp), oversight, user),
            await _submit(bot, Callback.TOUCHPOINT_NOT_REQUIRED, str(tp), reason, user),
        ]
        for answer in refusals:
            assert answer["response_action"] == "errors", answer
            assert any(p in message for message in answer["errors"].values() for p in POLITE), answer
        body = slash_body(f"case {held['crn']}", user)
        status, text = await bot.slack_request(body, signed_headers(body))
        # The practitioner here holds the case: the SPO's sensitive notes are for them too.
        assert status == 200 and (CANARY in text) == (user == PRACTITIONER), user
        assert await _state(bot) == before, f"{user} changed something"

    body = slash_body(f"case {held['crn']}", SPO)
    _, text = await bot.slack_request(body, signed_headers(body))
    assert CANARY in text  # the team's SPO may read it
    assert await _submit(bot, Callback.REALLOCATE, AllocateMetadata(held["id"]).dumps(), _reallocation(ids["N07A002"]), SPO) == {}
    assert await _submit(bot, Callback.ALLOCATE, AllocateMetadata(fresh["id"]).dumps(), answers(practitioner_id=ids["N07A001"]), SPO) == {}
    allocations, _, _ = await _state(bot)
    assert allocations == before[0] + 2
