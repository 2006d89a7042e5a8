"""Publishing a person's App Home: the outbox worker's `home` port."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.delivery import PermanentFailure, TransientFailure
from bot.adapters.slack_port import classify
from bot.domain.clock import Clock
from bot.domain.enums import HOME_PUBLISH


class HomePort:
    """The outbox worker's `home` port: builds the person's Home at send time (`render`, wired
    by the runtime: read model plus builder) and publishes it with `views.publish`. Failures map to the worker's outcomes like the
    Slack port's (bot/adapters/slack_port.py); a publish is idempotent, so an unclear one is retried."""

    def __init__(self, render: Callable[[str, datetime], Awaitable[dict[str, Any]]], client: AsyncWebClient, clock: Clock) -> None:
        self.render = render
        self.client = client
        self.clock = clock

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        if method != HOME_PUBLISH:
            raise PermanentFailure(f"unknown home method {method}")
        user = str(payload.get("user_id") or "")
        if not user:
            raise PermanentFailure("no user_id")
        view = await self.render(user, self.clock.now())
        try:
            response = await self.client.views_publish(user_id=user, view=view)
        except SlackApiError as exc:
            raise classify(exc) from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TransientFailure(type(exc).__name__) from None
        published = response.get("view") if isinstance(response.data, dict) else None
        return {"id": published["id"]} if isinstance(published, dict) and "id" in published else {}
