"""The buttons on a case card anyone may press: Details and Open record. Allocate: handlers/allocate.py."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from blocks.ids import Action
from bot.services.facade import Services
from handlers.errors import answered
from handlers.forms import action_id_value
from handlers.presenters import details_view
from handlers.replies import user_of


def register(app: AsyncApp, services: Services) -> None:
    @app.action(Action.DETAILS)
    @answered
    async def details(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        case_id = action_id_value(body)
        found = await services.case_details(case_id) if case_id else None
        view = details_view(found, user_of(body), services.settings.record_case_url)
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.OPEN_RECORD)
    @answered
    async def open_record(ack: AsyncAck) -> None:
        """A link button still sends an action; acknowledging it keeps Slack from showing an error."""
        await ack()
