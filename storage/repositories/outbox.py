"""The outbox: claiming rows fairly across lanes, leasing, locking and cancelling."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from storage.models import (
    OutboxMessage,
)
from storage.repositories.base import Repository


class OutboxRepository(Repository[OutboxMessage]):
    model = OutboxMessage

    async def claimable(
        self,
        now: datetime,
        limit: int,
        *,
        skip_locked: bool,
        only_prefixes: Sequence[str],
        per_lane: int = 1,
        held_lanes: Sequence[str] = (),
        held_methods: Sequence[str] = (),
        last_lanes: Sequence[str] = (),
    ) -> Sequence[OutboxMessage]:
        """Rows ready to send: due, not leased by a live worker, first in line for their key,
        and at most the first `per_lane` of each lane, so one busy lane cannot fill the batch.

        Per-key order is kept by only offering a row when no earlier row of its key is still
        unsent. `held_lanes` and `held_methods` (paced or paused by the caller) are left out.
        Order: lanes whose name starts with one of `last_lanes` after the others (so App Home
        publishes and write-backs never queue behind channel posts), then each lane's first
        row before any lane's second, oldest first. On PostgreSQL the rows are locked with
        SKIP LOCKED so replicas share the work.
        """
        earlier = aliased(OutboxMessage)
        blocked = exists().where(
            and_(
                earlier.ordering_key == OutboxMessage.ordering_key,
                earlier.id < OutboxMessage.id,
                earlier.state.in_(("pending", "sending")),
            )
        )
        ready = ((OutboxMessage.state == "pending") & (OutboxMessage.next_attempt_at <= now)) | (
            (OutboxMessage.state == "sending") & (OutboxMessage.lease_until < now)
        )
        deliverable = or_(*(OutboxMessage.method.startswith(prefix) for prefix in only_prefixes))
        conditions = [ready, deliverable, ~blocked]
        if held_lanes:
            conditions.append(OutboxMessage.lane.not_in(list(held_lanes)))
        if held_methods:
            conditions.append(OutboxMessage.method.not_in(list(held_methods)))
        place = func.row_number().over(partition_by=OutboxMessage.lane, order_by=OutboxMessage.id).label("place")
        ranked = select(OutboxMessage.id, place).where(*conditions).subquery()
        late = case((or_(*(OutboxMessage.lane.startswith(p) for p in last_lanes)), 1), else_=0) if last_lanes else None
        query = (
            select(OutboxMessage)
            .join(ranked, ranked.c.id == OutboxMessage.id)
            .where(ranked.c.place <= per_lane)
            .order_by(*([late] if late is not None else []), ranked.c.place, OutboxMessage.id)
            .limit(limit)
        )
        if skip_locked:
            query = query.with_for_update(skip_locked=True, of=OutboxMessage)
        return (await self.session.scalars(query)).all()

    async def lease(self, row: OutboxMessage, *, now: datetime, lease_until: datetime) -> bool:
        """Conditionally take a pending row; False when another worker took it first.

        The new `attempts` is the lease's token (`hold_lease`, and the worker's settlement,
        check it)."""
        return await self._move(
            row.id, "pending", row.attempts,
            state="sending", attempts=OutboxMessage.attempts + 1, lease_until=lease_until,
            first_attempt_at=func.coalesce(OutboxMessage.first_attempt_at, now),
        )  # fmt: skip

    async def doubt(self, row: OutboxMessage, *, retry_at: datetime) -> bool:
        """Take back a row whose lease ran out mid-attempt ('sending'): its holder crashed, or
        is stalled and may still call. The row goes back to pending, in doubt (every later
        attempt looks in the receiver before it sends), not before `retry_at`, and the token
        moves on, so the old attempt can neither call after renewing nor settle the row.
        False when another worker took it back first."""
        return await self._move(
            row.id, "sending", row.attempts,
            state="pending", attempts=OutboxMessage.attempts + 1, lease_until=None, next_attempt_at=retry_at,
            outcome_unknown=True, last_error="its attempt outlived its lease",
        )  # fmt: skip

    async def hold_lease(self, row_id: int, *, attempts: int, lease_until: datetime | None = None) -> bool:
        """Whether the lease taken as attempt `attempts` is still held (False: it expired and
        another worker leased the row, or the row was settled meanwhile); with `lease_until`,
        extended to then. A write either way, for its lock (PostgreSQL row lock; SQLite's write
        lock) until the caller commits, so no other worker can lease the row in between."""
        return await self._move(row_id, "sending", attempts, lease_until=lease_until if lease_until is not None else OutboxMessage.lease_until)

    async def _move(self, row_id: int, from_state: str, token: int, /, **values: Any) -> bool:
        """Set `values` on the row if it is still in `from_state` at attempt `token` (the lease's
        token): a conditional update, so of two workers racing for one row exactly one wins."""
        moved = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.state == from_state, OutboxMessage.attempts == token)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(moved, "rowcount", 0) == 1)

    async def backlog(self) -> dict[str, int]:
        rows = await self.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
        return {state: count for state, count in rows.all()}

    async def for_case(self, case_id: int) -> Sequence[OutboxMessage]:
        return (await self.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id))).all()

    async def with_key(self, ordering_key: str, purpose: str) -> Sequence[OutboxMessage]:
        return (
            await self.session.scalars(
                select(OutboxMessage).where(OutboxMessage.ordering_key == ordering_key, OutboxMessage.purpose == purpose).order_by(OutboxMessage.id)
            )
        ).all()

    async def with_keys(self, ordering_keys: Iterable[str], purpose: str) -> dict[str, list[OutboxMessage]]:
        """`with_key` of many keys in one query: each key's rows of `purpose`, oldest first."""
        wanted = list(set(ordering_keys))
        found: dict[str, list[OutboxMessage]] = {key: [] for key in wanted}
        if wanted:
            rows = await self.session.scalars(
                select(OutboxMessage).where(OutboxMessage.ordering_key.in_(wanted), OutboxMessage.purpose == purpose).order_by(OutboxMessage.id)
            )
            for row in rows:
                found[row.ordering_key].append(row)
        return found

    async def lock_pending(self, ordering_key: str, purpose: str) -> bool:
        """Lock the row of `ordering_key` and `purpose` still waiting to be sent, if there is one.

        A write that changes nothing, for its lock (PostgreSQL row lock; SQLite's write lock),
        held until the caller commits: the worker cannot claim the row meanwhile. False when no
        such row is waiting.
        """
        touched = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.ordering_key == ordering_key, OutboxMessage.purpose == purpose, OutboxMessage.state == "pending")
            .values(purpose=OutboxMessage.purpose)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(touched, "rowcount", 0))

    async def cancel_pending(self, case_id: int, purposes: Sequence[str]) -> None:
        """Stop messages not yet sent (a chase for a case that has just been allocated)."""
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.case_id == case_id, OutboxMessage.purpose.in_(list(purposes)), OutboxMessage.state == "pending")
            .values(state="cancelled")
            .execution_options(synchronize_session=False)
        )
