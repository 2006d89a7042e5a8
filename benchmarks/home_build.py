"""Benchmark: building the App Home for a team of 200 practitioners and 1,000 open cases.

    python benchmarks/home_build.py [--postgres] [--unallocated N] [--allocated N] [--runs N]

The set-up (untimed) loads `big_team_yaml(200)` (one SPO, 200 practitioners with caseloads held
outside casebot) and writes with SQLAlchemy Core `unallocated` cases waiting for allocation
(a quarter of them overdue) and `allocated` cases each with its allocation in force, spread
over the practitioners, and a planned touchpoint (one in ten overdue); one in twenty
allocations is an exception to policy. The clock is fixed at Mon 7 Dec 2026 10:00 London.

Figures, each beside a baseline measured in the same run on the same tables (benchmarks/run.py's
rule, so a noisy machine does not lie), medians of `runs` after one untimed warm-up:
- `render_home` for the SPO (queue, capacity of all 200, exceptions, overdue touchpoints: the
  queries, the workload figures and the Block Kit), in its own unit of work; baseline: the
  same rows read with raw Core SELECTs on one connection (the queue's first 20 with its
  counts, the team's practitioners, every allocation in force with its tier, the exceptions
  and overdue touchpoints), without any Python work on them;
- `render_home` for the practitioner holding the most cases; baseline: the raw SELECTs of
  their new cases, touchpoints and tiers;
- the SPO view's size against Slack's limits: blocks (100 per Home view) and JSON kB (250 kB).
Afterwards it checks the view shows the right totals. It asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import case as sql_case  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from benchmarks.loadgen import Row, print_rows, settings, store_name  # noqa: E402
from bot.domain.calendar import allocation_due_by  # noqa: E402
from bot.domain.clock import LONDON, FixedClock  # noqa: E402
from bot.domain.teams_file import parse_teams_file  # noqa: E402
from bot.queries.home import EXCEPTION_DAYS, LIST_SHOWN, NEW_CASE_DAYS, QUEUE_SHOWN  # noqa: E402
from bot.runtime.app import create_services  # noqa: E402
from bot.runtime.logs import configure_logging  # noqa: E402
from bot.services.teams import load_teams  # noqa: E402
from handlers.presenters import render_home  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade_to_head  # noqa: E402
from storage.models import Allocation, Case, Practitioner, Team, Touchpoint  # noqa: E402
from tests.support.databases import postgres_available, postgres_database  # noqa: E402
from tests.support.factories import big_team_yaml  # noqa: E402

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON).astimezone(UTC)  # a Monday
TODAY = date(2026, 12, 7)
TEAM = "N07T1"
SPO = "U0SPO0001"
PRACTITIONERS = 200
BATCH = 1000


def case_row(i: int, team_id: int, *, state: str) -> dict[str, Any]:
    sentenced = TODAY - timedelta(days=(i % 12) + 1)  # due dates from a week and a half ago to next week
    return {
        "event_id": f"home-bench-{i}", "crn": f"H{i:06d}", "name": f"Person {i}", "team_id": team_id,
        "tier": "ABCD"[i % 4] + str(i % 4), "sentence_type": "Community Order", "sentence_date": sentenced,
        "custodial": False, "prison": None, "rosh": "Medium", "rsr": None, "mappa_category": None, "mappa_level": None,
        "offence": None, "previous_practitioner": None, "restricted": i % 50 == 0, "excluded_practitioners": [],
        "state": state, "due_by": allocation_due_by(sentenced, 2), "received_at": NOW - timedelta(days=(i % 12) + 1),
        "slack_channel": None, "slack_ts": None,
    }  # fmt: skip


async def _insert_returning_ids(db: Database, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    async with db.engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            result = await conn.execute(insert(model).returning(model.id, sort_by_parameter_order=True), rows[start : start + BATCH])
            ids += list(result.scalars())
    return ids


async def populate(db: Database, unallocated: int, allocated: int) -> tuple[int, list[int]]:
    """The cases, allocations and touchpoints, written directly (untimed). Returns the team id
    and the practitioner ids, in staff-code order."""
    async with db.engine.connect() as conn:
        team_id = (await conn.execute(select(Team.id).where(Team.code == TEAM))).scalar_one()
        staff = list((await conn.execute(select(Practitioner.id).where(Practitioner.team_id == team_id).order_by(Practitioner.staff_code))).scalars())
    await _insert_returning_ids(db, Case, [case_row(i, team_id, state="unallocated") for i in range(unallocated)])
    case_ids = await _insert_returning_ids(db, Case, [case_row(unallocated + i, team_id, state="allocated") for i in range(allocated)])
    # Spread unevenly: practitioner k gets cases in proportion to (k % 10) + 1, so workloads differ.
    weights = [(k % 10) + 1 for k in range(len(staff))]
    owners = [pid for pid, w in zip(staff, weights, strict=True) for _ in range(w)]
    allocation_rows = [
        {"case_id": case_id, "practitioner_id": owners[n % len(owners)], "tier": case_row(unallocated + n, team_id, state="allocated")["tier"], "allocated_by": SPO,
         "allocated_at": NOW - timedelta(days=n % 40, hours=n % 7), "current": True, "evidence": "Benchmark allocation.",
         "evidence_sensitive": False, "hate_crime": False, "hate_crime_notes": None, "hate_crime_sensitive": None,
         "outside_policy": n % 20 == 0, "policy_exceptions": ["Tier B needs PO grade; Practitioner is a PSO"] if n % 20 == 0 else [],
         "notify_user_ids": [], "reason": None, "ended_at": None}
        for n, case_id in enumerate(case_ids)
    ]  # fmt: skip
    allocation_ids = await _insert_returning_ids(db, Allocation, allocation_rows)
    touchpoints = [
        {"case_id": case_id, "allocation_id": allocation_id, "due_on": TODAY + timedelta(days=(-3 if n % 10 == 0 else 5 + n % 20)),
         "priority": ("high", "normal")[n % 2], "not_required_reason": None, "state": "planned", "created_at": NOW - timedelta(days=1),
         "notes": None, "notes_sensitive": None, "outcome_by": None, "outcome_at": None}
        for n, (case_id, allocation_id) in enumerate(zip(case_ids, allocation_ids, strict=True))
    ]  # fmt: skip
    await _insert_returning_ids(db, Touchpoint, touchpoints)
    return team_id, staff


async def raw_spo_reads(db: Database, team_id: int) -> float:
    """Baseline: the rows the SPO's Home needs, read with raw Core SELECTs on one connection."""
    since = NOW - timedelta(days=EXCEPTION_DAYS)
    started = time.perf_counter()
    async with db.engine.connect() as conn:
        waiting = (Case.team_id == team_id) & (Case.state == "unallocated")
        (
            await conn.execute(
                select(Case.id, Case.crn, Case.name, Case.tier, Case.sentence_type, Case.due_by, Case.restricted, Case.custodial,
                       func.count().over(), func.sum(sql_case((Case.due_by < TODAY, 1), else_=0)).over())
                .where(waiting).order_by(Case.due_by, Case.id).limit(QUEUE_SHOWN)
            )
        ).all()  # fmt: skip
        staff = (await conn.execute(select(Practitioner).where(Practitioner.team_id == team_id, Practitioner.active.is_(True)))).all()
        ids = [row.id for row in staff]
        (
            await conn.execute(
                select(Allocation.practitioner_id, Case.tier, Allocation.allocated_at)
                .join(Case, Case.id == Allocation.case_id)
                .where(Allocation.current.is_(True), Allocation.practitioner_id.in_(ids))
            )
        ).all()
        (
            await conn.execute(
                select(Case.crn, Case.name, Case.tier, Practitioner.name, Allocation.allocated_at, Allocation.policy_exceptions, func.count().over())
                .join(Case, Case.id == Allocation.case_id).join(Practitioner, Practitioner.id == Allocation.practitioner_id)
                .where(Case.team_id == team_id, Allocation.outside_policy.is_(True), Allocation.allocated_at >= since)
                .order_by(Allocation.allocated_at.desc()).limit(LIST_SHOWN)
            )
        ).all()  # fmt: skip
        (
            await conn.execute(
                select(Touchpoint.due_on, Touchpoint.priority, Case.crn, Case.name, Practitioner.name, func.count().over())
                .join(Allocation, Allocation.id == Touchpoint.allocation_id).join(Case, Case.id == Touchpoint.case_id)
                .join(Practitioner, Practitioner.id == Allocation.practitioner_id)
                .where(Case.team_id == team_id, Touchpoint.state == "planned", Touchpoint.due_on < TODAY, Allocation.current.is_(True))
                .order_by(Touchpoint.due_on).limit(LIST_SHOWN)
            )
        ).all()  # fmt: skip
    return time.perf_counter() - started


