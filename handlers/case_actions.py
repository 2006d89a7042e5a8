"""The buttons on a case card anyone may press: Details and Open record. Allocate: handlers/allocate.py."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from blocks.case_card import details_modal, notice_modal, record_link
from blocks.ids import Action
from bot.domain.vocabulary import terms_for
from bot.domain.access import is_spo
from bot.services.facade import Services


def case_id_of(body: dict[str, Any]) -> int | None:
    value = str(body["actions"][0].get("value", ""))
    return int(value) if value.isdigit() else None


def register(app: AsyncApp, services: Services) -> None:
    @app.action(Action.DETAILS)
    async def details(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        case_id = case_id_of(body)
        case = await services.case_with_team(case_id) if case_id else None
        user = body["user"]["id"]
        if case is None:
            view = notice_modal("Case not found", "This case is no longer held by casebot.")
        elif case.restricted and not is_spo(case.team, user):
            view = notice_modal("Restricted case", "This is a limited-access case: only the team's SPOs can see its details.")
        else:
            link = record_link(services.settings.record_case_url, case.crn)
            view = details_modal(case, team_name=case.team.name, record_url=link, terms=terms_for(case.team.service))
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.OPEN_RECORD)
    async def open_record(ack: AsyncAck) -> None:
        """A link button still sends an action; acknowledging it keeps Slack from showing an error."""
        await ack()
