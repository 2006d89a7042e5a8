"""The shared part of every repository. Repositories never commit (the unit of work does)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base

M = TypeVar("M", bound=Base)

# Rows per executemany: a scheduler tick stores ~1,000 messages, and one statement for all of
# them holds the event loop while the driver encodes every row.
INSERT_SLICE = 250


class Repository(Generic[M]):
    """The shared part: fetch by id and add."""

    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, id_: int, *, for_update: bool = False) -> M | None:
        return await self.session.get(self.model, id_, with_for_update=for_update)

    def add(self, obj: M) -> M:
        self.session.add(obj)
        return obj

    async def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Many rows (column values) in one executemany, for batch intake: no ids come back, and
        SQLite cannot batch ORM inserts that return ids (SQLAlchemy falls back to one statement a row)."""
        if rows:
            # Core on the session's connection, not the ORM's bulk insert: that one splits the
            # rows into a statement per run of rows with the same None columns (a chase that
            # replies under a card, then a digest that does not, ...), each a round trip.
            connection = await self.session.connection()
            rows = list(rows)
            for start in range(0, len(rows), INSERT_SLICE):
                if start:
                    await asyncio.sleep(0)  # a turn for the event loop between slices (bot/services/slices.py)
                await connection.execute(insert(self.model), rows[start : start + INSERT_SLICE])

    async def insert_returning_ids(self, rows: Sequence[dict[str, Any]], *, by: str | None = None) -> list[int]:
        """Many rows in one statement (Core, insertmanyvalues), their new ids in the rows' order:
        one round trip where an insert and a read-back would take two.

        `by` names a column unique among the rows: the ids come back beside it and are matched
        to the rows by it. Without it the database must return them in the rows' order, which
        SQLite's RETURNING does not promise, so SQLAlchemy inserts there one row a statement."""
        if not rows:
            return []
        model: Any = self.model
        if by is None:
            result = await self.session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), list(rows))
            return list(result.scalars())
        returned = await self.session.execute(insert(model).returning(model.id, getattr(model, by)), list(rows))
        ids = {key: id_ for id_, key in returned}
        return [ids[row[by]] for row in rows]
