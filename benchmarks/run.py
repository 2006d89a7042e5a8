"""Benchmarks: each figure beside a baseline measured in the same run, so a noisy machine does
not lie; a goals block at the end, and exit status 1 when a goal is missed (`make bench`).

    python benchmarks/run.py [--quick] [--postgres] [--postgres-only]

On SQLite, and on the local PostgreSQL with --postgres (a fresh database each):
- intake requests/s: 8 concurrent clients sending signed-in `POST /api/v1/cases` for one team
  to a real `casebot serve` process (its outbox posting the cards to the fake Slack at the
  production pace), against raw SQLAlchemy Core inserts of the same case rows, one row a
  transaction, from this process. Runs interleaved raw, intake, intake, raw. Goal >= 0.5x raw.
- ack p99 of that `casebot serve` process against a bare Bolt app in its own process
  (benchmarks/loadgen.py; for the click it too opens a modal after the ack), for a Details
  click (ack, then the modal) and an Allocate submission (validated, answered inline), at 5
  and 50 concurrent clients, 2,000 requests a side, interleaved bare, bot, bot, bare five
  times over; each figure the median of the five rounds' (benchmarks/interactions.py). Goal
  p99 <= 1.3x bare.
- one scheduler tick with 10,000 pending reminders of which 500 fall due, and an idle tick,
  against raw SQL doing the bare claim and inserts (benchmarks/scheduler_tick.py); the goals at
  a region's scale are benchmarks/scale.py's.
- `casebot import` of 10,000 cases (2,000 with --quick) against a raw bulk insert (no goal).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from benchmarks.loadgen import Goal, Row, closed_loop, collector_held, print_goals, print_rows, settings, start_bare_process, wait_quiet  # noqa: E402
from benchmarks.scheduler_tick import tick_benchmark  # noqa: E402
from bot.demo.fake_slack import FakeSlack  # noqa: E402
from bot.domain.calendar import allocation_due_by  # noqa: E402
from bot.domain.teams_file import parse_teams_file  # noqa: E402
from bot.runtime.app import create_services  # noqa: E402
from bot.runtime.logs import configure_logging  # noqa: E402
from bot.services.importer import import_file  # noqa: E402
from bot.services.teams import load_teams  # noqa: E402
from storage.migrate import upgrade_to_head  # noqa: E402
from storage.models import Case, Practitioner, Team  # noqa: E402
from tests.support.bot import INTAKE_TOKEN  # noqa: E402
from tests.support.databases import postgres_available, postgres_database  # noqa: E402
from tests.support.factories import TEAMS_YAML  # noqa: E402
from tests.support.processes import serve_env, start_serve  # noqa: E402

TEAM = "N07T1"
INTAKE_CLIENTS = 8
ACK_LOADS = (5, 50)
# The production outbox pace, so the cards the intake queues are posted as in a real region.
PRODUCTION_OUTBOX = {"CASEBOT_OUTBOX_POLL_SECONDS": "1", "CASEBOT_SLACK_CHANNEL_INTERVAL_SECONDS": "1", "CASEBOT_OUTBOX_LEASE_SECONDS": "60"}


def case(tag: str, i: int, team: str = TEAM) -> dict[str, object]:
    """A new person's first event: each tag's CRNs start with their own letter, so no run's
    case lands on another run's open case as a later event (which would be a different path)."""
    return {
        "event_id": f"bench-{tag}-{i}", "crn": f"{tag[0].upper()}{i % 1_000_000:06d}", "name": f"Person {i}", "team": team,
        "tier": "ABCD"[i % 4] + str(i % 4), "sentence_type": "Community Order", "sentence_date": "2026-11-02", "rosh": "Medium",
    }  # fmt: skip


async def prepare(url: str) -> None:
    upgrade_to_head(url)
    services = create_services(settings(url))
    await load_teams(services.db.uow, parse_teams_file(TEAMS_YAML), clock=services.clock)
    await services.db.dispose()


