"""The rest of the allocation journey: big teams, restricted cases, the SPO's copy switch."""

from __future__ import annotations

import json

from blocks.allocate_modal import AllocateMetadata
from blocks.ids import Action, AllocateBlock
from bot.demo.slack_requests import button_click, interaction_body
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest
from tests.support.factories import big_team_yaml, case_fields


async def test_a_team_over_100_gets_a_searchable_select(bot: BotUnderTest) -> None:
    await bot.load_teams(big_team_yaml(120))
    _, case = await bot.post_case(case_fields(tier="C1", mappa_category=None, mappa_level=None))
    await bot.click(action_id=Action.ALLOCATE, value=str(case["id"]), user="U0SPO0001")
    [updated] = await bot.fake.wait_for_async("views.update")
    block = next(b for b in updated.args["view"]["blocks"] if b.get("block_id") == AllocateBlock.PRACTITIONER)
    assert block["element"]["type"] == "external_select"
    assert len(updated.args["view"]["blocks"]) <= 100

    status, options = await _search(bot, case["id"], "U0SPO0001", "Practitioner 10")
    assert status == 200
    assert {o["text"]["text"].split(" · ")[0].lstrip("⚠↩ ") for o in options} == {f"Practitioner {n}" for n in range(100, 110)}


async def _search(bot: BotUnderTest, case_id: int, user: str, typed: str) -> tuple[int, list[dict]]:
    """What the Allocate modal's practitioner search answers `user` typing `typed`."""
    payload = {
        "type": "block_suggestion",
        "user": {"id": user},
        "team": {"id": "T0TEAM001"},
        "action_id": Action.PRACTITIONER_SEARCH,
        "block_id": AllocateBlock.PRACTITIONER,
        "value": typed,
        "view": {"id": "V1", "private_metadata": AllocateMetadata(case_id).dumps()},
    }
    status, text = await bot.slack_request(interaction_body(payload))
    return status, json.loads(text)["options"]


async def test_the_practitioner_search_answers_only_the_teams_spos(bot: BotUnderTest) -> None:
    """Options carry names and workloads: a practitioner, or another team's SPO, gets none."""
    _, case = await bot.post_case(case_fields(tier="C1", mappa_category=None, mappa_level=None))

    answers_by_user = {user: await _search(bot, case["id"], user, "") for user in ("U0SPO0001", "U0PP00001", "U0SPO0009")}

    assert answers_by_user["U0SPO0001"][0] == 200 and answers_by_user["U0SPO0001"][1] != []
    assert answers_by_user["U0PP00001"] == (200, [])
    assert answers_by_user["U0SPO0009"] == (200, [])


async def test_restricted_case_never_offers_excluded_staff_and_updates_the_spo_dms(bot: BotUnderTest) -> None:
    _, case = await bot.post_case(case_fields(restricted=True, excluded_practitioners=["N07A002"], tier="C1", mappa_category=None))
    await bot.drained()
    await bot.click(action_id=Action.ALLOCATE, value=str(case["id"]), user="U0SPO0001", channel="D0SPO0001")
    [updated] = await bot.fake.wait_for_async("views.update")
    assert "Grace Hopper" not in json.dumps(updated.args["view"])

    ids = await bot.practitioner_ids()
    _, refused = await bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=ids["N07A002"]))
    assert "cannot be offered" in refused["errors"][AllocateBlock.PRACTITIONER]
    status, body = await bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=ids["N07A001"], notify=["U0ADMIN01"]))
    assert (status, body) == (200, {})
    await bot.drained()

    updates = bot.fake.calls_to("chat.update")
    assert sorted(u.args["channel"] for u in updates) == ["D0SPO0001", "D0SPO0002"]
    assert bot.fake.messages_in("C0123456789") == []
    [notify] = [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "U0ADMIN01"]
    assert "limited-access" in notify.args["text"] and "Sam Smith" not in json.dumps(notify.args)


async def test_an_spo_can_switch_their_private_copies_off_and_on(bot: BotUnderTest) -> None:
    click = button_click(action_id=Action.STOP_SPO_COPIES, value="off", user="U0SPO0001", channel="D0SPO0001")
    await bot.slack_request(interaction_body(click))
    [reply] = await bot.fake.wait_for_async("chat.postEphemeral")
    assert "no longer get private copies" in reply.args["text"]

    _, case = await bot.post_case(case_fields())
    ids = await bot.practitioner_ids()
    await bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=ids["N07A001"]))
    await bot.drained()
    assert [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "U0SPO0001"] == []

    click["actions"][0]["value"] = "on"
    await bot.slack_request(interaction_body(click))
    _, again = await bot.fake.wait_for_async("chat.postEphemeral", count=2)
    assert "You will get a private copy" in again.args["text"]
