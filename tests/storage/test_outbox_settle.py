"""A failed attempt's next try (bot/adapters/outbox_settle.py `Settlement.retry_later`) on SQLite
and PostgreSQL: an unknown outcome waits at least a call's timeout before the next attempt looks
for it in Slack, since Slack may still act on a request the client gave up on; a known failure
backs off as usual.

A lease found run out (bot/adapters/outbox_worker.py `_claim`, storage/repositories/outbox.py
`doubt`) is such an outcome too. Its attempt may be stalled rather than dead, its post still on
its way to Slack: a worker that resent at once, after a search that came too early to see that
post, would post twice. So the row goes back in doubt with nothing sent, the old attempt can no
longer settle it, and a call's timeout later the row is looked for before any resend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.adapters.metrics import Metrics
from bot.adapters.outbox_settle import Settlement
from bot.adapters.outbox_worker import OutboxWorker
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


async def attempted_row(db: Database, *, lease_seconds: float = 60) -> OutboxMessage:
    """A row in flight: its first attempt leased it (a lease already run out if negative)."""
    async with db.uow() as uow:
        row = OutboxMessage(
            ordering_key="C1", lane="ch:C1", method="chat.postMessage", payload={"channel": "C1", "text": "x"}, purpose="case_card",
            state="sending", attempts=1, next_attempt_at=NOW, lease_until=NOW + timedelta(seconds=lease_seconds), created_at=NOW, first_attempt_at=NOW,
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


class SlackWithHistory:
    """Answers every call, recording it; the conversation's history holds `landed`'s posts (the
    stalled attempt's post that reached Slack after all)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.landed: list[int] = []

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(method)
        if method == "conversations.history":
            meta = [{"event_type": "casebot_outbox", "event_payload": {"outbox_id": i}} for i in self.landed]
            return {"ok": True, "messages": [{"ts": f"1.{i}", "metadata": m} for i, m in zip(self.landed, meta, strict=True)]}
        return {"ok": True, "channel": payload["channel"], "ts": "2.0"}


@pytest.mark.parametrize("landed", [True, False])
async def test_a_lease_found_run_out_waits_a_call_then_looks_before_it_resends(db: Database, landed: bool) -> None:
    clock, slack = FixedClock(NOW), SlackWithHistory()
    worker = OutboxWorker(db, slack, clock, Metrics(), lease_seconds=60, call_seconds=CALL_SECONDS, channel_interval_seconds=0)
    stalled = await attempted_row(db, lease_seconds=-1)

    assert await worker.run_once() == 0  # taken back, not sent
    assert slack.calls == []
    async with db.uow() as uow:
        row = await uow.outbox.get(stalled.id)
    assert row is not None and (row.state, row.attempts, row.outcome_unknown) == ("pending", 2, True)
    assert row.next_attempt_at.replace(tzinfo=UTC) == NOW + timedelta(seconds=CALL_SECONDS)

    await worker.settle.sent(stalled, {"channel": "C1", "ts": "1.1"})  # the stalled attempt comes back
    async with db.uow() as uow:
        row = await uow.outbox.get(stalled.id)
    assert row is not None and row.state == "pending"  # it no longer holds the row

    clock.advance(seconds=CALL_SECONDS - 1)
    assert await worker.run_once() == 0  # not before a call's timeout
    if landed:
        slack.landed.append(stalled.id)  # its post reached Slack meanwhile
    clock.advance(seconds=1)
    assert await worker.run_once() == 1

    assert slack.calls == (["conversations.history"] if landed else ["conversations.history", "chat.postMessage"])
    async with db.uow() as uow:
        row = await uow.outbox.get(stalled.id)
    assert row is not None and row.state == "sent" and row.result == {"channel": "C1", "ts": f"1.{stalled.id}" if landed else "2.0"}
