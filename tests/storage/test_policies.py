"""Stored policies (storage `policies`, bot/services/policies.py) on SQLite and PostgreSQL: the
shipped default until one is loaded, a version's text fixed once stored, loading only moving the
`current` flag, and allocations keeping the version they were judged under."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.domain.clock import FixedClock
from bot.domain.errors import InvalidInput
from bot.domain.policy_file import default_policy, default_policy_text, parse_policy
from bot.services.policies import current_policy, load_policy
from storage.db import Database
from storage.models import Allocation, Case, Practitioner, StoredPolicy, Team

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def region_text(version: str, probation_days: int = 3) -> str:
    return default_policy_text().replace("version: casebot-default-1", f"version: {version}").replace("probation: 2", f"probation: {probation_days}")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def load(db: Database, text: str) -> str:
    return await load_policy(db.uow, text, parse_policy(text), clock=FixedClock(NOW), actor="cli:test")


async def stored(db: Database) -> list[tuple[str, bool, str]]:
    async with db.uow() as uow:
        rows = await uow.session.scalars(select(StoredPolicy).order_by(StoredPolicy.id))
        return [(r.version, r.current, r.text) for r in rows]


async def test_with_nothing_loaded_the_shipped_default_is_in_force(db: Database) -> None:
    async with db.uow() as uow:
        assert await uow.policies.current() == default_policy()
    shown = await current_policy(db.uow)
    assert (shown.version, shown.text, shown.loaded) == ("casebot-default-1", default_policy_text(), None)


async def test_loading_stores_the_text_whole_and_puts_it_in_force(db: Database) -> None:
    text = region_text("north-1")
    assert "loaded and in force" in await load(db, text)
    async with db.uow() as uow:
        policy = await uow.policies.current()
    assert (policy.version, policy.allocation_target_days("probation")) == ("north-1", 3)
    assert await stored(db) == [("north-1", True, text)]
    shown = await current_policy(db.uow)
    assert shown.loaded == (NOW, "cli:test")


async def test_the_same_text_again_changes_nothing(db: Database) -> None:
    await load(db, region_text("north-1"))
    before = await stored(db)
    assert "nothing changed" in await load(db, region_text("north-1"))
    assert await stored(db) == before


async def test_a_new_version_moves_the_flag_and_an_old_one_can_be_put_back(db: Database) -> None:
    await load(db, region_text("north-1"))
    await load(db, region_text("north-2", probation_days=4))
    assert [(v, c) for v, c, _ in await stored(db)] == [("north-1", False), ("north-2", True)]
    assert "put back in force" in await load(db, region_text("north-1"))
    assert [(v, c) for v, c, _ in await stored(db)] == [("north-1", True), ("north-2", False)]


async def test_a_stored_version_with_different_text_is_refused(db: Database) -> None:
    await load(db, region_text("north-1"))
    with pytest.raises(InvalidInput) as excinfo:
        await load(db, region_text("north-1", probation_days=5))
    assert [e.field for e in excinfo.value.errors] == ["version"]
    assert [(v, c) for v, c, _ in await stored(db)] == [("north-1", True)]


async def test_the_default_s_version_cannot_name_another_text(db: Database) -> None:
    changed_default = default_policy_text().replace("probation: 2", "probation: 9")
    with pytest.raises(InvalidInput):
        await load(db, changed_default)
    assert await stored(db) == []


async def test_loading_a_policy_leaves_past_allocations_alone(db: Database) -> None:
    async with db.uow() as uow:
        team = Team(code="N07T1", name="North", channel_id="C0123456789", updated_at=NOW)
        person = Practitioner(team=team, staff_code="N07A001", name="Ada", grade="PO", slack_user_id="U0PP00001")
        case = Case(
            event_id="e1",
            crn="X000001",
            name="Sam",
            team=team,
            tier="B2",
            sentence_type="Community Order",
            sentence_date=date(2026, 2, 27),
            due_by=date(2026, 3, 3),
            received_at=NOW,
        )
        common = {
            "case": case,
            "practitioner": person,
            "tier": "B2",
            "allocated_by": "U0SPO0001",
            "allocated_at": NOW,
            "evidence": "Ada has held many B2 cases",
            "evidence_sensitive": False,
            "hate_crime": False,
        }
        uow.session.add_all([Allocation(**common, current=False), Allocation(**common, policy_version="casebot-default-1")])
        await uow.commit()

    await load(db, region_text("north-1"))

    async with db.uow() as uow:
        versions = (await uow.session.scalars(select(Allocation.policy_version).order_by(Allocation.id))).all()
    assert versions == [None, "casebot-default-1"]
