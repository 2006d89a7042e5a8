"""Intake -> stored -> channel message -> Details modal, through the real app and the fake Slack."""

from __future__ import annotations

import json

from blocks.ids import Action
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields, teams_yaml


async def test_case_is_stored_then_posted_with_escaped_name_and_due_date(bot: BotUnderTest) -> None:
    await bot.load_teams(teams_yaml("standard"))  # a team whose channel sees names (README, "What the channel may see")
    status, body = await bot.post_case(case_fields(name="<!channel> & co", sentence_date="2026-11-19", arrived_on="2026-11-19"))

    assert status == 201
    assert body["state"] == "unallocated"
    assert body["due_by"] == "2026-11-23"  # arrived Thu 19 Nov + the team's 2 working days = Mon 23 Nov
    [post] = await bot.fake.wait_for_async("chat.postMessage")
    assert post.args["channel"] == "C0123456789"
    rendered = json.dumps(post.args["blocks"])
    assert "New case: &lt;!channel&gt; &amp; co (X123456" in post.args["text"]  # mrkdwn: escaped
    assert post.args["blocks"][0]["text"] == {"type": "plain_text", "text": "New case: <!channel> & co"}  # plain: as typed
    assert "Mon 23 Nov" in rendered
    assert post.args["metadata"]["event_payload"]["outbox_id"] > 0
    await bot.drained()
    async with bot.runtime.db.uow() as uow:
        case = await uow.cases.get(body["id"])
        assert case is not None and case.slack_ts == post.response["ts"] and case.slack_channel == "C0123456789"


async def test_details_button_opens_modal_with_the_full_case(bot: BotUnderTest) -> None:
    _, body = await bot.post_case(case_fields(offence="Assault <b>", previous_practitioner="N07A002", custodial=True, prison="HMP Leeds"))
    status, _ = await bot.click(action_id=Action.DETAILS, value=str(body["id"]), user="U0PP00001", trigger_id="trigger-1")

    assert status == 200
    [opened] = await bot.fake.wait_for_async("views.open")
    view_text = json.dumps(opened.args["view"])
    assert opened.args["trigger_id"] == "trigger-1"
    for expected in ("Assault &lt;b&gt;", "N07A002", "HMP Leeds", "4.2%", "Category 2", "Level 1", "Thu 19 Nov 2026"):
        assert expected in view_text


async def test_same_event_id_returns_stored_case_and_posts_once(bot: BotUnderTest) -> None:
    first_status, first = await bot.post_case(case_fields())
    again_status, again = await bot.post_case(case_fields(name="Changed Name"))

    assert (first_status, again_status) == (201, 200)
    assert again == first
    await bot.drained()
    assert len(bot.fake.calls_to("chat.postMessage")) == 1


async def test_restricted_case_goes_to_each_spo_privately_never_the_channel(bot: BotUnderTest) -> None:
    status, _ = await bot.post_case(case_fields(restricted=True, excluded_practitioners=["N07A002"]))

    assert status == 201
    await bot.drained()
    posts = bot.fake.calls_to("chat.postMessage")
    assert sorted(p.args["channel"] for p in posts) == ["U0SPO0001", "U0SPO0002"]
    assert bot.fake.messages_in("C0123456789") == []


async def test_record_link_appears_when_template_is_set(database_url: str, fake_slack) -> None:
    from contextlib import AsyncExitStack

    from tests.support.bot import bot_settings, start_bot

    async with AsyncExitStack() as stack:
        settings = bot_settings(database_url, fake_slack, record_case_url="https://records.example/case/{crn}")
        bot = await start_bot(stack, settings, fake_slack)
        await bot.load_teams()
        await bot.post_case(case_fields())
        [post] = await fake_slack.wait_for_async("chat.postMessage")
    assert "https://records.example/case/X123456" in json.dumps(post.args["blocks"])
