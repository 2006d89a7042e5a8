"""Benchmarks: each figure beside a baseline measured in the same run, so a noisy machine
does not lie. Prints a table; asserts nothing (goals live here, not in timed tests).

    python benchmarks/run.py [--quick] [--postgres]

Figures:
- intake requests/s: signed-in `POST /api/v1/cases` through the real bot (outbox worker on,
  fake Slack) against raw SQLAlchemy Core inserts of the same rows, one transaction each.
- `casebot import` of 10,000 cases (CSV) on SQLite against a raw bulk insert of the same rows.
  Goal: under 10 s.
- Allocate click -> `views.open` (and -> the filled modal by `views.update`) with 200
  practitioners in the team, p50 and p99 over several hundred signed clicks, against a bare
  Bolt app that only acks and opens a fixed modal, measured the same way (goal
  p99 under 150 ms). Times are from sending the click to the fake Slack receiving the call.
- One scheduler tick with 10,000 pending reminder rows of which 500 fall due at once, and an
  idle tick, against raw SQL doing the bare claim and inserts (benchmarks/scheduler_tick.py).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from benchmarks.loadgen import Row, print_rows  # noqa: E402
from benchmarks.scheduler_tick import tick_benchmark  # noqa: E402
from bot.demo.fake_slack import FakeSlack  # noqa: E402
from bot.domain.calendar import allocation_due_by  # noqa: E402
from bot.domain.teams_file import parse_teams_file  # noqa: E402
from bot.runtime.app import create_runtime, create_services  # noqa: E402
from bot.runtime.logs import configure_logging  # noqa: E402
from bot.runtime.serve import bound_port, start  # noqa: E402
from bot.runtime.settings import Settings  # noqa: E402
from bot.services.importer import import_file  # noqa: E402
from bot.services.teams import load_teams  # noqa: E402
from storage.migrate import upgrade_to_head  # noqa: E402
from storage.models import Case  # noqa: E402
from tests.support.databases import postgres_available, postgres_database  # noqa: E402
from tests.support.factories import TEAMS_YAML  # noqa: E402

TOKEN = "bench-token"


def case(i: int) -> dict[str, object]:
    return {
        "event_id": f"bench-{i}",
        "crn": f"X{i % 1_000_000:06d}",
        "name": f"Person {i}",
        "team": "N07T1",
        "tier": "ABCD"[i % 4] + str(i % 4),
        "sentence_type": "Community Order",
        "sentence_date": "2026-11-02",
        "rosh": "Medium",
    }


def settings(url: str, slack_api_url: str = "http://127.0.0.1:9/api/") -> Settings:
    """Settings for a benchmark run; without a Slack URL nothing in the run calls Slack."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token="xoxb-bench",
        slack_signing_secret="s",
        slack_api_url=slack_api_url,
        database_url=url,
        intake_token=TOKEN,
        port=0,
        log_level="WARNING",
    )


async def raw_inserts(url: str, count: int, *, per_row: bool) -> float:
    """Baseline: the same case rows written with SQLAlchemy Core, no validation, no outbox."""
    services = create_services(settings(url))
    team_id = (await _team_ids(services))["N07T1"]
    now = datetime.now(UTC)
    rows = [
        {
            "event_id": f"raw-{per_row}-{i}",
            "crn": f"X{i:06d}",
            "name": f"Person {i}",
            "team_id": team_id,
            "tier": "B2",
            "sentence_type": "Community Order",
            "sentence_date": date(2026, 11, 2),
            "custodial": False,
            "restricted": False,
            "excluded_practitioners": [],
            "state": "unallocated",
            "due_by": allocation_due_by(date(2026, 11, 2), 2),
            "received_at": now,
        }
        for i in range(count)
    ]
    started = time.perf_counter()
    if per_row:
        for row in rows:
            async with services.db.engine.begin() as conn:
                await conn.execute(insert(Case), [row])
    else:
        async with services.db.engine.begin() as conn:
            for start_at in range(0, count, 500):
                await conn.execute(insert(Case), rows[start_at : start_at + 500])
    elapsed = time.perf_counter() - started
    await services.db.dispose()
    return elapsed


