"""Shared pieces of the interaction, outbox and scale benchmarks (benchmarks/interactions.py,
benchmarks/outbox_throughput.py, benchmarks/scale.py).

- `closed_loop`: N clients, each sending its next request when the previous one answered;
  latency = request sent -> HTTP response received (for Slack requests: the ack). It runs with
  this process's garbage collector held (`collector_held`), as every timed baseline does.
- `wait_count`, `wait_quiet`, `call_for`: waiting on what the fake Slack received.
- `bare_bolt_app`: the baseline, a Bolt `AsyncApp` whose listeners only ack (and, for the
  Details and Allocate clicks, then open a fixed modal, as the bot does), served on aiohttp at port 0 in this process, or in a
  separate process (`python benchmarks/loadgen.py bare-server --api-url ...`) so it can be
  compared fairly with a `casebot serve` process.
- `percentile`, `print_rows`: the table in benchmarks/run.py's layout.
- `Goal`, `print_goals`: the goals block every benchmark ends with (goal, measured, ok/MISSED).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bot.runtime.settings import Settings  # noqa: E402

Row = tuple[str, float, str, float | None, str]
Request = tuple[str, dict[str, str]]  # form body, headers (signed)


def settings(url: str) -> Settings:
    """Settings for a benchmark run, built like benchmarks/run.py's: nothing here calls Slack."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None, slack_bot_token="xoxb-bench", slack_signing_secret="s", slack_api_url="http://127.0.0.1:9/api/",
        database_url=url, intake_token="bench-token", port=0, log_level="WARNING",
    )  # fmt: skip


def store_name(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank on the sorted values, as benchmarks/run.py computes it."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def print_rows(rows: Sequence[Row], width: int = 62) -> None:
    """benchmarks/run.py's table layout, with a wider first column."""
    print(f"\n{'figure':<{width}} {'value':>10} {'unit':<6} {'baseline':>10}  {'ratio':>6}  baseline is")
    print("-" * (width + 100))
    for label, value, unit, baseline, what in rows:
        ratio = f"{value / baseline:6.2f}" if baseline else "     -"
        base = _figure(baseline) if baseline is not None else "         -"
        print(f"{label:<{width}} {_figure(value)} {unit:<6} {base}  {ratio}  {what}")


def _figure(value: float) -> str:
    """Two decimals below 10 (a share such as 0.97x must not print as 1.0), one above."""
    return f"{value:10.2f}" if abs(value) < 10 else f"{value:10.1f}"


@dataclass(frozen=True)
class Goal:
    """One goal: `measured` must be at least (`at_least`) or at most `limit`."""

    name: str
    measured: float
    unit: str
    limit: float
    at_least: bool

    @property
    def met(self) -> bool:
        # NaN (a figure that could not be measured) meets no goal.
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit


def print_goals(goals: Sequence[Goal]) -> bool:
    """Print the goals block; True when any goal was missed (the caller exits non-zero)."""
    width = max((len(goal.name) for goal in goals), default=10)
    print(f"\ngoals:\n  {'goal':<{width}} {'measured':>10} {'limit':>12}  verdict")
    for goal in goals:
        limit = f"{'>=' if goal.at_least else '<='} {goal.limit:g}{goal.unit}"
        print(f"  {goal.name:<{width}} {goal.measured:9.2f}{goal.unit:<1} {limit:>12}  {'ok' if goal.met else 'MISSED'}")
    missed = [goal for goal in goals if not goal.met]
    print(f"  {len(goals) - len(missed)} of {len(goals)} goals met" + (f"; MISSED: {len(missed)}" if missed else ""))
    return bool(missed)


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS in /proc/<pid>/status), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"no VmRSS for pid {pid}")


@dataclass
class LoopResult:
    latencies: list[float]  # seconds, one per request, in completion order
    statuses: list[int]
    bodies: list[bytes]
    wall: float  # seconds from the first send to the last answer


class LoopHold:
    """The longest the event loop went without running a 1 ms timer while this was open: how
    long one stretch of work held the loop, so that every request waiting behind it waited
    that long too. Use as `async with LoopHold() as hold: ...`, then read `hold.longest`
    (seconds; the timer's own 1 ms is taken off)."""

    TICK = 0.001

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(self.TICK)
            self.longest = max(self.longest, time.perf_counter() - started - self.TICK)

    async def __aenter__(self) -> LoopHold:
        self._task = asyncio.create_task(self._watch())
        await asyncio.sleep(0)  # the watcher starts before the work does
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


