"""Group commit: requests arriving together share one run; a failing batch fails only its culprit."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from bot.services.group_commit import QUIET_SECONDS, GroupCommit


class Recorder:
    """A batch intake stand-in: records each batch, answers each row with its name, and fails
    any batch holding a row named 'bad'."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def run(self, rows: Sequence[Mapping[str, Any]]) -> list[str]:
        names = [str(row["name"]) for row in rows]
        self.batches.append(names)
        await asyncio.sleep(0.01)  # a transaction takes a while: others queue meanwhile
        if "bad" in names:
            raise ValueError("a row the store refuses")
        return [name.upper() for name in names]


async def test_requests_arriving_together_share_a_batch_and_each_gets_its_own_result() -> None:
    queue: GroupCommit[str] = GroupCommit()
    recorder = Recorder()
    first = asyncio.ensure_future(queue.submit({"name": "r0"}, recorder.run))
    await asyncio.sleep(0)  # its batch is under way
    results = [await first, *await asyncio.gather(*(queue.submit({"name": f"r{n}"}, recorder.run) for n in range(1, 8)))]
    assert results == [f"R{n}" for n in range(8)]
    assert recorder.batches[0] == ["r0"]  # the first starts at once, not after a wait
    assert len(recorder.batches) == 2 and sorted(recorder.batches[1]) == [f"r{n}" for n in range(1, 8)]


async def test_a_failing_batch_is_retried_one_by_one_so_only_the_bad_request_fails() -> None:
    queue: GroupCommit[str] = GroupCommit()
    recorder = Recorder()
    first = asyncio.ensure_future(queue.submit({"name": "first"}, recorder.run))
    await asyncio.sleep(0)
    rest = [asyncio.ensure_future(queue.submit({"name": name}, recorder.run)) for name in ("a", "bad", "b")]
    assert await first == "FIRST"
    assert await rest[0] == "A" and await rest[2] == "B"
    with pytest.raises(ValueError):
        await rest[1]
    assert ["a", "bad", "b"] in recorder.batches and ["bad"] in recorder.batches


async def test_a_request_that_stopped_waiting_does_not_break_the_others() -> None:
    queue: GroupCommit[str] = GroupCommit()
    recorder = Recorder()
    first = asyncio.ensure_future(queue.submit({"name": "first"}, recorder.run))
    await asyncio.sleep(0)
    gone = asyncio.ensure_future(queue.submit({"name": "gone"}, recorder.run))
    stays = asyncio.ensure_future(queue.submit({"name": "stays"}, recorder.run))
    await asyncio.sleep(0)
    gone.cancel()
    assert (await first, await stays) == ("FIRST", "STAYS")


async def test_while_clients_keep_sending_a_batch_waits_for_its_peers_instead_of_starting_alone() -> None:
    """Eight clients, each sending its next request when answered: after the first burst,
    every batch holds all eight, not the first one back alone and then the other seven."""
    queue: GroupCommit[str] = GroupCommit()
    recorder = Recorder()

    async def client(n: int) -> None:
        for turn in range(4):
            await queue.submit({"name": f"c{n}t{turn}"}, recorder.run)
            await asyncio.sleep(0.001 * (n % 3))  # answers reach the clients at slightly different moments

    await asyncio.gather(*(client(n) for n in range(8)))
    assert [len(batch) for batch in recorder.batches[1:]] == [8, 8, 8]


async def test_after_a_quiet_spell_a_lone_request_starts_at_once() -> None:
    queue: GroupCommit[str] = GroupCommit()
    recorder = Recorder()
    await asyncio.gather(*(queue.submit({"name": f"burst{n}"}, recorder.run) for n in range(8)))
    await asyncio.sleep(QUIET_SECONDS + 0.05)  # nobody is coming back
    lone = asyncio.ensure_future(queue.submit({"name": "lone"}, recorder.run))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert recorder.batches[-1] == ["lone"]  # under way before any wait for peers
    assert await lone == "LONE"