async def _team_ids(services) -> dict[str, int]:
    async with services.db.uow() as uow:
        return {code: team.id for code, team in (await uow.teams.by_code()).items()}


async def prepare(url: str) -> None:
    upgrade_to_head(url)
    services = create_services(settings(url))
    await load_teams(services.db.uow, parse_teams_file(TEAMS_YAML), clock=services.clock)
    await services.db.dispose()


async def intake_rps(url: str, count: int, concurrency: int = 10) -> float:
    with FakeSlack() as fake:
        async with AsyncExitStack() as stack:
            runtime = create_runtime(settings(url, fake.api_url))
            runner = await start(runtime, stack)
            base = f"http://127.0.0.1:{bound_port(runner)}/api/v1/cases"
            headers = {"Authorization": f"Bearer {TOKEN}"}
            queue = list(range(count))
            async with aiohttp.ClientSession() as http:

                async def client() -> None:
                    while queue:
                        i = queue.pop()
                        async with http.post(base, json=case(100_000 + i), headers=headers) as response:
                            assert response.status == 201, await response.text()

                started = time.perf_counter()
                await asyncio.gather(*(client() for _ in range(concurrency)))
                return count / (time.perf_counter() - started)


async def import_seconds(url: str, count: int, directory: Path) -> float:
    path = directory / "cases.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(case(0)))
        writer.writeheader()
        writer.writerows(case(200_000 + i) for i in range(count))
    services = create_services(settings(url))
    started = time.perf_counter()
    report = await import_file(services, path)
    elapsed = time.perf_counter() - started
    assert report.created == count, report
    await services.db.dispose()
    return elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _click_latencies(url: str, fake: FakeSlack, clicks: int, value: str, *, wait_update: bool) -> tuple[list[float], list[float]]:
    """Send signed Allocate clicks one after another; time to views.open and to views.update."""
    from blocks.ids import Action
    from bot.demo.slack_requests import button_click, interaction_body, signed_headers

    opens: list[float] = []
    updates: list[float] = []
    async with aiohttp.ClientSession() as http:
        for n in range(clicks):
            trigger = f"bench-{n}"
            body = interaction_body(button_click(action_id=Action.ALLOCATE, value=value, user="U0SPO0001", trigger_id=trigger))
            started = time.time()
            async with http.post(url, data=body, headers=signed_headers(body)) as response:
                assert response.status == 200
            opened = await _call_for(fake, "views.open", lambda c, trigger=trigger: c.args.get("trigger_id") == trigger)
            opens.append(opened.at - started)
            if wait_update:
                view_id = opened.response["view"]["id"]
                updated = await _call_for(fake, "views.update", lambda c, view_id=view_id: c.args.get("view_id") == view_id)
                updates.append(updated.at - started)
    return opens, updates


async def _call_for(fake: FakeSlack, method: str, match) -> object:
    while True:
        for call in reversed(fake.calls_to(method)):
            if match(call):
                return call
        await asyncio.sleep(0.001)


async def bare_bolt_click_latency(clicks: int) -> list[float]:
    """Baseline: a Bolt app that acks and opens a fixed modal, nothing else."""
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from blocks.ids import Action
    from bot.demo.slack_requests import SIGNING_SECRET

    with FakeSlack() as fake:
        bare = AsyncApp(client=AsyncWebClient(token="xoxb-bare", base_url=fake.api_url), signing_secret=SIGNING_SECRET)
        view = {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Allocate case"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}],
        }

        @bare.action(Action.ALLOCATE)
        async def _open(ack, body, client) -> None:  # type: ignore[no-untyped-def]
            await ack()
            await client.views_open(trigger_id=body["trigger_id"], view=view)

        runner = web.AppRunner(bare.web_app(path="/slack/events"))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        try:
            opens, _ = await _click_latencies(f"http://127.0.0.1:{bound_port(runner)}/slack/events", fake, clicks, "1", wait_update=False)
        finally:
            await runner.cleanup()
        return opens


