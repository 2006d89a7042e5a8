"""The once-a-day runs' claim (storage/repositories/jobs.py `claim_runs`) on SQLite and
PostgreSQL: one insert records the runs not yet taken today and answers which this call took,
so two schedulers (bot/services/scheduled.py `_morning_runs`) never both run a team's chase."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import DailyRun

DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def claim(db: Database, keys: list[tuple[str, str]], day: date = DAY) -> set[tuple[str, str]]:
    async with db.uow() as uow:
        won = await uow.jobs.claim_runs(keys, day, NOW)
        await uow.commit()
    return won


async def test_a_run_another_scheduler_took_is_left_out_and_the_rest_are_taken(db: Database) -> None:
    assert await claim(db, [("deadline_chase", "N07T1")]) == {("deadline_chase", "N07T1")}
    keys = [("deadline_chase", "N07T1"), ("touchpoint_digest", "N07T1"), ("deadline_chase", "N07T2")]
    assert await claim(db, keys) == {("touchpoint_digest", "N07T1"), ("deadline_chase", "N07T2")}
    assert await claim(db, keys) == set()  # all taken today: nothing runs twice
    assert await claim(db, keys, DAY + timedelta(days=1)) == set(keys)  # the next morning, again
    async with db.uow() as uow:
        rows = (await uow.session.execute(select(DailyRun.kind, DailyRun.scope, DailyRun.day))).all()
    assert len(rows) == 6 and len(set(rows)) == 6


async def test_an_uncommitted_claim_takes_nothing(db: Database) -> None:
    async with db.uow() as uow:
        assert await uow.jobs.claim_runs([("deadline_chase", "N07T1")], DAY, NOW) == {("deadline_chase", "N07T1")}
    assert await claim(db, [("deadline_chase", "N07T1")]) == {("deadline_chase", "N07T1")}  # rolled back: still free
