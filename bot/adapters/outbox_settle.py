"""What one delivery attempt leaves on its outbox row (bot/adapters/outbox_worker.py): sent, with
Slack's answer and the purpose's hook (the case card's ts anchors the case's thread); failed for
good, with its hook; or pending again after a backoff. Each in its own short transaction, so a
row's outcome is stored as soon as it is known.

Only the attempt that holds the row's lease settles it: `row.attempts` is the token its lease
gave. An attempt whose lease ran out and whose row was taken back (`doubt` in
storage/repositories/outbox.py) leaves the row alone: the next attempt looks in Slack first,
and an old attempt that put the row back to pending could let another attempt send while a
third is still in flight."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.domain.clock import Clock
from storage.db import Database, UnitOfWork
from storage.models import OutboxMessage

Hook = Callable[[UnitOfWork, OutboxMessage], Any]

log = logging.getLogger("casebot.outbox")


async def held(uow: UnitOfWork, row: OutboxMessage) -> bool:
    """Whether the attempt `row` (leased as attempt `row.attempts`) still holds its row; if so
    the row stays locked to this transaction until it commits."""
    if await uow.outbox.hold_lease(row.id, attempts=row.attempts):
        return True
    log.info("outbox attempt lost its lease; the row is left to its holder", extra={"outbox_id": row.id, "method": row.method})
    return False


def backoff_seconds(attempts: int, cap: float) -> float:
    """Exponential backoff with jitter: 2, 4, 8 ... seconds, capped."""
    base = min(cap, 2.0 ** max(1, attempts))
    return base * random.uniform(0.8, 1.2)


class Settlement:
    """Stores each attempt's outcome on its row; `after_sent` and `after_failed` hold, by purpose,
    what else the same transaction does (filled by the runtime from the services)."""

    def __init__(self, db: Database, clock: Clock, max_backoff_seconds: float, *, unknown_wait_seconds: float = 0.0) -> None:
        self.db = db
        self.clock = clock
        self.max_backoff = max_backoff_seconds
        # Before an unknown outcome is looked for in Slack: a request the client timed out on
        # may still be in Slack's hands this long, and a search before it acts finds nothing.
        self.unknown_wait = unknown_wait_seconds
        self.after_sent: dict[str, Hook] = {}
        self.after_failed: dict[str, Hook] = {}

    async def sent(self, row: OutboxMessage, result: dict[str, Any]) -> None:
        async with self.db.uow() as uow:
            if not await held(uow, row):
                return
            stored = await uow.outbox.get(row.id)
            assert stored is not None
            stored.state = "sent"
            stored.result = result
            stored.sent_at = self.clock.now()
            stored.lease_until = None
            stored.outcome_unknown = False
            stored.last_error = None
            hook = self.after_sent.get(stored.purpose)
            if hook is not None:
                await hook(uow, stored)
            await uow.commit()

    async def failed(self, row: OutboxMessage, reason: str) -> bool:
        """Mark the row failed; True when its purpose's failure hook ran (it may have queued rows)."""
        async with self.db.uow() as uow:
            if not await held(uow, row):
                return False
            stored = await uow.outbox.get(row.id)
            assert stored is not None
            stored.state = "failed"
            stored.last_error = reason[:500]
            stored.lease_until = None
            hook = self.after_failed.get(stored.purpose)
            if hook is not None:
                await hook(uow, stored)
            await uow.commit()
        return hook is not None

    async def retry_later(
        self,
        row: OutboxMessage,
        reason: str,
        *,
        delay: float | None = None,
        unknown: bool = False,
        count_attempt: bool = True,
    ) -> None:
        async with self.db.uow() as uow:
            if not await held(uow, row):
                return
            stored = await uow.outbox.get(row.id)
            assert stored is not None
            wait = delay if delay is not None else backoff_seconds(stored.attempts, self.max_backoff)
            if unknown:
                wait = max(wait, self.unknown_wait)
            stored.state = "pending"
            stored.next_attempt_at = self.clock.now() + timedelta(seconds=wait)
            stored.last_error = reason[:500]
            stored.lease_until = None
            stored.outcome_unknown = stored.outcome_unknown or unknown
            if not count_attempt:
                stored.attempts = max(0, stored.attempts - 1)
            await uow.commit()