async def raw_inserts(url: str, count: int, tag: str, *, per_row: bool, team: str = TEAM) -> float:
    """Baseline: the same case rows written with SQLAlchemy Core, no validation, no outbox."""
    services = create_services(settings(url))
    async with services.db.engine.connect() as conn:
        team_id = (await conn.execute(select(Team.id).where(Team.code == team))).scalar_one()
    now = datetime.now(UTC)
    rows = [
        {
            "event_id": f"raw-{tag}-{i}", "crn": f"X{i:06d}", "name": f"Person {i}", "team_id": team_id, "tier": "B2",
            "sentence_type": "Community Order", "sentence_date": date(2026, 11, 2), "custodial": False, "restricted": False,
            "excluded_practitioners": [], "state": "unallocated", "due_by": allocation_due_by(date(2026, 11, 2), 2), "received_at": now,
        }
        for i in range(count)
    ]  # fmt: skip
    with collector_held():  # as the intake's clients are (benchmarks/loadgen.py)
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


def intake_requests(count: int, tag: str, team: str) -> list[tuple[str, dict[str, str]]]:
    headers = {"Authorization": f"Bearer {INTAKE_TOKEN}", "Content-Type": "application/json"}
    return [(json.dumps(case(tag, i, team)), headers) for i in range(count)]


async def intake_rps(base_url: str, count: int, tag: str, team: str) -> float:
    result = await closed_loop(base_url + "/api/v1/cases", intake_requests(count, tag, team), INTAKE_CLIENTS)
    bad = [s for s in result.statuses if s != 201]
    if bad:
        raise AssertionError(f"intake answered {sorted(set(bad))} ({len(bad)} of {count})")
    return count / result.wall


async def import_seconds(url: str, count: int, directory: Path) -> float:
    path = directory / "cases.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(case("import", 0)))
        writer.writeheader()
        writer.writerows(case("import", i) for i in range(count))
    services = create_services(settings(url))
    started = time.perf_counter()
    report = await import_file(services, path)
    elapsed = time.perf_counter() - started
    assert report.created == count, report
    await services.db.dispose()
    return elapsed


async def ack_target(url: str, team: str) -> Any:
    """An unallocated, unrestricted case of `team` and one of its practitioners, for the ack
    benchmark's requests."""
    from benchmarks.interactions import Target

    services = create_services(settings(url))
    async with services.db.engine.connect() as conn:
        team_id = (await conn.execute(select(Team.id).where(Team.code == team))).scalar_one()
        case_id = (
            await conn.execute(
                select(Case.id).where(Case.team_id == team_id, Case.state == "unallocated", Case.restricted.is_(False)).order_by(Case.id).limit(1)
            )
        ).scalar_one()
        practitioner = (
            await conn.execute(select(Practitioner.id, Practitioner.slack_user_id).where(Practitioner.team_id == team_id).order_by(Practitioner.id).limit(1))
        ).one()
    await services.db.dispose()
    return Target(case_id=case_id, practitioner_id=practitioner.id, clicker=practitioner.slack_user_id)


