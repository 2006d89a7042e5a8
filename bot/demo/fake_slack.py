"""A fake Slack Web API and Socket Mode server: for `casebot demo` and the end-to-end tests.

The bot under test talks to it over real HTTP (``AsyncWebClient(base_url=fake.api_url)``)
and real websockets (``apps.connections.open`` answers :attr:`FakeSlack.socket_mode_url`),
so the whole slack_sdk / slack-bolt stack is exercised, including retries and timeouts.
The server runs on its own event loop in a background thread so sync tests, async tests
and a bot in a separate process can all use it. Every call is recorded with its payload;
faults (HTTP errors, 429s, Slack API errors, delays, rate limits) can be injected per method.
"""

from __future__ import annotations

import asyncio
import copy
import json
import random
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from bot.demo.background_server import BackgroundServer
from bot.demo.fake_slack_faults import Chaos, Fault, Faults, Limit
from bot.demo.fake_slack_http import Answer, dm_channel, error, parse_args, token
from bot.demo.fake_slack_methods import Workspace, is_top_level
from bot.demo.waiting import WAIT_SECONDS, poll, poll_async

APP_ID = "A0APP0001"


@dataclass
class RecordedCall:
    """One Web API call as the fake received and answered it."""

    method: str
    args: dict
    token: str | None
    headers: dict[str, str]
    at: float
    response: dict
    status: int


