"""Fixtures for the use-case tests: an in-memory store holding one team, a PO, a PSO and a case."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.clock import FixedClock
from storage.models import Case, Practitioner, Team
from tests.unit.services.fakes import FakeStore, add_case, add_practitioner, add_team

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # a Tuesday, a working day
SPO = "U0SPO0001"
PO_USER = "U0PP00001"
PSO_USER = "U0PP00002"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def team(store: FakeStore) -> Team:
    return add_team(store, spos=[SPO])


@pytest.fixture
def po(store: FakeStore, team: Team) -> Practitioner:
    return add_practitioner(store, team, staff_code="N07A001", grade="PO", slack_user=PO_USER, name="Ada Lovelace")


@pytest.fixture
def pso(store: FakeStore, team: Team) -> Practitioner:
    return add_practitioner(store, team, staff_code="N07A002", grade="PSO", slack_user=PSO_USER, name="Grace Hopper")


@pytest.fixture
def case(store: FakeStore, team: Team, po: Practitioner, pso: Practitioner) -> Case:
    return add_case(store, team, tier="B2", received_at=NOW, due_by=NOW.date())
