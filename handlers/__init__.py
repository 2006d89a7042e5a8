"""Slack listeners, thin glue only: parse, ack, one service call, blocks.

Each module exposes `register(app, services)`; `register_all` wires them in one place.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services.facade import Services
from handlers import allocate, case_actions, commands, errors, home, sign_off, touchpoints


def register_all(app: AsyncApp, services: Services) -> None:
    errors.register(app)
    case_actions.register(app, services)
    allocate.register(app, services)
    touchpoints.register(app, services)
    commands.register(app, services)
    home.register(app, services)
    sign_off.register(app, services)
