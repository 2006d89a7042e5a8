"""The allocator's picture end to end: intake -> stored -> Details and the Allocate modal, through
signed requests against the fake Slack, each view judged by slack_sdk's own Block Kit models."""

from __future__ import annotations

import json
from typing import Any

from blocks.ids import Action
from tests.blocks.support import assert_valid_view
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields

FULL_PICTURE: dict[str, Any] = {
    "date_of_birth": "1990-01-02",
    "gender": "Female",
    "nomis_id": "a1234bc",
    "ogrs": 45,
    "rsr_level": "Medium",
    "rsr_date": "2026-11-02",
    "osp_c": "Low",
    "osp_i": "Medium",
    "rosh_children": "High",
    "rosh_public": "Medium",
    "rosh_known_adult": "Very High",
    "rosh_staff": "Low",
    "rosh_prisoners": "Low",
    "registrations": ["Domestic abuse perpetrator", "Child protection", "ViSOR"],
    "alerts": ["Risk to females", "Racist"],
    "last_oasys_date": "2026-11-02",
    "last_oasys_type": "Layer 3 full",
    "other_offences": ["Criminal damage", "Breach of a restraining order"],
    "sentence_length": "2 years 6 months",
    "requirements": ["Unpaid work, 150 hours", "Rehabilitation activity, 20 days"],
    "recall": False,
    "parole_eligibility_date": "2028-01-04",
    "psr_prepared": True,
}
SEEN = (
    "Children *High*", "Known adult *Very High*", "Prisoners Low", "• Domestic abuse perpetrator", "• ViSOR", "• Risk to females",
    "*RSR:* 4.2% · Medium · on Mon 2 Nov 2026", "*OGRS:* 45%", "*OSP/C:* Low", "Mon 2 Nov 2026 (Layer 3 full)",
    "length 2 years 6 months", "• Unpaid work, 150 hours", "Tue 4 Jan 2028", "*Pre-sentence report prepared:* Yes",
    "• Criminal damage", "Tue 2 Jan 1990 (aged 36 at sentence)", "A1234BC", "*gender:* Female",
)  # fmt: skip


async def test_the_full_picture_is_stored_and_answered(bot: BotUnderTest) -> None:
    status, body = await bot.post_case(case_fields(**FULL_PICTURE))
    assert status == 201
    assert body["nomis_id"] == "A1234BC" and body["registrations"] == FULL_PICTURE["registrations"] and body["rosh_known_adult"] == "Very High"
    assert body["recall"] is False and body["date_of_birth"] == "1990-01-02"


async def test_details_shows_the_full_picture_within_slacks_limits(bot: BotUnderTest) -> None:
    _, body = await bot.post_case(case_fields(**FULL_PICTURE))
    await bot.click(action_id=Action.DETAILS, value=str(body["id"]), user="U0PP00001", trigger_id="trigger-1")

    [opened] = await bot.fake.wait_for_async("views.open")
    view = opened.args["view"]
    assert_valid_view(view)
    text = json.dumps(view, ensure_ascii=False)
    missing = [seen for seen in SEEN if seen not in text]
    assert missing == []


async def test_the_allocate_modal_shows_the_full_picture_within_slacks_limits(bot: BotUnderTest) -> None:
    _, body = await bot.post_case(case_fields(**FULL_PICTURE))
    await bot.drained()
    await bot.click(action_id=Action.ALLOCATE, value=str(body["id"]), user="U0SPO0001")

    [opened] = await bot.fake.wait_for_async("views.open")
    [updated] = await bot.fake.wait_for_async("views.update")
    for view in (opened.args["view"], updated.args["view"]):
        assert_valid_view(view)
        text = json.dumps(view, ensure_ascii=False)
        assert [seen for seen in SEEN if seen not in text] == []


async def test_a_case_without_the_picture_reads_not_known(bot: BotUnderTest) -> None:
    _, body = await bot.post_case(case_fields())
    await bot.click(action_id=Action.DETAILS, value=str(body["id"]), user="U0PP00001")

    [opened] = await bot.fake.wait_for_async("views.open")
    text = json.dumps(opened.args["view"], ensure_ascii=False)
    assert "*RoSH by who is at risk:* not known" in text and "*Registrations:*\\n   not known" in text and "*Recall:* not known" in text


async def test_every_bad_picture_field_is_named_and_nothing_stored(bot: BotUnderTest) -> None:
    bad = case_fields(
        date_of_birth="2099-01-01", nomis_id="12345", ogrs=150, rsr_level="Severe", rosh_children="Extreme", registrations=["x" * 400],
        sentence_length="a while", recall="perhaps", restricted_to=["N07A001"], restricted=False,
    )  # fmt: skip
    status, answer = await bot.post_case(bad)

    assert status == 422
    fields = {e["field"] for e in answer["errors"]}
    assert fields == {"date_of_birth", "nomis_id", "ogrs", "rsr_level", "rosh_children", "registrations", "sentence_length", "recall", "restricted"}
    async with bot.runtime.db.uow() as uow:
        assert await uow.cases.count_by_state() == {}