async def allocate_click_latency(url: str, clicks: int) -> tuple[list[float], list[float]]:
    """The real bot, a team of 200 practitioners, one unallocated case."""
    from tests.support.bot import bot_settings
    from tests.support.factories import big_team_yaml

    with FakeSlack() as fake:
        async with AsyncExitStack() as stack:
            runtime = create_runtime(bot_settings(url, fake))
            runner = await start(runtime, stack)
            await load_teams(runtime.db.uow, parse_teams_file(big_team_yaml(200, code="N07T1")), clock=runtime.clock)
            [received] = await runtime.services.receive_cases([case(900_000)], source="bench")
            base = f"http://127.0.0.1:{bound_port(runner)}/slack/events"
            return await _click_latencies(base, fake, clicks, str(received.case.id), wait_update=True)


async def timed(label: str, run: Callable[[], Awaitable[float]]) -> float:
    print(f"  running: {label} ...", file=sys.stderr)
    return await run()


async def bench(url: str, store: str, quick: bool, directory: Path) -> list[Row]:
    await prepare(url)
    n_intake = 200 if quick else 1000
    n_import = 2000 if quick else 10_000
    rps = await timed(f"intake x{n_intake} ({store})", lambda: intake_rps(url, n_intake))
    raw = n_intake / await timed("raw inserts", lambda: raw_inserts(url, n_intake, per_row=True))
    imp = await timed(f"import x{n_import} ({store})", lambda: import_seconds(url, n_import, directory))
    raw_bulk = await timed("raw bulk insert", lambda: raw_inserts(url, n_import, per_row=False))
    return [
        (f"intake API, 10 concurrent clients ({store})", rps, "req/s", raw, "raw SQLAlchemy insert, 1 row/txn (rows/s)"),
        (f"casebot import of {n_import} cases ({store})", imp, "s", raw_bulk, "raw bulk insert of the same rows (s)"),
    ]


async def bench_clicks(url: str, quick: bool) -> list[Row]:
    clicks = 60 if quick else 300
    bare = await timed(f"bare Bolt clicks x{clicks}", lambda: bare_bolt_click_latency(clicks))
    opens, updates = await timed(f"Allocate clicks x{clicks}", lambda: allocate_click_latency(url, clicks))
    ms = 1000.0
    return [
        ("click -> views.open p50, 200 practitioners", percentile(opens, 0.5) * ms, "ms", percentile(bare, 0.5) * ms, "bare Bolt app: ack + views.open (ms)"),
        ("click -> views.open p99, 200 practitioners", percentile(opens, 0.99) * ms, "ms", percentile(bare, 0.99) * ms, "bare Bolt app: ack + views.open (ms)"),
        ("click -> filled modal (views.update) p50", percentile(updates, 0.5) * ms, "ms", percentile(bare, 0.5) * ms, "bare Bolt app views.open p50 (ms)"),
        ("click -> filled modal (views.update) p99", percentile(updates, 0.99) * ms, "ms", percentile(bare, 0.99) * ms, "bare Bolt app views.open p99 (ms)"),
    ]


async def main(quick: bool, with_postgres: bool) -> None:
    configure_logging("WARNING")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        rows += await bench(f"sqlite:///{directory / 'bench.db'}", "SQLite", quick, directory)
        rows += await timed("scheduler tick, 10,000 pending / 500 due", lambda: tick_benchmark(f"sqlite:///{directory / 'ticks.db'}"))
        clicks_db = directory / "clicks.db"
        upgrade_to_head(f"sqlite:///{clicks_db}")
        rows += await bench_clicks(f"sqlite:///{clicks_db}", quick)
        if with_postgres and postgres_available():
            with postgres_database() as url:
                rows += await bench(url, "PostgreSQL", quick, directory)
    print_rows(rows, width=48)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="casebot benchmarks")
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke check")
    parser.add_argument("--postgres", action="store_true", help="also run on the local PostgreSQL")
    args = parser.parse_args()
    asyncio.run(main(args.quick, args.postgres))
