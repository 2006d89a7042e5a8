"""Group commit: intake requests arriving together share one transaction.

Each intake request used to be its own transaction, and the transactions queue one behind
another (SQLite has one writer; on PostgreSQL every intake for a team updates its SPOs' one
pending Home refresh row), so eight clients were no faster than one. Here the first request
starts a batch at once (no added wait); requests arriving while that batch's transaction runs
wait for it and then go together in the next, through the batch intake that imports use
(`bot.services.intake.receive_cases`: one executemany per table, one commit). A batch that
fails is retried one request at a time, so one bad request fails alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

R = TypeVar("R")
Run = Callable[[Sequence[Mapping[str, Any]]], Awaitable[Sequence[R]]]

MAX_BATCH = 200


class GroupCommit(Generic[R]):
    """Queues rows and runs them in batches, one batch at a time; one result per row."""

    def __init__(self) -> None:
        self._waiting: list[tuple[Mapping[str, Any], asyncio.Future[R]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, row: Mapping[str, Any], run: Run[R]) -> R:
        """The result of `row`, run in a batch with whatever else is waiting. `run` takes rows
        and returns one result per row, in order (every submitter passes the same work)."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((row, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(run))
        return await future

    async def _drain(self, run: Run[R]) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                results = await run([row for row, _ in batch])
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error=error)
                else:
                    await self._one_by_one(batch, run)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result=result)

    @staticmethod
    async def _one_by_one(batch: list[tuple[Mapping[str, Any], asyncio.Future[R]]], run: Run[R]) -> None:
        for row, future in batch:
            try:
                [result] = await run([row])
            except Exception as error:
                _settle(future, error=error)
            else:
                _settle(future, result=result)


def _settle(future: asyncio.Future[Any], *, result: Any = None, error: BaseException | None = None) -> None:
    """Answer a waiting request, unless it gave up waiting (its client went away)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
