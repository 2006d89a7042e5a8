"""One error handler: unknown errors are logged with a reference id and never echo input."""

from __future__ import annotations

import logging
import traceback
import uuid
from typing import Any

from slack_bolt.async_app import AsyncApp

log = logging.getLogger("casebot.handlers")


def where(error: BaseException) -> list[str]:
    """The frames an error passed through (file:line in function), without its message:
    exception messages can quote the input, and input can carry sensitive notes."""
    return [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(error.__traceback__)]


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
