"""The buttons on a case card anyone may press: Details and Open record. Allocate: handlers/allocate.py."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from blocks.ids import Action
from bot.domain.access import is_spo
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
        case = await services.case_with_team(case_id) if case_id else None
        may_see = case is not None and (not case.restricted or is_spo(case.team, user_of(body)))
        team_name, service = (case.team.name, case.team.service) if case else ("", "")
        view = details_view(case, may_see, team_name, service, services.settings.record_case_url)
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.OPEN_RECORD)
    @answered
    async def open_record(ack: AsyncAck) -> None:
        """A link button still sends an action; acknowledging it keeps Slack from showing an error."""
        await ack()
