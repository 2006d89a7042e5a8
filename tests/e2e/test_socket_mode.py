"""Socket Mode: with SLACK_APP_TOKEN set the bot needs no public URL; clicks arrive over the socket."""

from __future__ import annotations

from contextlib import AsyncExitStack

from blocks.ids import Action
from bot.demo.fake_slack import FakeSlack
from bot.demo.fake_slack_http import interactive_envelope
from bot.demo.slack_requests import button_click
from tests.support.bot import bot_settings, start_bot
from tests.support.factories import case_fields


async def test_details_click_over_the_socket_is_acked_and_opens_the_modal(database_url: str, fake_slack: FakeSlack) -> None:
    settings = bot_settings(database_url, fake_slack, slack_app_token="xapp-1-test", slack_signing_secret=None)
    async with AsyncExitStack() as stack:
        bot = await start_bot(stack, settings, fake_slack)
        await bot.load_teams()
        _, case = await bot.post_case(case_fields())
        await fake_slack.socket_connected_async()

        envelope = interactive_envelope(button_click(action_id=Action.DETAILS, value=str(case["id"]), user="U0PP00001"))
        await fake_slack.socket_send(envelope)
        await fake_slack.wait_for_socket_ack_async(envelope["envelope_id"])
        [opened] = await fake_slack.wait_for_async("views.open")
        status, _ = await bot.slack_request("payload=%7B%7D")

    assert opened.args["view"]["callback_id"] == "case_details_modal"
    assert status == 404  # no HTTP events endpoint in Socket Mode
    [connect] = fake_slack.calls_to("apps.connections.open")
    assert connect.token == "xapp-1-test"
