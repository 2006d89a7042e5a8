"""Waiting for a fake to receive something (bot/demo/fake_slack.py, tests/fakes): poll until it
arrives, fail with a description of what did arrive when it does not."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

POLL_INTERVAL = 0.02
# How long a wait_for* looks before it fails. A wait returns as soon as what it waits for arrives,
# so this bounds a hang, not a time budget: generous, so that a busy machine is slower, never red.
WAIT_SECONDS = 30.0


def poll(check: Callable[[], T | None], timeout: float, describe: Callable[[], str]) -> T:
    deadline = time.monotonic() + timeout
    while (found := check()) is None:
        if time.monotonic() >= deadline:
            raise AssertionError(describe())
        time.sleep(POLL_INTERVAL)
    return found


async def poll_async(check: Callable[[], T | None], timeout: float, describe: Callable[[], str]) -> T:
    deadline = time.monotonic() + timeout
    while (found := check()) is None:
        if time.monotonic() >= deadline:
            raise AssertionError(describe())
        await asyncio.sleep(POLL_INTERVAL)
    return found
