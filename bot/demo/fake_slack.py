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
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

from bot.demo.background_server import BackgroundServer

T = TypeVar("T")
Answer = tuple[int, dict[str, Any], dict[str, str]]  # HTTP status, JSON body, headers

BOT_ID = "B0BOT0001"
APP_ID = "A0APP0001"
POLL_INTERVAL = 0.02
# How long a wait_for* looks before it fails. A wait returns as soon as what it waits for arrives,
# so this bounds a hang, not a time budget: generous, so that a busy machine is slower, never red.
WAIT_SECONDS = 30.0
# Form-encoded bodies carry these as JSON text; tests want to inspect them as objects.
JSON_FIELDS = frozenset({"blocks", "attachments", "metadata", "view", "unfurl", "unfurls"})


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


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    error: str | None


@dataclass
class _Chaos:
    rate: float
    random: random.Random
    hold_seconds: float
    methods: tuple[str, ...]
    counts: Counter[str] = field(default_factory=Counter)


@dataclass
class _Limit:
    per_second: float
    per_key: str | None
    retry_after: int
    windows: defaultdict[str, deque[float]]


def interactive_envelope(payload: dict, envelope_id: str | None = None) -> dict:
    """Wrap an interaction payload the way Slack delivers it over Socket Mode."""
    return {
        "envelope_id": envelope_id or str(uuid.uuid4()),
        "type": "interactive",
        "accepts_response_payload": True,
        "payload": payload,
        "retry_attempt": 0,
        "retry_reason": "",
    }


def _truthy(value: Any) -> bool:
    """Form bodies and query strings carry booleans as text ("1", "true")."""
    return str(value).lower() in {"1", "true"}


def _dm_channel(channel: str) -> str:
    """Slack lets you post to a user id; the message lands in a stable DM channel."""
    return "D" + channel[1:] if channel[:1] in {"U", "W"} else channel


