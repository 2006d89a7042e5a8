"""Refusing replayed Slack requests (issue 8: "forged, stale and replayed signatures are rejected").

Slack's signature check (Bolt's) refuses forged and stale (over 5 minutes) requests, but a
captured request replayed within those 5 minutes passes it. Each valid signature is taken once;
a second use is refused.

The check sits on the 3-second ack path of every click, so it must cost next to nothing: the
benchmark (benchmarks/interactions.py) found one database read and one write transaction per
request to be most of the bot's work per click. So this process keeps the signatures it took in
memory and writes them to the database in batches, off the ack path; the database copy refuses
a replay after a restart (loaded at start) and, on PostgreSQL where replicas share the store, a
replay sent to another replica (each request not in memory is looked up there too). SQLite is
one process's store (README, "PostgreSQL in production"), so it needs no look-up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.clock import Clock
from storage.db import Database, UnitOfWork
from storage.models import SeenSignature

log = logging.getLogger("casebot.replay")

WINDOW = timedelta(minutes=5)  # Slack's own limit on request age (SLACK.md s5)
KEEP = 2 * WINDOW  # a replay older than the window fails Bolt's staleness check anyway
FLUSH_DELAY_SECONDS = 0.05  # gathers a burst of requests into one write


def valid_signature(secret: str, body: str, headers: Mapping[str, str]) -> str | None:
    """The request's signature if it is valid and fresh, else None (Bolt then refuses it)."""
    verifier = SignatureVerifier(secret)
    if not verifier.is_valid_request(body, dict(headers)):
        return None
    return headers.get("X-Slack-Signature") or headers.get("x-slack-signature")


class ReplayGuard:
    """The signatures already taken: this process's in memory, everyone's in the database."""

    def __init__(self, db: Database, clock: Clock, *, shared: bool | None = None) -> None:
        self.db = db
        self.clock = clock
        # Other processes may take requests on the same store: ask it about unknown signatures.
        self.shared = db.dialect == "postgresql" if shared is None else shared
        self._seen: dict[str, datetime] = {}  # insertion order is time order: oldest first
        self._pending: dict[str, datetime] = {}
        self._flushing: asyncio.Task[None] | None = None

    async def load_recent(self) -> None:
        """At start: what was taken within the window before a restart is still refused. A
        database that does not answer yet does not stop the start (`/healthz` reports it)."""
        since = self.clock.now() - KEEP
        try:
            async with self.db.engine.connect() as conn:
                rows = await conn.execute(
                    select(SeenSignature.signature, SeenSignature.received_at)
                    .where(SeenSignature.received_at >= since)
                    .order_by(SeenSignature.received_at)
                )
                self._seen.update({signature: at for signature, at in rows.all()})
        except Exception:
            log.warning("could not load recently taken request signatures")

    async def seen_before(self, signature: str) -> bool:
        if signature in self._seen:
            return True
        if not self.shared:
            return False
        async with self.db.engine.connect() as conn:
            found = await conn.scalar(select(SeenSignature.signature).where(SeenSignature.signature == signature))
        return found is not None

    def remember(self, signature: str) -> None:
        """Take a signature once its request has been acked. Two copies arriving within the same
        few milliseconds at two replicas could both pass; a later replay cannot."""
        now = self.clock.now()
        self._seen[signature] = now
        self._pending[signature] = now
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush_soon())

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
        statement = dialect.insert(SeenSignature).values(
            [{"signature": signature, "received_at": at} for signature, at in batch.items()]
        )
        try:
            async with self.db.engine.begin() as conn:
                await conn.execute(statement.on_conflict_do_nothing(index_elements=["signature"]))
        except Exception:
            log.warning("could not store taken request signatures; will retry", extra={"count": len(batch)})
            self._pending = {**batch, **self._pending}

    async def close(self) -> None:
        """On stop: wait for a flush under way, then write what is left."""
        if self._flushing is not None:
            await self._flushing
        await self.flush()

    def _forget_older_than(self, cutoff: datetime) -> None:
        while self._seen:
            signature, at = next(iter(self._seen.items()))
            if at >= cutoff:
                return
            del self._seen[signature]


async def purge(uow: UnitOfWork, now: datetime) -> None:
    """Forget stored signatures older than `KEEP` (a replay that old fails as stale anyway)."""
    await uow.session.execute(delete(SeenSignature).where(SeenSignature.received_at < now - KEEP))
