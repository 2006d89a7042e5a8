"""A failed attempt's next try (bot/adapters/outbox_settle.py `Settlement.retry_later`) on SQLite
and PostgreSQL: an unknown outcome waits at least a call's timeout before the next attempt looks
for it in Slack, since Slack may still act on a request the client gave up on; a known failure
backs off as usual."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.outbox_settle import Settlement
from bot.domain.clock import FixedClock
from storage.db import Database
from storage.models import OutboxMessage

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CALL_SECONDS = 30.0  # longer than any first backoff (2 s with jitter)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def attempted_row(db: Database) -> OutboxMessage:
    """A row in flight: its first attempt leased it."""
    async with db.uow() as uow:
        row = OutboxMessage(
            ordering_key="C1", lane="C1", method="chat.postMessage", payload={"channel": "C1", "text": "x"}, purpose="case_card",
            state="sending", attempts=1, next_attempt_at=NOW, lease_until=NOW + timedelta(seconds=60), created_at=NOW,
        )  # fmt: skip
        uow.session.add(row)
        await uow.commit()
        return row


@pytest.mark.parametrize(("unknown", "at_least", "at_most"), [(True, CALL_SECONDS, CALL_SECONDS), (False, 1.6, 2.4)])
async def test_an_unknown_outcome_waits_a_calls_timeout_before_it_is_looked_for(db: Database, unknown: bool, at_least: float, at_most: float) -> None:
    settle = Settlement(db, FixedClock(NOW), max_backoff_seconds=300, unknown_wait_seconds=CALL_SECONDS)
    row = await attempted_row(db)

    await settle.retry_later(row, "timed out" if unknown else "500 before acting", unknown=unknown)

    async with db.uow() as uow:
        stored = await uow.outbox.get(row.id)
    assert stored is not None and stored.state == "pending" and stored.outcome_unknown is unknown
    waited = (stored.next_attempt_at.replace(tzinfo=stored.next_attempt_at.tzinfo or UTC) - NOW).total_seconds()
    assert at_least <= waited <= at_most, waited
