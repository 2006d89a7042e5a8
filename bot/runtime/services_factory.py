"""The use cases over the configured database, with no Slack app: what the CLI needs.

Apart from bot/runtime/app.py (which builds the whole runtime on it) so that a `casebot`
command does not import Bolt, aiohttp's server and every handler before doing its work: each
command starts faster, and a test suite that runs the command often spends less time starting it.
"""

from __future__ import annotations

from bot.adapters.metrics import Metrics
from bot.domain.clock import Clock, SystemClock
from bot.runtime.settings import Settings
from bot.services.facade import Services
from storage.db import Database


def create_services(settings: Settings, *, clock: Clock | None = None, metrics: Metrics | None = None) -> Services:
    """The database and services alone. `metrics` is the runtime's own when it builds them, so
    the use cases and the outbox worker count into the same object."""
    return Services(db=Database(settings.database_url), clock=clock or SystemClock(), settings=settings, metrics=metrics or Metrics())
