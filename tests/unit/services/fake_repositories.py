"""The fake repositories (tests/unit/services/fakes.py): exactly the methods the services call,
over the store's dicts of rows, each keeping the real one's semantics (storage/repositories/:
filters, order, what an atomic update answers). A method a service starts to call must be added
here with the same meaning, or the test fails with an AttributeError, not a silent pass."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from bot.domain.facts import DueTouchpoint, WaitingCase
from bot.domain.policy_file import Policy, default_policy, parse_policy
from storage.models import (
    Allocation,
    AuditEvent,
    Base,
    Case,
    CaseEvent,
    DailyRun,
    OutboxMessage,
    Practitioner,
    ScheduledJob,
    StoredPolicy,
    Team,
    Touchpoint,
)
from storage.repositories.jobs import ClaimedJob

if TYPE_CHECKING:
    from tests.unit.services.fakes import FakeStore

M = TypeVar("M", bound=Base)


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

    async def insert_returning_ids(self, rows: Sequence[dict[str, Any]], *, by: str | None = None) -> list[int]:
        return [self.store.put(self.model(**values)).id for values in rows]  # type: ignore[attr-defined]


class FakeTeams(FakeRepository[Team]):
    model = Team

    async def by_code(self) -> dict[str, Team]:
        return {team.code: team for team in self._all()}

    async def plain(self) -> Sequence[Team]:
        return sorted(self._all(), key=lambda team: team.code)

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

    async def with_teams(self, case_ids: Iterable[int]) -> dict[int, Case]:
        wanted = set(case_ids)
        return {case.id: case for case in self._all() if case.id in wanted}

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

    async def card_rows(self, case_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
        wanted = set(case_ids)
        cards: dict[int, tuple[int, str]] = {}
        for row in self.store.rows(OutboxMessage):
            if row.case_id in wanted and row.purpose == "case_card":
                cards.setdefault(row.case_id, (row.id, row.lane))
        return cards

    async def awaiting_allocation(self, team_ids: Iterable[int], due_on_or_before: date) -> list[WaitingCase]:
        wanted = set(team_ids)
        waiting = [c for c in self._all() if c.team_id in wanted and c.state == "unallocated" and c.due_by <= due_on_or_before]
        return [
            WaitingCase(c.team_id, c.summary(), tuple(c.excluded_practitioners), tuple(c.restricted_to or ()))
            for c in sorted(waiting, key=lambda c: (c.due_by, c.id))
        ]


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

    async def due_touchpoints(self, ids: Iterable[int]) -> dict[int, DueTouchpoint]:
        """Inner joins, as the SQL: a touchpoint without its allocation or case is not returned."""
        found = {id_: await self.touchpoint(id_) for id_ in set(ids)}
        return {
            id_: DueTouchpoint(
                tp.id, tp.state, tp.due_on, tp.priority, allocation.current, allocation.practitioner.slack_user_id,
                allocation.allocated_by, case.team.service, case.summary(),
            )
            for id_, row in found.items()
            if row is not None
            for tp, allocation, case in [row]
        }  # fmt: skip

    async def overdue_touchpoints(self, team_ids: Iterable[int], before: date) -> list[tuple[Touchpoint, Allocation, Case]]:
        wanted = set(team_ids)
        rows = [row for tp in self.store.rows(Touchpoint) if (row := await self.touchpoint(tp.id)) is not None]
        overdue = [
            (tp, allocation, case)
            for tp, allocation, case in rows
            if case.team_id in wanted and tp.state == "planned" and tp.due_on is not None and tp.due_on < before and allocation.current
        ]
        return sorted(overdue, key=lambda row: (row[0].due_on or before, row[0].id))

    async def touchpoint_for(self, allocation_id: int) -> Touchpoint | None:
        return next((tp for tp in self.store.rows(Touchpoint) if tp.allocation_id == allocation_id), None)


class FakeJobs(FakeRepository[ScheduledJob]):
    model = ScheduledJob

    async def claim_due(self, now: datetime, token: str, limit: int) -> list[ClaimedJob]:
        """Planned and due, soonest first, at most `limit`: marked running under `token`."""
        due = sorted((job for job in self._all() if job.state == "planned" and job.due_at <= now), key=lambda job: (job.due_at, job.id))[:limit]
        for job in due:
            job.state, job.claim = "running", token
        return [ClaimedJob(job.id, job.kind, job.case_id, job.touchpoint_id, job.recipient, dict(job.detail), job.due_at) for job in due]

    async def settle(self, token: str, now: datetime, deferred: Sequence[int] = (), defer_to: datetime | None = None) -> None:
        for job in self._all():
            if job.claim != token or job.state != "running":
                continue
            if job.id in deferred:
                assert defer_to is not None
                job.state, job.due_at = "planned", defer_to
            else:
                job.state, job.done_at = "done", now
            job.claim = None

    async def runs_on(self, day: date) -> set[tuple[str, str]]:
        return {(run.kind, run.scope) for run in self.store.rows(DailyRun) if run.day == day}

    async def teams_not_run(self, day: date, kinds: Sequence[str]) -> list[str]:
        taken = await self.runs_on(day)
        return [team.code for team in self.store.rows(Team) if any((kind, team.code) not in taken for kind in kinds)]

    async def claim_runs(self, keys: Sequence[tuple[str, str]], day: date, now: datetime) -> set[tuple[str, str]]:
        """The daily_runs unique key: only the (kind, scope) not yet run on `day` are recorded and returned."""
        taken = {(run.kind, run.scope) for run in self.store.rows(DailyRun) if run.day == day}
        won = [key for key in dict.fromkeys(keys) if key not in taken]
        for kind, scope in won:
            self.store.put(DailyRun(kind=kind, scope=scope, day=day, at=now))
        return set(won)

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

    async def with_keys(self, ordering_keys: Iterable[str], purpose: str) -> dict[str, list[OutboxMessage]]:
        return {key: list(await self.with_key(key, purpose)) for key in set(ordering_keys)}

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


class FakePaths(FakeRepository[CaseEvent]):
    """storage/case_paths.py: a case's events, a person's open case, POM-led cases due."""

    model = CaseEvent

    async def by_event_ids(self, event_ids: Iterable[str]) -> dict[str, CaseEvent]:
        wanted = set(event_ids)
        return {row.event_id: row for row in self._all() if row.event_id in wanted}

    async def events_for(self, case_id: int) -> Sequence[CaseEvent]:
        return sorted((row for row in self._all() if row.case_id == case_id), key=lambda row: row.id)

    async def serialise_crns(self, crns: Iterable[str]) -> None:
        """One in-memory store, one task at a time between awaits: nothing to wait for."""

    async def open_by_crns(self, crns: Iterable[str]) -> dict[str, Case]:
        wanted = set(crns)
        held = {a.case_id for a in self.store.rows(Allocation) if a.current}
        cases = sorted(self.store.rows(Case), key=lambda c: c.id)
        return {
            c.crn: c
            for c in cases
            if c.crn in wanted
            and c.state in ("unallocated", "awaiting_handover", "awaiting_sign_off", "allocated")
            and (c.state != "allocated" or c.id in held)
        }

    async def handover_due(self, today: date) -> Sequence[Case]:
        due = [c for c in self.store.rows(Case) if c.state == "awaiting_handover" and c.allocatable_from is not None and c.allocatable_from <= today]
        return sorted(due, key=lambda c: (c.allocatable_from, c.id))

    async def mark_allocatable(self, case_id: int) -> bool:
        case = self.store.tables.get(Case, {}).get(case_id)
        if case is None or cast(Case, case).state != "awaiting_handover":
            return False
        cast(Case, case).state = "unallocated"
        return True


class FakePreferences:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    async def spo_copies(self, user_id: str) -> bool:
        return user_id not in self.store.spo_copies_off