@contextmanager
def collector_held() -> Iterator[None]:
    """This process's garbage collector given its turn before a timed run and held off during
    it. The load generator's fake Slack keeps every call it was sent, and a full collection of
    that took 100-250 ms, stalling the clients and the fake at once in whichever side's run it
    fell: a pause of the measuring process that neither the bot nor its baseline pays in
    production. Every timed run, the bot's and its baseline's alike, goes inside one."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def closed_loop(url: str, requests: Sequence[Request], clients: int, *, keep_bodies: bool = False) -> LoopResult:
    """Send `requests` with `clients` concurrent clients in a closed loop; each client sends its
    next request as soon as its previous one was answered. Requests are built (and signed)
    before the clock starts, so the client's own work is only aiohttp's.

    The collector is held off while they run (`collector_held`)."""
    with collector_held():
        return await _closed_loop(url, requests, clients, keep_bodies=keep_bodies)


async def _closed_loop(url: str, requests: Sequence[Request], clients: int, *, keep_bodies: bool) -> LoopResult:
    latencies: list[float] = []
    statuses: list[int] = []
    bodies: list[bytes] = []
    queue = iter(range(len(requests)))
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def client() -> None:
            for i in queue:
                body, headers = requests[i]
                sent = time.perf_counter()
                async with http.post(url, data=body, headers=headers) as response:
                    answer = await response.read()
                latencies.append(time.perf_counter() - sent)
                statuses.append(response.status)
                if keep_bodies:
                    bodies.append(answer)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        wall = time.perf_counter() - started
    return LoopResult(latencies, statuses, bodies, wall)


# ---- the bare Bolt app (baseline) ---------------------------------------------------------

FIXED_MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Allocate case"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}],
}


def bare_bolt_app(api_url: str, *, open_modal_on_allocate: bool = True) -> Any:
    """A Bolt AsyncApp, default settings, that only acks: the Allocate modal submission, and the
    Details and Allocate clicks, which then open a fixed modal: the bot answers those clicks
    with a modal after the ack, and the same `views.open` to the same fake Slack (which runs in
    the load generator's process) falls on both sides. What the bot does besides (reading the
    case, building its view) counts against it. Bolt's own signature check stays on."""
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from blocks.ids import Action, Callback
    from bot.demo.slack_requests import SIGNING_SECRET

    app = AsyncApp(client=AsyncWebClient(token="xoxb-bare", base_url=api_url), signing_secret=SIGNING_SECRET)

    @app.action(Action.DETAILS)
    async def _details(ack, body, client) -> None:  # type: ignore[no-untyped-def]
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=FIXED_MODAL)

    @app.action(Action.ALLOCATE)
    async def _allocate(ack, body, client) -> None:  # type: ignore[no-untyped-def]
        await ack()
        if open_modal_on_allocate:
            await client.views_open(trigger_id=body["trigger_id"], view=FIXED_MODAL)

    @app.view(Callback.ALLOCATE)
    async def _submit(ack) -> None:  # type: ignore[no-untyped-def]
        await ack()

    return app


async def serve_in_process(app: Any) -> tuple[web.AppRunner, str]:
    """Serve a Bolt app with `app.web_app()` on aiohttp at port 0; returns the runner and URL."""
    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    return runner, f"http://127.0.0.1:{port}/slack/events"


@dataclass
class BareProcess:
    process: subprocess.Popen[str]
    url: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_bare_process(api_url: str, timeout: float = 30.0) -> BareProcess:
    """The bare Bolt app in its own Python process (port read from its first stdout line)."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "bare-server", "--api-url", api_url],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    found: list[int] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            try:
                found.append(int(json.loads(line)["port"]))
            except (ValueError, KeyError, TypeError):
                continue
            ready.set()
            return

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout):
        process.kill()
        raise RuntimeError("bare Bolt server did not start")
    return BareProcess(process, f"http://127.0.0.1:{found[0]}/slack/events")


async def _bare_server_main(api_url: str) -> None:
    import signal

    runner, url = await serve_in_process(bare_bolt_app(api_url))
    print(json.dumps({"port": int(url.split(":")[2].split("/")[0])}), flush=True)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await stopping.wait()
    await runner.cleanup()


# ---- waiting on the fake Slack ------------------------------------------------------------


async def call_for(fake: Any, method: str, match: Callable[[Any], bool], timeout: float = 30.0) -> Any:
    """The newest recorded call to `method` that `match`es; polls every millisecond."""
    deadline = time.monotonic() + timeout
    while True:
        for call in reversed(fake.calls_to(method)):
            if match(call):
                return call
        if time.monotonic() > deadline:
            raise AssertionError(f"no matching {method} within {timeout}s")
        await asyncio.sleep(0.001)


async def wait_quiet(fake: Any, quiet: float = 2.0, timeout: float = 180.0) -> None:
    """Until the fake Slack has had no call for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    seen, since = len(fake.calls), time.monotonic()
    while time.monotonic() - since < quiet:
        if time.monotonic() > deadline:
            raise AssertionError(f"Slack calls still coming after {timeout}s ({seen} so far)")
        await asyncio.sleep(0.1)
        if (count := len(fake.calls)) != seen:
            seen, since = count, time.monotonic()


async def wait_count(fake: Any, method: str, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(fake.calls_to(method)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{method}: {len(fake.calls_to(method))} calls, wanted {count} within {timeout}s")
        await asyncio.sleep(0.02)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="benchmark helpers")
    sub = parser.add_subparsers(dest="command", required=True)
    bare = sub.add_parser("bare-server", help='serve the bare Bolt baseline app on a free port; prints {"port": N}')
    bare.add_argument("--api-url", required=True)
    args = parser.parse_args()
    if args.command == "bare-server":
        from bot.runtime.logs import configure_logging

        configure_logging("WARNING")
        asyncio.run(_bare_server_main(args.api_url))
