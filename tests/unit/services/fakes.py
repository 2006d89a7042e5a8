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

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import inspect

from bot.domain.policy_file import Policy, default_policy, default_policy_text, parse_policy
from storage.db import UnitOfWork
from storage.models import (
    Allocation,
    AuditEvent,
    Base,
    Case,
    OutboxMessage,
    Practitioner,
    ScheduledJob,
    StoredPolicy,
    Team,
    Touchpoint,
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


class FakeRepository(Generic[M]):
    model: type[M]

    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def _all(self) -> Iterator[M]:
        return iter(self.store.rows(self.model))

    async def get(self, id_: int, *, for_update: bool = False) -> M | None:
        return cast(M | None, self.store.tables.get(self.model, {}).get(id_))

    def add(self, obj: M) -> M:
        return self.store.put(obj)

    async def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        await self.insert_returning_ids(rows)

    async def insert_returning_ids(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        return [self.store.put(self.model(**values)).id for values in rows]  # type: ignore[attr-defined]


class FakeTeams(FakeRepository[Team]):
    model = Team

    async def by_code(self) -> dict[str, Team]:
        return {team.code: team for team in self._all()}

    async def by_codes(self, codes: Iterable[str]) -> dict[str, Team]:
        wanted = set(codes)
        return {team.code: team for team in self._all() if team.code in wanted}

    async def practitioner(self, practitioner_id: int) -> Practitioner | None:
        return cast(Practitioner | None, self.store.tables.get(Practitioner, {}).get(practitioner_id))

    def add_practitioner(self, practitioner: Practitioner) -> Practitioner:
        return self.store.put(practitioner)

    async def practitioners_by_code(self, codes: Iterable[str]) -> dict[str, Practitioner]:
        wanted = set(codes)
        return {p.staff_code: p for p in self.store.rows(Practitioner) if p.staff_code in wanted}


class FakeCases(FakeRepository[Case]):
    model = Case

    async def by_event_ids(self, event_ids: Iterable[str]) -> dict[str, Case]:
        wanted = set(event_ids)
        return {case.event_id: case for case in self._all() if case.event_id in wanted}

    async def with_team(self, case_id: int) -> Case | None:
        return await self.get(case_id)

    async def mark_allocated(self, case_id: int) -> bool:
        case = await self.get(case_id)
        if case is None or case.state != "unallocated":
            return False
        case.state = "allocated"
        return True

    async def card_row(self, case_id: int) -> OutboxMessage | None:
        return next((row for row in self.store.rows(OutboxMessage) if row.case_id == case_id and row.purpose == "case_card"), None)

    async def restricted_rows(self, case_id: int) -> Sequence[OutboxMessage]:
        return [row for row in self.store.rows(OutboxMessage) if row.case_id == case_id and row.purpose == "restricted_case_dm"]


class FakeAllocations(FakeRepository[Allocation]):
    model = Allocation

    async def current_for_case(self, case_id: int) -> Allocation | None:
        return next((a for a in self._all() if a.case_id == case_id and a.current), None)

    async def end_current(self, allocation_id: int, now: datetime) -> bool:
        allocation = await self.get(allocation_id)
        if allocation is None or not allocation.current:
            return False
        allocation.current, allocation.ended_at = False, now
        return True

    def add_touchpoint(self, touchpoint: Touchpoint) -> Touchpoint:
        return self.store.put(touchpoint)

    async def touchpoint(self, touchpoint_id: int) -> tuple[Touchpoint, Allocation, Case] | None:
        tp = cast(Touchpoint | None, self.store.tables.get(Touchpoint, {}).get(touchpoint_id))
        if tp is None:
            return None
        allocation, case = await self.get(tp.allocation_id), self.store.tables[Case][tp.case_id]
        assert allocation is not None
        return tp, allocation, cast(Case, case)

    async def touchpoint_for(self, allocation_id: int) -> Touchpoint | None:
        return next((tp for tp in self.store.rows(Touchpoint) if tp.allocation_id == allocation_id), None)


class FakeJobs(FakeRepository[ScheduledJob]):
    model = ScheduledJob

    async def cancel(self, *, touchpoint_id: int | None = None, case_id: int | None = None, kinds: Sequence[str] | None = None) -> None:
        for job in self._all():
            if (
                job.state == "planned"
                and touchpoint_id in (None, job.touchpoint_id)
                and case_id in (None, job.case_id)
                and (kinds is None or job.kind in kinds)
            ):
                job.state = "cancelled"


class FakeOutbox(FakeRepository[OutboxMessage]):
    model = OutboxMessage

    async def with_key(self, ordering_key: str, purpose: str) -> Sequence[OutboxMessage]:
        return [row for row in self._all() if row.ordering_key == ordering_key and row.purpose == purpose]

    async def lock_pending(self, ordering_key: str, purpose: str) -> bool:
        return any(row.state == "pending" for row in await self.with_key(ordering_key, purpose))

    async def cancel_pending(self, case_id: int, purposes: Sequence[str]) -> None:
        for row in self._all():
            if row.case_id == case_id and row.purpose in purposes and row.state == "pending":
                row.state = "cancelled"


class FakeAudit(FakeRepository[AuditEvent]):
    model = AuditEvent


class FakePolicies(FakeRepository[StoredPolicy]):
    model = StoredPolicy

    async def current_row(self) -> StoredPolicy | None:
        return next((row for row in reversed(self.store.rows(StoredPolicy)) if row.current), None)

    async def current(self) -> Policy:
        row = await self.current_row()
        return default_policy() if row is None else parse_policy(row.text)

    async def by_version(self, version: str) -> StoredPolicy | None:
        return next((row for row in self._all() if row.version == version), None)

    async def make_current(self, row: StoredPolicy) -> None:
        for other in self._all():
            other.current = other is row


class FakePreferences:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    async def spo_copies(self, user_id: str) -> bool:
        return user_id not in self.store.spo_copies_off


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
        Team(code=code, name="Sheffield North", channel_id="C0123456789", service=service, spo_user_ids=list(spos), notify_user_ids=[], practitioners=[])
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
            excluded_practitioners=[], state=state, due_by=due_by, received_at=received_at, slack_channel=team.channel_id, slack_ts="1700000000.000100",
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
