"""Benchmark: a generated region of 100,000 cases and 2,000 practitioners.

    python benchmarks/scale.py [--cases 100000] [--teams 90] [--big-team 200] [--big-team-cases 10000]
                               [--due 500] [--clicks 100] [--intake 500] [--postgres] [--quick]

Two databases, set up untimed with the teams file loader (bot.services.teams.load_teams) and SQLAlchemy
Core `insert()` in batches:
- the region: one team of `big_team` practitioners (tests.support.factories.big_team_yaml, its
  SPO U0SPO0001) holding `big_team_cases` of the cases, and `teams` teams of 20 practitioners
  sharing the rest. About 99% of cases are allocated (one allocation in force each, 1 in 20
  reallocated once before), each with its touchpoint (recorded, or planned for the 2% allocated
  in the last week), its reminder jobs (done, or planned: 2 per planned touchpoint, `due` of them
  due now), its card and allocation notice in the outbox (sent) and its audit events. About 1%
  wait for allocation (about 4 in 10 of those overdue, so the morning chase has work), among
  them the 20 big-team cases the Allocate clicks go to. Outbox payloads are short texts, not
  real Block Kit (the row count, not the bytes, is what the queries see).
- the baseline ("empty") database: the same teams and staff, only the 20 big-team cases the
  clicks go to and `due` cases (in the small teams) with a reminder due now.
Figures, each on the region beside the same figure on the empty database, in the same run:
- Allocate click -> `views.open` (the light modal) and -> `views.update` (the filled modal,
  200 practitioners' workload from their allocations), p50 and p99 over `clicks` signed clicks
  sent one after another to the bot in this process (times from sending the click to the fake
  Slack receiving the call, as benchmarks/run.py); runs interleaved empty, region, region,
  empty. Goals: views.open p99 under 150 ms; the filled modal p99 at most 250 ms.
- One scheduler tick (FixedClock at 10:00 London on the last working day) claiming the `due`
  reminders, plus the morning chase and digests of every team; then an idle tick. Goals: busy
  under 300 ms, idle under 20 ms, and no stretch of the busy tick holding the event loop (and
  every request waiting on it) longer than 20 ms (benchmarks/loadgen.py `LoopHold`).
- Intake requests/s, 10 concurrent clients, `intake` signed-in POSTs (interleaved as above).
- App Home build for the big team's SPO (median of 5 after a warm-up).
- The outbox: 10 new teams' cards (8 each, interleaved) posted against the fake Slack's 1/s per
  channel and a 5/s ceiling for the method (benchmarks/outbox_throughput.py `run_scenario`),
  delivered over the ceiling those limits allow, with the region's 200,000 sent rows in the
  table. Goal: at least 0.95, none lost or posted twice.
- On the region (last: its intake adds cases to the big team), benchmarks/run.py's served
  figures: a real `casebot serve` process at the production outbox pace, its scheduler on, with
  intake against raw inserts into the same database (goal at least 0.5x) and the Details click
  and Allocate submission ack p99 at 5 and 50 clients against a bare Bolt app in its own
  process (goal at most 1.3x).
- Resident memory (VmRSS) of a real `casebot serve` process on each database after ~200
  requests (intake posts, Allocate and Details clicks), against the RSS of a bare
  `python -c "import bot.runtime.app; ..."` process. Goal: under 200 MB.
Generation takes about a minute on SQLite for the default sizes; PostgreSQL with --postgres
(a fresh database from tests.support.databases.postgres_database()). The goals block at the end
names each goal with its figure; the exit status is 1 when one is missed (`make bench`).
--quick: 10,000 cases and fewer requests, no RSS, for a smoke check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, select, update  # noqa: E402

from benchmarks.loadgen import Goal, LoopHold, Row, call_for, closed_loop, percentile, print_goals, print_rows, rss_mb  # noqa: E402
from benchmarks.outbox_throughput import PRODUCTION_TIMINGS, Outcome, run_scenario  # noqa: E402
from benchmarks.run import served_figures  # noqa: E402
from benchmarks.scale_region import BIG, T0, TODAY, Generated, Shape, populate, settings  # noqa: E402
from blocks.ids import Action  # noqa: E402
from bot.demo.fake_slack import FakeSlack  # noqa: E402
from bot.demo.slack_requests import button_click, interaction_body, signed_headers  # noqa: E402
from bot.domain.clock import FixedClock  # noqa: E402
from bot.domain.workload import ALL_TIERS  # noqa: E402
from bot.runtime.app import create_services  # noqa: E402
from bot.runtime.logs import configure_logging  # noqa: E402
from bot.runtime.serve import settle_heap  # noqa: E402
from bot.services.scheduled import Scheduler  # noqa: E402
from handlers.presenters import render_home  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import (  # noqa: E402
    DailyRun,
    OutboxMessage,
    ScheduledJob,
)
from tests.support.bot import INTAKE_TOKEN, BotUnderTest, bot_settings, start_bot  # noqa: E402
from tests.support.databases import postgres_available, postgres_database  # noqa: E402
from tests.support.processes import serve_env, start_serve  # noqa: E402

SPO = "U0SPO0001"  # big_team_yaml's SPO


async def allocate_clicks(bot: BotUnderTest, case_ids: Sequence[int], clicks: int, tag: str) -> tuple[list[float], list[float]]:
    """Signed Allocate clicks one after another: seconds to views.open and to views.update."""
    opens: list[float] = []
    updates: list[float] = []
    for n in range(clicks):
        trigger = f"{tag}-{n}"
        body = interaction_body(button_click(action_id=Action.ALLOCATE, value=str(case_ids[n % len(case_ids)]), user=SPO, trigger_id=trigger))
        headers = signed_headers(body)
        started = time.time()
        status, _ = await bot.slack_request(body, headers)
        assert status == 200, status
        opened = await call_for(bot.fake, "views.open", lambda c, trigger=trigger: c.args.get("trigger_id") == trigger)
        assert opened.response.get("ok"), opened.response
        view_id = opened.response["view"]["id"]
        updated = await call_for(bot.fake, "views.update", lambda c, view_id=view_id: c.args.get("view_id") == view_id)
        assert updated.response.get("ok"), updated.response
        opens.append(opened.at - started)
        updates.append(updated.at - started)
    return opens, updates


def intake_requests(count: int, tag: str, teams: int) -> list[tuple[str, dict[str, str]]]:
    """Intake bodies for the small teams, sentenced yesterday (so not yet due for a chase)."""
    headers = {"Authorization": f"Bearer {INTAKE_TOKEN}", "Content-Type": "application/json"}
    sentenced = (TODAY - timedelta(days=1)).isoformat()
    return [
        (json.dumps({
            "event_id": f"intake-{tag}-{i}", "crn": f"Z{i % 1_000_000:06d}", "name": f"Intake {i}", "team": f"R{i % teams:03d}",
            "tier": ALL_TIERS[i % 16], "sentence_type": "Community Order", "sentence_date": sentenced, "rosh": "Medium",
        }), headers)
        for i in range(count)
    ]  # fmt: skip


async def intake_rps(bot: BotUnderTest, count: int, tag: str, teams: int, clients: int = 10) -> float:
    result = await closed_loop(bot.base_url + "/api/v1/cases", intake_requests(count, tag, teams), clients)
    bad = [s for s in result.statuses if s != 201]
    assert not bad, f"intake answered {set(bad)}"
    return count / result.wall


async def bot_figures(urls: dict[str, str], click_ids: dict[str, list[int]], clicks: int, intake: int, teams: int) -> dict[str, Any]:
    """Clicks and intake on both databases, both bots up, interleaved empty, region, region, empty."""
    out: dict[str, Any] = {name: {"opens": [], "updates": [], "intake": []} for name in urls}
    with FakeSlack() as fake:
        async with AsyncExitStack() as stack:
            bots = {name: await start_bot(stack, bot_settings(url, fake), fake) for name, url in urls.items()}
            for name, bot in bots.items():  # warm-up, untimed
                await allocate_clicks(bot, click_ids[name], 5, f"warm-{name}")
            order = ("empty", "region", "region", "empty")
            for step, name in enumerate(order):
                print(f"  running: {clicks // 2} Allocate clicks on the {name} database ...", file=sys.stderr)
                opens, updates = await allocate_clicks(bots[name], click_ids[name], clicks // 2, f"c{step}-{name}")
                out[name]["opens"] += opens
                out[name]["updates"] += updates
            for step, name in enumerate(order):
                print(f"  running: {intake // 2} intake posts on the {name} database ...", file=sys.stderr)
                out[name]["intake"].append(await intake_rps(bots[name], intake // 2, f"i{step}-{name}", teams))
            for bot in bots.values():
                await bot.drained(stall=60)
    return out


TICK_RUNS = 3  # busy ticks timed, each on the same work: one tick alone swung 240-490 ms here


async def tick_figures(url: str, due: int) -> dict[str, float]:
    """Busy ticks (the due reminders, every team's morning chase and digests), the median of
    `TICK_RUNS` with what each changed put back between them, then an idle tick."""
    clock = FixedClock(T0)
    services = create_services(settings(url), clock=clock)
    db = services.db
    try:
        async with db.engine.connect() as conn:
            await conn.execute(select(func.count()).select_from(ScheduledJob))  # warm the file cache alike
            due_ids = list((await conn.execute(select(ScheduledJob.id).where(ScheduledJob.state == "planned", ScheduledJob.due_at <= T0))).scalars())
            outbox_before = (await conn.execute(select(func.coalesce(func.max(OutboxMessage.id), 0)))).scalar_one()
            runs_before = (await conn.execute(select(func.coalesce(func.max(DailyRun.id), 0)))).scalar_one()
        scheduler = Scheduler(db, clock)
        busy: list[float] = []
        holds: list[float] = []
        for run in range(TICK_RUNS):
            if run:
                await _undo_tick(db, due_ids, outbox_before, runs_before)
            settle_heap()  # as `casebot serve` does at start: the collector walks only what came after
            async with LoopHold() as hold:
                started = time.perf_counter()
                done = await scheduler.tick()
                busy.append(time.perf_counter() - started)
            holds.append(hold.longest)
        started = time.perf_counter()
        idle_done = await scheduler.tick()
        idle = time.perf_counter() - started
        async with db.engine.connect() as conn:
            reminders = (await conn.execute(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.purpose == "touchpoint_reminder"))).scalar_one()
            chases = (await conn.execute(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.purpose == "deadline_chase"))).scalar_one()
        assert reminders == due, f"{reminders} reminders enqueued, expected {due}"
        assert idle_done == 0, idle_done
        return {"busy": statistics.median(busy), "idle": idle, "done": done, "chases": chases, "hold": statistics.median(holds)}
    finally:
        await db.dispose()


async def _undo_tick(db: Database, due_ids: list[int], outbox_before: int, runs_before: int) -> None:
    """Put back what a timed tick changed, so the next does the same work: its jobs planned
    again, its outbox rows and morning runs gone. (Cases it moved at their handover stay moved:
    a few at most, a few milliseconds of the first tick.)"""
    async with db.engine.begin() as conn:
        await conn.execute(update(ScheduledJob).where(ScheduledJob.id.in_(due_ids)).values(state="planned", claim=None, done_at=None))
        await conn.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
        await conn.execute(delete(DailyRun).where(DailyRun.id > runs_before))


async def outbox_figure(url: str, name: str) -> Outcome:
    """The outbox posting new teams' cards beside the region's rows. The ticks' reminders and
    chases still queued are cancelled first, so that the cards alone meet Slack's limits."""
    print(f"  running: outbox, {OUTBOX_CHANNELS} channels x {OUTBOX_PER_CHANNEL}, 1/s each and {OUTBOX_CEILING}/s in all ({name}) ...", file=sys.stderr)
    services = create_services(settings(url))
    async with services.db.engine.begin() as conn:
        await conn.execute(update(OutboxMessage).where(OutboxMessage.state == "pending").values(state="cancelled"))
    await services.db.dispose()
    return await run_scenario(
        url, channels=OUTBOX_CHANNELS, per_channel=OUTBOX_PER_CHANNEL, ceiling=OUTBOX_CEILING, order="interleaved", timings=PRODUCTION_TIMINGS
    )  # fmt: skip


async def home_figure(url: str, runs: int = 5) -> float:
    services = create_services(settings(url), clock=FixedClock(T0))
    try:
        await render_home(services.db.uow, SPO, T0)  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            await render_home(services.db.uow, SPO, T0)
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    finally:
        await services.db.dispose()


async def serve_rss(url: str, click_ids: list[int], tag: str, teams: int, requests: int = 200) -> dict[str, float]:
    """RSS of `casebot serve` on `url` after `requests` requests: 3/4 intake posts, the rest
    Allocate and Details clicks by the big team's SPO, 5 concurrent clients."""
    with FakeSlack() as fake:
        served = start_serve(serve_env(url, fake.api_url))
        try:
            await asyncio.sleep(1.0)
            clicks = requests // 4
            intake = requests - clicks
            result = await closed_loop(served.url + "/api/v1/cases", intake_requests(intake, f"rss-{tag}", teams), 5)
            assert all(s == 201 for s in result.statuses), set(result.statuses)
            slack: list[tuple[str, dict[str, str]]] = []
            for n in range(clicks):
                action = Action.ALLOCATE if n % 2 == 0 else Action.DETAILS
                body = interaction_body(button_click(action_id=action, value=str(click_ids[n % len(click_ids)]), user=SPO, trigger_id=f"rss-{tag}-{n}"))
                slack.append((body, signed_headers(body)))
            result = await closed_loop(served.url + "/slack/events", slack, 5)
            assert all(s == 200 for s in result.statuses), set(result.statuses)
            deadline = time.monotonic() + 30
            while len(fake.calls_to("views.update")) < (clicks + 1) // 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(2.0)  # the outbox sends the intake cards
            return {"rss": rss_mb(served.process.pid), "hwm": _hwm_mb(served.process.pid), "updates": len(fake.calls_to("views.update"))}
        finally:
            served.stop()


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def bare_import_rss() -> float:
    """Baseline: a Python process that only imports the bot's app module."""
    process = subprocess.Popen(
        [sys.executable, "-c", "import bot.runtime.app; import time; print('ready', flush=True); time.sleep(60)"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        return rss_mb(process.pid)
    finally:
        process.kill()
        process.wait(timeout=10)


async def scale_benchmark(
    urls: dict[str, str], *, shape: Shape, clicks: int = 100, intake: int = 500, store: str = "SQLite", with_rss: bool = True, quick: bool = False
) -> tuple[list[Row], list[Goal]]:
    """`urls`: {'region': ..., 'empty': ...}, both fresh; returns the rows and their goals."""
    generated: dict[str, Generated] = {}
    for name in ("empty", "region"):
        print(f"  generating the {name} database ({store}) ...", file=sys.stderr)
        generated[name] = await populate(urls[name], shape, region=name == "region")
        print(f"    {generated[name].counts} in {generated[name].seconds:.0f} s", file=sys.stderr)
    click_ids = {name: g.click_case_ids for name, g in generated.items()}

    figures = await bot_figures(urls, click_ids, clicks, intake, shape.small_teams)
    print("  running: App Home build ...", file=sys.stderr)
    home = {name: await home_figure(url) for name, url in urls.items()}
    print("  running: scheduler ticks ...", file=sys.stderr)
    ticks = {name: await tick_figures(url, shape.due) for name, url in urls.items()}
    outbox = {name: await outbox_figure(url, name) for name, url in urls.items()}  # after the ticks: its cases would be chased
    rss: dict[str, dict[str, float]] = {}
    bare = 0.0
    if with_rss:
        for name in ("empty", "region"):
            print(f"  running: casebot serve RSS on the {name} database ...", file=sys.stderr)
            rss[name] = await serve_rss(urls[name], click_ids[name], name, shape.small_teams)
        bare = bare_import_rss()
    big = generated["region"].counts
    region = f"{big['cases'] // 1000}k cases, {big['practitioners']:,} staff, {store}"
    # Last: its intake adds cases to the big team. Its baselines are raw inserts and bare Bolt.
    served_rows, served_goals = await served_figures(urls["region"], region, quick, team=BIG)

    ms = 1000.0
    r, e = figures["region"], figures["empty"]
    held = f"{shape.big_team} practitioners"
    rows: list[Row] = [
        (f"Allocate click -> views.open p50 ({held}, {region})", percentile(r["opens"], 0.5) * ms, "ms", percentile(e["opens"], 0.5) * ms, "same, empty database (ms)"),
        (f"Allocate click -> views.open p99 ({held}, {region})", percentile(r["opens"], 0.99) * ms, "ms", percentile(e["opens"], 0.99) * ms, "same, empty database (ms); goal < 150 ms"),
        (f"Allocate click -> views.update p50 (filled modal, {region})", percentile(r["updates"], 0.5) * ms, "ms", percentile(e["updates"], 0.5) * ms, "same, empty database (ms)"),
        (f"Allocate click -> views.update p99 (filled modal, {region})", percentile(r["updates"], 0.99) * ms, "ms", percentile(e["updates"], 0.99) * ms, "same, empty database (ms)"),
        (f"scheduler tick, {shape.due} due + morning runs, median of {TICK_RUNS} ({region})", ticks["region"]["busy"] * ms, "ms", ticks["empty"]["busy"] * ms,
         f"same {shape.due} due, empty db (ms); {ticks['region']['chases']} chases in region"),
        (f"longest loop hold in the busy tick, median of {TICK_RUNS} ({region})", ticks["region"]["hold"] * ms, "ms", ticks["empty"]["hold"] * ms, "same, empty database (ms)"),
        (f"idle scheduler tick ({region})", ticks["region"]["idle"] * ms, "ms", ticks["empty"]["idle"] * ms, "same, empty database (ms)"),
        (f"intake API, 10 concurrent clients ({region})", statistics.mean(r["intake"]), "req/s", statistics.mean(e["intake"]), "same, empty database (req/s)"),
        (f"App Home build, big team SPO ({region})", home["region"] * ms, "ms", home["empty"] * ms, "same, empty database (ms)"),
        (f"outbox delivered / ceiling ({OUTBOX_CHANNELS} ch x {OUTBOX_PER_CHANNEL}, 1/s + {OUTBOX_CEILING}/s, {region})", _outbox_ratio(outbox["region"]), "x",
         _outbox_ratio(outbox["empty"]), f"same, empty database; {outbox['region'].duplicates} doubled, {outbox['region'].dropped} lost, {outbox['region'].rate_limited} 429s"),
    ]  # fmt: skip
    if with_rss:
        rows += [
            (f"casebot serve RSS after 200 requests ({region})", rss["region"]["rss"], "MB", bare,
             f"python -c 'import bot.runtime.app' (MB); peak {rss['region']['hwm']:.0f} MB; goal < 200 MB"),
            (f"casebot serve RSS after 200 requests (empty db, {store})", rss["empty"]["rss"], "MB", bare,
             f"python -c 'import bot.runtime.app' (MB); peak {rss['empty']['hwm']:.0f} MB"),
        ]  # fmt: skip
    return rows + served_rows, goals_for(rows) + served_goals


def _outbox_ratio(outcome: Outcome) -> float:
    """Delivered over the ceiling, and nothing at all when a card was lost or posted twice."""
    return 0.0 if outcome.dropped or outcome.duplicates else outcome.delivered_rate / outcome.ceiling_rate


OUTBOX_CHANNELS, OUTBOX_PER_CHANNEL, OUTBOX_CEILING = 10, 8, 5
FILLED_MODAL_P99_MS = 250.0
TICK_BUSY_MS = 300.0
TICK_IDLE_MS = 20.0
LOOP_HOLD_MS = 20.0
OUTBOX_SHARE = 0.95
RSS_MB = 200.0


def goals_for(rows: list[Row]) -> list[Goal]:
    """The region's goals, read off the rows (the region's figure, not the empty database's)."""
    goals: list[Goal] = []
    for label, value, _unit, _baseline, _what in rows:
        where = label[label.rfind("(") + 1 : -1] if label.endswith(")") else label
        if "views.update p99" in label:
            goals.append(Goal(f"filled Allocate modal p99 ({where})", value, " ms", FILLED_MODAL_P99_MS, at_least=False))
        elif "views.open p99" in label:
            goals.append(Goal(f"Allocate click -> views.open p99 ({where})", value, " ms", 150.0, at_least=False))
        elif label.startswith("scheduler tick"):
            goals.append(Goal(f"busy scheduler tick ({where})", value, " ms", TICK_BUSY_MS, at_least=False))
        elif label.startswith("longest loop hold"):
            goals.append(Goal(f"longest loop hold in a busy tick ({where})", value, " ms", LOOP_HOLD_MS, at_least=False))
        elif label.startswith("idle scheduler tick"):
            goals.append(Goal(f"idle scheduler tick ({where})", value, " ms", TICK_IDLE_MS, at_least=False))
        elif label.startswith("outbox delivered"):
            goals.append(Goal(f"outbox delivered / ceiling ({where})", value, "x", OUTBOX_SHARE, at_least=True))
        elif label.startswith("casebot serve RSS"):
            goals.append(Goal(f"casebot serve RSS ({where})", value, " MB", RSS_MB, at_least=False))
    return goals


QUICK = {"cases": 10_000, "teams": 20, "big_team_cases": 2_000, "due": 100, "clicks": 40, "intake": 100}


async def main(args: argparse.Namespace) -> int:
    configure_logging("WARNING")
    if args.quick:
        for name, value in QUICK.items():
            setattr(args, name, value)
        args.no_rss = True
    shape = Shape(cases=args.cases, small_teams=args.teams, big_team=args.big_team, big_team_cases=args.big_team_cases, due=args.due)
    started = time.perf_counter()
    rows: list[Row] = []
    goals: list[Goal] = []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.postgres_only:
            urls = {name: f"sqlite:///{Path(tmp) / (name + '.db')}" for name in ("region", "empty")}
            more, met = await scale_benchmark(urls, shape=shape, clicks=args.clicks, intake=args.intake, with_rss=not args.no_rss, quick=args.quick)
            rows, goals = rows + more, goals + met
        if args.postgres or args.postgres_only:
            if postgres_available():
                with postgres_database() as region, postgres_database() as empty:
                    more, met = await scale_benchmark(
                        {"region": region, "empty": empty}, shape=shape, clicks=args.clicks, intake=args.intake,
                        store="PostgreSQL", with_rss=not args.no_rss, quick=args.quick,
                    )  # fmt: skip
                    rows, goals = rows + more, goals + met
            else:
                print("PostgreSQL not reachable: skipped", file=sys.stderr)
    print_rows(rows, width=100)
    missed = print_goals(goals)
    print(f"\n(clock for ticks and data: {T0.isoformat()}; {time.perf_counter() - started:.0f} s; a shared machine: read the ratios)")
    return 1 if missed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="casebot at regional scale: 100k cases, 2,000 practitioners")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--teams", type=int, default=90, help="small teams of 20 practitioners besides the big team (default 90)")
    parser.add_argument("--big-team", type=int, default=200, help="practitioners in the big team (default 200)")
    parser.add_argument("--big-team-cases", type=int, default=10_000, help="the big team's share of the cases (default 10,000)")
    parser.add_argument("--due", type=int, default=500, help="reminders due at the timed tick (default 500)")
    parser.add_argument("--clicks", type=int, default=100, help="Allocate clicks per database (default 100)")
    parser.add_argument("--intake", type=int, default=500, help="intake posts per database (default 500)")
    parser.add_argument("--no-rss", action="store_true", help="skip the casebot serve memory figures")
    parser.add_argument("--postgres", action="store_true", help="also run on the local PostgreSQL")
    parser.add_argument("--postgres-only", action="store_true", help="run on the local PostgreSQL only")
    parser.add_argument("--quick", action="store_true", help="10,000 cases, fewer clicks, no RSS: a smoke check")
    sys.exit(asyncio.run(main(parser.parse_args())))
