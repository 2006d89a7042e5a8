"""The Sign off button a senior approver presses on an exceptional public interest allocation
(seeds/003 para 3.5): ack, one service call, a private answer."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from blocks.ids import Action
from blocks.sign_off_blocks import signed_off_reply
from bot.services.facade import Services
from bot.services.sign_off import SignOffRefused
from handlers.errors import answered
from handlers.forms import action_id_value
from handlers.replies import tell, user_of


def register(app: AsyncApp, services: Services) -> None:
    @app.action(Action.SIGN_OFF)
    @answered
    async def sign_off(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        try:
            done = await services.sign_off(case_id=action_id_value(body) or 0, user=user_of(body))
        except SignOffRefused as refused:
            await tell(client, body, refused.message)
            return
        await tell(client, body, signed_off_reply(done.crn, done.practitioner_name))
