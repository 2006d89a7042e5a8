"""An aiohttp server on its own thread and event loop, for the fakes.

Tests in any style (sync, async, or a bot in another process) can then talk to a fake over
real HTTP while the test's own loop is busy. Subclasses build their app in `_serve()` and may
close extra resources in `_close()`.
"""

from __future__ import annotations

import asyncio
import threading
from abc import ABC, abstractmethod
from typing import Self

from aiohttp import web


class BackgroundServer(ABC):
    """start() blocks until listening on 127.0.0.1 (a free port); stop() shuts it all down."""

    thread_name = "fake-server"

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @abstractmethod
    async def _serve(self) -> None:
        """Build the app and `_listen` on it: each fake its own."""

    async def _close(self) -> None:  # noqa: B027 - optional: only a fake holding websockets needs it
        """Anything to close before the HTTP server (e.g. open websockets); nothing by default."""

    async def _listen(self, app: web.Application) -> int:
        """Serve `app` on a free port; returns the port. A short shutdown timeout so stop()
        does not hang on replies a test holds back."""
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, host="127.0.0.1", port=0).start()
        return int(self._runner.addresses[0][1])

    def start(self) -> Self:
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = self._loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # surfaced to start()'s caller below
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, name=self.thread_name, daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            loop.close()
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = self._thread = None

    async def _shutdown(self) -> None:
        await self._close()
        if self._runner is not None:
            await self._runner.cleanup()
        # Connection handlers the cleanup cancelled (a held reply, an idle keep-alive from a
        # client that shares its session) finish here, before the loop stops, rather than
        # being destroyed pending when it closes.
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
