"""`casebot serve`: migrate, then run the web server, the outbox worker, the scheduler ticks and
(optionally) Socket Mode.

One process holds everything (README). SIGTERM/SIGINT stop it cleanly: the web server
stops taking requests, the worker finishes its current sends, the database is closed.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from contextlib import AsyncExitStack
from datetime import UTC, datetime

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime.app import Runtime, create_runtime
from bot.runtime.settings import Settings
from storage.migrate import upgrade_to_head

log = logging.getLogger("casebot.serve")


async def start(runtime: Runtime, stack: AsyncExitStack) -> web.AppRunner:
    """Start the web server, the worker and Socket Mode; register their shutdown on `stack`."""
    settings = runtime.settings
    # One HTTP session for every Slack Web API call (Bolt's per-request clients share it too):
    # left alone, slack_sdk opens and closes a session, so a new TCP and TLS connection, per
    # call. Pushed first, so it is closed last, after the worker's final sends.
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.slack_timeout_seconds))
    runtime.client.session = runtime.outbox_client.session = session
    stack.push_async_callback(session.close)
    # The stack unwinds last-in first-out: the database closes after everything that uses it.
    stack.push_async_callback(runtime.db.dispose)
    await runtime.replay.start()
    stack.push_async_callback(runtime.replay.close)  # after the server stops taking requests
    # Slack needs answers within 3 s, so in-flight requests get a few seconds to finish on stop.
    runner = web.AppRunner(runtime.web, access_log=None, shutdown_timeout=5)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    log.info("listening", extra={"host": settings.host, "port": bound_port(runner), "mode": "socket" if settings.socket_mode else "http"})

    worker_task = asyncio.create_task(runtime.worker.run(), name="outbox-worker")

    async def stop_worker() -> None:
        runtime.worker.stop()
        await worker_task
        await runtime.worker.close_ports()

    stack.push_async_callback(stop_worker)

    if settings.scheduler_enabled:
        ticks = AsyncIOScheduler(timezone="UTC")
        # APScheduler only drives the ticks; the plan is in the database (bot/services/scheduled.py).
        for job in (runtime.scheduler.tick, runtime.forget_old_signatures):
            ticks.add_job(
                job, "interval", seconds=settings.scheduler_tick_seconds,
                max_instances=1, coalesce=True, next_run_time=datetime.now(UTC),
            )  # fmt: skip
        ticks.start()
        stack.callback(ticks.shutdown, wait=False)

    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(runtime.bolt, app_token=settings.slack_app_token)
        await handler.connect_async()
        stack.push_async_callback(handler.close_async)
    return runner


def bound_port(runner: web.AppRunner) -> int | None:
    """The port actually bound (CASEBOT_PORT=0 picks a free one)."""
    for address in runner.addresses:
        if isinstance(address, tuple):
            return int(address[1])
    return None


# Young-generation collections every 5,000 net allocations instead of Python's 700: fifty
# requests in flight allocate that many in moments, and each collection walks what they hold.
# Measured under load (50 concurrent submissions): about a third of the collector's time, no
# full collection, and no pause longer than the default's worst.
GC_YOUNG_THRESHOLD = 5000


def settle_heap() -> None:
    """Move everything built at start (modules, mappers, the Bolt app, the teams file's values)
    out of the garbage collector's sight. Left in, each full collection walks those few hundred
    thousand long-lived objects on the event loop: a 100-175 ms pause that every request in
    flight waits out (benchmarks/run.py's ack p99 at 50 clients). What requests allocate is
    still collected, in fewer, larger young collections (`GC_YOUNG_THRESHOLD`)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


async def serve(settings: Settings) -> None:
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    runtime = create_runtime(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    async with AsyncExitStack() as stack:
        await start(runtime, stack)
        settle_heap()
        await stopping.wait()
        log.info("stopping")
