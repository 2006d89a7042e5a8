"""Allocate and Reallocate: open the modal at once, fill it after, take the submission.

The click is acked first and `views.open` sent with a light modal while the trigger id is
fresh (it expires in 3 s); the practitioner figures load after and arrive by `views.update`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.allocate_modal import AllocateMetadata
from blocks.candidate_blocks import practitioner_options
from blocks.ids import Action, AllocateBlock, Callback
from blocks.preferences import spo_copies_reply
from bot.domain.clock import london_today
from bot.domain.errors import AllocationRefused, AlreadyAllocated
from bot.services.facade import ModalKind, Services
from handlers.errors import answered
from handlers.forms import ALLOCATE_BLOCKS, FormErrors, action_id_value, parse_allocation, parse_reallocation, refusal_errors, view_values
from handlers.presenters import already_allocated_text, first_view, full_view, late_outcome_message, late_outcome_view, working_view
from handlers.replies import tell, user_of

log = logging.getLogger("casebot.handlers")


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


def register(app: AsyncApp, services: Services) -> None:
    app.action(Action.ALLOCATE)(answered(_opener(services, "allocate")))
    app.action(Action.REALLOCATE)(answered(_opener(services, "reallocate")))

    @app.view(Callback.ALLOCATE)
    @answered
    async def submit_allocation(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        today = london_today(services.clock)
        await answer(
            ack,
            client,
            body,
            lambda: services.allocate(case_id=_metadata(body).case_id, spo=user_of(body), form=parse_allocation(view_values(body.get("view")), today=today)),
        )

    @app.view(Callback.REALLOCATE)
    @answered
    async def submit_reallocation(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        today = london_today(services.clock)
        await answer(
            ack,
            client,
            body,
            lambda: services.reallocate(
                case_id=_metadata(body).case_id, spo=user_of(body), form=parse_reallocation(view_values(body.get("view")), today=today)
            ),
        )

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


# Slack needs the answer to a submission within 3 s. Past this budget the modal is answered with
# "Allocating..." and the outcome replaces it when the commit finishes, so a slow database (or a
# busy machine) never turns into Slack's "trouble connecting" error.
SUBMISSION_BUDGET_SECONDS = 2.0


def _inline_errors(exc: Exception) -> dict[str, str]:
    """The inline errors for a refused submission, keyed by the modal's blocks."""
    if isinstance(exc, FormErrors):
        return exc.errors
    if isinstance(exc, AlreadyAllocated):
        text = already_allocated_text(exc.current) if exc.current else exc.message
        return {AllocateBlock.PRACTITIONER: text[:2000]}
    assert isinstance(exc, AllocationRefused)
    return refusal_errors(exc, ALLOCATE_BLOCKS, AllocateBlock.PRACTITIONER)


async def answer(ack: AsyncAck, client: AsyncWebClient, body: dict[str, Any], work: Callable[[], Awaitable[Any]]) -> None:
    """Parse and do the submission's work; close the modal, or answer with inline errors. Parsing
    is pure and fails at once; a commit slower than the budget is answered with a working view
    first and its outcome shown in the modal after (`finish_late`)."""

    async def run() -> Any:
        return await work()  # parsing runs here too, so its errors arrive through the task

    task = asyncio.ensure_future(run())
    try:
        await asyncio.wait_for(asyncio.shield(task), SUBMISSION_BUDGET_SECONDS)
    except (FormErrors, AllocationRefused) as exc:
        await ack(response_action="errors", errors=_inline_errors(exc))
        return
    except TimeoutError:
        await ack(response_action="update", view=working_view())
        await finish_late(client, body, task)
        return
    await ack()


async def finish_late(client: AsyncWebClient, body: dict[str, Any], task: Awaitable[Any]) -> None:
    """The outcome of a submission answered before its commit finished, shown in its modal; if
    the SPO closed the modal meanwhile (Slack answers `not_found` or `expired`), sent to their
    DM instead, so an outcome is never lost with the view."""
    view = body.get("view")
    view_id = view.get("id") if isinstance(view, dict) else None
    try:
        await task
    except (FormErrors, AllocationRefused) as exc:
        title, text = "Not allocated", "; ".join(_inline_errors(exc).values())
    else:
        title, text = "Done", "Saved. The card, the thread and the notices follow in a moment."
    try:
        await client.views_update(view_id=view_id, view=late_outcome_view(title, text))
    except SlackApiError as exc:
        log.info("late outcome: the modal is gone, the SPO is told by DM", extra={"slack_error": exc.response.get("error")})
        await tell(client, body, **late_outcome_message(title, text))