async def served_figures(url: str, store: str, quick: bool, team: str = TEAM) -> tuple[list[Row], list[Goal]]:
    """Intake against raw inserts, then ack latency against the bare app, one serve process."""
    from benchmarks.interactions import KINDS, measure_pair, rows_for, warm_up

    n_intake = 160 if quick else 600
    n_ack = 500 if quick else 2000  # a side, per kind and load: five rounds of 400, each round's p99 its 4th slowest
    rows: list[Row] = []
    goals: list[Goal] = []
    with FakeSlack() as fake:
        served = start_serve(serve_env(url, fake.api_url, **PRODUCTION_OUTBOX))
        bare = start_bare_process(fake.api_url)
        try:
            # A serve started on benchmarks/scale.py's region first sends what fell due while
            # no bot ran (the region is built for 10:00 today: ~1,200 reminders and morning
            # chases, about 100 posts a second). These figures are of a region at work after
            # that; while the catch-up ran, raw inserts and intake were both 3-6x slower on SQLite.
            await wait_quiet(fake)
            print(f"  running: intake x{n_intake}, {INTAKE_CLIENTS} clients, against raw inserts ({store}) ...", file=sys.stderr)
            await intake_rps(served.url, 40, "warm", team)
            half = n_intake // 2
            raw_s = await raw_inserts(url, half, "a", per_row=True, team=team)
            rates = [await intake_rps(served.url, half, "a", team), await intake_rps(served.url, half, "b", team)]
            raw_s += await raw_inserts(url, half, "b", per_row=True, team=team)
            rps, raw = sum(rates) / 2, 2 * half / raw_s
            rows.append((f"intake API, {INTAKE_CLIENTS} clients, one team, casebot serve ({store})", rps, "req/s", raw, "raw Core insert, 1 row/txn (rows/s)"))
            goals.append(Goal(f"intake >= 0.5x raw inserts ({store})", rps / raw, "x", 0.5, at_least=True))
            target = await ack_target(url, team)
            bot_url = served.url + "/slack/events"
            for kind in KINDS:
                await warm_up(kind, target, bot_url, bare.url, fake, f"w{kind}")
                for clients in ACK_LOADS:
                    print(f"  running: {kind} x{n_ack}, {clients} concurrent, serve vs bare process ({store}) ...", file=sys.stderr)
                    bot, base = await measure_pair(kind, clients, n_ack, target, bot_url, bare.url, fake, f"{kind}{clients}")
                    pair = rows_for(f"casebot serve, {store}", kind, clients, bot, base, "own process")
                    rows += pair
                    label, value, _unit, baseline, _what = pair[1]
                    goals.append(Goal(f"{label[9:]}: p99 <= 1.3x bare", value / (baseline or float("nan")), "x", 1.3, at_least=False))
        finally:
            served.stop()
            bare.stop()
    return rows, goals


async def bench(url: str, store: str, quick: bool, directory: Path) -> tuple[list[Row], list[Goal]]:
    await prepare(url)
    rows, goals = await served_figures(url, store, quick)
    n_import = 2000 if quick else 10_000
    print(f"  running: import x{n_import} against a raw bulk insert ({store}) ...", file=sys.stderr)
    imp = await import_seconds(url, n_import, directory)
    raw_bulk = await raw_inserts(url, n_import, "bulk", per_row=False)
    rows.append((f"casebot import of {n_import} cases ({store})", imp, "s", raw_bulk, "raw bulk insert of the same rows (s)"))
    return rows, goals


async def main(quick: bool, stores: tuple[str, ...]) -> int:
    configure_logging("WARNING")
    started = time.perf_counter()
    rows: list[Row] = []
    goals: list[Goal] = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        if "sqlite" in stores:
            more, met = await bench(f"sqlite:///{directory / 'bench.db'}", "SQLite", quick, directory)
            rows, goals = rows + more, goals + met
            print("  running: scheduler tick, 10,000 pending / 500 due (SQLite) ...", file=sys.stderr)
            rows += await tick_benchmark(f"sqlite:///{directory / 'ticks.db'}")
        if "postgresql" in stores:
            if not postgres_available():
                print("PostgreSQL not reachable: skipped", file=sys.stderr)
                goals.append(Goal("PostgreSQL reachable for the PostgreSQL figures", 0.0, "", 1.0, at_least=True))
            else:
                with postgres_database() as url:
                    more, met = await bench(url, "PostgreSQL", quick, directory)
                    rows, goals = rows + more, goals + met
                with postgres_database() as url:
                    print("  running: scheduler tick, 10,000 pending / 500 due (PostgreSQL) ...", file=sys.stderr)
                    rows += await tick_benchmark(url)
    print_rows(rows, width=100)
    missed = print_goals(goals)
    print(f"\n({time.perf_counter() - started:.0f} s; figures from a shared machine: read the ratios, not the absolutes)")
    return 1 if missed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="casebot benchmarks: intake, ack latency, scheduler tick, import")
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke check")
    parser.add_argument("--postgres", action="store_true", help="also run on the local PostgreSQL")
    parser.add_argument("--postgres-only", action="store_true", help="run on the local PostgreSQL only")
    args = parser.parse_args()
    chosen = ("postgresql",) if args.postgres_only else ("sqlite", "postgresql") if args.postgres else ("sqlite",)
    sys.exit(asyncio.run(main(args.quick, chosen)))
