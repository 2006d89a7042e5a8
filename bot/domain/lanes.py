"""Outbox delivery lanes: what one Slack rate limit covers. Pure, so the code that queues a
message (bot/services/outbox.py) and the worker that paces each lane agree on one rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONVERSATION_LANES = ("ch:", "dm:")  # lanes paced like Slack's one post a second per conversation


def lane_for(method: str, payload: Mapping[str, Any], *, parent_lane: str | None = None) -> str:
    """The delivery lane of a call: what one rate limit covers, so the worker can pace, pause
    and share out each lane on its own and a busy channel never holds up anything else.

    A post or edit goes in its conversation's lane (`ch:C..` for a channel, `dm:U..` for a
    direct message, which Slack limits per user); a thread reply or edit that names no channel
    goes in its parent's. Any other method goes in the lane of its family (`home` for App Home
    publishes, `views`, `record` for write-backs, `prison` for prison notices).
    """
    family = method.split(".", 1)[0]
    channel = str(payload.get("channel") or "") if family == "chat" else ""
    if not channel:
        return parent_lane or family
    return f"dm:{channel}" if channel[:1] in ("U", "W") else f"ch:{channel}"


def is_conversation_lane(lane: str) -> bool:
    return lane.startswith(CONVERSATION_LANES)
