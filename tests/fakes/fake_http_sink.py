"""A fake HTTP receiver for the system of record's write-back API and the prison webhook.

The adapters under test talk to it over real HTTP. Like the receivers they stand in for, it
dedupes on ``Idempotency-Key``: the first request with a key is accepted (201, ``{"id": n}``),
a repeat is answered 409 with the first one's id and recorded with ``duplicate=True``. So a
test can tell "delivered once" (``accepted()``) from "sent twice". Faults (any status, 429
with Retry-After) and delays can be injected; a delayed request is recorded and accepted
before the wait, which is exactly the "it arrived but we never heard back" case that
idempotency keys exist for. Runs on its own event loop in a background thread, like
bot/demo/fake_slack.py, so sync and async tests can both use it.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.demo.background_server import BackgroundServer
from bot.demo.waiting import WAIT_SECONDS, poll, poll_async


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received and answered it."""

    method: str
    path: str  # as sent, still percent-encoded
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw text when it was not JSON
    at: float
    status: int
    duplicate: bool = False


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: int | None
    body: dict[str, Any] | None


def _parse_body(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except json.JSONDecodeError:
        return text


class FakeHttpSink(BackgroundServer):
    """Records every request; dedupes by Idempotency-Key; answers 201 with a counter id."""

    thread_name = "fake-http-sink"

    def __init__(self) -> None:
        super().__init__()
        self.url = ""
        # One lock guards all state: handlers run on the server thread, tests read from theirs.
        self._lock = threading.RLock()
        self._requests: list[RecordedRequest] = []
        self._ids_by_key: dict[str, str] = {}
        self._counter = 0
        self._chaos: tuple[float, random.Random, float] | None = None
        self._faults: deque[_Fault] = deque()
        self._delays: deque[float] = deque()

    # ---- lifecycle -------------------------------------------------------------------

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.url = f"http://127.0.0.1:{await self._listen(app)}"

    # ---- recorded requests -----------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def accepted(self) -> list[RecordedRequest]:
        """Requests the receiver acted on: 2xx and not a repeat of an earlier key."""
        return [r for r in self.requests if 200 <= r.status < 300 and not r.duplicate]

    def clear(self) -> None:
        """Forget recorded requests; the keys already seen stay (the receiver remembers them)."""
        with self._lock:
            self._requests.clear()

    def all_text(self) -> str:
        """Every body as JSON text, so tests can grep for canary strings in one place."""
        return "\n".join(json.dumps(r.body, ensure_ascii=False, default=str) for r in self.requests)

    def wait_for(self, count: int = 1, timeout: float = WAIT_SECONDS) -> list[RecordedRequest]:
        """Block until ``count`` requests were received; returns all of them."""
        return poll(lambda: self._enough(count), timeout, lambda: self._missing(count, timeout))

    async def wait_for_async(self, count: int = 1, timeout: float = WAIT_SECONDS) -> list[RecordedRequest]:
        return await poll_async(lambda: self._enough(count), timeout, lambda: self._missing(count, timeout))

    def _enough(self, count: int) -> list[RecordedRequest] | None:
        found = self.requests
        return found if len(found) >= count else None

    def _missing(self, count: int, timeout: float) -> str:
        seen = [f"{r.method} {r.path} {r.status}" for r in self.requests]
        return f"wanted {count} request(s) within {timeout}s, got {len(seen)}: {seen}"

    # ---- fault injection -------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, retry_after: int | None = None, *, body: dict[str, Any] | None = None) -> None:
        """Answer the next ``times`` requests with ``status`` (not acting on them), FIFO.

        ``body`` replaces the default error body, e.g. to echo a canary the way a real
        validation error quotes its input.
        """
        with self._lock:
            self._faults.extend(_Fault(status, retry_after, body) for _ in range(times))

    def chaos(self, rate: float, *, seed: int = 0, hold_seconds: float = 5.0) -> None:
        """Fail `rate` of requests at random (seeded): 503 before acting, 500 after acting (the
        key is then known: a retry gets 409), or acting and holding the reply past timeouts."""
        with self._lock:
            self._chaos = (rate, random.Random(seed), hold_seconds)

    def _apply_chaos(self, status: int, answer: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        if self._chaos is None or status != 201:
            return status, answer, 0.0
        rate, rng, hold = self._chaos
        if rng.random() >= rate:
            return status, answer, 0.0
        kind = rng.choice(("503_before", "500_after", "hold"))
        if kind == "hold":
            return status, answer, hold
        if kind == "503_before":
            self._forget_last()
            return 503, {"error": "injected HTTP 503"}, 0.0
        return 500, {"error": "injected HTTP 500"}, 0.0

    def _forget_last(self) -> None:
        """Undo the acceptance a 503-before-acting says never happened."""
        self._counter -= 1
        for key, value in list(self._ids_by_key.items()):
            if value == str(self._counter + 1):
                del self._ids_by_key[key]

    def recorded_keys(self) -> dict[str, str]:
        """Idempotency key -> the id the receiver recorded it under: what was really written."""
        with self._lock:
            return dict(self._ids_by_key)

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """Hold the next replies; each request is recorded and acted on before the wait."""
        with self._lock:
            self._delays.extend([seconds] * times)

    # ---- HTTP ------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        received = time.time()
        body = _parse_body(await request.text())
        key = request.headers.get("Idempotency-Key")
        with self._lock:
            status, answer, headers, duplicate = self._answer(key)
            status, answer, held = self._apply_chaos(status, answer)
            self._requests.append(RecordedRequest(request.method, request.rel_url.raw_path, dict(request.headers), body, received, status, duplicate))
            delay = held or (self._delays.popleft() if self._delays else 0.0)
        if delay:
            await asyncio.sleep(delay)
        return web.json_response(answer, status=status, headers=headers)

    def _answer(self, key: str | None) -> tuple[int, dict[str, Any], dict[str, str], bool]:
        """Faults first, then dedupe, then accept. Called with the lock held."""
        if self._faults:
            fault = self._faults.popleft()
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, fault.body or {"error": f"injected HTTP {fault.status}"}, headers, False
        if key is not None and key in self._ids_by_key:
            return 409, {"id": self._ids_by_key[key], "error": "duplicate idempotency key"}, {}, True
        self._counter += 1
        new_id = str(self._counter)
        if key is not None:
            self._ids_by_key[key] = new_id
        return 201, {"id": new_id}, {}, False
