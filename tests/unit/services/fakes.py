"""An in-memory unit of work for the use cases in bot/services (cosmicpython's FakeUnitOfWork).

The services reach the store only through the unit of work's repositories, so these fakes
implement exactly the repository methods those services call, over dicts of the ORM model
instances (plain classes until a session holds them). No database, no SQL: a rule change is
caught in milliseconds. What the SQL itself does (locks, races, migrations) stays the business
of tests/storage and tests/e2e.

Semantics kept from storage/db.py's UnitOfWork: nothing is kept unless `commit()` was called
(leaving the `async with` without it restores every row as it was when the unit began).
Ids are given on add, as a flush would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, TypeVar, cast

from sqlalchemy import inspect

from bot.domain.policy_file import Policy, default_policy_text, parse_policy
from storage.db import Database, UnitOfWork
from storage.models import (
    Allocation,
    Base,
    Case,
    OutboxMessage,
    Practitioner,
    StoredPolicy,
    Team,
)
from tests.unit.services.fake_repositories import (
    FakeAllocations,
    FakeAudit,
    FakeCases,
    FakeJobs,
    FakeOutbox,
    FakePaths,
    FakePolicies,
    FakePreferences,
    FakeTeams,
)

M = TypeVar("M", bound=Base)

# Many-to-one links the real repositories load with the row (joinedload/selectinload): the fake
# fills them in from the foreign key, so services read `case.team`, `allocation.practitioner`.
LINKS: dict[type[Base], tuple[tuple[str, str, type[Base]], ...]] = {
    Case: (("team", "team_id", Team),),
    Practitioner: (("team", "team_id", Team),),
    Allocation: (("practitioner", "practitioner_id", Practitioner), ("case", "case_id", Case)),
}


class FakeStore:
    """The 'database': one dict of rows per model, shared by every unit of work over it."""

    def __init__(self) -> None:
        self.tables: dict[type[Base], dict[int, Base]] = {}
        self.spo_copies_off: set[str] = set()
        self.units: list[FakeUnitOfWork] = []

    def uow(self) -> UnitOfWork:
        """A new unit of work, typed as the real one so it can be handed to a service."""
        unit = FakeUnitOfWork(self)
        self.units.append(unit)
        return cast(UnitOfWork, unit)

    @property
    def factory(self) -> Callable[[], UnitOfWork]:
        return self.uow

    @property
    def database(self) -> Database:
        """A stand-in for storage/db.py's Database, for services that take one (the scheduler,
        the facade): its `uow` opens units of work over this store."""
        return cast(Database, FakeDatabase(self))

    @property
    def commits(self) -> int:
        return sum(unit.committed for unit in self.units)

    def rows(self, model: type[M]) -> list[M]:
        """Every row of `model`, in id order."""
        table = self.tables.get(model, {})
        return [cast(M, table[key]) for key in sorted(table)]

    def put(self, obj: M) -> M:
        """Store `obj` with the next id (or the one it has) and link its many-to-one relations."""
        table = self.tables.setdefault(type(obj), {})
        if getattr(obj, "id", None) is None:
            obj.id = max(table, default=0) + 1  # type: ignore[attr-defined]
        table[obj.id] = obj  # type: ignore[attr-defined]
        self.link(obj)
        return obj

    def link(self, obj: Base) -> None:
        for attribute, key, target in LINKS.get(type(obj), ()):
            ref = getattr(obj, key)
            if getattr(obj, attribute) is None and ref is not None:
                setattr(obj, attribute, self.tables.get(target, {}).get(ref))

    def snapshot(self) -> Callable[[], None]:
        """A function that puts every table and column value back as they are now."""
        tables = {model: dict(table) for model, table in self.tables.items()}
        values = [(obj, {c.key: _copy(getattr(obj, c.key)) for c in inspect(type(obj)).column_attrs}) for table in tables.values() for obj in table.values()]
        prefs = set(self.spo_copies_off)

        def restore() -> None:
            self.tables = tables
            for obj, columns in values:
                for key, value in columns.items():
                    setattr(obj, key, value)
            self.spo_copies_off = prefs

        return restore


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value


class FakeDatabase:
    """What the services use of a Database: `uow()`."""

    def __init__(self, store: FakeStore) -> None:
        self.uow = store.uow


class Nudges:
    """Stands in for the outbox worker's wake-up (`nudge`), counting the calls: a service nudges
    after a commit that queued messages, and only then."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


