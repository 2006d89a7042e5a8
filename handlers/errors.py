"""One error handler: the person is always told something, and the log gets a reference.

A `CasebotError` carries a message fit for the person. Anything else is a fault: the log gets
a short reference id, the error's type and frames (never its text, which can quote input),
and the person gets that reference to quote to their administrator. Nobody meets silence.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import CasebotError, where
from handlers.replies import tell

log = logging.getLogger("casebot.handlers")


def reference_for(error: Exception, body: dict[str, Any]) -> str:
    """Log a fault with a new reference id, and return the id."""
    reference = uuid.uuid4().hex[:12]
    log.error(
        "listener failed",
        extra={"reference": reference, "error_type": type(error).__name__, "request_type": body.get("type"), "where": where(error)},
    )
    return reference


def fault_text(reference: str) -> str:
    return f"Sorry, something went wrong and nothing was changed. If it happens again, tell your administrator reference `{reference}`."


async def report(error: Exception, body: dict[str, Any], client: AsyncWebClient) -> None:
    """Tell the person what went wrong: a `CasebotError`'s own message, else a reference."""
    text = error.message if isinstance(error, CasebotError) else fault_text(reference_for(error, body))
    try:
        await tell(client, body, text)
    except Exception as failed:  # noqa: BLE001 - telling the person failed too: the log has it
        reference_for(failed, body)


def answered(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """A listener whose errors after its `ack()` are reported here, not by Bolt.

    Bolt's runner, when a listener raises after acking, replaces the ack's answer with the
    error handler's (none), and if that happens within its 10 ms poll it answers Slack 404
    "unhandled request" and logs "didn't call ack()". Errors before the ack still go to Bolt
    (the app's error handler below), which answers them.
    """

    @functools.wraps(listener)
    async def guarded(**kwargs: Any) -> None:
        try:
            await listener(**kwargs)
        except Exception as error:
            ack = kwargs.get("ack")
            if ack is None or ack.response is None or "client" not in kwargs:
                raise
            await report(error, kwargs.get("body") or {}, kwargs["client"])

    return guarded


def register(app: AsyncApp) -> None:
    @app.error
    async def on_error(error: Exception, body: dict[str, Any], client: AsyncWebClient) -> None:
        await report(error, body, client)
