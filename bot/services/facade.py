"""The use cases the edges share: the intake API, the CLI importer and the Slack handlers all
call these.

A thin facade over the service modules so each edge needs one object; it adds what every
caller would otherwise repeat (counting received cases, waking the outbox worker after a
commit). It returns domain results and typed errors, never Block Kit: the handlers render.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from bot.domain.access import codes_of, is_spo, open_to, refusal
from bot.domain.calendar import working_day_on_or_after
from bot.domain.clock import Clock, london_today
from bot.domain.decision import AllocationForm, CurrentAllocation, ReallocationForm
from bot.domain.enums import CaseState, OutboxPurpose
from bot.domain.errors import Question, TouchpointRefused
from bot.domain.offers import Offer
from bot.domain.staff_input import StaffIn
from bot.queries.candidates import offers_for
from bot.services import notices, touchpoints
from bot.services.allocate import Allocated, allocate, current_allocation
from bot.services.case_events import JOINED, NEW_CASE
from bot.services.case_path import path_facts
from bot.services.group_commit import GroupCommit
from bot.services.intake import Received, Rejected, receive_cases
from bot.services.outbox import audit
from bot.services.pictures import AllocatePicture, CaseDetails, ModalKind, ModalStep, Notice, ReallocatePicture, TouchpointKind, TouchpointPicture
from bot.services.reallocate import reallocate
from bot.services.sign_off import SignedOff, sign_off
from bot.services.staff_feed import StaffFeedResult, update_staff
from bot.services.touchpoint_plan import touchpoint_default
from storage.db import Database, UnitOfWork
from storage.models import Case, OutboxMessage


class ServiceSettings(Protocol):
    """What the use cases read of the settings (bot/runtime/settings.py `Settings` has these)."""

    @property
    def record_case_url(self) -> str | None: ...
    @property
    def record_api_url(self) -> str | None: ...
    @property
    def tier_weights(self) -> Mapping[str, float]: ...
    @property
    def home_refresh_delay_seconds(self) -> float: ...


class ServiceMetrics(Protocol):
    """What the use cases count (bot/adapters/metrics.py `Metrics` does this)."""

    def count_received(self, source: str, count: int) -> None: ...
    def count_later_events(self, source: str, *, joined: int, currently_managed: int) -> None: ...
    def set_counts(self, outbox: Mapping[str, int], cases: Mapping[str, int]) -> None: ...
    def render(self) -> bytes: ...


@dataclass
class Services:
    db: Database
    clock: Clock
    settings: ServiceSettings
    metrics: ServiceMetrics
    nudge: Callable[[], None] = lambda: None

    intake_queue: GroupCommit[Received | Rejected] = field(default_factory=GroupCommit)

    def _receive(self, rows: Sequence[Mapping[str, Any]]) -> Awaitable[list[Received | Rejected]]:
        delay = timedelta(seconds=self.settings.home_refresh_delay_seconds)
        return receive_cases(self.db.uow, rows, clock=self.clock, record_case_url=self.settings.record_case_url, home_delay=delay)

    async def receive_case(self, raw: Mapping[str, Any], *, source: str) -> Received:
        """One case from the intake API, committed with the others arriving at the same time
        (bot/services/group_commit.py); raises `InvalidInput` naming every bad field."""
        received = await self.intake_queue.submit(raw, self._receive)
        if isinstance(received, Rejected):
            raise received.error
        self._count([received], source)
        return received

    async def receive_cases(self, rows: Sequence[Mapping[str, Any]], *, source: str) -> list[Received | Rejected]:
        results = await self._receive(rows)
        self._count(results, source)
        return results

    def _count(self, results: Sequence[Received | Rejected], source: str) -> None:
        """New cases, and later events apart (they are not cases); the worker is woken when anything was stored."""
        stored = Counter(r.stored for r in results if isinstance(r, Received) and r.stored is not None)
        if stored[NEW_CASE]:
            self.metrics.count_received(source, stored[NEW_CASE])
        if stored[JOINED] or stored[CaseState.CURRENTLY_MANAGED]:
            self.metrics.count_later_events(source, joined=stored[JOINED], currently_managed=stored[CaseState.CURRENTLY_MANAGED])
        if stored:
            self.nudge()

    async def update_staff(self, records: Sequence[StaffIn], *, actor: str) -> StaffFeedResult:
        """The workforce source's records (bot/services/staff_feed.py); wakes the worker for the Home refreshes."""
        result = await update_staff(self.db.uow, records, clock=self.clock, actor=actor)
        if result.updated:
            self.nudge()
        return result

    async def offers(self, case_id: int, user: str) -> list[Offer]:
        """The practitioners the case may go to, for the team's SPOs only: anyone else (who
        could craft a search request) learns nothing of the team's staff or workloads."""
        async with self.db.uow() as uow:
            case = await uow.cases.with_team(case_id)
            if case is None or not is_spo(case.team, user) or not open_to(case, codes_of(case.team, user)):
                return []
            return await offers_for(uow, case, now=self.clock.now(), weights=self.settings.tier_weights)

    async def allocate_picture(self, case: Case) -> AllocatePicture:
        """The full Allocate picture for `case` (its team loaded)."""
        async with self.db.uow() as uow:
            policy = await uow.policies.current()
            offers = await offers_for(uow, case, now=self.clock.now(), weights=self.settings.tier_weights, policy=policy)
            previous = await uow.teams.practitioners_by_code([case.previous_practitioner] if case.previous_practitioner else [])
            path = path_facts(case, await uow.paths.events_for(case.id))
        prev = previous.get(case.previous_practitioner or "")
        return AllocatePicture(
            case=case,
            offers=offers,
            touchpoint_default=touchpoint_default(london_today(self.clock), policy),
            notify_default=list(case.team.notify_user_ids),
            previous_name=f"{prev.name} ({prev.staff_code})" if prev else None,
            path=path,
        )

    async def allocate(self, *, case_id: int, spo: str, form: AllocationForm) -> Allocated:
        """Allocate as the SPO decided; raises AllocationRefused."""
        done = await allocate(
            self.db.uow,
            case_id=case_id,
            spo=spo,
            form=form,
            clock=self.clock,
            record_case_url=self.settings.record_case_url,
            record_configured=bool(self.settings.record_api_url),
        )
        self.nudge()
        return done

    async def modal_step(self, kind: ModalKind, case_id: int | None, user: str) -> ModalStep:
        """kind: "allocate" (an unallocated case) or "reallocate" (an allocated one)."""
        case = await self.case_with_team(case_id) if case_id else None
        if case is None:
            return ModalStep(notice=Notice("Case not found", "This case is no longer held by casebot."))
        if not is_spo(case.team, user):
            return ModalStep(refusal=refusal(case.team, f"{kind} cases"))
        if not open_to(case, codes_of(case.team, user)):  # on the case's exclusion list, or not on its restriction list
            return ModalStep(refusal="This case is restricted by the case record, and you are not among the staff who may see or hold it.")
        if kind == "allocate" and case.state not in (CaseState.UNALLOCATED, CaseState.AWAITING_HANDOVER):
            current = await self.current_allocation(case.id)
            return ModalStep(already=current) if current else ModalStep(notice=Notice("Already allocated", "This case is no longer waiting for allocation."))
        if kind == "reallocate" and case.state != CaseState.ALLOCATED:
            return ModalStep(notice=Notice("Not allocated", "This case is not allocated yet: use Allocate."))
        fill = self.allocate_picture if kind == "allocate" else self.reallocate_picture
        return ModalStep(case=case, fill=lambda: fill(case))

    async def reallocate_picture(self, case: Case) -> ReallocatePicture:
        """The Reallocate picture: the same ranked list, without whoever holds the case now."""
        async with self.db.uow() as uow:
            current = await uow.allocations.current_for_case(case.id)
            policy = await uow.policies.current()
            offers = await offers_for(uow, case, now=self.clock.now(), weights=self.settings.tier_weights, policy=policy)
        holder = current.practitioner if current else None
        others = [o for o in offers if holder is None or o.practitioner_id != holder.id]
        current_name = f"{holder.name} ({holder.grade})" if holder else "nobody"
        return ReallocatePicture(
            case=case, offers=others, current_name=current_name, reasons=dict(policy.reallocation_reasons),
            touchpoint_default=touchpoint_default(london_today(self.clock), policy),
        )  # fmt: skip

    async def reallocate(self, *, case_id: int, spo: str, form: ReallocationForm) -> Allocated:
        done = await reallocate(
            self.db.uow, case_id=case_id, spo=spo, form=form, clock=self.clock,
            record_case_url=self.settings.record_case_url, record_configured=bool(self.settings.record_api_url),
        )  # fmt: skip
        self.nudge()
        return done

    async def sign_off(self, *, case_id: int, user: str) -> SignedOff:
        """A senior approver signs off an exceptional public interest allocation (bot/services/sign_off.py)."""
        url, configured = self.settings.record_case_url, bool(self.settings.record_api_url)
        done = await sign_off(self.db.uow, case_id=case_id, user=user, clock=self.clock, record_case_url=url, record_configured=configured)
        self.nudge()
        return done

    async def current_allocation(self, case_id: int) -> CurrentAllocation | None:
        """Who holds the case now, for 'already allocated'; None when nobody does."""
        async with self.db.uow() as uow:
            return current_allocation(await uow.allocations.current_for_case(case_id))

    async def set_spo_copies(self, user_id: str, on: bool) -> None:
        async with self.db.uow() as uow:
            await uow.preferences.set_spo_copies(user_id, on, self.clock.now())
            await uow.commit()

    async def touchpoint_picture(self, kind: TouchpointKind, touchpoint_id: int, user: str) -> TouchpointPicture:
        """What a reminder button's modal shows, after checking this person may use it."""
        async with self.db.uow() as uow:
            loaded = await touchpoints.load(uow, touchpoint_id)
        view = notices.touchpoint_view(loaded.touchpoint, loaded.allocation)
        if kind == "reschedule":
            touchpoints.check_involved(loaded, user)
            suggested = working_day_on_or_after(max(view.due_on, london_today(self.clock)) + timedelta(days=1))
            return TouchpointPicture(kind, loaded.case, view, suggested=suggested)
        touchpoints.check_can_settle(loaded, user)
        return TouchpointPicture(kind, loaded.case, view)

    async def record_touchpoint(self, touchpoint_id: int, user: str, notes: str, sensitive: bool | None) -> None:
        if sensitive is None:
            raise TouchpointRefused("Say whether these notes are sensitive.", Question.NOTES_SENSITIVE)
        await touchpoints.record(self.db.uow, touchpoint_id=touchpoint_id, user=user, notes=notes, sensitive=sensitive, clock=self.clock)
        self.nudge()

    async def reschedule_touchpoint(self, touchpoint_id: int, user: str, new_date: date | None) -> None:
        await touchpoints.reschedule(self.db.uow, touchpoint_id=touchpoint_id, user=user, new_date=new_date, clock=self.clock)
        self.nudge()

    async def touchpoint_not_required(self, touchpoint_id: int, user: str, reason: str) -> None:
        await touchpoints.not_required(self.db.uow, touchpoint_id=touchpoint_id, user=user, reason=reason, clock=self.clock)
        self.nudge()

    async def snooze_touchpoint(self, touchpoint_id: int, user: str) -> datetime:
        return await touchpoints.snooze(self.db.uow, touchpoint_id=touchpoint_id, user=user, clock=self.clock)

    async def case_with_team(self, case_id: int) -> Case | None:
        async with self.db.uow() as uow:
            return await uow.cases.with_team(case_id)

    async def case_details(self, case_id: int) -> CaseDetails | None:
        """The case and its whole path, for the Details modal."""
        async with self.db.uow() as uow:
            found = await uow.cases.with_team_and_events(case_id)
        return None if found is None else CaseDetails(found[0], path_facts(*found))

    def after_sent_hooks(self) -> dict[str, Callable[[UnitOfWork, OutboxMessage], Any]]:
        """What to record when an outbox message is delivered, by its purpose."""
        return {OutboxPurpose.CASE_CARD: _remember_card, OutboxPurpose.WRITE_BACK: _audit_write_back, OutboxPurpose.PRISON_NOTICE: _audit_write_back}

    def after_failed_hooks(self) -> dict[str, Callable[[UnitOfWork, OutboxMessage], Any]]:
        """A write-back or prison notice that cannot be delivered is shown to the SPOs, never lost."""
        return {OutboxPurpose.WRITE_BACK: self._tell_spos_of_failure, OutboxPurpose.PRISON_NOTICE: self._tell_spos_of_failure}

    async def _tell_spos_of_failure(self, uow: UnitOfWork, row: OutboxMessage) -> None:
        if row.case_id is None:
            return
        case = await uow.cases.with_team(row.case_id)
        if case is None:
            return
        now = self.clock.now()
        audit(uow, actor="outbox", action=f"{row.purpose}_failed", now=now, case_id=case.id, outbox_id=row.id, error=row.last_error)
        notices.delivery_failed(uow, case, row, now)

    async def refresh_gauges(self) -> None:
        """Set the database-derived gauges just before a scrape."""
        async with self.db.uow() as uow:
            backlog = await uow.outbox.backlog()
            cases = await uow.cases.count_by_state()
        self.metrics.set_counts(backlog, cases)


async def _audit_write_back(uow: UnitOfWork, row: OutboxMessage) -> None:
    """Every write-back delivered is an audit event, as is every one that failed."""
    audit(
        uow,
        actor="outbox",
        action=f"{row.purpose}_delivered",
        now=row.sent_at or row.created_at,
        case_id=row.case_id,
        outbox_id=row.id,
        what=notices.delivered_label(row),
    )


async def _remember_card(uow: UnitOfWork, row: OutboxMessage) -> None:
    """The card's ts anchors the case's thread: store it on the case (docs/architecture.md flow 1)."""
    if row.case_id is None or not row.result:
        return
    case = await uow.cases.get(row.case_id)
    if case is not None:
        case.slack_channel = row.result.get("channel")
        case.slack_ts = row.result.get("ts")
