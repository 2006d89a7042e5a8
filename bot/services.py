"""The services the edges share: intake API, CLI importer and Slack handlers all call these.

A thin facade over the domain services so each edge needs one object; it adds what every
caller would otherwise repeat (metrics, waking the outbox worker after a commit).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.intake import Received, Rejected, receive_case, receive_cases
from bot.metrics import Metrics
from bot.settings import Settings
from storage.db import Database, UnitOfWork
from storage.models import Case, OutboxMessage


@dataclass
class Services:
    db: Database
    clock: Clock
    settings: Settings
    metrics: Metrics
    nudge: Callable[[], None] = lambda: None

    async def receive_case(self, raw: Mapping[str, Any], *, source: str) -> Received:
        received = await receive_case(self.db.uow, raw, clock=self.clock, record_case_url=self.settings.record_case_url)
        if received.created:
            self.metrics.cases_received.labels(source).inc()
            self.nudge()
        return received

    async def receive_cases(self, rows: Sequence[Mapping[str, Any]], *, source: str) -> list[Received | Rejected]:
        results = await receive_cases(self.db.uow, rows, clock=self.clock, record_case_url=self.settings.record_case_url)
        created = sum(1 for r in results if isinstance(r, Received) and r.created)
        if created:
            self.metrics.cases_received.labels(source).inc(created)
            self.nudge()
        return results

    async def case_with_team(self, case_id: int) -> Case | None:
        async with self.db.uow() as uow:
            return await uow.cases.with_team(case_id)

    def after_sent_hooks(self) -> dict[str, Callable[[UnitOfWork, OutboxMessage], Any]]:
        """What to record when an outbox message is delivered, by its purpose."""
        return {"case_card": _remember_card}

    async def refresh_gauges(self) -> None:
        """Set the database-derived gauges just before a scrape."""
        async with self.db.uow() as uow:
            backlog = await uow.outbox.backlog()
            cases = await uow.cases.count_by_state()
        for state in ("pending", "sending", "sent", "failed"):
            self.metrics.outbox_backlog.labels(state).set(backlog.get(state, 0))
        for state, count in cases.items():
            self.metrics.cases.labels(state).set(count)


async def _remember_card(uow: UnitOfWork, row: OutboxMessage) -> None:
    """The card's ts anchors the case's thread: store it on the case (DESIGN.md flow 1)."""
    if row.case_id is None or not row.result:
        return
    case = await uow.cases.get(row.case_id)
    if case is not None:
        case.slack_channel = row.result.get("channel")
        case.slack_ts = row.result.get("ts")
