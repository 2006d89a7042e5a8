"""The app factory: everything is built here from settings, nothing at import time.

`create_runtime(settings)` gives the database, the Slack client, the Bolt app, the aiohttp
application (Slack events in HTTP mode, intake API, health, metrics), the outbox worker and
the metrics, wired together. `serve` (bot/runtime/serve.py) starts and stops them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.delivery import Port
from bot.adapters.home_publisher import HomePort
from bot.adapters.metrics import Metrics
from bot.adapters.outbox_worker import OutboxWorker
from bot.adapters.prison_port import SmtpPrisonNotifier, WebhookPrisonNotifier
from bot.adapters.record_port import RecordApi
from bot.adapters.replay import ReplayGuard
from bot.adapters.replay import purge as purge_signatures
from bot.adapters.slack_port import WebApiSlack
from bot.domain.clock import Clock, SystemClock
from bot.runtime.logs import WithoutDetail
from bot.runtime.services_factory import create_services
from bot.runtime.settings import Settings
from bot.runtime.web import build_web_app
from bot.services.facade import Services
from bot.services.scheduled import Scheduler
from handlers import register_all
from handlers.presenters import render_home
from handlers.submissions import answer_by_middleware
from storage.db import Database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    client: AsyncWebClient  # the listeners' (Bolt's)
    outbox_client: AsyncWebClient  # the outbox worker's: one attempt per send
    bolt: AsyncApp
    web: web.Application
    worker: OutboxWorker
    scheduler: Scheduler
    metrics: Metrics
    services: Services
    replay: ReplayGuard
    clock: Clock = field(default_factory=SystemClock)

    async def forget_old_signatures(self) -> None:
        """Stored request signatures older than a replay could use are deleted, on the scheduler's beat."""
        async with self.db.uow() as uow:
            await purge_signatures(uow, self.clock.now())
            await uow.commit()


def bolt_logger() -> logging.Logger:
    """Bolt logs whole response bodies at DEBUG (a /casebot answer can carry sensitive notes),
    a refused request's body at INFO, and left to itself copies the root level onto its
    loggers. Ours is held at INFO or above, and its filter (copied onto every logger Bolt
    makes) cuts what Bolt was given out of each message."""
    logger = logging.getLogger("casebot.bolt")
    logger.setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    if not any(isinstance(f, WithoutDetail) for f in logger.filters):
        logger.addFilter(WithoutDetail())
    return logger


def slack_client(settings: Settings, *, retry_handlers: list[AsyncRetryHandler]) -> AsyncWebClient:
    """A Web API client pointed at `CASEBOT_SLACK_API_URL` (a local fake in tests)."""
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_seconds,
        retry_handlers=retry_handlers,
    )


def outbox_client(settings: Settings) -> AsyncWebClient:
    """The outbox's client makes exactly one attempt per send. slack_sdk's default would repeat
    a call whose connection dropped, though Slack may have acted on it: a card posted twice.
    The outbox retries itself, reconciling every unknown outcome first."""
    return slack_client(settings, retry_handlers=[])


def listener_client(settings: Settings) -> AsyncWebClient:
    """The listeners' client (Bolt's) waits out a 429 and tries once more: a modal or an
    ephemeral answer is worth a second's wait. Listeners ack before calling Slack, so the wait
    never holds the ack. A dropped connection is not retried (a modal could open twice)."""
    return slack_client(settings, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])


def outside_ports(settings: Settings) -> dict[str, Port]:
    """The system of record and the prison notifier, when configured. Unconfigured, their
    outbox rows wait (README: write-backs are kept queued)."""
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


def create_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    metrics = Metrics()
    services = create_services(settings, clock=clock, metrics=metrics)
    db, clock = services.db, services.clock
    client, sender = listener_client(settings), outbox_client(settings)
    worker = OutboxWorker(
        db,
        WebApiSlack(sender),
        clock,
        metrics,
        other_ports={**outside_ports(settings), "home": HomePort(partial(render_home, db.uow, weights=settings.tier_weights), sender, clock)},
        lease_seconds=settings.outbox_lease_seconds,
        poll_seconds=settings.outbox_poll_seconds,
        max_backoff_seconds=settings.outbox_max_backoff_seconds,
        channel_interval_seconds=settings.slack_channel_interval_seconds,
        method_rates=settings.slack_method_rates,
        call_seconds=settings.slack_timeout_seconds,
    )
    services.nudge = worker.nudge
    scheduler = Scheduler(db, clock, nudge=worker.nudge, record_case_url=settings.record_case_url)
    worker.after_sent.update(services.after_sent_hooks())
    worker.after_failed.update(services.after_failed_hooks())
    bolt = AsyncApp(
        name="casebot",  # without a name Bolt calls inspect.stack() to find one: ~0.25 s a start
        client=client,
        logger=bolt_logger(),
        signing_secret=settings.slack_signing_secret or "socket-mode-has-no-signing-secret",
        request_verification_enabled=not settings.socket_mode,
        # Bolt answers when the listener returns; the listeners return at their ack and go on
        # after it (handlers/errors.py `answered`), so no 10 ms poll for the ack on every request.
        process_before_response=True,
    )
    bolt.middleware(answer_by_middleware(settings.submission_budget_seconds))
    register_all(bolt, services)
    replay = ReplayGuard(db, clock)
    web_app = build_web_app(settings, services, bolt=None if settings.socket_mode else bolt, replay=replay)
    return Runtime(
        settings=settings, db=db, client=client, outbox_client=sender, bolt=bolt, web=web_app, worker=worker, scheduler=scheduler,
        metrics=metrics, services=services, replay=replay, clock=clock,
    )  # fmt: skip
