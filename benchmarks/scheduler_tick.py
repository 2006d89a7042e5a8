"""Benchmark: one scheduler tick with 10,000 pending jobs and 500 due at once.

    python benchmarks/scheduler_tick.py [--postgres] [--pending N] [--due N]

The set-up writes, with SQLAlchemy Core: `due` allocated cases, each with its current
allocation and a planned touchpoint (due on a working day), and `pending` touchpoint-reminder
jobs, of which `due` are due now and the rest far in the future. The clock is fixed at
Tue 1 Dec 2026 10:00 London, in working hours, so the due reminders go into the outbox.

Figures, each beside a baseline measured in the same run on the same table (benchmarks/run.py's
rule, so a noisy machine does not lie):
- the first tick, which claims the due jobs, loads each touchpoint, renders and enqueues the
  reminder DMs and runs the teams' morning chase and digest checks; baseline: a raw Core
  `UPDATE scheduled_jobs SET state='done' WHERE state='planned' AND due_at <= now` plus a raw
  insert of `due` outbox rows carrying a real reminder payload, in one transaction;
- a second tick with nothing due (the idle cost with the pending rows still there); baseline:
  the same raw UPDATE, matching no rows, in its own transaction.
Afterwards it checks that exactly `due` reminder rows are in the outbox and that the jobs
moved as they should. It asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, insert, select, update  # noqa: E402

from benchmarks.loadgen import Row, print_rows, settings, store_name  # noqa: E402
from blocks.touchpoint_blocks import reminder  # noqa: E402
from bot.domain.calendar import allocation_due_by, is_working_day  # noqa: E402
from bot.domain.clock import LONDON, FixedClock  # noqa: E402
from bot.domain.facts import TouchpointView  # noqa: E402
from bot.domain.teams_file import parse_teams_file  # noqa: E402
from bot.runtime.app import create_services  # noqa: E402
from bot.runtime.logs import configure_logging  # noqa: E402
from bot.services.outbox import outbox_values  # noqa: E402
from bot.services.scheduled import Scheduler  # noqa: E402
from bot.services.teams import load_teams  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade_to_head  # noqa: E402
from storage.models import Allocation, Case, OutboxMessage, Practitioner, ScheduledJob, Team, Touchpoint  # noqa: E402
from tests.support.databases import postgres_available, postgres_database  # noqa: E402
from tests.support.factories import TEAMS_YAML  # noqa: E402

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=LONDON).astimezone(UTC)  # a Tuesday, working hours
SENTENCED = date(2026, 11, 16)
TOUCHPOINT_DAY = date(2026, 12, 15)  # a Tuesday: the touchpoints are still ahead
FAR_FUTURE = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
TEAM = "N07T1"
PRACTITIONER = "U0PP00001"  # Ada Lovelace in TEAMS_YAML
SPO = "U0SPO0001"
BASELINE_PURPOSE = "bench_baseline"
BATCH = 1000


def case_row(i: int, team_id: int) -> dict[str, Any]:
    return {
        "event_id": f"tick-bench-{i}", "crn": f"T{i:06d}", "name": f"Person {i}", "team_id": team_id, "tier": "B2",
        "sentence_type": "Community Order", "sentence_date": SENTENCED, "custodial": False, "prison": None,
        "rosh": "Medium", "rsr": None, "mappa_category": None, "mappa_level": None, "offence": None,
        "previous_practitioner": None, "restricted": False, "excluded_practitioners": [], "state": "allocated",
        "due_by": allocation_due_by(SENTENCED, 2), "received_at": NOW - timedelta(days=14), "slack_channel": None, "slack_ts": None,
    }  # fmt: skip


async def _insert_returning_ids(db: Database, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    async with db.engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            result = await conn.execute(insert(model).returning(model.id, sort_by_parameter_order=True), rows[start : start + BATCH])
            ids += list(result.scalars())
    return ids


async def _count(db: Database, query: Any) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def populate(db: Database, pending: int, due: int) -> None:
    """Cases, allocations, touchpoints and jobs, written directly (the set-up is not timed)."""
    async with db.engine.connect() as conn:
        team_id = (await conn.execute(select(Team.id).where(Team.code == TEAM))).scalar_one()
        practitioner_id = (await conn.execute(select(Practitioner.id).where(Practitioner.slack_user_id == PRACTITIONER))).scalar_one()
    allocated_at = NOW - timedelta(days=13)
    case_ids = await _insert_returning_ids(db, Case, [case_row(i, team_id) for i in range(due)])
    allocation_ids = await _insert_returning_ids(
        db, Allocation,
        [
            {"case_id": case_id, "practitioner_id": practitioner_id, "tier": "B2", "allocated_by": SPO, "allocated_at": allocated_at,
             "current": True, "evidence": "Benchmark allocation.", "evidence_sensitive": False, "hate_crime": False,
             "hate_crime_notes": None, "hate_crime_sensitive": None, "outside_policy": False, "policy_exceptions": [],
             "notify_user_ids": []}
            for case_id in case_ids
        ],
    )  # fmt: skip
    touchpoint_ids = await _insert_returning_ids(
        db, Touchpoint,
        [
            {"case_id": case_id, "allocation_id": allocation_id, "due_on": TOUCHPOINT_DAY,
             "priority": ("high", "normal")[n % 2], "not_required_reason": None, "state": "planned",
             "created_at": allocated_at, "notes": None, "notes_sensitive": None, "outcome_by": None, "outcome_at": None}
            for n, (case_id, allocation_id) in enumerate(zip(case_ids, allocation_ids, strict=True))
        ],
    )  # fmt: skip

    def job(n: int, due_at: datetime, when: str) -> dict[str, Any]:
        k = n % due
        return {
            "kind": "touchpoint_reminder", "case_id": case_ids[k], "touchpoint_id": touchpoint_ids[k],
            "recipient": (PRACTITIONER, SPO)[n % 2], "due_at": due_at, "state": "planned", "claim": None,
            "detail": {"when": when}, "created_at": allocated_at, "done_at": None,
        }  # fmt: skip

    jobs = [job(n, NOW - timedelta(minutes=60) + timedelta(seconds=n % 60), "before") for n in range(due)]
    jobs += [job(n, FAR_FUTURE + timedelta(minutes=n), "day") for n in range(due, pending)]
    async with db.engine.begin() as conn:
        for start in range(0, len(jobs), BATCH):
            await conn.execute(insert(ScheduledJob), jobs[start : start + BATCH])


def _baseline_payload() -> dict[str, Any]:
    """A real reminder DM, rendered once (untimed), so the baseline writes the same bytes."""
    case = Case(id=1, **case_row(0, 1))
    view = TouchpointView(touchpoint_id=1, due_on=TOUCHPOINT_DAY, priority="high", practitioner_user=PRACTITIONER, spo_user=SPO)
    return {"channel": PRACTITIONER, **reminder(case, view, when="before")}


def _due_update(now: datetime) -> Any:
    return (
        update(ScheduledJob)
        .where(ScheduledJob.state == "planned", ScheduledJob.due_at <= now)
        .values(state="done", done_at=now)
        .execution_options(synchronize_session=False)
    )


async def raw_claim_and_insert(db: Database, due: int) -> float:
    """Baseline for the busy tick: the raw UPDATE and `due` outbox inserts, one transaction."""
    payload = _baseline_payload()
    rows = [outbox_values(method="chat.postMessage", payload=payload, purpose=BASELINE_PURPOSE, ordering_key=f"bench:{n}", now=NOW) for n in range(due)]
    started = time.perf_counter()
    async with db.engine.begin() as conn:
        claimed = await conn.execute(_due_update(NOW))
        await conn.execute(insert(OutboxMessage), rows)
    elapsed = time.perf_counter() - started
    assert claimed.rowcount == due, f"baseline claimed {claimed.rowcount} rows, expected {due}"
    # Put the table back as it was for the real tick (untimed).
    async with db.engine.begin() as conn:
        await conn.execute(update(ScheduledJob).where(ScheduledJob.state == "done").values(state="planned", done_at=None))
        await conn.execute(delete(OutboxMessage).where(OutboxMessage.purpose == BASELINE_PURPOSE))
    return elapsed


async def raw_idle_claim(db: Database) -> float:
    """Baseline for the idle tick: the same raw UPDATE when nothing is due, its own transaction."""
    started = time.perf_counter()
    async with db.engine.begin() as conn:
        claimed = await conn.execute(_due_update(NOW))
    elapsed = time.perf_counter() - started
    assert claimed.rowcount == 0, f"idle baseline claimed {claimed.rowcount} rows"
    return elapsed


async def timed_tick(scheduler: Scheduler) -> tuple[float, int]:
    started = time.perf_counter()
    done = await scheduler.tick()
    return time.perf_counter() - started, done


async def tick_benchmark(database_url: str, pending: int = 10_000, due: int = 500) -> list[Row]:
    """Time one busy tick and one idle tick on a fresh database; rows as in benchmarks/run.py."""
    if not 0 < due <= pending:
        raise ValueError("need 0 < due <= pending")
    if not is_working_day(NOW.astimezone(LONDON).date()):
        raise AssertionError("the benchmark clock must be on a working day")
    store = store_name(database_url)
    upgrade_to_head(database_url)
    clock = FixedClock(NOW)
    services = create_services(settings(database_url), clock=clock)
    db = services.db
    try:
        await load_teams(db.uow, parse_teams_file(TEAMS_YAML), clock=clock)
        existing = await _count(db, select(func.count()).select_from(ScheduledJob))
        existing += await _count(db, select(func.count()).select_from(OutboxMessage))
        if existing:
            raise RuntimeError("tick_benchmark needs an empty database (jobs or outbox rows found)")
        await populate(db, pending, due)
        # Warm the store's caches the same for everything timed below (untimed).
        await _count(db, select(func.count()).select_from(ScheduledJob).where(ScheduledJob.state == "planned"))
        await _count(db, select(func.count()).select_from(Touchpoint))

        busy_baseline = await raw_claim_and_insert(db, due)
        scheduler = Scheduler(db, clock)
        busy, busy_done = await timed_tick(scheduler)
        idle_baseline = await raw_idle_claim(db)
        idle, idle_done = await timed_tick(scheduler)

        # The benchmark must not lie: the tick did the real work, once.
        reminders = await _count(db, select(func.count()).select_from(OutboxMessage).where(OutboxMessage.purpose == "touchpoint_reminder"))
        assert reminders == due, f"{reminders} reminder rows in the outbox, expected {due}"
        done_jobs = await _count(db, select(func.count()).select_from(ScheduledJob).where(ScheduledJob.state == "done"))
        planned_jobs = await _count(db, select(func.count()).select_from(ScheduledJob).where(ScheduledJob.state == "planned"))
        assert (done_jobs, planned_jobs) == (due, pending - due), (done_jobs, planned_jobs)
        assert busy_done >= due, f"first tick reported {busy_done} done"
        assert idle_done == 0, f"idle tick reported {idle_done} done"
    finally:
        await db.dispose()
    ms = 1000.0
    return [
        (f"tick: {pending:,} pending, {due} due -> outbox ({store})", busy * ms, "ms", busy_baseline * ms,
         f"raw UPDATE of the {due} due + insert of {due} outbox rows, 1 txn (ms)"),
        (f"idle tick: {pending:,} pending, none due ({store})", idle * ms, "ms", idle_baseline * ms,
         "raw UPDATE matching no rows, 1 txn (ms)"),
    ]  # fmt: skip


async def main(pending: int, due: int, with_postgres: bool) -> None:
    configure_logging("WARNING")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += await tick_benchmark(f"sqlite:///{Path(tmp) / 'tick.db'}", pending, due)
    if with_postgres:
        if postgres_available():
            with postgres_database() as url:
                rows += await tick_benchmark(url, pending, due)
        else:
            print("PostgreSQL not reachable: skipped", file=sys.stderr)
    print_rows(rows, width=56)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="casebot scheduler tick benchmark")
    parser.add_argument("--pending", type=int, default=10_000, help="scheduled jobs in the table (default 10,000)")
    parser.add_argument("--due", type=int, default=500, help="of which due now (default 500)")
    parser.add_argument("--postgres", action="store_true", help="also run on the local PostgreSQL")
    args = parser.parse_args()
    asyncio.run(main(args.pending, args.due, args.postgres))