class FakeUnitOfWork:
    """Rolls back unless `commit()` was called, like storage/db.py's UnitOfWork."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.committed = False
        self.teams = FakeTeams(store)
        self.cases = FakeCases(store)
        self.allocations = FakeAllocations(store)
        self.jobs = FakeJobs(store)
        self.outbox = FakeOutbox(store)
        self.audit = FakeAudit(store)
        self.policies = FakePolicies(store)
        self.preferences = FakePreferences(store)
        self.paths = FakePaths(store)
        self._restore: Callable[[], None] = lambda: None

    async def __aenter__(self) -> FakeUnitOfWork:
        self._restore = self.store.snapshot()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if not self.committed:
            self._restore()

    async def flush(self) -> None:
        """Nothing to write: rows got their ids when added."""

    async def commit(self) -> None:
        self.committed = True
        self._restore = lambda: None


# ---------------------------------------------------------------------------------------------
# Rows to start from


def add_team(store: FakeStore, *, code: str = "N07T1", spos: Sequence[str] = ("U0SPO0001",), service: str = "probation") -> Team:
    return store.put(
        Team(
            code=code,
            name="Sheffield North",
            channel_id="C0123456789",
            service=service,
            spo_user_ids=list(spos),
            notify_user_ids=[],
            practitioners=[],
            channel_detail="minimal",
            staff_codes={},
        )
    )


def add_practitioner(store: FakeStore, team: Team, *, staff_code: str, grade: str, slack_user: str, name: str = "") -> Practitioner:
    return store.put(
        Practitioner(
            team_id=team.id, staff_code=staff_code, name=name or staff_code, grade=grade, slack_user_id=slack_user, capacity_points=100,
            visor_vetted=True, ready_for_tiers=["A", "B", "C", "D"], active=True, caseload={}, contracted_hours=37.0, available_hours=37.0,
        )
    )  # fmt: skip


def add_case(store: FakeStore, team: Team, *, tier: str = "B2", received_at: datetime, due_by: date, state: str = "unallocated") -> Case:
    """A case as intake stores it, with its channel card already queued."""
    case = store.put(
        Case(
            event_id=f"evt-{len(store.rows(Case)) + 1}", crn="X123456", name="Sam Smith", team_id=team.id, tier=tier,
            sentence_type="Community Order", sentence_date=received_at.date(), custodial=False, prison=None, restricted=False,
            excluded_practitioners=[], restricted_to=[], picture={}, state=state, due_by=due_by, received_at=received_at, slack_channel=team.channel_id, slack_ts="1700000000.000100",
        )
    )  # fmt: skip
    store.put(
        OutboxMessage(
            ordering_key=f"case:{case.id}", lane=f"channel:{team.channel_id}", method="chat.postMessage", payload={"channel": team.channel_id},
            purpose="case_card", case_id=case.id, state="sent", attempts=1, outcome_unknown=False, next_attempt_at=received_at, created_at=received_at,
        )
    )  # fmt: skip
    return case


def region_policy(store: FakeStore, *changes: tuple[str, str], version: str = "region-1") -> Policy:
    """The shipped default with some lines of its text changed, stored as the policy in force."""
    text = default_policy_text().replace("version: casebot-default-1", f"version: {version}")
    for old, new in changes:
        assert old in text, f"the default policy has no line {old!r}"
        text = text.replace(old, new)
    policy = parse_policy(text)
    store.put(StoredPolicy(version=policy.version, text=text, loaded_at=datetime(2026, 1, 1, tzinfo=UTC), loaded_by="test", current=True))
    return policy
