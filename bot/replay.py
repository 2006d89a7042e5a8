"""Refusing replayed Slack requests (issue 8: "forged, stale and replayed signatures are rejected").

Slack's signature check (Bolt's) refuses forged and stale (over 5 minutes) requests, but a
captured request replayed within those 5 minutes passes it. Each valid signature is stored
once; a second use is refused. Stored in the database, not in memory, so a replay sent to
another replica is refused too. Old entries are purged by the scheduler tick.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from storage.db import UnitOfWork
from storage.models import SeenSignature

WINDOW = timedelta(minutes=5)  # Slack's own limit on request age (SLACK.md s5)


def valid_signature(secret: str, body: str, headers: Mapping[str, str]) -> str | None:
    """The request's signature if it is valid and fresh, else None (Bolt then refuses it)."""
    verifier = SignatureVerifier(secret)
    if not verifier.is_valid_request(body, dict(headers)):
        return None
    return headers.get("X-Slack-Signature") or headers.get("x-slack-signature")


async def seen_before(uow_factory: Callable[[], UnitOfWork], signature: str) -> bool:
    """True when this signature was already taken: a read, so it never queues behind writers
    on the 3-second ack path."""
    async with uow_factory() as uow:
        return await uow.session.get(SeenSignature, signature) is not None


async def remember(uow_factory: Callable[[], UnitOfWork], signature: str, clock: Clock) -> None:
    """Record a signature once its request has been acked (off the ack path). Two copies
    arriving within the same few milliseconds could both pass; a later replay cannot."""
    try:
        async with uow_factory() as uow:
            uow.session.add(SeenSignature(signature=signature, received_at=clock.now()))
            await uow.commit()
    except IntegrityError:
        pass  # already remembered


async def purge(uow: UnitOfWork, now: datetime) -> None:
    """Forget signatures older than twice the window (a replay that old fails as stale anyway)."""
    await uow.session.execute(delete(SeenSignature).where(SeenSignature.received_at < now - 2 * WINDOW))
