"""The App Home tab (issue 7): published when someone opens it. Thin glue.

Bolt acknowledges events itself, before the listener runs. The person is looking at the tab
now, so the view is built and published directly, not through the outbox (docs/architecture.md:
an answer to a person who is waiting). Refreshes after changes go through the outbox
(bot/queries/home.py `queue_home_refresh`).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.queries.home import render_home
from bot.services.facade import Services


def register(app: AsyncApp, services: Services) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        user = str(event.get("user") or "")
        if event.get("tab", "home") != "home" or not user:  # the Messages tab opens this event too
            return
        view = await render_home(services.db, user, now=services.clock.now(), weights=services.settings.tier_weights)
        await client.views_publish(user_id=user, view=view)
