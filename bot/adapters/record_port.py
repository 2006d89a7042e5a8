"""Write-back to the system of record (nDelius-like) over HTTP, as the outbox worker sees it.

The write-back contract (ours; a thin gateway in front of the real system implements it) is
docs/write-back.md; the bodies are built by bot/domain/write_back.py:

- ``record.contact``: ``POST {base}/cases/{crn}/contacts``, a contact of a named type;
- ``record.allocation``: ``POST {base}/cases/{crn}/allocations``, an allocation or reallocation.

The outbox payload is ``{"crn": str, "idempotency_key": str, "body": {...}}``; ``body`` is sent
as is. Every request carries ``Idempotency-Key`` (the outbox row id) and, when a token is set,
``Authorization: Bearer <token>``. The receiver must dedupe on the key and answer 409 to a
repeat, so the worker may retry an unknown outcome without recording anything twice.

Answers, mapped to the worker's outcomes (bot/adapters/delivery.py):

- 2xx, and 409 (already recorded under this key): success, ``{"id": <response "id" or "">}``.
- 429: RateLimited after Retry-After seconds (5 when absent or not a number).
- 401/403: TransientFailure; an operator fixes the token and the row is delivered then.
- 408, 5xx, timeouts, connection errors: UnknownOutcome; the receiver may have acted.
- any other 4xx: PermanentFailure (400/404/422: the request itself is wrong).
- anything else (1xx, 3xx: a misconfigured URL): TransientFailure, retried until fixed.

Failure reasons are only the status or the exception's class name: the response body and the
request may quote sensitive text (a contact's notes), and reasons end up in logs and in
what SPOs see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.adapters.delivery import DeliveryError, PermanentFailure, RateLimited, TransientFailure, UnknownOutcome

DEFAULT_RETRY_AFTER_SECONDS = 5.0
RECORD_PATHS = {"record.contact": "contacts", "record.allocation": "allocations"}


class JsonPoster:
    """POSTs JSON with an idempotency key over one lazily created session; maps answers to outcomes.

    Shared by the record write-back and the prison webhook so both read HTTP answers alike.
    The session is created on first use, inside the event loop that uses it (aiohttp binds a
    session to its loop).
    """

    def __init__(
        self,
        token: str | None,
        *,
        timeout_seconds: float,
        session_factory: Callable[[], aiohttp.ClientSession],
    ) -> None:
        self._token = token or None
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session_factory = session_factory
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        """One POST; returns ``{"id": ...}`` on success, raises a DeliveryError otherwise."""
        try:
            async with self._get_session().post(
                url, json=body, headers=self._headers(idempotency_key), timeout=self._timeout, allow_redirects=False
            ) as response:
                if response.status == 409 or 200 <= response.status < 300:
                    return {"id": await _response_id(response)}
                raise classify_status(response.status, response.headers.get("Retry-After"))
        except DeliveryError:
            raise
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            # The class name only: aiohttp's messages carry the URL, and with it the CRN.
            raise UnknownOutcome(type(exc).__name__) from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = self._session_factory()
        return self._session

    def _headers(self, idempotency_key: str) -> dict[str, str]:
        headers = {"Idempotency-Key": idempotency_key}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers


def classify_status(status: int, retry_after: str | None) -> DeliveryError:
    """Map an unsuccessful HTTP status to the outcome the worker acts on (see module docstring)."""
    if status == 429:
        return RateLimited(_retry_after_seconds(retry_after))
    if status in (401, 403):
        return TransientFailure(f"HTTP {status}: the receiver refused our credentials")
    if status == 408 or status >= 500:
        return UnknownOutcome(f"HTTP {status}")
    if 400 <= status < 500:
        return PermanentFailure(f"HTTP {status}")
    return TransientFailure(f"HTTP {status}: unexpected answer, check the configured URL")


def _retry_after_seconds(value: str | None) -> float:
    """Retry-After in seconds; an HTTP date or garbage falls back to the default."""
    try:
        seconds = float(value) if value is not None else DEFAULT_RETRY_AFTER_SECONDS
    except ValueError:
        return DEFAULT_RETRY_AFTER_SECONDS
    return seconds if seconds >= 0 else DEFAULT_RETRY_AFTER_SECONDS


async def _response_id(response: aiohttp.ClientResponse) -> str:
    """The receiver's id for what it recorded, if it gave one; success does not depend on it."""
    try:
        data = await response.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return ""
    found = data.get("id") if isinstance(data, dict) else None
    return "" if found is None else str(found)


def required_text(payload: dict[str, Any], key: str) -> str:
    """A non-empty string field of an outbox payload; a row without it can never be delivered."""
    value = payload.get(key)
    if not isinstance(value, str) or not value:
        raise PermanentFailure(f"payload has no {key!r}")
    return value


class RecordApi:
    """The HTTP adapter for the system of record's write-back API (CASEBOT_RECORD_API_URL)."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout_seconds: float = 10,
        session_factory: Callable[[], aiohttp.ClientSession] = aiohttp.ClientSession,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._poster = JsonPoster(token, timeout_seconds=timeout_seconds, session_factory=session_factory)

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        collection = RECORD_PATHS.get(method)
        if collection is None:
            raise PermanentFailure(f"unknown method {method}")
        crn = required_text(payload, "crn")
        key = required_text(payload, "idempotency_key")
        body = payload.get("body")
        if not isinstance(body, dict):
            raise PermanentFailure("payload has no 'body'")
        url = f"{self.base_url}/cases/{quote(crn, safe='')}/{collection}"
        return await self._poster.post(url, body, key)

    async def close(self) -> None:
        await self._poster.close()
