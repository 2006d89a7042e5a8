"""The app factory: everything is built here from settings, nothing at import time.

`create_runtime(settings)` gives the database, the Slack client, the Bolt app, the aiohttp
application (Slack events in HTTP mode, intake API, health, metrics), the outbox worker and
the metrics, wired together. `serve` (bot/runtime/serve.py) starts and stops them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.clock import Clock, SystemClock
from bot.runtime.metrics import Metrics
from bot.adapters.delivery import Port
from bot.queries.home import HomePort
from bot.adapters.outbox_worker import OutboxWorker
from bot.adapters.prison_port import SmtpPrisonNotifier, WebhookPrisonNotifier
from bot.adapters.record_port import RecordApi
from bot.adapters.replay import ReplayGuard
from bot.adapters.scheduler import Scheduler
from bot.services.facade import Services
from bot.runtime.settings import Settings
from bot.adapters.slack_port import WebApiSlack
from bot.runtime.web import build_web_app
from handlers import register_all
from storage.db import Database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    client: AsyncWebClient
    bolt: AsyncApp
    web: web.Application
    worker: OutboxWorker
    scheduler: Scheduler
    metrics: Metrics
    services: Services
    replay: ReplayGuard
    clock: Clock = field(default_factory=SystemClock)


def bolt_logger() -> logging.Logger:
    """Bolt logs whole response bodies at DEBUG (a /casebot answer can carry sensitive notes),
    and left to itself copies the root level onto its logger. Ours is held at INFO or above."""
    logger = logging.getLogger("casebot.bolt")
    logger.setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    return logger


def slack_client(settings: Settings) -> AsyncWebClient:
    """The Web API client, pointed at `CASEBOT_SLACK_API_URL` (a local fake in tests).

    No retry handlers: retries belong to the outbox, which knows what is safe to repeat.
    """
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_seconds,
    )


def outside_ports(settings: Settings) -> dict[str, Port]:
    """The system of record and the prison notifier, when configured. Unconfigured, their
    outbox rows wait (CONTRACT.md: write-backs are kept queued)."""
    ports: dict[str, Port] = {}
    if settings.record_api_url:
        ports["record"] = RecordApi(settings.record_api_url, settings.record_api_token)
    if settings.prison_webhook_url:
        ports["prison"] = WebhookPrisonNotifier(settings.prison_webhook_url, settings.prison_webhook_token)
    elif settings.smtp_host and settings.smtp_sender:
        ports["prison"] = SmtpPrisonNotifier(
            settings.smtp_host, settings.smtp_port, settings.smtp_sender, settings.prison_email_map,
            username=settings.smtp_username, password=settings.smtp_password, starttls=settings.smtp_starttls,
        )  # fmt: skip
    return ports


def create_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """The database and services alone: what the CLI needs, with no Slack app."""
    return Services(db=Database(settings.database_url), clock=clock or SystemClock(), settings=settings, metrics=Metrics())


def create_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    services = create_services(settings, clock=clock)
    db, clock, metrics = services.db, services.clock, services.metrics
    client = slack_client(settings)
    worker = OutboxWorker(
        db,
        WebApiSlack(client),
        clock,
        metrics,
        other_ports={**outside_ports(settings), "home": HomePort(db, client, clock, weights=settings.tier_weights)},
        lease_seconds=settings.outbox_lease_seconds,
        poll_seconds=settings.outbox_poll_seconds,
        max_backoff_seconds=settings.outbox_max_backoff_seconds,
        channel_interval_seconds=settings.slack_channel_interval_seconds,
        method_rates=settings.slack_method_rates,
    )
    services.nudge = worker.nudge
    scheduler = Scheduler(db, clock, nudge=worker.nudge)
    worker.after_sent.update(services.after_sent_hooks())
    worker.after_failed.update(services.after_failed_hooks())
    bolt = AsyncApp(
        client=client,
        logger=bolt_logger(),
        signing_secret=settings.slack_signing_secret or "socket-mode-has-no-signing-secret",
        request_verification_enabled=not settings.socket_mode,
        process_before_response=False,
    )
    register_all(bolt, services)
    replay = ReplayGuard(db, clock)
    web_app = build_web_app(settings, services, bolt=None if settings.socket_mode else bolt, replay=replay)
    return Runtime(
        settings=settings, db=db, client=client, bolt=bolt, web=web_app, worker=worker, scheduler=scheduler,
        metrics=metrics, services=services, replay=replay, clock=clock,
    )  # fmt: skip