class FakeSlack(BackgroundServer):
    """In-process fake of the Slack Web API plus a Socket Mode websocket endpoint."""

    thread_name = "fake-slack"

    def __init__(self, *, bot_user_id: str = "UBOT00001", team_id: str = "T0TEAM001") -> None:
        super().__init__()
        self.bot_user_id = bot_user_id
        self.team_id = team_id
        self.api_url = ""
        self.socket_mode_url = ""
        # One lock guards all state: handlers run on the server thread, tests read from theirs.
        self._lock = threading.RLock()
        self._calls: list[RecordedCall] = []
        self._acks: list[dict] = []
        self._workspace = Workspace(bot_user_id=bot_user_id, team_id=team_id)
        self._faults = Faults()
        self._sockets: list[web.WebSocketResponse] = []
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            **self._workspace.handlers(),
            "apps.connections.open": lambda args: {"ok": True, "url": self.socket_mode_url},
        }

    # ---- lifecycle -------------------------------------------------------------------

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/link", self._handle_socket)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_route("*", "/{method}", self._handle_api)
        port = await self._listen(app)
        self.api_url = f"http://127.0.0.1:{port}/api/"
        self.socket_mode_url = f"ws://127.0.0.1:{port}/link"

    async def _close(self) -> None:
        for ws in self._sockets_snapshot():
            await ws.close()

    # ---- recorded calls --------------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    def clear(self) -> None:
        """Forget recorded calls and socket acks; history, views and queued faults stay."""
        with self._lock:
            self._calls.clear()
            self._acks.clear()

    def all_text(self) -> str:
        """Every payload as JSON text, so tests can grep for canary strings in one place."""
        return "\n".join(json.dumps(call.args, ensure_ascii=False, default=str) for call in self.calls)

    def wait_for(self, method: str, count: int = 1, timeout: float = WAIT_SECONDS) -> list[RecordedCall]:
        """Block until ``count`` calls to ``method`` were received; returns all of them."""
        return poll(lambda: self._enough_calls(method, count), timeout, lambda: self._missing(method, count, timeout))

    async def wait_for_async(self, method: str, count: int = 1, timeout: float = WAIT_SECONDS) -> list[RecordedCall]:
        return await poll_async(lambda: self._enough_calls(method, count), timeout, lambda: self._missing(method, count, timeout))

    def _enough_calls(self, method: str, count: int) -> list[RecordedCall] | None:
        found = self.calls_to(method)
        return found if len(found) >= count else None

    def _missing(self, method: str, count: int, timeout: float) -> str:
        seen = [call.method for call in self.calls]
        got = seen.count(method)
        return f"wanted {count} call(s) to {method} within {timeout}s, got {got}; methods seen: {seen}"

    # ---- read helpers ----------------------------------------------------------------

    def history(self, channel: str) -> list[dict]:
        """All messages in ``channel`` (top-level and replies), oldest first."""
        with self._lock:
            return copy.deepcopy(self._workspace.history.get(dm_channel(channel), []))

    def messages_in(self, channel: str) -> list[dict]:
        """Top-level messages in ``channel``, oldest first (what a user sees in the channel)."""
        return [msg for msg in self.history(channel) if is_top_level(msg)]

    def all_messages(self) -> list[dict]:
        """Every message held, in every conversation (top-level and replies)."""
        with self._lock:
            return self._workspace.all_messages()

    @property
    def views(self) -> dict[str, dict]:
        with self._lock:
            return copy.deepcopy(self._workspace.views)

    @property
    def home_views(self) -> dict[str, dict]:
        with self._lock:
            return copy.deepcopy(self._workspace.home_views)

    # ---- fault injection (bot/demo/fake_slack_faults.py) -----------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """Queue ``times`` failures for ``method``; each call consumes one, FIFO."""
        with self._lock:
            self._faults.queued[method].extend(Fault(status, retry_after, error) for _ in range(times))

    def fail_after_acting(self, method: str, *, error: str = "internal_error", drop: bool = False, times: int = 1) -> None:
        """Queue ``times`` calls to ``method`` that act (a post lands) and then fail as Slack can:
        answer ``ok: false`` with ``error`` (HTTP 200), or with ``drop`` close the connection
        with no answer at all. Only reconciliation keeps the retry from acting twice."""
        with self._lock:
            self._faults.after_acting[method].extend([None if drop else error] * times)

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the next replies to ``method``; the call is recorded and applied before the wait."""
        with self._lock:
            self._faults.delays[method].extend([seconds] * times)

    def rate_limit(self, method: str, *, per_second: float, per_key: str | None = None, retry_after: int = 1) -> None:
        """Answer 429 once more than ``per_second`` calls (per ``args[per_key]``) hit in 1 s."""
        with self._lock:
            self._faults.limits[method] = Limit(per_second, per_key, retry_after, defaultdict(deque))

    def chaos(self, rate: float, *, seed: int = 0, hold_seconds: float = 5.0, methods: tuple[str, ...] = ("chat.postMessage", "chat.update")) -> None:
        """From now on, fail `rate` of the calls to `methods` at random (seeded), as a bad day at
        Slack looks: 429 with Retry-After; 500 before acting; 500 AFTER acting (the message
        exists but the client hears an error); or acting and then holding the reply past the
        client's timeout. The last two are the outcomes only reconciliation gets right."""
        with self._lock:
            self._faults.chaos = Chaos(rate=rate, random=random.Random(seed), hold_seconds=hold_seconds, methods=methods)

    @property
    def chaos_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._faults.chaos.counts) if self._faults.chaos else {}

    # ---- HTTP dispatch ---------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        received = time.time()
        method = request.match_info["method"]
        args = await parse_args(request)
        caller = token(request, args)
        with self._lock:
            status, body, headers = self._answer(method, args, caller, received)
            status, body, headers, held = self._faults.apply_chaos(method, status, body, headers, self._workspace.undo)
            drop, body = self._faults.after_success(method, status, body)
            # Serialise now: a held (delayed) reply must not see later chat.update edits.
            text = json.dumps(body)
            recorded = RecordedCall(method, args, caller, dict(request.headers), received, json.loads(text), status)
            self._calls.append(recorded)
            delay = self._faults.delay(method, held)
        if drop and request.transport is not None:
            request.transport.abort()  # the client hears nothing: no status, no body
            raise asyncio.CancelledError
        if delay:
            await asyncio.sleep(delay)
        return web.Response(text=text, status=status, headers=headers, content_type="application/json")

    def _answer(self, method: str, args: dict[str, Any], token: str | None, now: float) -> Answer:
        """Faults first, then rate limits, then auth, then the method's realistic behaviour."""
        if (fault := self._faults.before_acting(method, args, now)) is not None:
            return fault
        if not token or not token.startswith(("xoxb-", "xapp-")):
            return 200, error("invalid_auth"), {}
        if method == "apps.connections.open" and not token.startswith("xapp-"):
            return 200, error("not_allowed_token_type"), {}
        handler = self._handlers.get(method, lambda args: {"ok": True})
        return 200, handler(args), {}

    # ---- Socket Mode -----------------------------------------------------------------

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        """Accept a Socket Mode client, greet it like Slack does, and record its acks."""
        ws = web.WebSocketResponse(autoping=True, timeout=1.0)
        await ws.prepare(request)
        hello = {"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}}
        await ws.send_json({**hello, "connection_info": {"app_id": APP_ID}})
        with self._lock:
            self._sockets.append(ws)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._record_ack(msg.data)
        finally:
            with self._lock:
                self._sockets.remove(ws)
        return ws

    def _record_ack(self, text: str) -> None:
        try:
            ack = json.loads(text)
        except json.JSONDecodeError:
            ack = {"raw": text}
        with self._lock:
            self._acks.append(ack)

    def _sockets_snapshot(self) -> list[web.WebSocketResponse]:
        with self._lock:
            return list(self._sockets)

    @property
    def socket_acks(self) -> list[dict]:
        with self._lock:
            return list(self._acks)

    async def _broadcast(self, envelope: dict) -> None:
        sockets = self._sockets_snapshot()
        if not sockets:
            raise AssertionError("no Socket Mode client is connected to the fake")
        for ws in sockets:
            await ws.send_str(json.dumps(envelope))

    async def socket_send(self, envelope: dict) -> None:
        """Send an envelope to every connected client; awaitable from any event loop."""
        assert self._loop is not None, "FakeSlack is not started"
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._broadcast(envelope), self._loop))

    def socket_send_sync(self, envelope: dict) -> None:
        assert self._loop is not None, "FakeSlack is not started"
        asyncio.run_coroutine_threadsafe(self._broadcast(envelope), self._loop).result(timeout=5)

    def _find_ack(self, envelope_id: str) -> dict | None:
        return next((ack for ack in self.socket_acks if ack.get("envelope_id") == envelope_id), None)

    def _ack_missing(self, envelope_id: str, timeout: float) -> str:
        seen = [ack.get("envelope_id") for ack in self.socket_acks]
        return f"no ack for envelope {envelope_id} within {timeout}s; acks seen: {seen}"

    def wait_for_socket_ack(self, envelope_id: str, timeout: float = WAIT_SECONDS) -> dict:
        return poll(lambda: self._find_ack(envelope_id), timeout, lambda: self._ack_missing(envelope_id, timeout))

    async def wait_for_socket_ack_async(self, envelope_id: str, timeout: float = WAIT_SECONDS) -> dict:
        return await poll_async(lambda: self._find_ack(envelope_id), timeout, lambda: self._ack_missing(envelope_id, timeout))

    def socket_connected(self, timeout: float = WAIT_SECONDS) -> bool:
        """Wait for a Socket Mode client; True when connected, AssertionError on timeout."""
        return poll(lambda: bool(self._sockets_snapshot()) or None, timeout, lambda: "no Socket Mode client connected")

    async def socket_connected_async(self, timeout: float = WAIT_SECONDS) -> bool:
        return await poll_async(lambda: bool(self._sockets_snapshot()) or None, timeout, lambda: "no Socket Mode client connected")