async def raw_practitioner_reads(db: Database, practitioner_id: int) -> float:
    """Baseline: the rows a practitioner's Home needs, raw Core SELECTs on one connection."""
    since = NOW - timedelta(days=NEW_CASE_DAYS)
    mine = (Allocation.practitioner_id == practitioner_id) & Allocation.current.is_(True)
    started = time.perf_counter()
    async with db.engine.connect() as conn:
        (await conn.execute(select(Practitioner).where(Practitioner.id == practitioner_id))).all()
        (
            await conn.execute(
                select(Case.crn, Case.name, Case.tier, Allocation.allocated_at, func.count().over())
                .join(Case, Case.id == Allocation.case_id).where(mine, Allocation.allocated_at >= since)
                .order_by(Allocation.allocated_at.desc()).limit(LIST_SHOWN)
            )
        ).all()  # fmt: skip
        (
            await conn.execute(
                select(Touchpoint.due_on, Touchpoint.priority, Case.crn, Case.name, func.count().over())
                .join(Allocation, Allocation.id == Touchpoint.allocation_id).join(Case, Case.id == Touchpoint.case_id)
                .where(mine, Touchpoint.state == "planned").order_by(Touchpoint.due_on).limit(LIST_SHOWN)
            )
        ).all()  # fmt: skip
        (await conn.execute(select(Allocation.practitioner_id, Case.tier).join(Case, Case.id == Allocation.case_id).where(mine))).all()
    return time.perf_counter() - started


