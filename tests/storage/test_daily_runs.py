"""The once-a-day runs' claim (storage/repositories/jobs.py `claim_runs`) on SQLite and
PostgreSQL: one insert records the runs not yet taken today and answers which this call took,
so two schedulers (bot/services/scheduled.py `_morning_runs`) never both run a team's chase."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import DailyRun, Team

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


async def test_a_team_is_left_to_run_until_each_of_its_morning_runs_is_recorded_today(db: Database) -> None:
    """The idle tick's one read (`teams_not_run`): a team with one of the two runs taken, or
    with both taken on another day, still has work; with both taken today it has none."""
    kinds = ("deadline_chase", "touchpoint_digest")
    async with db.uow() as uow:
        uow.session.add_all([Team(code=code, name=code, channel_id=f"C{code}", spo_user_ids=[], updated_at=NOW) for code in ("N07T1", "N07T2")])
        await uow.commit()
    await claim(db, [("deadline_chase", "N07T1"), ("touchpoint_digest", "N07T1"), ("deadline_chase", "N07T2")])
    await claim(db, [("touchpoint_digest", "N07T2")], DAY - timedelta(days=1))
    async with db.uow() as uow:
        assert await uow.jobs.teams_not_run(DAY, kinds) == ["N07T2"]
    await claim(db, [("touchpoint_digest", "N07T2")])
    async with db.uow() as uow:
        assert await uow.jobs.teams_not_run(DAY, kinds) == []
        assert sorted(await uow.jobs.teams_not_run(DAY + timedelta(days=1), kinds)) == ["N07T1", "N07T2"]
