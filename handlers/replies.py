"""Answering the person who clicked, wherever they clicked from.

A click on a channel message is answered with an ephemeral message in that channel. A click
from the App Home or a DM has no channel Slack accepts an ephemeral in, so the answer goes to
the person's DM with the app, opened with conversations.open (docs/slack-platform.md): the
channel Slack itself names, rather than a user id in place of a channel.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient


def user_of(body: dict[str, Any]) -> str:
    """The id of the person who sent this request ("" when the payload lacks one)."""
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    return str(body.get("user_id") or "")


def _channel_of(body: dict[str, Any]) -> str | None:
    channel = body.get("channel")
    channel_id = channel.get("id") if isinstance(channel, dict) else None
    container = body.get("container")
    in_home = isinstance(container, dict) and container.get("type") == "view"
    return str(channel_id) if channel_id and not in_home else None


async def tell(client: AsyncWebClient, body: dict[str, Any], text: str, **message: Any) -> None:
    """Say `text` (and optional blocks) to the person who clicked, privately."""
    user = user_of(body)
    if not user:
        return
    channel = _channel_of(body)
    if channel:
        await client.chat_postEphemeral(channel=channel, user=user, text=text, **message)
    else:
        opened = await client.conversations_open(users=user)
        await client.chat_postMessage(channel=opened["channel"]["id"], text=text, **message)
