"""Benchmark: outbox throughput against a rate-limited fake Slack.

    python benchmarks/outbox_throughput.py [--channels 10] [--per-channel 20] [--ceiling 5]
                                           [--test-timings] [--order all|interleaved|grouped|one-hot]
                                           [--postgres]

The real bot runs in this process (tests.support.bot.start_bot) with its outbox worker, pointed
at a fake Slack that answers 429 with Retry-After beyond its limits:
- 1 `chat.postMessage` per second per channel (`FakeSlack.rate_limit(per_key="channel")`);
- in the second scenario also a ceiling for the method as a whole (Slack's per-method tiers;
  Tier 3 is 50+/minute). `FakeSlack.rate_limit` holds one limiter per method, so it cannot
  express both at once: `LimitedFakeSlack` below wraps its limiter check and adds a sliding
  one-second window for the method (scaled to N/s so the run takes seconds, not minutes; with a
  real Tier 3 ceiling of 50/min the same arithmetic holds, only slower).
`channels` teams, one channel each, get `channels x per_channel` cases through
`services.receive_cases` (one batch), and the worker posts one card per case. Arrival orders:
- interleaved: `per_channel` each, one per team in turn;
- grouped: `per_channel` each, all of one team's cases, then the next team's (an import
  sorted by team: the first rows in line all belong to one channel);
- one-hot: one channel gets three times its share, the others split the rest, interleaved
  (the hot channel's 1/s is then the bound, and it must keep it while the others share out
  what the method ceiling leaves).
In the method-ceiling scenario the bot is told the ceiling (CASEBOT_SLACK_METHOD_RATES), as an
operator would set Slack's tier, so it can pace under it instead of bouncing off it.

Figures:
- delivered messages/s from the first to the last successful post, by the fake's `.at`
  timestamps: (N - 1) / (last - first); baseline: the ceiling for the same workload measured
  the same way, (N - 1) / the shortest span the limits allow: with n_max cards for the busiest
  channel and at most C posts in any second, max(n_max - 1, ceil(N / C) - 1) seconds (exact:
  posting the channels with the most left first meets it). Ratio = delivered / ceiling; goal
  >= 0.95.
- cards never delivered (goal 0), posts delivered twice (goal 0), 429s received (goal 0: the
  worker paces under the limits with a small margin);
- App Home: seconds from intake to the SPO's Home publish, which the same batch queues behind
  all its cards (goal <= 2 s: Home has its own lane and never waits for channel posts).
Outbox timings are the production defaults (poll 1 s, max backoff 300 s) unless --test-timings
(the e2e tests' 0.05 s poll, 0.2 s max backoff).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, AsyncExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from benchmarks.loadgen import Row, collector_held, print_rows  # noqa: E402
from bot.demo.fake_slack import FakeSlack  # noqa: E402
from bot.runtime.logs import configure_logging  # noqa: E402
from bot.services.case_events import Received  # noqa: E402
from storage.migrate import upgrade_to_head  # noqa: E402
from storage.models import OutboxMessage  # noqa: E402
from tests.support.bot import bot_settings, start_bot  # noqa: E402
from tests.support.databases import postgres_available, postgres_database  # noqa: E402
from tests.support.factories import case_fields  # noqa: E402

PRODUCTION_TIMINGS: dict[str, Any] = {
    "slack_channel_interval_seconds": 1.0,
    "outbox_poll_seconds": 1.0, "outbox_lease_seconds": 60.0, "outbox_max_backoff_seconds": 300.0, "slack_timeout_seconds": 10,
}  # fmt: skip


class LimitedFakeSlack(FakeSlack):
    """The fake Slack with, besides its one limiter per method, a ceiling for the method as a
    whole: at most `calls` in any `window` seconds, answered 429 with Retry-After beyond it.
    A call refused by either limiter counts against neither (as the fake's own limiter does)."""

    def __init__(self) -> None:
        super().__init__()
        self._ceilings: dict[str, tuple[int, float, deque[float]]] = {}

    def method_ceiling(self, method: str, *, calls: int, window: float = 1.0) -> None:
        with self._lock:
            self._ceilings[method] = (calls, window, deque())

    def _rate_limited(self, method: str, args: dict[str, Any], now: float) -> int | None:  # called with the lock held
        ceiling = self._ceilings.get(method)
        if ceiling is not None:
            calls, window, seen = ceiling
            while seen and seen[0] <= now - window:
                seen.popleft()
            if len(seen) >= calls:
                return max(1, math.ceil(seen[0] + window - now))
        refused = super()._rate_limited(method, args, now)
        if refused is None and ceiling is not None:
            ceiling[2].append(now)
        return refused


def teams_yaml(channels: int) -> str:
    lines = ["teams:"]
    for n in range(channels):
        lines += [
            f"  - code: TP{n:03d}",
            f"    name: Throughput Team {n}",
            f"    channel: C0TP{n:05d}",
            "    spos: [U0SPO0001]",
            "    practitioners: []",
        ]
    return "\n".join(lines) + "\n"


ORDERS = ("interleaved", "grouped", "one-hot")
HOT_SHARE = 3  # one-hot: the hot channel's cards, as a multiple of an even share


def channel_counts(channels: int, per_channel: int, order: str) -> list[int]:
    """Cards per channel: even, or one-hot (channel 0 three shares, the rest split the rest)."""
    if order != "one-hot" or channels < 2:
        return [per_channel] * channels
    hot = min(HOT_SHARE * per_channel, channels * per_channel - (channels - 1))
    rest = channels * per_channel - hot
    return [hot] + [rest // (channels - 1) + (1 if n < rest % (channels - 1) else 0) for n in range(channels - 1)]


def cases(channels: int, per_channel: int, order: str) -> list[dict[str, Any]]:
    counts = channel_counts(channels, per_channel, order)
    if order == "grouped":
        pairs = [(k, n) for n in range(channels) for k in range(counts[n])]
    else:  # interleaved, and one-hot spread the same way: each channel in turn while it has cards
        pairs = [(k, n) for k in range(max(counts)) for n in range(channels) if k < counts[n]]
        if order == "one-hot":  # the hot channel's surplus spread through the batch, not left at its end
            pairs.sort(key=lambda p: p[0] / counts[p[1]])
    return [case_fields(event_id=f"tp-{n}-{k}", crn=f"T{n:02d}{k:04d}", team=f"TP{n:03d}", name=f"Person {n}-{k}") for k, n in pairs]


def minimal_span(counts: list[int], per_channel_rate: float, ceiling: int | None) -> float:
    """The shortest first-to-last span the limits allow (seconds): each channel's posts
    1/rate apart, and at most `ceiling` posts in any one-second window. Exact: posting, each
    second, the `ceiling` channels with the most cards left meets both bounds."""
    span = (max(counts) - 1) / per_channel_rate
    if ceiling:
        span = max(span, math.ceil(sum(counts) / ceiling) - 1.0)
    return span


@dataclass
class Outcome:
    delivered_rate: float
    ceiling_rate: float
    nominal: float
    dropped: int
    duplicates: int
    rate_limited: int
    span: float
    min_span: float
    failed_rows: int
    waited: float
    home_wait: float


async def run_scenario(database_url: str, *, channels: int, per_channel: int, ceiling: int | None, order: str, timings: dict[str, Any]) -> Outcome:
    upgrade_to_head(database_url)
    total = channels * per_channel
    min_span = minimal_span(channel_counts(channels, per_channel, order), 1.0, ceiling)
    nominal = min(channels * 1.0, float(ceiling)) if ceiling else channels * 1.0
    rates = {"slack_method_rates": {"chat.postMessage": ceiling}} if ceiling else {}
    with LimitedFakeSlack() as fake:
        fake.rate_limit("chat.postMessage", per_second=1, per_key="channel")
        if ceiling:
            fake.method_ceiling("chat.postMessage", calls=ceiling)
        async with AsyncExitStack() as stack:
            bot = await start_bot(stack, bot_settings(database_url, fake, **timings, **rates), fake)
            await bot.load_teams(teams_yaml(channels))
            # The fake times each post when its thread takes it: a collection in this process
            # between the bot's send and that moment (100-250 ms here) made two posts a second
            # apart arrive closer than the limit, a 429 Slack's own clock would not have drawn.
            stack.enter_context(collector_held())
            started, started_at = time.monotonic(), time.time()
            results = await bot.runtime.services.receive_cases(cases(channels, per_channel, order), source="bench")
            assert all(getattr(r, "created", False) for r in results), "every case must be new"
            received = [r.case.id for r in results if isinstance(r, Received)]
            async with bot.runtime.db.uow() as uow:  # these cases' cards (a region's database holds others, sent)
                cards = select(OutboxMessage.id).where(OutboxMessage.purpose == "case_card", OutboxMessage.case_id.in_(received))
                card_ids = set((await uow.session.scalars(cards)).all())
            assert len(card_ids) == total, f"{len(card_ids)} card rows, expected {total}"
            deadline = started + 4 * min_span + 60
            while time.monotonic() < deadline:
                if card_ids <= _delivered_ids(fake):
                    break
                await asyncio.sleep(0.1)
            waited = time.monotonic() - started
            async with bot.runtime.db.uow() as uow:
                failed = int((await uow.session.execute(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "failed"))).scalar_one())
    homes = [c.at for c in fake.calls_to("views.publish") if c.status == 200]
    posts = fake.calls_to("chat.postMessage")
    ok = [c for c in posts if c.status == 200 and c.response.get("ok")]
    ids = [_outbox_id(c) for c in ok]
    counted = Counter(i for i in ids if i is not None)
    span = (max(c.at for c in ok) - min(c.at for c in ok)) if len(ok) > 1 else float("nan")
    return Outcome(
        delivered_rate=(len(ok) - 1) / span if span and span == span else 0.0,
        ceiling_rate=(total - 1) / min_span,
        nominal=nominal,
        dropped=len(card_ids - set(counted)),
        duplicates=sum(n - 1 for n in counted.values() if n > 1),
        rate_limited=sum(1 for c in posts if c.status == 429),
        span=span,
        min_span=min_span,
        failed_rows=failed,
        waited=waited,
        home_wait=(min(homes) - started_at) if homes else float("inf"),
    )


def _outbox_id(call: Any) -> int | None:
    meta = call.args.get("metadata") or {}
    return (meta.get("event_payload") or {}).get("outbox_id") if isinstance(meta, dict) else None


def _delivered_ids(fake: FakeSlack) -> set[int]:
    return {i for c in fake.calls_to("chat.postMessage") if c.status == 200 and (i := _outbox_id(c)) is not None}


def rows_for(outcome: Outcome, *, channels: int, per_channel: int, ceiling: int | None, order: str, store: str, timings_name: str) -> list[Row]:
    limits = f"1/s per channel{f' + {ceiling}/s method ceiling' if ceiling else ''}"
    where = f"{order}, {channels} ch x {per_channel}, {limits}, {timings_name}, {store}"
    nominal = f"{channels} ch x 1/s" + (f" capped at {ceiling}/s" if ceiling else "") + f" = {outcome.nominal:g}/s"
    if order == "one-hot":
        nominal += f"; the busy channel's {HOT_SHARE}x share at 1/s bounds the span"
    return [
        (f"outbox delivered msg/s ({where})", outcome.delivered_rate, "msg/s", outcome.ceiling_rate,
         f"ceiling ({nominal}), as (N-1)/shortest span {outcome.min_span:.0f} s"),
        (f"  first->last post ({where})", outcome.span, "s", outcome.min_span, "shortest span the limits allow (s)"),
        (f"  cards never delivered ({where})", float(outcome.dropped), "cases", None, "goal 0"),
        (f"  posts delivered twice ({where})", float(outcome.duplicates), "posts", None, "goal 0"),
        (f"  429s received ({where})", float(outcome.rate_limited), "calls", None, f"goal 0; {outcome.failed_rows} rows failed; drained in {outcome.waited:.0f} s"),
        (f"  App Home published after intake ({where})", outcome.home_wait, "s", None, f"goal <= {HOME_GOAL_SECONDS:g} s"),
    ]  # fmt: skip


HOME_GOAL_SECONDS = 2.0


async def outbox_throughput_benchmark(
    database: Callable[[str], AbstractContextManager[str]],
    *,
    channels: int = 10,
    per_channel: int = 20,
    ceiling: int | None = 5,
    orders: tuple[str, ...] = ORDERS,
    test_timings: bool = False,
    store: str = "SQLite",
) -> list[Row]:
    """For each arrival order, two scenarios, the per-channel limit alone and with a method
    ceiling, each on a fresh database: `database(name)` is a context manager giving its URL."""
    timings = {} if test_timings else PRODUCTION_TIMINGS
    timings_name = "test timings" if test_timings else "prod timings"
    rows: list[Row] = []
    for order in orders:
        for scenario_ceiling in (None, ceiling) if ceiling else (None,):
            print(f"  running: {order}, {channels} channels x {per_channel}, ceiling {scenario_ceiling}, {store} ...", file=sys.stderr)
            with database(f"outbox-{order}-{scenario_ceiling}") as url:
                outcome = await run_scenario(url, channels=channels, per_channel=per_channel, ceiling=scenario_ceiling, order=order, timings=timings)
            rows += rows_for(
                outcome, channels=channels, per_channel=per_channel, ceiling=scenario_ceiling, order=order, store=store, timings_name=timings_name
            )  # fmt: skip
    return rows


def goal_report(rows: list[Row]) -> list[str]:
    lines = []
    for label, value, _unit, baseline, _what in rows:
        if label.startswith("outbox delivered") and baseline:
            lines.append(f"{'ok' if value / baseline >= 0.95 else 'MISSED':>6}  delivered/ceiling {value / baseline:4.2f} (goal >= 0.95) -- {label}")
        if "never delivered" in label or "delivered twice" in label or "429s" in label:
            lines.append(f"{'ok' if value == 0 else 'MISSED':>6}  {value:.0f} (goal 0) -- {label.strip()}")
        if "App Home" in label:
            lines.append(f"{'ok' if value <= HOME_GOAL_SECONDS else 'MISSED':>6}  {value:.2f} s (goal <= {HOME_GOAL_SECONDS:g} s) -- {label.strip()}")
    return lines


async def main(args: argparse.Namespace) -> int:
    """Runs the scenarios and prints the figures and the goals; 1 when a goal is missed."""
    configure_logging("WARNING")
    rows: list[Row] = []
    orders = ORDERS if args.order == "all" else (args.order,)
    options: dict[str, Any] = dict(
        channels=args.channels, per_channel=args.per_channel, ceiling=args.ceiling or None, orders=orders, test_timings=args.test_timings
    )
    with tempfile.TemporaryDirectory() as tmp:

        @contextmanager
        def sqlite_file(name: str) -> Iterator[str]:
            yield f"sqlite:///{Path(tmp) / (name + '.db')}"

        rows += await outbox_throughput_benchmark(sqlite_file, store="SQLite", **options)
    if args.postgres:
        if postgres_available():
            rows += await outbox_throughput_benchmark(lambda _name: postgres_database(), store="PostgreSQL", **options)
        else:
            print("PostgreSQL not reachable: skipped", file=sys.stderr)
    print_rows(rows, width=120)
    goals = goal_report(rows)
    print("\ngoals:")
    for line in goals:
        print("  " + line)
    return 1 if any(line.lstrip().startswith("MISSED") for line in goals) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="casebot outbox throughput against a rate-limited fake Slack")
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--per-channel", type=int, default=20, help="messages per channel (default 20)")
    parser.add_argument("--ceiling", type=int, default=5, help="method ceiling, calls/s, for the second scenario (0: skip it)")
    parser.add_argument("--order", choices=("all", *ORDERS), default="all", help="order the cases arrive in (default: each in turn)")
    parser.add_argument("--test-timings", action="store_true", help="the e2e tests' outbox timings instead of production's")
    parser.add_argument("--postgres", action="store_true", help="also run on the local PostgreSQL")
    sys.exit(asyncio.run(main(parser.parse_args())))
