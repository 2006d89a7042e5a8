"""The buttons on a touchpoint reminder and their modals (issue 6). Thin glue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from blocks.formats import when_text
from blocks.ids import INPUT_ACTION, Action, Callback, TouchpointBlock
from bot.services.facade import Services
from bot.services.touchpoints import TouchpointRefused

MODAL_ACTIONS = {
    Action.TOUCHPOINT_RECORD: "record",
    Action.TOUCHPOINT_RESCHEDULE: "reschedule",
    Action.TOUCHPOINT_NOT_REQUIRED: "not_required",
}
BLOCK_OF = {
    "notes": TouchpointBlock.NOTES,
    "notes_sensitive": TouchpointBlock.NOTES_SENSITIVE,
    "date": TouchpointBlock.DATE,
    "reason": TouchpointBlock.REASON,
}


def _value(view: dict[str, Any], block: TouchpointBlock, key: str) -> Any:
    """One answer from the modal; anything not shaped as Slack shapes it reads as None."""
    values = (view.get("state") or {}).get("values")
    actions = values.get(block) if isinstance(values, dict) else None
    element = actions.get(INPUT_ACTION) if isinstance(actions, dict) else None
    return element.get(key) if isinstance(element, dict) else None


def _touchpoint_id(text: Any) -> int:
    """The modal's private_metadata; 0 (no such touchpoint) when it is not an id."""
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 9 else 0


def _string(value: Any) -> str:
    return value.replace("\x00", "") if isinstance(value, str) else ""


async def _tell(client: AsyncWebClient, body: dict[str, Any], text: str) -> None:
    user = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id") or user
    await client.chat_postEphemeral(channel=channel, user=user, text=text)


def _modal_opener(services: Services, kind: str) -> Callable[..., Awaitable[None]]:
    """A listener opening the `kind` modal (Bolt injects arguments by name, so no defaults)."""

    async def open_modal(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        try:
            view = await services.touchpoint_modal(kind, int(body["actions"][0]["value"]), body["user"]["id"])
        except TouchpointRefused as exc:
            await _tell(client, body, exc.message)
            return
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    return open_modal


def register(app: AsyncApp, services: Services) -> None:
    for action, kind in MODAL_ACTIONS.items():
        app.action(action)(_modal_opener(services, kind))

    @app.action(Action.TOUCHPOINT_SNOOZE)
    async def snooze(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        try:
            until = await services.snooze_touchpoint(int(body["actions"][0]["value"]), body["user"]["id"])
        except TouchpointRefused as exc:
            await _tell(client, body, exc.message)
            return
        await _tell(client, body, f"I'll remind you again on {when_text(until)}.")

    async def submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], kind: str) -> None:
        sensitive = _value(view, TouchpointBlock.NOTES_SENSITIVE, "selected_option")
        values = {
            "notes": _string(_value(view, TouchpointBlock.NOTES, "value")),
            "sensitive": sensitive.get("value") if isinstance(sensitive, dict) else None,
            "date": _string(_value(view, TouchpointBlock.DATE, "selected_date")),
            "reason": _string(_value(view, TouchpointBlock.REASON, "value")),
        }
        try:
            await services.settle_touchpoint(kind, _touchpoint_id(view.get("private_metadata")), body["user"]["id"], values)
        except TouchpointRefused as exc:
            block = BLOCK_OF.get(exc.block or "", {"record": TouchpointBlock.NOTES, "reschedule": TouchpointBlock.DATE}.get(kind, TouchpointBlock.REASON))
            await ack(response_action="errors", errors={block: exc.message})
            return
        await ack()

    @app.view(Callback.TOUCHPOINT_RECORD)
    async def record(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        await submitted(ack, body, view, "record")

    @app.view(Callback.TOUCHPOINT_RESCHEDULE)
    async def reschedule(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        await submitted(ack, body, view, "reschedule")

    @app.view(Callback.TOUCHPOINT_NOT_REQUIRED)
    async def not_required(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        await submitted(ack, body, view, "not_required")
