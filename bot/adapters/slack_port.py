"""The Slack Web API as the outbox worker sees it: one call, and a typed outcome.

The worker must tell apart 'Slack said no, for good' (mark failed), 'Slack said later'
(429: wait Retry-After), 'Slack had a problem' (retry) and 'we do not know whether Slack
acted' (timeout, dropped connection, 5xx, or an `ok: false` such as `internal_error` that Slack
gives after acting: reconcile before retrying, so nothing is sent twice).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.delivery import DeliveryError, PermanentFailure, RateLimited, TransientFailure, UnknownOutcome

# Errors that will not go away by retrying the same call (Slack's method docs).
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "user_not_found",
        "users_not_found",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "invalid_arguments",
        "restricted_action",
        "cannot_dm_bot",
        "messages_tab_disabled",
    }
)
# Errors Slack gives when it may have acted before failing (its method docs: "the server could
# not complete your operation(s) without encountering an error, likely due to a transient
# issue"): a retry without looking first could post twice.
UNKNOWN_OUTCOME_ERRORS = frozenset({"internal_error", "fatal_error", "request_timeout", "service_unavailable"})


class WebApiSlack:
    """The real adapter over slack_sdk's AsyncWebClient (base URL from settings)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            if method.startswith(("conversations.history", "conversations.replies")):
                response = await self.client.api_call(method, params=payload)
            else:
                response = await self.client.api_call(method, json=payload)
        except SlackApiError as exc:
            raise classify(exc) from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise UnknownOutcome(type(exc).__name__) from None
        return dict(response.data) if isinstance(response.data, dict) else {}


def classify(exc: SlackApiError) -> DeliveryError:
    """Map slack_sdk's error to the outcome the worker acts on."""
    status = exc.response.status_code
    if status == 429:
        retry_after = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after") or 1
        return RateLimited(float(retry_after))
    if status >= 500:
        return UnknownOutcome(f"HTTP {status}")
    error = str(exc.response.get("error", "unknown_error")) if isinstance(exc.response.data, dict) else f"HTTP {status}"
    if error in PERMANENT_ERRORS:
        return PermanentFailure(error)
    if error == "ratelimited":
        return RateLimited(1.0)
    if error in UNKNOWN_OUTCOME_ERRORS:
        return UnknownOutcome(error)
    return TransientFailure(error)
