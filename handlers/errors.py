"""One error handler: unknown errors are logged with a reference id and never echo input."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.runtime.logs import where

log = logging.getLogger("casebot.handlers")


def register(app: AsyncApp) -> None:
    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        reference = uuid.uuid4().hex[:12]
        log.error(
            "listener failed",
            extra={
                "reference": reference,
                "error_type": type(error).__name__,
                "request_type": body.get("type"),
                "where": where(error),
            },
        )