async def timed_build(db: Database, user: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    view = await render_home(db.uow, user, NOW)
    return time.perf_counter() - started, view


async def medians(
    runs: int, build: Callable[[], Awaitable[tuple[float, dict[str, Any]]]], raw: Callable[[], Awaitable[float]]
) -> tuple[float, float, float, float, dict[str, Any]]:
    """Median and worst of `build` and of `raw`, interleaved so drift hits both alike."""
    await build()
    await raw()  # warm-up, untimed
    built: list[float] = []
    baseline: list[float] = []
    view: dict[str, Any] = {}
    for _ in range(runs):
        elapsed, view = await build()
        built.append(elapsed)
        baseline.append(await raw())
    return statistics.median(built), max(built), statistics.median(baseline), max(baseline), view


def _text(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


async def home_benchmark(database_url: str, *, unallocated: int = 1000, allocated: int = 1000, runs: int = 20) -> list[Row]:
    """Time `render_home` for the SPO and for a practitioner on a fresh database; rows as in
    benchmarks/run.py."""
    store = store_name(database_url)
    upgrade_to_head(database_url)
    clock = FixedClock(NOW)
    services = create_services(settings(database_url), clock=clock)
    db = services.db
    try:
        await load_teams(db.uow, parse_teams_file(big_team_yaml(PRACTITIONERS, code=TEAM)), clock=clock)
        async with db.engine.connect() as conn:
            if (await conn.execute(select(func.count()).select_from(Case))).scalar_one():
                raise RuntimeError("home_benchmark needs an empty database (cases found)")
        team_id, staff = await populate(db, unallocated, allocated)
        busiest = staff[9]  # (k % 10) + 1 is largest at k = 9
        async with db.engine.connect() as conn:
            busiest_user = (await conn.execute(select(Practitioner.slack_user_id).where(Practitioner.id == busiest))).scalar_one()

        spo, spo_worst, spo_raw, spo_raw_worst, view = await medians(runs, lambda: timed_build(db, SPO), lambda: raw_spo_reads(db, team_id))
        pp, _, pp_raw, _, pp_view = await medians(runs, lambda: timed_build(db, busiest_user), lambda: raw_practitioner_reads(db, busiest))

        # The benchmark must not lie: the views show what is in the tables.
        text = _text(view)
        assert len(view["blocks"]) <= 100, len(view["blocks"])
        assert f"{unallocated:,} unallocated cases" in text, "queue total missing"
        assert text.count("Practitioner ") >= PRACTITIONERS, "capacity does not list every practitioner"
        assert sum(1 for b in view["blocks"] if b.get("block_id", "").startswith("home_queue_")) == min(QUEUE_SHOWN, unallocated)
        assert "Your workload" in _text(pp_view)
    finally:
        await db.dispose()
    ms = 1000.0
    size = f"{PRACTITIONERS} practitioners, {unallocated:,} waiting + {allocated:,} allocated ({store})"
    return [
        (f"render_home, SPO p50: {size}", spo * ms, "ms", spo_raw * ms, "raw Core SELECTs of the same rows, p50 (ms)"),
        (f"render_home, SPO worst of {runs} ({store})", spo_worst * ms, "ms", spo_raw_worst * ms, f"raw Core SELECTs, worst of {runs} (ms)"),
        (f"render_home, busiest practitioner p50 ({store})", pp * ms, "ms", pp_raw * ms, "raw Core SELECTs of the same rows, p50 (ms)"),
        ("SPO view: blocks", float(len(view["blocks"])), "blocks", 100.0, "Slack's limit per Home view"),
        ("SPO view: JSON size", len(json.dumps(view).encode()) / 1000, "kB", 250.0, "Slack's view_too_large limit (kB)"),
    ]  # fmt: skip


async def main(unallocated: int, allocated: int, runs: int, with_postgres: bool) -> None:
    configure_logging("WARNING")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += await home_benchmark(f"sqlite:///{Path(tmp) / 'home.db'}", unallocated=unallocated, allocated=allocated, runs=runs)
    if with_postgres:
        if postgres_available():
            with postgres_database() as url:
                rows += await home_benchmark(url, unallocated=unallocated, allocated=allocated, runs=runs)
        else:
            print("PostgreSQL not reachable: skipped", file=sys.stderr)
    print_rows(rows, width=84)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="casebot App Home build benchmark")
    parser.add_argument("--unallocated", type=int, default=1000, help="cases waiting for allocation (default 1,000)")
    parser.add_argument("--allocated", type=int, default=1000, help="cases allocated, each with a touchpoint (default 1,000)")
    parser.add_argument("--runs", type=int, default=20, help="timed builds of each view (default 20)")
    parser.add_argument("--postgres", action="store_true", help="also run on the local PostgreSQL")
    args = parser.parse_args()
    asyncio.run(main(args.unallocated, args.allocated, args.runs, args.postgres))
