"""The App Home tab: published when someone opens it. Thin glue.

Bolt acknowledges an event when its listener returns, so the listener hands the work on and
returns at once (handlers/errors.py `in_background`). The person is looking at the tab
now, so the view is built and published directly, not through the outbox (docs/architecture.md:
an answer to a person who is waiting). Refreshes after changes go through the outbox
(bot/services/home_refresh.py).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.facade import Services
from handlers.errors import in_background
from handlers.presenters import render_home


def register(app: AsyncApp, services: Services) -> None:
    @app.event("app_home_opened")
    async def home_opened(body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        user = str(event.get("user") or "")
        if event.get("tab", "home") != "home" or not user:  # the Messages tab opens this event too
            return

        async def publish() -> None:
            view = await render_home(services.db.uow, user, services.clock.now(), weights=services.settings.tier_weights)
            await client.views_publish(user_id=user, view=view)

        in_background(publish(), body, client)  # Slack has its answer (200) without waiting for the Home
