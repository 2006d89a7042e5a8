"""What a test asks the fake Slack to get wrong (bot/demo/fake_slack.py): queued failures, failures
after acting, held replies, rate limits and seeded chaos. Consumed call by call, always with the
fake's lock held."""

from __future__ import annotations

import random
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.demo.fake_slack_http import Answer, error


@dataclass
class Fault:
    status: int
    retry_after: int | None
    error: str | None


@dataclass
class Chaos:
    rate: float
    random: random.Random
    hold_seconds: float
    methods: tuple[str, ...]
    counts: Counter[str] = field(default_factory=Counter)


@dataclass
class Limit:
    per_second: float
    per_key: str | None
    retry_after: int
    windows: defaultdict[str, deque[float]]


class Faults:
    """The faults queued per method, and how each call consumes them."""

    def __init__(self) -> None:
        self.queued: defaultdict[str, deque[Fault]] = defaultdict(deque)
        self.delays: defaultdict[str, deque[float]] = defaultdict(deque)
        self.after_acting: defaultdict[str, deque[str | None]] = defaultdict(deque)  # error, or None: drop
        self.limits: dict[str, Limit] = {}
        self.chaos: Chaos | None = None

    def before_acting(self, method: str, args: dict[str, Any], now: float) -> Answer | None:
        """A queued fault first, then a rate limit; None when the call may act."""
        if self.queued[method]:
            return _fault_response(self.queued[method].popleft())
        if (retry_after := self._rate_limited(method, args, now)) is not None:
            return 429, error("ratelimited"), {"Retry-After": str(retry_after)}
        return None

    def _rate_limited(self, method: str, args: dict[str, Any], now: float) -> int | None:
        limit = self.limits.get(method)
        if limit is None:
            return None
        window = limit.windows[str(args.get(limit.per_key)) if limit.per_key else ""]
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= limit.per_second:
            return limit.retry_after
        window.append(now)
        return None

    def apply_chaos(
        self, method: str, status: int, body: dict[str, Any], headers: dict[str, str], undo: Callable[[str, dict[str, Any]], None]
    ) -> tuple[int, dict[str, Any], dict[str, str], float]:
        """After the realistic answer (and its side effects): maybe turn it into a bad day's answer;
        `undo` takes back a post the fault says never happened (429, 500 before acting)."""
        chaos = self.chaos
        if chaos is None or method not in chaos.methods or status != 200 or chaos.random.random() >= chaos.rate:
            return status, body, headers, 0.0
        kind = chaos.random.choice(("429", "500_before", "500_after", "hold"))
        chaos.counts[kind] += 1
        if kind == "hold":
            return status, body, headers, chaos.hold_seconds
        if kind == "500_after":
            return 500, error("internal_error"), {}, 0.0
        undo(method, body)
        if kind == "429":
            return 429, error("ratelimited"), {"Retry-After": "1"}, 0.0
        return 500, error("internal_error"), {}, 0.0

    def after_success(self, method: str, status: int, body: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        """(drop the connection, the body to answer): a queued failure after acting, if any."""
        if status == 200 and body.get("ok") and self.after_acting[method]:
            failure = self.after_acting[method].popleft()
            return failure is None, error(failure or "connection dropped")
        return False, body

    def delay(self, method: str, held: float) -> float:
        """How long to hold the reply: chaos's hold, else the next queued delay."""
        return held or (self.delays[method].popleft() if self.delays[method] else 0.0)


def _fault_response(fault: Fault) -> Answer:
    if fault.status == 429:
        return 429, error(fault.error or "ratelimited"), {"Retry-After": str(fault.retry_after or 1)}
    return fault.status, error(fault.error or "internal_error"), {}
