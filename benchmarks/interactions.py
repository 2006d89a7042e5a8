"""Benchmark: interaction ack latency, the bot against a bare Bolt app.

    python benchmarks/interactions.py [--requests 1000] [--loads 5,50] [--process] [--postgres]

Two kinds of signed Slack request, each sent by 5 and by 50 concurrent clients in a closed
loop (a client sends its next request when the previous one was answered):
- a button click, `Action.DETAILS` on a real case: the bot's listener acks, then loads the case
  and opens the details modal by `views.open` (after the ack, on the same event loop, while
  the next requests come in);
- a modal submission, the Allocate `view_submission` with no evidence: the bot parses and
  validates it and answers inline errors (`response_action: errors`) in the HTTP response.
Latency = request sent -> HTTP response received (the ack Slack waits for). p50 and p99.

Baseline, measured the same way in the same run: a bare Bolt `AsyncApp` (default settings)
whose listeners only ack, and for the click then open a fixed modal, served with
`app.web_app()` on aiohttp at port 0. Runs are interleaved bare, bot, bot, bare, five times
over, so drift on a noisy machine falls on both sides alike; each figure is the median of the
five rounds' percentiles, the same for both sides.

Goal: p99 within 1.3x of the bare app at both loads, and under 100 ms at 5 concurrent.

In-process caveat: by default the bot (start_bot), its outbox worker, the fake Slack (a thread)
and the load-generating clients all share one Python process and its GIL, so the clients'
and the fake's CPU time is counted against the bot (and against the bare app, which shares the
process with the clients too, but not with the fake Slack's views.open work). A separate
process is fairer: `--process` adds the same figures against a real `casebot serve` process
(tests.support.processes.start_serve) beside the bare app in its own process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.loadgen import (  # noqa: E402
    LoopResult,
    Request,
    Row,
    bare_bolt_app,
    closed_loop,
    percentile,
    print_rows,
    serve_in_process,
    start_bare_process,
    wait_count,
)
from blocks.allocate_modal import AllocateMetadata  # noqa: E402
from blocks.ids import Action, AllocateBlock, Callback  # noqa: E402
from bot.demo.fake_slack import FakeSlack  # noqa: E402
from bot.demo.slack_requests import button_click, interaction_body, signed_headers, view_submission  # noqa: E402
from bot.runtime.logs import configure_logging  # noqa: E402
from storage.migrate import upgrade_to_head  # noqa: E402
from tests.support.allocation import answers  # noqa: E402
from tests.support.bot import bot_settings, start_bot  # noqa: E402
from tests.support.databases import postgres_available, postgres_database  # noqa: E402
from tests.support.factories import case_fields  # noqa: E402
from tests.support.processes import serve_env, start_serve  # noqa: E402

CLICKER = "U0PP00001"  # Ada, a practitioner: may see an unrestricted case's details
SPO = "U0SPO0001"
KINDS = ("click", "submit")
KIND_LABEL = {
    "click": "Details click (ack, then views.open)",
    "submit": "Allocate submission, no evidence (inline errors)",
}


@dataclass(frozen=True)
class Target:
    """The case both kinds of request are about, the practitioner the submission names, and
    who clicks Details (a practitioner of the case's team, so the bot shows the whole case)."""

    case_id: int
    practitioner_id: int
    clicker: str = CLICKER


def build_requests(kind: str, target: Target, count: int, tag: str) -> list[Request]:
    """Signed requests, each body unique (the bot refuses a replayed signature)."""
    requests: list[Request] = []
    for n in range(count):
        if kind == "click":
            payload = button_click(action_id=Action.DETAILS, value=str(target.case_id), user=target.clicker, trigger_id=f"trig-{tag}-{n}")
        else:
            payload = view_submission(
                callback_id=Callback.ALLOCATE, private_metadata=AllocateMetadata(target.case_id).dumps(),
                values=answers(practitioner_id=target.practitioner_id, evidence=""), user=SPO, view_id=f"V{tag}{n:06d}",
            )  # fmt: skip
        body = interaction_body(payload)
        requests.append((body, signed_headers(body)))
    return requests


def check_bot_answers(kind: str, result: LoopResult) -> None:
    """The benchmark must not lie: every click acked empty, every submission answered errors."""
    bad = [s for s in result.statuses if s != 200]
    if bad:
        raise AssertionError(f"{kind}: {len(bad)} non-200 answers, e.g. {bad[:5]}")
    for raw in result.bodies:
        if kind == "click":
            if raw.strip():
                raise AssertionError(f"click answered with a body: {raw[:200]!r}")
        else:
            answer = json.loads(raw)
            if answer.get("response_action") != "errors" or AllocateBlock.EVIDENCE not in answer.get("errors", {}):
                raise AssertionError(f"submission not answered with the evidence error: {raw[:300]!r}")


ROUNDS = 5  # bare, bot, bot, bare this many times: drift on a noisy machine falls on both sides
Rounds = list[list[float]]  # latencies, one list per round


async def measure_pair(kind: str, clients: int, total: int, target: Target, bot_url: str, bare_url: str, fake: FakeSlack, tag: str) -> tuple[Rounds, Rounds]:
    """`ROUNDS` rounds of bare, bot, bot, bare, `total` requests a side in all; returns the
    (bot, bare) latencies of each round, for `rows_for`'s median of the rounds' percentiles."""
    part = max(1, total // (2 * ROUNDS))
    bot_rounds: Rounds = []
    bare_rounds: Rounds = []
    opened = len(fake.calls_to("views.open"))
    for step, who in enumerate(("bare", "bot", "bot", "bare") * ROUNDS):
        if step % 4 == 0:
            bot_rounds.append([])
            bare_rounds.append([])
        url = bot_url if who == "bot" else bare_url
        requests = build_requests(kind, target, part, f"{tag}{who}{step}")
        result = await closed_loop(url, requests, clients, keep_bodies=who == "bot")
        if who == "bot":
            check_bot_answers(kind, result)
            bot_rounds[-1] += result.latencies
        else:
            if any(s != 200 for s in result.statuses):
                raise AssertionError(f"bare app answered {set(result.statuses)}")
            bare_rounds[-1] += result.latencies
        if kind == "click":
            # Both open a modal after the ack: let those finish before the next run starts.
            opened += part
            await wait_count(fake, "views.open", opened)
    return bot_rounds, bare_rounds


def median_of_rounds(rounds: Rounds, q: float) -> float:
    """The median over rounds of each round's `q` percentile: a burst of noise from the other
    agents on the machine that lands in one round moves one of the five, not the figure."""
    return statistics.median(percentile(latencies, q) for latencies in rounds)


async def prepare(database_url: str, fake: FakeSlack, stack: AsyncExitStack) -> tuple[str, Target]:
    """Start the bot in this process, load the teams and post one real case; returns its URL."""
    bot = await start_bot(stack, bot_settings(database_url, fake), fake)
    await bot.load_teams()
    [received] = await bot.runtime.services.receive_cases([case_fields(event_id="bench-interactions")], source="bench")
    staff = await bot.practitioner_ids()
    await bot.drained()
    return bot.base_url + "/slack/events", Target(case_id=received.case.id, practitioner_id=staff["N07A001"])


def rows_for(where: str, kind: str, clients: int, bot: Rounds, bare: Rounds, bare_where: str) -> list[Row]:
    """p50 and p99 rows, each the median over the rounds, computed alike for the bot and the bare app."""
    ms = 1000.0
    label = f"{KIND_LABEL[kind]}, {clients} conc, {where}"
    return [
        (f"ack p50: {label}", median_of_rounds(bot, 0.5) * ms, "ms", median_of_rounds(bare, 0.5) * ms, f"bare Bolt app ({bare_where}), p50 (ms)"),
        (f"ack p99: {label}", median_of_rounds(bot, 0.99) * ms, "ms", median_of_rounds(bare, 0.99) * ms, f"bare Bolt app ({bare_where}), p99 (ms)"),
    ]


async def warm_up(kind: str, target: Target, bot_url: str, bare_url: str, fake: FakeSlack, tag: str) -> None:
    opened = len(fake.calls_to("views.open"))
    for url, who in ((bot_url, "bot"), (bare_url, "bare")):
        await closed_loop(url, build_requests(kind, target, 40, f"warm{tag}{who}"), 5)
    if kind == "click":
        await wait_count(fake, "views.open", opened + 80)


async def interactions_benchmark(database_url: str, *, requests: int = 1000, loads: tuple[int, ...] = (5, 50), with_process: bool = False) -> list[Row]:
    """Ack latency rows (p50, p99) per kind and load, in process and optionally as processes."""
    upgrade_to_head(database_url)
    rows: list[Row] = []
    with FakeSlack() as fake:
        async with AsyncExitStack() as stack:
            bot_url, target = await prepare(database_url, fake, stack)
            bare_runner, bare_url = await serve_in_process(bare_bolt_app(fake.api_url))
            stack.push_async_callback(bare_runner.cleanup)
            for kind in KINDS:
                await warm_up(kind, target, bot_url, bare_url, fake, kind)
                for clients in loads:
                    print(f"  running: {kind} x{requests}, {clients} concurrent, in process ...", file=sys.stderr)
                    bot, bare = await measure_pair(kind, clients, requests, target, bot_url, bare_url, fake, f"ip{kind}{clients}")
                    rows += rows_for("bot in process", kind, clients, bot, bare, "in process")
        if with_process:
            rows += await _process_variant(database_url, fake, target, requests, loads)
    return rows


async def _process_variant(database_url: str, fake: FakeSlack, target: Target, requests: int, loads: tuple[int, ...]) -> list[Row]:
    """The same figures against `casebot serve` in its own process (default production
    settings but for the test timings serve_env sets), and the bare app in its own process."""
    rows: list[Row] = []
    served = start_serve(serve_env(database_url, fake.api_url))
    bare = start_bare_process(fake.api_url)
    try:
        bot_url = served.url + "/slack/events"
        for kind in KINDS:
            await warm_up(kind, target, bot_url, bare.url, fake, f"p{kind}")
            for clients in loads:
                print(f"  running: {kind} x{requests}, {clients} concurrent, casebot serve process ...", file=sys.stderr)
                bot, base = await measure_pair(kind, clients, requests, target, bot_url, bare.url, fake, f"pr{kind}{clients}")
                rows += rows_for("casebot serve process", kind, clients, bot, base, "own process")
    finally:
        served.stop()
        bare.stop()
    return rows


def goal_report(rows: list[Row]) -> list[str]:
    """Issue 8's goals, checked against the rows: p99 <= 1.3x bare, and < 100 ms at 5 concurrent."""
    lines = []
    for label, value, _unit, baseline, _what in rows:
        if not label.startswith("ack p99"):
            continue
        ratio = value / baseline if baseline else float("inf")
        verdict = "ok" if ratio <= 1.3 else "MISSED"
        extra = ""
        if ", 5 conc," in label:
            extra = f"; < 100 ms: {'ok' if value < 100 else 'MISSED'}"
        lines.append(f"{verdict:>6}  p99 ratio {ratio:4.2f} (goal <= 1.3){extra}  -- {label[9:]}")
    return lines


async def main(args: argparse.Namespace) -> None:
    configure_logging("WARNING")
    loads = tuple(int(x) for x in args.loads.split(","))
    rows: list[Row] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        rows += await interactions_benchmark(f"sqlite:///{Path(tmp) / 'interactions.db'}", requests=args.requests, loads=loads, with_process=args.process)
    if args.postgres:
        if postgres_available():
            with postgres_database() as url:
                rows += [
                    (label + " (PostgreSQL)", *rest)
                    for label, *rest in await interactions_benchmark(url, requests=args.requests, loads=loads, with_process=args.process)
                ]  # type: ignore[misc]
        else:
            print("PostgreSQL not reachable: skipped", file=sys.stderr)
    print_rows(rows, width=96)
    print("\ngoals:")
    for line in goal_report(rows):
        print("  " + line)
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="casebot interaction ack latency against a bare Bolt app")
    parser.add_argument("--requests", type=int, default=1000, help="requests per kind and load, per side (default 1000)")
    parser.add_argument("--loads", default="5,50", help="concurrent clients, comma-separated (default 5,50)")
    parser.add_argument("--process", action="store_true", help="also measure a real `casebot serve` process")
    parser.add_argument("--postgres", action="store_true", help="also run on the local PostgreSQL")
    asyncio.run(main(parser.parse_args()))
