"""Allocate and Reallocate: open the modal at once, fill it after, take the submission.

The click is acked first and `views.open` sent with a light modal while the trigger id is
fresh (it expires in 3 s); the practitioner figures load after and arrive by `views.update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from blocks.allocate_modal import AllocateMetadata
from blocks.candidate_blocks import practitioner_options
from blocks.ids import Action, AllocateBlock, Callback
from blocks.preferences import spo_copies_reply
from bot.domain.clock import london_today
from bot.domain.decision import AllocationForm, ReallocationForm
from bot.domain.errors import AllocationRefused, AlreadyAllocated
from bot.services.facade import ModalKind, Services
from handlers.errors import answered
from handlers.forms import ALLOCATE_BLOCKS, FormErrors, action_id_value, parse_allocation, parse_reallocation, refusal_errors, view_values
from handlers.presenters import already_allocated_text, first_view, full_view
from handlers.replies import tell, user_of
from handlers.submissions import Outcome, answer_in_time


def _opener(services: Services, kind: ModalKind) -> Callable[..., Awaitable[None]]:
    """The Allocate or Reallocate button: a refusal, a notice, or the modal opened then filled."""

    async def open_modal(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        step = await services.modal_step(kind, action_id_value(body), user_of(body))
        if step.refusal is not None:
            await tell(client, body, step.refusal)
            return
        opened = await client.views_open(trigger_id=body["trigger_id"], view=first_view(step, services.settings.record_case_url))
        if step.fill is not None:
            view = full_view(await step.fill(), services.settings.record_case_url)
            await client.views_update(view_id=opened["view"]["id"], hash=opened["view"]["hash"], view=view)

    return open_modal


def _metadata(body: dict[str, Any]) -> AllocateMetadata:
    view = body.get("view")
    return AllocateMetadata.loads(view.get("private_metadata", "") if isinstance(view, dict) else "")


def _refusal(exc: Exception) -> dict[str, str] | None:
    """The inline errors for a refused submission, keyed by the modal's blocks; None for a fault."""
    if isinstance(exc, FormErrors):
        return exc.errors
    if isinstance(exc, AlreadyAllocated):
        text = already_allocated_text(exc.current) if exc.current else exc.message
        return {AllocateBlock.PRACTITIONER: text[:2000]}
    if isinstance(exc, AllocationRefused):
        return refusal_errors(exc, ALLOCATE_BLOCKS, AllocateBlock.PRACTITIONER)
    return None


SAVING = Outcome(working="Allocating…", done="Saved. The card, the thread and the notices follow in a moment.", refused="Not allocated", refusal=_refusal)


Form = TypeVar("Form", AllocationForm, ReallocationForm)


def _submitter(services: Services, parse_form: Callable[..., Form], save_form: Callable[..., Awaitable[object]]) -> Callable[..., Awaitable[None]]:
    """The Allocate or Reallocate submission: its answers parsed, then saved within Slack's time."""

    async def submitted(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]) -> None:
        def parse() -> Form:
            return parse_form(view_values(body.get("view")), today=london_today(services.clock))

        async def save(form: Form) -> object:
            return await save_form(case_id=_metadata(body).case_id, spo=user_of(body), form=form)

        await answer_in_time(ack, client, body, context, parse, save, SAVING)

    return submitted


def register(app: AsyncApp, services: Services) -> None:
    app.action(Action.ALLOCATE)(answered(_opener(services, "allocate")))
    app.action(Action.REALLOCATE)(answered(_opener(services, "reallocate")))

    app.view(Callback.ALLOCATE)(answered(_submitter(services, parse_allocation, services.allocate)))
    app.view(Callback.REALLOCATE)(answered(_submitter(services, parse_reallocation, services.reallocate)))

    @app.options(Action.PRACTITIONER_SEARCH)
    async def search_practitioners(ack: AsyncAck, body: dict[str, Any]) -> None:
        offers = await services.offers(_metadata(body).case_id, user_of(body))
        await ack(options=practitioner_options(offers, str(body.get("value") or "")))

    @app.action(Action.STOP_SPO_COPIES)
    @answered
    async def spo_copies(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        on = (body.get("actions") or [{}])[0].get("value") == "on"
        await services.set_spo_copies(user_of(body), on)
        await tell(client, body, **spo_copies_reply(on))
