"""Refusing replayed Slack requests ("forged, stale and replayed signatures are rejected").

Slack's signature check (Bolt's) refuses forged and stale (over 5 minutes) requests, but a
captured request replayed within those 5 minutes passes it. Each valid signature is taken once;
a second use is refused.

The check sits on the 3-second ack path of every click, so it must cost next to nothing: the
benchmark (benchmarks/interactions.py) found a database read and a write transaction per
request to be most of the bot's work per click. So the check reads memory only. Each process
writes the signatures it took to the database in batches, off the ack path, and loads the last
ten minutes' worth at start, so a replay after a restart is refused. On PostgreSQL, where
replicas share the store, each replica also reads the others' new signatures every
`SYNC_SECONDS`: a replay sent to another replica is refused once about a quarter of a second
has passed (a replay within that moment, like two copies racing at one replica, could pass).
SQLite is one process's store (README, "PostgreSQL in production") and needs no sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from datetime import datetime, timedelta

from multidict import MultiMapping
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain.clock import Clock
from storage.db import Database, UnitOfWork
from storage.models import SeenSignature

log = logging.getLogger("casebot.replay")

WINDOW = timedelta(minutes=5)  # Slack's own limit on request age (docs/slack-platform.md s5)
KEEP = 2 * WINDOW  # a replay older than the window fails Bolt's staleness check anyway
FLUSH_DELAY_SECONDS = 0.05  # gathers a burst of requests into one write
SYNC_SECONDS = 0.2  # how often a replica reads the signatures the others took
CLOCK_SKEW = timedelta(seconds=2)  # a row stamped by another clock, or committed late: read back
SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"


def verified_signature(secret: str, body: bytes, headers: MultiMapping[str]) -> str | None:
    """The request's signature if it is Slack's, fresh and alone; None otherwise (answer 401).

    Runs before anything reads the body, so an unsigned request never reaches a parser. Exactly
    one signature and one timestamp header are allowed: with two, this check and Bolt's could
    read different ones (a bogus first value let a signed request be replayed). The timestamp
    must be ASCII digits, the signature Slack's scheme over the raw bytes, so no unsigned input
    is cast, decoded or parsed here either.
    """
    signatures = headers.getall(SIGNATURE_HEADER, [])
    timestamps = headers.getall(TIMESTAMP_HEADER, [])
    if len(signatures) != 1 or len(timestamps) != 1 or not secret:
        return None
    signature, timestamp = signatures[0], timestamps[0]
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return None
    if abs(time.time() - int(timestamp)) > WINDOW.total_seconds():
        return None
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return signature if hmac.compare_digest(f"v0={digest}".encode(), signature.encode("utf-8", "replace")) else None


class ReplayGuard:
    """The signatures already taken, in memory; the database carries them across restarts and
    between replicas."""

    def __init__(self, db: Database, clock: Clock, *, shared: bool | None = None) -> None:
        self.db = db
        self.clock = clock
        # Other processes take requests on the same store: learn their signatures as they come.
        self.shared = db.dialect == "postgresql" if shared is None else shared
        self._seen: dict[str, datetime] = {}  # roughly time order, oldest first
        self._pending: dict[str, datetime] = {}
        self._flushing: asyncio.Task[None] | None = None
        self._syncing: asyncio.Task[None] | None = None
        self._synced_to: datetime | None = None
        self._sync_failing = False

    async def start(self) -> None:
        """Load what was taken within the window (a restart still refuses it) and, on a shared
        store, keep learning what the other replicas take. A database that does not answer
        yet does not stop the start (`/healthz` reports it)."""
        await self.sync()
        if self.shared:
            self._syncing = asyncio.create_task(self._sync_forever(), name="replay-sync")

    async def sync(self) -> None:
        """Read the signatures stored since the last read (all of the window the first time)."""
        now = self.clock.now()
        since = now - KEEP if self._synced_to is None else self._synced_to - CLOCK_SKEW
        try:
            async with self.db.engine.connect() as conn:
                rows = await conn.execute(
                    select(SeenSignature.signature, SeenSignature.received_at).where(SeenSignature.received_at >= since).order_by(SeenSignature.received_at)
                )
                for signature, at in rows.all():
                    self._seen.setdefault(signature, at)
        except Exception:
            if not self._sync_failing:  # once per outage, not every SYNC_SECONDS
                log.warning("could not read recently taken request signatures; will retry")
            self._sync_failing = True
            return
        self._sync_failing = False
        self._synced_to = now
        self._forget_older_than(now - KEEP)

    async def _sync_forever(self) -> None:
        while True:
            await asyncio.sleep(SYNC_SECONDS)
            await self.sync()

    def seen_before(self, signature: str) -> bool:
        return signature in self._seen

    def take(self, signature: str) -> bool:
        """Take a signature for the request now being answered; False if it was taken already.
        Check and take happen with no await between them, so two copies racing at this process
        cannot both pass; at two replicas they could within about `SYNC_SECONDS`."""
        if self.seen_before(signature):
            return False
        now = self.clock.now()
        self._seen[signature] = now
        self._pending[signature] = now
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush_soon())
        return True

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_DELAY_SECONDS)
        await self.flush()

    async def flush(self) -> None:
        """Write what was taken since the last flush, in one statement; forget what is too old
        to matter. A failed write is kept for the next flush (memory still refuses it here)."""
        self._forget_older_than(self.clock.now() - KEEP)
        batch, self._pending = self._pending, {}
        if not batch:
            return
        dialect = postgresql if self.db.dialect == "postgresql" else sqlite
        statement = dialect.insert(SeenSignature).values([{"signature": signature, "received_at": at} for signature, at in batch.items()])
        try:
            async with self.db.engine.begin() as conn:
                await conn.execute(statement.on_conflict_do_nothing(index_elements=["signature"]))
        except Exception:
            log.warning("could not store taken request signatures; will retry", extra={"count": len(batch)})
            self._pending = {**batch, **self._pending}

    async def close(self) -> None:
        """On stop: stop syncing, wait for a flush under way, then write what is left."""
        if self._syncing is not None:
            self._syncing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._syncing
        if self._flushing is not None:
            await self._flushing
        await self.flush()

    def _forget_older_than(self, cutoff: datetime) -> None:
        """Drop signatures from the front while they are older than `cutoff`. Entries from
        other replicas can sit a little out of time order; they go once they reach the front,
        so memory stays bounded by about one window's worth of requests."""
        while self._seen:
            signature, at = next(iter(self._seen.items()))
            if at >= cutoff:
                return
            del self._seen[signature]


async def purge(uow: UnitOfWork, now: datetime) -> None:
    """Forget stored signatures older than `KEEP` (a replay that old fails as stale anyway)."""
    await uow.session.execute(delete(SeenSignature).where(SeenSignature.received_at < now - KEEP))
