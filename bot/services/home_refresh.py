"""Keeping each person's App Home fresh: one debounced refresh row per person, in the
transaction that changed what they see.

The row carries no view: the outbox worker's `home` lane (bot/adapters/home_publisher.py)
builds the view when it sends, so what is published is the state at send time, never a stale
snapshot, and a burst of changes publishes once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.domain.enums import HOME_PUBLISH, OutboxPurpose
from bot.services.outbox import enqueue
from storage.db import UnitOfWork

HOME_PURPOSE = OutboxPurpose.HOME_REFRESH

# How long a refresh caused by arriving cases waits before it is sent. Cases come in bursts
# (an import, a court list, a source's retry queue): every receipt in the window shares one
# publish instead of each building the SPO's whole Home (docs/architecture.md "App Home").
BURST_DELAY = timedelta(seconds=2)


def home_key(user_id: str) -> str:
    """The outbox ordering key of a person's Home: one person's publishes go in order."""
    return f"home:{user_id}"


async def queue_home_refresh(uow: UnitOfWork, user_ids: Iterable[str | None], now: datetime, *, delay: timedelta = timedelta(0)) -> list[str]:
    """Queue a Home refresh for each person, in the caller's transaction; returns whom a new
    row was queued for.

    Debounced: a person who already has a refresh waiting (state `pending`) gets no second
    row, because the waiting one builds its view when it is sent and so will show this change
    too. The check is a conditional UPDATE of that waiting row, not a read: the update locks
    it (PostgreSQL row lock; SQLite's write lock) until the caller commits, so the worker
    cannot claim it and build the view in between and miss this change. A row already being
    sent may have read the data before this change, so then a new row is queued; its ordering
    key makes it wait for the one in flight.

    `delay` holds the new row back (e.g. a second), so that separate transactions arriving
    close together also share one publish.
    """
    queued: list[str] = []
    # Sorted, so two transactions refreshing the same people lock their rows in the same order
    # (no deadlock on PostgreSQL). Call this last before commit, so no other lock is taken after.
    for user in sorted({u for u in user_ids if u}):
        key = home_key(user)
        if await uow.outbox.lock_pending(key, HOME_PURPOSE):
            continue
        row = enqueue(uow, method=HOME_PUBLISH, payload={"user_id": user, "refresh": True}, purpose=HOME_PURPOSE, ordering_key=key, now=now)
        row.next_attempt_at = now + delay
        queued.append(user)
    return queued
