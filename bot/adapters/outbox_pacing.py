"""When each outbox lane and method may send next: the outbox worker's rate bookkeeping.

Slack limits posting per conversation (about one a second) and every method as a whole (its
tier), and answers 429 with Retry-After beyond them. The worker keeps under both rather than
bouncing off them:
- a conversation lane (bot/services/outbox.py `lane_for`) sends at most once per interval;
- a method with a configured rate sends at most that many calls per window, across lanes;
- a 429 pauses only what it limits: the conversation for a post, the method for anything else.
Both spacings carry a small margin: Slack (and the fake) time a call when it arrives, the
worker when it leaves, and a few milliseconds of jitter between the two must not draw a 429.

Times are time.monotonic(), not the injectable clock: a test or the demo may hold that still,
and Slack counts real seconds. This pacing is per process; replicas each pace themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain.lanes import is_conversation_lane
from storage.models import OutboxMessage

PACING_MARGIN = 0.03  # 3% more than the limit's spacing: jitter room, at 3% of throughput
# A row whose lane frees up this soon is claimed now and sent on the moment, so the claim's
# database round trips do not add to every interval (they would cost a paced lane ~5-10%).
LOOKAHEAD_SECONDS = 0.25


@dataclass
class _Window:
    """At most `calls` sends in any `span` seconds (a sliding window, as Slack counts)."""

    calls: int
    span: float
    sent: list[float] = field(default_factory=list)

    @classmethod
    def for_rate(cls, per_second: float, margin: float) -> _Window:
        """5/s becomes 5 calls a second; 50/min (0.83/s) one call every 1.2 s."""
        calls = max(1, int(per_second))
        return cls(calls, calls / per_second * (1 + margin))

    def free_at(self, now: float) -> float | None:
        """When the next send may go, if not now."""
        self.sent = sorted(t for t in self.sent if t > now - self.span)
        return self.sent[-self.calls] + self.span if len(self.sent) >= self.calls else None


class Pacer:
    """Per-lane spacing, per-method windows and 429 pauses of one worker."""

    def __init__(self, lane_interval: float, method_rates: Mapping[str, float], *, margin: float = PACING_MARGIN) -> None:
        self.lane_interval = lane_interval * (1 + margin)
        self._windows = {method: _Window.for_rate(rate, margin) for method, rate in method_rates.items() if rate > 0}
        self._lane_free_at: dict[str, float] = {}  # spacing and 429 pauses, by lane
        self._method_free_at: dict[str, float] = {}  # 429 pauses, by method
        self._reserved: dict[int, float] = {}  # outbox id -> its provisional window slot

    def paced(self, lane: str) -> bool:
        return bool(self.lane_interval) and is_conversation_lane(lane)

    def held_lanes(self, now: float) -> list[str]:
        """Lanes that may not send within the lookahead (so the claim leaves them out)."""
        self._lane_free_at = {lane: t for lane, t in self._lane_free_at.items() if t > now}
        return sorted(lane for lane, t in self._lane_free_at.items() if t > now + LOOKAHEAD_SECONDS)

    def held_methods(self, now: float) -> list[str]:
        self._method_free_at = {method: t for method, t in self._method_free_at.items() if t > now}
        return sorted(self._method_free_at)

    def lane_free_at(self, lane: str) -> float | None:
        return self._lane_free_at.get(lane)

    def wait_until(self, row: OutboxMessage, now: float) -> float | None:
        """When `row` may go, if not now: its lane was just used, or its method's window is full."""
        waits = [t for t in (self._lane_free_at.get(row.lane), self._method_free_at.get(row.method)) if t and t > now]
        window = self._windows.get(row.method)
        if window is not None and (free := window.free_at(now)) is not None:
            waits.append(free)
        return max(waits) if waits else None

    def reserve(self, row: OutboxMessage, at: float) -> None:
        """Take the row's slot (`at`: when it will be sent), so the rest of the round sees it used."""
        self._use(row, at)
        if row.method in self._windows:
            self._reserved[row.id] = at

    def sending(self, row: OutboxMessage, now: float) -> None:
        """Count the spacing again from the moment of sending (the claim's commit came between)."""
        window = self._windows.get(row.method)
        slot = self._reserved.pop(row.id, None)
        if window is not None and slot in window.sent:
            window.sent.remove(slot)
        self._use(row, now)

    def _use(self, row: OutboxMessage, now: float) -> None:
        if self.paced(row.lane):
            self._lane_free_at[row.lane] = max(now + self.lane_interval, self._lane_free_at.get(row.lane, now))
        window = self._windows.get(row.method)
        if window is not None:
            window.sent.append(now)

    def pause(self, row: OutboxMessage, seconds: float, now: float) -> None:
        """After a 429: a post pauses its conversation only; any other call its method."""
        if row.method == "chat.postMessage" and is_conversation_lane(row.lane):
            self._lane_free_at[row.lane] = max(now + seconds, self._lane_free_at.get(row.lane, now))
        else:
            self._method_free_at[row.method] = max(now + seconds, self._method_free_at.get(row.method, now))

    def next_release(self) -> float | None:
        """The soonest a paused method frees up (its rows were left out of the claim)."""
        return min(self._method_free_at.values(), default=None)
