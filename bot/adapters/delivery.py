"""What can happen when the outbox worker delivers a row to an outside system.

Every port (Slack, the system of record, the prison notifier) reports failures as one of
these, so the worker decides the same way for all: wait (429), retry (transient), reconcile
or retry with an idempotency key (unknown), or give up and show it (permanent).
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.domain.errors import CasebotError


class Port(Protocol):
    """An outside system the outbox delivers to: one call by method name, a JSON-like answer."""

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]: ...


class DeliveryError(CasebotError):
    """Base of the outcomes other than success."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"ratelimited, retry after {retry_after:g}s")
        self.retry_after = retry_after


class PermanentFailure(DeliveryError):
    """The receiver refused the call in a way a retry cannot fix."""


class TransientFailure(DeliveryError):
    """The receiver answered with an error and did not act; a later retry may succeed."""


class UnknownOutcome(DeliveryError):
    """No clear answer: the receiver may or may not have acted."""
