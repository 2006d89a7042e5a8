"""The buttons on a touchpoint reminder and their modals. Thin glue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from blocks.formats import when_text
from blocks.ids import Action, Callback, TouchpointBlock
from bot.domain.errors import TouchpointRefused
from bot.services.facade import Services
from bot.services.pictures import TouchpointKind
from handlers.errors import answered
from handlers.forms import TOUCHPOINT_BLOCKS, TouchpointAnswers, action_id_value, metadata_id, parse_touchpoint, refusal_errors
from handlers.presenters import touchpoint_view
from handlers.replies import tell, user_of
from handlers.submissions import Outcome, answer_in_time

MODAL_ACTIONS: dict[Action, TouchpointKind] = {
    Action.TOUCHPOINT_RECORD: "record",
    Action.TOUCHPOINT_RESCHEDULE: "reschedule",
    Action.TOUCHPOINT_NOT_REQUIRED: "not_required",
}
# Where a refusal with no question of its own is shown, per modal.
MAIN_BLOCK: dict[TouchpointKind, TouchpointBlock] = {
    "record": TouchpointBlock.NOTES,
    "reschedule": TouchpointBlock.DATE,
    "not_required": TouchpointBlock.REASON,
}


def _outcome(kind: TouchpointKind) -> Outcome:
    """What the `kind` modal says while it saves, when saved, and when refused."""

    def refusal(exc: Exception) -> dict[str, str] | None:
        return refusal_errors(exc, TOUCHPOINT_BLOCKS, MAIN_BLOCK[kind]) if isinstance(exc, TouchpointRefused) else None

    return Outcome(working="Saving…", done="Saved.", refused="Not saved", refusal=refusal)


OUTCOMES: dict[TouchpointKind, Outcome] = {kind: _outcome(kind) for kind in MAIN_BLOCK}


def _modal_opener(services: Services, kind: TouchpointKind) -> Callable[..., Awaitable[None]]:
    """A listener opening the `kind` modal (Bolt injects arguments by name, so no defaults)."""

    async def open_modal(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        picture = await services.touchpoint_picture(kind, action_id_value(body) or 0, user_of(body))
        await client.views_open(trigger_id=body["trigger_id"], view=touchpoint_view(picture))

    return open_modal


def _submitter(services: Services, kind: TouchpointKind) -> Callable[..., Awaitable[None]]:
    """A listener taking the `kind` modal's answers, answered within Slack's time."""

    async def submitted(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]) -> None:
        view, user = body.get("view"), user_of(body)
        touchpoint_id = metadata_id(view)

        async def save(answers: TouchpointAnswers) -> None:
            if kind == "record":
                await services.record_touchpoint(touchpoint_id, user, answers.notes, answers.sensitive)
            elif kind == "reschedule":
                await services.reschedule_touchpoint(touchpoint_id, user, answers.date)
            else:
                await services.touchpoint_not_required(touchpoint_id, user, answers.reason)

        await answer_in_time(ack, client, body, context, lambda: parse_touchpoint(view), save, OUTCOMES[kind])

    return submitted


def register(app: AsyncApp, services: Services) -> None:
    for action, kind in MODAL_ACTIONS.items():
        app.action(action)(answered(_modal_opener(services, kind)))
    app.view(Callback.TOUCHPOINT_RECORD)(answered(_submitter(services, "record")))
    app.view(Callback.TOUCHPOINT_RESCHEDULE)(answered(_submitter(services, "reschedule")))
    app.view(Callback.TOUCHPOINT_NOT_REQUIRED)(answered(_submitter(services, "not_required")))

    @app.action(Action.TOUCHPOINT_SNOOZE)
    @answered
    async def snooze(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        until = await services.snooze_touchpoint(action_id_value(body) or 0, user_of(body))
        await tell(client, body, f"I'll remind you again on {when_text(until)}.")
