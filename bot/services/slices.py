"""Long loops that hand the event loop back now and then.

A scheduler tick renders and stores hundreds of messages (a region's reminders, every team's
morning chase). Run straight through, that holds the one event loop for a few hundred
milliseconds, and every Slack click, intake post and outbox send waits behind it. Going through
the items in slices, with a bare `await asyncio.sleep(0)` between, lets them in every few
milliseconds; the tick's own work and its transaction are unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import TypeVar

T = TypeVar("T")

SLICE = 100  # items between turns of the loop: ~5 ms of rendering each on a quiet machine


async def in_slices(items: Iterable[T], size: int = SLICE) -> AsyncIterator[T]:
    """The items in order, giving the event loop a turn after every `size` of them."""
    for n, item in enumerate(items, 1):
        yield item
        if n % size == 0:
            await asyncio.sleep(0)
