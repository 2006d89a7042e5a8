"""Scheduled jobs (claimed per tick) and the once-a-day runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import (
    DailyRun,
    ScheduledJob,
    Team,
)
from storage.repositories.base import Repository


@dataclass(frozen=True)
class ClaimedJob:
    """A job a tick has claimed: what its handler reads (bot/services/scheduled.py)."""

    id: int
    kind: str
    case_id: int | None
    touchpoint_id: int | None
    recipient: str | None
    detail: dict[str, Any]
    due_at: datetime


class JobRepository(Repository[ScheduledJob]):
    model = ScheduledJob

    async def claim_due(self, now: datetime, token: str, limit: int) -> list[ClaimedJob]:
        """Take due jobs for this tick in one conditional UPDATE that returns what it took.

        The UPDATE is the transaction's first statement, so on SQLite it queues on the write
        lock; on PostgreSQL a racing tick waits on the row locks and then finds the rows no
        longer 'planned'. Either way no job is taken twice, and a crash before commit leaves
        them planned (their work is done in the same transaction). Plain values come back, not
        ORM rows: a tick may take hundreds, and `settle` ends them in two statements.
        """
        due = select(ScheduledJob.id).where(ScheduledJob.state == "planned", ScheduledJob.due_at <= now).order_by(ScheduledJob.due_at).limit(limit)
        rows = await self.session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.id.in_(due.scalar_subquery()), ScheduledJob.state == "planned")
            .values(state="running", claim=token)
            .returning(
                ScheduledJob.id, ScheduledJob.kind, ScheduledJob.case_id, ScheduledJob.touchpoint_id, ScheduledJob.recipient,
                ScheduledJob.detail, ScheduledJob.due_at,
            )
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        return sorted((ClaimedJob(*row) for row in rows), key=lambda job: (job.due_at, job.id))

    async def settle(self, token: str, now: datetime, deferred: Sequence[int] = (), defer_to: datetime | None = None) -> None:
        """End this tick's claim: the `deferred` jobs planned again at `defer_to`, the rest done."""
        if deferred:
            await self.session.execute(
                update(ScheduledJob)
                .where(ScheduledJob.id.in_(list(deferred)), ScheduledJob.claim == token)
                .values(state="planned", claim=None, due_at=defer_to)
                .execution_options(synchronize_session=False)
            )
        await self.session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.claim == token, ScheduledJob.state == "running")
            .values(state="done", claim=None, done_at=now)
            .execution_options(synchronize_session=False)
        )

    async def cancel(self, *, touchpoint_id: int | None = None, case_id: int | None = None, kinds: Sequence[str] | None = None) -> None:
        """Cancel planned jobs of a touchpoint or a case (same transaction as the change)."""
        query = update(ScheduledJob).where(ScheduledJob.state == "planned")
        if touchpoint_id is not None:
            query = query.where(ScheduledJob.touchpoint_id == touchpoint_id)
        if case_id is not None:
            query = query.where(ScheduledJob.case_id == case_id)
        if kinds is not None:
            query = query.where(ScheduledJob.kind.in_(list(kinds)))
        await self.session.execute(query.values(state="cancelled").execution_options(synchronize_session=False))

    async def planned(self, *, touchpoint_id: int) -> Sequence[ScheduledJob]:
        return (
            await self.session.scalars(
                select(ScheduledJob).where(ScheduledJob.touchpoint_id == touchpoint_id, ScheduledJob.state == "planned").order_by(ScheduledJob.due_at)
            )
        ).all()

    async def runs_on(self, day: date) -> set[tuple[str, str]]:
        """(kind, scope) of every daily run recorded for `day`: one read, so an idle scheduler
        tick need not open a transaction per team to learn that the morning's work is done."""
        rows = await self.session.execute(select(DailyRun.kind, DailyRun.scope).where(DailyRun.day == day))
        return {(kind, scope) for kind, scope in rows.all()}

    async def teams_not_run(self, day: date, kinds: Sequence[str]) -> list[str]:
        """Codes of the teams with one of `kinds` not yet recorded for `day`: one small read, so
        every tick after the morning learns there is nothing to do without loading the teams."""
        recorded = (
            select(func.count()).select_from(DailyRun).where(DailyRun.scope == Team.code, DailyRun.day == day, DailyRun.kind.in_(list(kinds))).scalar_subquery()
        )
        return list(await self.session.scalars(select(Team.code).where(recorded < len(set(kinds)))))

    async def claim_runs(self, keys: Sequence[tuple[str, str]], day: date, now: datetime) -> set[tuple[str, str]]:
        """Record that each (kind, scope) runs today, in one insert; returns those this call
        recorded. The unique key leaves out any a replica recorded first (ON CONFLICT DO
        NOTHING: on PostgreSQL a racing replica's uncommitted insert is waited for, and wins)."""
        if not keys:
            return set()
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(DailyRun).on_conflict_do_nothing(index_elements=["kind", "scope", "day"]).returning(DailyRun.kind, DailyRun.scope)
        # The rows as parameters, not `.values([...])`: SQLAlchemy batches them into the same
        # multi-row INSERT ("insertmanyvalues") from one cached statement, where a literal VALUES
        # list of a region's ~200 runs was compiled afresh each morning (3-5 times the cost).
        rows = [{"kind": kind, "scope": scope, "day": day, "at": now} for kind, scope in dict.fromkeys(keys)]
        return {(kind, scope) for kind, scope in (await self.session.execute(statement, rows)).all()}
