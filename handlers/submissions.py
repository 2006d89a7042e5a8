"""A modal submission answered within Slack's 3 s, whatever the database or the machine does.

Slack shows "We had some trouble connecting" when a submission's answer takes longer than 3 s
from when it sent the request (docs/slack-platform.md s2). The work
(parse, check, commit) starts at once; if it has not finished within the budget, counted from
when the request reached the web route (signature checks and a busy event loop spend part of
it), the modal is answered with a working view and the outcome replaces that view when the
commit finishes, or reaches the person by DM if they closed the modal meanwhile. Refusals that
finish in time are inline errors, as always.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.presenters import late_outcome_message, late_outcome_view, working_view
from handlers.replies import tell

log = logging.getLogger("casebot.handlers")

Form = TypeVar("Form")

# The context key holding when the answer is due (time.monotonic()): the request's arrival at the
# web route plus CASEBOT_SUBMISSION_BUDGET_SECONDS (by default 1.5 s, leaving Slack's last 1.5 s
# to a loaded event loop and the network back). Set by bot/runtime/web.py, or at dispatch by the
# app's middleware where there is no web route (Socket Mode).
ANSWER_BY = "casebot_answer_by"


@dataclass(frozen=True)
class Outcome:
    """What one kind of submission says: while it works, when done, and on refusal."""

    working: str  # the working view's title, e.g. "Allocating…"
    done: str  # the late outcome's text when the work succeeded
    refused: str  # the late outcome's title when it was refused, e.g. "Not allocated"
    refusal: Callable[[Exception], dict[str, str] | None]  # inline errors by block; None: not a refusal


def answer_by_middleware(budget: float) -> Callable[..., Awaitable[Any]]:
    """A Bolt middleware stamping when the answer is due on requests the web route did not
    stamp at arrival (Socket Mode's): `budget` seconds from dispatch."""

    async def stamp(context: dict[str, Any], next: Callable[[], Awaitable[Any]]) -> Any:  # noqa: A002 - Bolt passes it by this name
        context.setdefault(ANSWER_BY, time.monotonic() + budget)
        return await next()

    return stamp


def budget_left(context: dict[str, Any]) -> float:
    """Seconds left until the request in `context` must be answered."""
    answer_by = context.get(ANSWER_BY)
    return max(0.0, answer_by - time.monotonic()) if isinstance(answer_by, float) else 0.0


async def answer_in_time(
    ack: AsyncAck,
    client: AsyncWebClient,
    body: dict[str, Any],
    context: dict[str, Any],
    parse: Callable[[], Form],
    save: Callable[[Form], Awaitable[Any]],
    outcome: Outcome,
) -> None:
    """Parse the answers (pure: a problem is an inline error at once, whatever the budget left),
    then `save` them; close the modal, answer with inline errors, or answer with the working
    view and finish late (`finish_late`)."""
    try:
        form = parse()
    except Exception as exc:
        await _refuse_or_raise(ack, exc, outcome)
        return
    task = asyncio.ensure_future(save(form))
    try:
        await asyncio.wait_for(asyncio.shield(task), budget_left(context))
    except TimeoutError:
        await ack(response_action="update", view=working_view(outcome.working))
        await finish_late(client, body, task, outcome)
        return
    except Exception as exc:
        await _refuse_or_raise(ack, exc, outcome)
        return
    await ack()


async def _refuse_or_raise(ack: AsyncAck, exc: Exception, outcome: Outcome) -> None:
    """Inline errors for a refusal; anything else is a fault for the error handler."""
    errors = outcome.refusal(exc)
    if errors is None:
        raise exc
    await ack(response_action="errors", errors=errors)


async def finish_late(client: AsyncWebClient, body: dict[str, Any], task: Awaitable[Any], outcome: Outcome) -> None:
    """The outcome of a submission answered before its work finished, shown in its modal; if
    the person closed the modal meanwhile (Slack answers `not_found` or `expired`), sent to
    their DM instead, so an outcome is never lost with the view."""
    view = body.get("view")
    view_id = view.get("id") if isinstance(view, dict) else None
    try:
        await task
    except Exception as exc:
        errors = outcome.refusal(exc)
        if errors is None:
            raise
        title, text = outcome.refused, "; ".join(errors.values())
    else:
        title, text = "Done", outcome.done
    try:
        await client.views_update(view_id=view_id, view=late_outcome_view(title, text))
    except SlackApiError as exc:
        log.info("late outcome: the modal is gone, the person is told by DM", extra={"slack_error": exc.response.get("error")})
        await tell(client, body, **late_outcome_message(title, text))
