"""Group commit: intake requests arriving together share one transaction.

Each intake request used to be its own transaction, and the transactions queue one behind
another (SQLite has one writer; on PostgreSQL every intake for a team updates its SPOs' one
pending Home refresh row), so eight clients were no faster than one. Here the first request
starts a batch at once (no added wait); requests arriving while that batch's transaction runs
wait for it and then go together in the next, through the batch intake that imports use
(`bot.services.intake.receive_cases`: one executemany per table, one commit). A batch that
fails is retried one request at a time, so one bad request fails alone.

While clients keep sending (a batch ended moments ago), a new batch waits, at most
`LINGER_SECONDS` (20 ms), until as many requests wait as the largest recent batch held. Without that,
the first client answered by the last batch started the next batch alone and the others waited
for it: eight clients alternated batches of one and seven, two transactions for every eight
requests (benchmarks/run.py). A request after a quiet spell still starts at once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

R = TypeVar("R")
Run = Callable[[Sequence[Mapping[str, Any]]], Awaitable[Sequence[R]]]

MAX_BATCH = 200
LINGER_SECONDS = 0.02  # the longest a batch waits for the requests of its peers (a busy machine delays them)
QUIET_SECONDS = 0.25  # a batch ending longer ago than this: no peers are coming back


class GroupCommit(Generic[R]):
    """Queues rows and runs them in batches, one batch at a time; one result per row."""

    def __init__(self) -> None:
        self._waiting: list[tuple[Mapping[str, Any], asyncio.Future[R]]] = []
        self._worker: asyncio.Task[None] | None = None
        self._recent: deque[int] = deque(maxlen=4)  # sizes of the last batches
        self._last_end = float("-inf")  # loop time the last batch ended
        self._enough: asyncio.Future[None] | None = None  # set when the awaited peers are in

    async def submit(self, row: Mapping[str, Any], run: Run[R]) -> R:
        """The result of `row`, run in a batch with whatever else is waiting. `run` takes rows
        and returns one result per row, in order (every submitter passes the same work)."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((row, future))
        if self._enough is not None and not self._enough.done() and len(self._waiting) >= self._expected():
            self._enough.set_result(None)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(run))
        return await future

    async def _drain(self, run: Run[R]) -> None:
        while self._waiting:
            await self._gather()
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                results = await run([row for row, _ in batch])
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error=error)
                else:
                    await self._one_by_one(batch, run)
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    _settle(future, result=result)
            finally:
                self._recent.append(len(batch))
                self._last_end = asyncio.get_running_loop().time()

    def _expected(self) -> int:
        return min(MAX_BATCH, max(self._recent, default=1))

    async def _gather(self) -> None:
        """Wait for the peers of the requests waiting, while clients are busy (see the module)."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._last_end > QUIET_SECONDS:
            self._recent.clear()
        if len(self._waiting) >= self._expected():
            return
        self._enough = loop.create_future()
        try:
            await asyncio.wait((self._enough,), timeout=LINGER_SECONDS)
        finally:
            self._enough = None

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
