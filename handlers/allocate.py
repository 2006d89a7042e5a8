"""Allocate: open the modal at once, fill it after, take the submission (issue 5).

The click is acked first and `views.open` sent with a light modal while the trigger id is
fresh (it expires in 3 s); the practitioner figures load after and arrive by `views.update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from blocks.allocate_modal import AllocateMetadata
from blocks.candidate_blocks import practitioner_options
from blocks.ids import Action, Callback
from bot.services.allocate import AllocationRefused
from bot.domain.clock import london_today
from handlers.forms import FormErrors, parse_allocation, parse_reallocation
from bot.services.facade import Services
from handlers.case_actions import case_id_of


def _opener(services: Services, kind: str) -> Callable[..., Awaitable[None]]:
    """The Allocate or Reallocate button: a refusal, a notice, or the modal opened then filled."""

    async def open_modal(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user, trigger = body["user"]["id"], body["trigger_id"]
        step = await services.modal_step(kind, case_id_of(body), user)
        if step.refusal is not None:
            channel = (body.get("channel") or {}).get("id") or user
            await client.chat_postEphemeral(channel=channel, user=user, text=step.refusal)
        elif step.fill is None:
            await client.views_open(trigger_id=trigger, view=step.view)
        else:
            await open_then_fill(client, trigger, step.view, step.fill())

    return open_modal


def register(app: AsyncApp, services: Services) -> None:
    app.action(Action.ALLOCATE)(_opener(services, "allocate"))
    app.action(Action.REALLOCATE)(_opener(services, "reallocate"))

    @app.view(Callback.REALLOCATE)
    async def submit_reallocation(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = AllocateMetadata.loads(view.get("private_metadata", ""))
        values = view["state"]["values"]
        await answer(ack, lambda: services.reallocate(case_id=meta.case_id, spo=body["user"]["id"], form=parse_reallocation(values)))

    @app.options(Action.PRACTITIONER_SEARCH)
    async def search_practitioners(ack: AsyncAck, body: dict[str, Any]) -> None:
        meta = AllocateMetadata.loads(body["view"]["private_metadata"])
        offers = await services.offers(meta.case_id)
        await ack(options=practitioner_options(offers, str(body.get("value") or "")))

    @app.view(Callback.ALLOCATE)
    async def submit_allocation(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = AllocateMetadata.loads(view.get("private_metadata", ""))
        values = view["state"]["values"]
        today = london_today(services.clock)
        await answer(ack, lambda: services.allocate(case_id=meta.case_id, spo=body["user"]["id"], form=parse_allocation(values, today=today)))

    @app.action(Action.STOP_SPO_COPIES)
    async def spo_copies(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user = body["user"]["id"]
        on = body["actions"][0].get("value") == "on"
        await services.set_spo_copies(user, on)
        channel = (body.get("channel") or {}).get("id") or user
        await client.chat_postEphemeral(channel=channel, user=user, **spo_copies_reply(on))


async def open_then_fill(client: AsyncWebClient, trigger: str, loading: dict[str, Any], full: Awaitable[dict[str, Any]]) -> None:
    """Open a light modal while the trigger id is fresh, then swap in the full one."""
    opened = await client.views_open(trigger_id=trigger, view=loading)
    await client.views_update(view_id=opened["view"]["id"], hash=opened["view"]["hash"], view=await full)


async def answer(ack: AsyncAck, work: Callable[[], Awaitable[Any]]) -> None:
    """Parse and do the submission's work; close the modal, or answer with inline errors."""
    try:
        await work()
    except FormErrors as exc:
        await ack(response_action="errors", errors=exc.errors)
        return
    except AllocationRefused as exc:
        await ack(response_action="errors", errors={exc.block: exc.message})
        return
    await ack()


def spo_copies_reply(on: bool) -> dict[str, Any]:
    """The answer to the copies switch, with the way back."""
    text = "You will get a private copy of each allocation you make." if on else "You will no longer get private copies of your allocations."
    flip = {"text": "Stop sending me copies", "value": "off"} if on else {"text": "Send me copies again", "value": "on"}
    button = {"type": "button", "action_id": Action.STOP_SPO_COPIES, "text": {"type": "plain_text", "text": flip["text"]}, "value": flip["value"]}
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}, {"type": "actions", "elements": [button]}]}