def _decode_json_fields(fields: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_FIELDS & fields.keys():
        if isinstance(fields[key], str):
            try:
                fields[key] = json.loads(fields[key])
            except json.JSONDecodeError:
                pass
    return fields


async def _parse_args(request: web.Request) -> dict[str, Any]:
    """Merge query-string and body fields: slack_sdk uses all three encodings."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.text() or "{}")
        except json.JSONDecodeError:
            body = {}
        args.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        form = await request.post()
        args.update({k: v if isinstance(v, str) else getattr(v, "filename", "") for k, v in form.items()})
    return _decode_json_fields(args)


def _token(request: web.Request, args: dict[str, Any]) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth.removeprefix("Bearer ")
    return args.get("token")


def _error(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


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
        self._history: defaultdict[str, list[dict]] = defaultdict(list)
        self._views: dict[str, dict] = {}
        self._home_views: dict[str, dict] = {}
        self._faults: defaultdict[str, deque[_Fault]] = defaultdict(deque)
        self._delays: defaultdict[str, deque[float]] = defaultdict(deque)
        self._after_acting: defaultdict[str, deque[str | None]] = defaultdict(deque)  # error, or None: drop
        self._limits: dict[str, _Limit] = {}
        self._chaos: _Chaos | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._last_ts_us = 0
        self._view_counter = 0
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update_message,
            "chat.postEphemeral": lambda args: {"ok": True, "message_ts": self._next_ts()},
            "conversations.open": self._open_conversation,
            "conversations.history": self._conversation_history,
            "conversations.replies": self._conversation_replies,
            "views.open": self._open_view,
            "views.push": self._open_view,
            "views.update": self._update_view,
            "views.publish": self._publish_view,
            "users.info": self._user_info,
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
        return _poll(lambda: self._enough_calls(method, count), timeout, lambda: self._missing(method, count, timeout))

    async def wait_for_async(self, method: str, count: int = 1, timeout: float = WAIT_SECONDS) -> list[RecordedCall]:
        return await _poll_async(lambda: self._enough_calls(method, count), timeout, lambda: self._missing(method, count, timeout))

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
            return copy.deepcopy(self._history.get(_dm_channel(channel), []))

    def messages_in(self, channel: str) -> list[dict]:
        """Top-level messages in ``channel``, oldest first (what a user sees in the channel)."""
        return [msg for msg in self.history(channel) if _is_top_level(msg)]

    @property
    def views(self) -> dict[str, dict]:
        with self._lock:
            return copy.deepcopy(self._views)

    @property
    def home_views(self) -> dict[str, dict]:
        with self._lock:
            return copy.deepcopy(self._home_views)

    # ---- fault injection -------------------------------------------------------------

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
            self._faults[method].extend(_Fault(status, retry_after, error) for _ in range(times))

    def fail_after_acting(self, method: str, *, error: str = "internal_error", drop: bool = False, times: int = 1) -> None:
        """Queue ``times`` calls to ``method`` that act (a post lands) and then fail as Slack can:
        answer ``ok: false`` with ``error`` (HTTP 200), or with ``drop`` close the connection
        with no answer at all. Only reconciliation keeps the retry from acting twice."""
        with self._lock:
            self._after_acting[method].extend([None if drop else error] * times)

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the next replies to ``method``; the call is recorded and applied before the wait."""
        with self._lock:
            self._delays[method].extend([seconds] * times)

    def rate_limit(self, method: str, *, per_second: float, per_key: str | None = None, retry_after: int = 1) -> None:
        """Answer 429 once more than ``per_second`` calls (per ``args[per_key]``) hit in 1 s."""
        with self._lock:
            self._limits[method] = _Limit(per_second, per_key, retry_after, defaultdict(deque))

    # ---- HTTP dispatch ---------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        received = time.time()
        method = request.match_info["method"]
        args = await _parse_args(request)
        token = _token(request, args)
        with self._lock:
            status, body, headers = self._answer(method, args, token, received)
            status, body, headers, held = self._apply_chaos(method, status, body, headers)
            drop = False
            if status == 200 and body.get("ok") and self._after_acting[method]:
                error = self._after_acting[method].popleft()
                drop, body = error is None, _error(error or "connection dropped")
            # Serialise now: a held (delayed) reply must not see later chat.update edits.
            text = json.dumps(body)
            recorded = RecordedCall(method, args, token, dict(request.headers), received, json.loads(text), status)
            self._calls.append(recorded)
            delay = held or (self._delays[method].popleft() if self._delays[method] else 0.0)
        if drop and request.transport is not None:
            request.transport.abort()  # the client hears nothing: no status, no body
            raise asyncio.CancelledError
        if delay:
            await asyncio.sleep(delay)
        return web.Response(text=text, status=status, headers=headers, content_type="application/json")

    def chaos(self, rate: float, *, seed: int = 0, hold_seconds: float = 5.0, methods: tuple[str, ...] = ("chat.postMessage", "chat.update")) -> None:
        """From now on, fail `rate` of the calls to `methods` at random (seeded), as a bad day at
        Slack looks: 429 with Retry-After; 500 before acting; 500 AFTER acting (the message
        exists but the client hears an error); or acting and then holding the reply past the
        client's timeout. The last two are the outcomes only reconciliation gets right."""
        with self._lock:
            self._chaos = _Chaos(rate=rate, random=random.Random(seed), hold_seconds=hold_seconds, methods=methods)

    def _apply_chaos(self, method: str, status: int, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any], dict[str, str], float]:
        """Called with the lock held, after the realistic answer (and its side effects)."""
        chaos = self._chaos
        if chaos is None or method not in chaos.methods or status != 200 or chaos.random.random() >= chaos.rate:
            return status, body, headers, 0.0
        kind = chaos.random.choice(("429", "500_before", "500_after", "hold"))
        chaos.counts[kind] += 1
        if kind == "hold":
            return status, body, headers, chaos.hold_seconds
        if kind == "500_after":
            return 500, _error("internal_error"), {}, 0.0
        self._undo(method, body)
        if kind == "429":
            return 429, _error("ratelimited"), {"Retry-After": "1"}, 0.0
        return 500, _error("internal_error"), {}, 0.0

    def _undo(self, method: str, body: dict[str, Any]) -> None:
        """Take back a post the fault says never happened (429, 500 before acting)."""
        if method == "chat.postMessage" and body.get("ok"):
            history = self._history[body["channel"]]
            history[:] = [m for m in history if m.get("ts") != body["ts"]]

    @property
    def chaos_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._chaos.counts) if self._chaos else {}

    def all_messages(self) -> list[dict]:
        """Every message held, in every conversation (top-level and replies)."""
        with self._lock:
            return [copy.deepcopy(m) for history in self._history.values() for m in history]

    def _answer(self, method: str, args: dict[str, Any], token: str | None, now: float) -> Answer:
        """Faults first, then rate limits, then auth, then the method's realistic behaviour."""
        if self._faults[method]:
            return _fault_response(self._faults[method].popleft())
        if (retry_after := self._rate_limited(method, args, now)) is not None:
            return 429, _error("ratelimited"), {"Retry-After": str(retry_after)}
        if not token or not token.startswith(("xoxb-", "xapp-")):
            return 200, _error("invalid_auth"), {}
        if method == "apps.connections.open" and not token.startswith("xapp-"):
            return 200, _error("not_allowed_token_type"), {}
        handler = self._handlers.get(method, lambda args: {"ok": True})
        return 200, handler(args), {}

    def _rate_limited(self, method: str, args: dict[str, Any], now: float) -> int | None:
        limit = self._limits.get(method)
        if limit is None:
            return None
        window = limit.windows[str(args.get(limit.per_key)) if limit.per_key else ""]
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= limit.per_second:
            return limit.retry_after
        window.append(now)
        return None

    # ---- Web API methods (called with the lock held) -----------------------------------

    def _next_ts(self) -> str:
        """Wall-clock based so ``oldest=now-N`` queries work, yet strictly increasing."""
        self._last_ts_us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake",
            "user": "casebot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return _error("channel_not_found")
        channel = _dm_channel(args["channel"])
        message = {"type": "message", "ts": self._next_ts(), "user": self.bot_user_id, "bot_id": BOT_ID}
        for key in ("text", "blocks", "thread_ts", "metadata"):
            if args.get(key) is not None:
                message[key] = args[key]
        self._history[channel].append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _update_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _dm_channel(str(args.get("channel", "")))
        message = self._find_message(channel, str(args.get("ts", "")))
        if message is None:
            return _error("message_not_found")
        message.update({key: args[key] for key in ("text", "blocks", "metadata") if key in args})
        text = message.get("text", "")
        return {"ok": True, "channel": channel, "ts": message["ts"], "text": text, "message": message}

    def _find_message(self, channel: str, ts: str) -> dict | None:
        return next((msg for msg in self._history.get(channel, []) if msg["ts"] == ts), None)

    def _open_conversation(self, args: dict[str, Any]) -> dict[str, Any]:
        """Only 1:1 DMs: the bot never opens group DMs, so several users is an error here."""
        users = [user.strip() for user in str(args.get("users", "")).split(",") if user.strip()]
        if len(users) != 1:
            return _error("users_list_not_supplied" if not users else "fake_supports_one_user_only")
        return {"ok": True, "channel": {"id": _dm_channel(users[0])}}

    def _conversation_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _dm_channel(str(args.get("channel", "")))
        inclusive = _truthy(args.get("inclusive"))
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        in_range = (lambda t: oldest <= t <= latest) if inclusive else (lambda t: oldest < t < latest)
        found = [m for m in reversed(self._history.get(channel, [])) if _is_top_level(m) and in_range(float(m["ts"]))]
        offset, limit = int(args.get("cursor") or 0), int(args.get("limit") or 100)
        page = found[offset : offset + limit]
        has_more = offset + limit < len(found)
        return {
            "ok": True,
            "messages": _visible(page, _truthy(args.get("include_all_metadata"))),
            "has_more": has_more,
            "response_metadata": {"next_cursor": str(offset + limit) if has_more else ""},
        }

    def _conversation_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = _dm_channel(str(args.get("channel", ""))), str(args.get("ts", ""))
        thread = [m for m in self._history.get(channel, []) if ts in (m["ts"], m.get("thread_ts"))]
        if not thread:
            return _error("thread_not_found")
        include_metadata = _truthy(args.get("include_all_metadata"))
        return {"ok": True, "messages": _visible(thread, include_metadata), "has_more": False}

    def _new_view(self, view: dict, view_id: str | None = None) -> dict:
        self._view_counter += 1
        view_id = view_id or f"V{self._view_counter:08d}"
        stored = {**view, "id": view_id, "hash": f"h{self._view_counter}", "state": {"values": {}}}
        stored["root_view_id"] = view_id
        self._views[view_id] = stored
        return stored

    def _open_view(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("trigger_id") == "expired":
            return _error("expired_trigger_id")
        if not args.get("trigger_id") or not isinstance(args.get("view"), dict):
            return _error("invalid_arguments")
        return {"ok": True, "view": self._new_view(args["view"])}

    def _update_view(self, args: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(args.get("view"), dict):
            return _error("invalid_arguments")
        external_id = args.get("external_id")
        current = self._views.get(args.get("view_id", "")) or next(
            (v for v in self._views.values() if external_id and v.get("external_id") == external_id), None
        )
        if current is None:
            return _error("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            return _error("hash_conflict")
        return {"ok": True, "view": self._new_view(args["view"], current["id"])}

    def _publish_view(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id, view = args.get("user_id"), args.get("view")
        if not user_id or not isinstance(view, dict):
            return _error("invalid_arguments")
        current = self._home_views.get(user_id)
        if current and args.get("hash") and args["hash"] != current["hash"]:
            return _error("hash_conflict")
        self._home_views[user_id] = self._new_view(view, current["id"] if current else None)
        return {"ok": True, "view": self._home_views[user_id]}

    def _user_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = args.get("user")
        if not user:
            return _error("user_not_found")
        name = user.lower()
        person = {"id": user, "name": name, "real_name": f"User {user}", "tz": "Europe/London"}
        return {"ok": True, "user": {**person, "profile": {"display_name": name}}}

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
        return _poll(lambda: self._find_ack(envelope_id), timeout, lambda: self._ack_missing(envelope_id, timeout))

    async def wait_for_socket_ack_async(self, envelope_id: str, timeout: float = WAIT_SECONDS) -> dict:
        return await _poll_async(lambda: self._find_ack(envelope_id), timeout, lambda: self._ack_missing(envelope_id, timeout))

    def socket_connected(self, timeout: float = WAIT_SECONDS) -> bool:
        """Wait for a Socket Mode client; True when connected, AssertionError on timeout."""
        return _poll(lambda: bool(self._sockets_snapshot()) or None, timeout, lambda: "no Socket Mode client connected")

    async def socket_connected_async(self, timeout: float = WAIT_SECONDS) -> bool:
        return await _poll_async(lambda: bool(self._sockets_snapshot()) or None, timeout, lambda: "no Socket Mode client connected")


def _is_top_level(message: dict) -> bool:
    return message.get("thread_ts") in (None, message["ts"])


def _visible(messages: list[dict], include_metadata: bool) -> list[dict]:
    """Slack only returns message metadata when asked to with include_all_metadata."""
    if include_metadata:
        return messages
    return [{k: v for k, v in msg.items() if k != "metadata"} for msg in messages]


def _fault_response(fault: _Fault) -> Answer:
    if fault.status == 429:
        return 429, _error(fault.error or "ratelimited"), {"Retry-After": str(fault.retry_after or 1)}
    return fault.status, _error(fault.error or "internal_error"), {}


def _poll(check: Callable[[], T | None], timeout: float, describe: Callable[[], str]) -> T:
    deadline = time.monotonic() + timeout
    while (found := check()) is None:
        if time.monotonic() >= deadline:
            raise AssertionError(describe())
        time.sleep(POLL_INTERVAL)
    return found


async def _poll_async(check: Callable[[], T | None], timeout: float, describe: Callable[[], str]) -> T:
    deadline = time.monotonic() + timeout
    while (found := check()) is None:
        if time.monotonic() >= deadline:
            raise AssertionError(describe())
        await asyncio.sleep(POLL_INTERVAL)
    return found
