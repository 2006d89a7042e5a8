"""One error handler: the person is always told something, and the log gets a reference.

A `CasebotError` carries a message fit for the person. Anything else is a fault: the log gets
a short reference id, the error's type and frames (never its text, which can quote input),
and the person gets that reference to quote to their administrator. Nobody meets silence.
"""

from __future__ import annotations

import asyncio
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


class _NotedAck:
    """Bolt's `ack`, noting the moment it was called, so the answer can leave at once."""

    def __init__(self, ack: Any) -> None:
        self._ack = ack
        self.called: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @property
    def response(self) -> Any:
        return self._ack.response

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await self._ack(*args, **kwargs)
        finally:
            if not self.called.done():
                self.called.set_result(None)


# Listeners still working after their ack: referenced here so they run to the end.
_after_ack: set[asyncio.Future[None]] = set()


def answered(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """A listener whose answer goes back to Slack the moment it calls `ack()`; what it does
    after (open a modal, tell the person) goes on beside the next requests, and its errors are
    reported here, not by Bolt.

    The app runs Bolt with `process_before_response` (bot/runtime/app.py): Bolt returns the
    answer when this returns, instead of checking every 10 ms whether `ack()` was called, so
    an ack costs no poll interval. Errors before the ack still go to Bolt (the app's error
    handler below), which answers them.
    """

    @functools.wraps(listener)
    async def guarded(**kwargs: Any) -> None:
        ack = kwargs.get("ack")
        if ack is None:
            return await listener(**kwargs)
        noted = _NotedAck(ack)
        work = asyncio.ensure_future(_reported(listener, {**kwargs, "ack": noted}))
        _after_ack.add(work)
        work.add_done_callback(_after_ack.discard)
        await asyncio.wait((work, noted.called), return_when=asyncio.FIRST_COMPLETED)
        if noted.response is None:
            await work  # failed or finished before its ack: Bolt answers, as for any listener

    return guarded


async def _reported(listener: Callable[..., Awaitable[None]], kwargs: dict[str, Any]) -> None:
    """Run the listener; an error after its ack is told to the person (or logged, with no client)."""
    try:
        await listener(**kwargs)
    except Exception as error:
        if kwargs["ack"].response is None:
            raise
        body = kwargs.get("body") or {}
        if "client" in kwargs:
            await report(error, body, kwargs["client"])
        else:
            reference_for(error, body)


def in_background(work: Awaitable[None], body: dict[str, Any], client: AsyncWebClient) -> None:
    """Run `work` after the answer (an event's, which Bolt acknowledges when its listener
    returns); its error is reported as a listener's would be."""

    async def run() -> None:
        try:
            await work
        except Exception as error:
            await report(error, body, client)

    task = asyncio.ensure_future(run())
    _after_ack.add(task)
    task.add_done_callback(_after_ack.discard)


def register(app: AsyncApp) -> None:
    @app.error
    async def on_error(error: Exception, body: dict[str, Any], client: AsyncWebClient) -> None:
        await report(error, body, client)
