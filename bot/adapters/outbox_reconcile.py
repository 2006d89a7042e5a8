"""Reconciliation: did Slack already get a message whose send ended in doubt?

A timeout, a 5xx, or a crash between send and mark leaves the outcome unknown. Every outbox
post carries its outbox id in Slack message metadata, so before trying again the worker looks
for that id in the conversation (or thread), and marks the row sent if Slack has it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.adapters.delivery import DeliveryError, Port, UnknownOutcome
from bot.domain.enums import MetadataEvent
from storage.models import OutboxMessage

RECONCILE_PAGES = 5  # conversations.history pages searched for an unknown-outcome message
RECONCILE_SLACK_SECONDS = 120  # look this far before the first attempt (clock skew margin)


def outbox_metadata(row_id: int) -> dict[str, Any]:
    return {"event_type": MetadataEvent.OUTBOX.value, "event_payload": {"outbox_id": row_id}}


async def find_sent(slack: Port, row: OutboxMessage, payload: dict[str, Any]) -> dict[str, Any] | None:
    """Look for this row's message in Slack by the outbox id in its metadata."""
    channel = str(payload["channel"])
    try:
        if channel[:1] in ("U", "W"):
            opened = await slack.call("conversations.open", {"users": channel})
            channel = opened["channel"]["id"]
        started = row.first_attempt_at or row.created_at
        oldest = (started - timedelta(seconds=RECONCILE_SLACK_SECONDS)).timestamp()
        method = "conversations.replies" if payload.get("thread_ts") else "conversations.history"
        query: dict[str, Any] = {"channel": channel, "oldest": f"{oldest:.6f}", "include_all_metadata": True, "limit": 200}
        if payload.get("thread_ts"):
            query["ts"] = payload["thread_ts"]
        for _ in range(RECONCILE_PAGES):
            page = await slack.call(method, query)
            for message in page.get("messages", []):
                meta = message.get("metadata") or {}
                if meta.get("event_type") == MetadataEvent.OUTBOX and (meta.get("event_payload") or {}).get("outbox_id") == row.id:
                    return {"channel": channel, "ts": message.get("ts")}
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return None
            query["cursor"] = cursor
    except DeliveryError as exc:
        # Cannot tell; do not risk a duplicate. Try the whole attempt again later.
        raise UnknownOutcome(f"reconcile failed: {exc.reason}") from None
    return None
