"""The services the edges share: intake API, CLI importer and Slack handlers all call these.

A thin facade over the domain services so each edge needs one object; it adds what every
caller would otherwise repeat (metrics, waking the outbox worker after a commit).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datetime import date, datetime, timedelta

from blocks.allocate_modal import allocate_modal, loading_modal, reallocate_modal
from blocks.formats import when_text
from blocks.case_card import notice_modal, record_link
from blocks.text import mrkdwn_safe
from bot.domain.vocabulary import terms_for
from blocks.allocation_notices import delivery_failed_notice, delivery_label
from blocks.touchpoint_blocks import not_required_modal, record_modal, reschedule_modal
from bot.services import touchpoints
from bot.domain.access import is_spo, refusal
from bot.services.allocate import Allocated, allocate
from bot.adapters.scheduler import touchpoint_view
from bot.services.outbox import audit, enqueue
from bot.domain.decision import REALLOCATION_REASONS, TOUCHPOINT_DAYS, AllocationForm, ReallocationForm
from bot.services.reallocate import reallocate
from bot.domain.calendar import working_day_on_or_after
from bot.queries.candidates import Offer, offers_for
from bot.domain.clock import Clock, london_today
from bot.services.intake import Received, Rejected, receive_case, receive_cases
from bot.runtime.metrics import Metrics
from bot.runtime.settings import Settings
from storage.db import Database, UnitOfWork
from storage.models import Case, OutboxMessage


@dataclass(frozen=True)
class ModalStep:
    """What an Allocate or Reallocate click gets: a refusal (ephemeral), a notice modal, or a
    light modal opened at once (`view`) and filled by `fill()` after (views.update)."""

    view: dict[str, Any] | None = None
    refusal: str | None = None
    fill: Callable[[], Awaitable[dict[str, Any]]] | None = None


@dataclass
class Services:
    db: Database
    clock: Clock
    settings: Settings
    metrics: Metrics
    nudge: Callable[[], None] = lambda: None

    async def receive_case(self, raw: Mapping[str, Any], *, source: str) -> Received:
        received = await receive_case(self.db.uow, raw, clock=self.clock, record_case_url=self.settings.record_case_url)
        if received.created:
            self.metrics.cases_received.labels(source).inc()
            self.nudge()
        return received

    async def receive_cases(self, rows: Sequence[Mapping[str, Any]], *, source: str) -> list[Received | Rejected]:
        results = await receive_cases(self.db.uow, rows, clock=self.clock, record_case_url=self.settings.record_case_url)
        created = sum(1 for r in results if isinstance(r, Received) and r.created)
        if created:
            self.metrics.cases_received.labels(source).inc(created)
            self.nudge()
        return results

    async def offers(self, case_id: int) -> list[Offer]:
        async with self.db.uow() as uow:
            case = await uow.cases.get(case_id)
            return await offers_for(uow, case, now=self.clock.now(), weights=self.settings.tier_weights) if case else []

    async def allocate_view(self, case: Case) -> dict[str, Any]:
        """The full Allocate modal for `case` (its team loaded)."""
        async with self.db.uow() as uow:
            offers = await offers_for(uow, case, now=self.clock.now(), weights=self.settings.tier_weights)
            previous = await uow.teams.practitioners_by_code([case.previous_practitioner] if case.previous_practitioner else [])
        prev = previous.get(case.previous_practitioner or "")
        return allocate_modal(
            case,
            offers,
            touchpoint_default=working_day_on_or_after(london_today(self.clock) + timedelta(days=TOUCHPOINT_DAYS)),
            notify_default=case.team.notify_user_ids,
            previous_name=f"{prev.name} ({prev.staff_code})" if prev else None,
            record_url=record_link(self.settings.record_case_url, case.crn),
            terms=terms_for(case.team.service),
        )

    async def allocate(self, *, case_id: int, spo: str, form: AllocationForm) -> Allocated:
        """Allocate as the SPO decided; raises AllocationRefused."""
        done = await allocate(
            self.db.uow, case_id=case_id, spo=spo, form=form, clock=self.clock,
            record_case_url=self.settings.record_case_url, record_configured=bool(self.settings.record_api_url),
            reminder_days_before=self.settings.reminder_days_before,
        )
        self.nudge()
        return done

    async def modal_step(self, kind: str, case_id: int | None, user: str) -> ModalStep:
        """kind: "allocate" (an unallocated case) or "reallocate" (an allocated one)."""
        case = await self.case_with_team(case_id) if case_id else None
        if case is None:
            return ModalStep(view=notice_modal("Case not found", "This case is no longer held by casebot."))
        if not is_spo(case.team, user):
            return ModalStep(refusal=refusal(case.team, f"{kind} cases"))
        if kind == "allocate" and case.state != "unallocated":
            return ModalStep(view=notice_modal("Already allocated", await self.allocation_summary(case.id)))
        if kind == "reallocate" and case.state != "allocated":
            return ModalStep(view=notice_modal("Not allocated", "This case is not allocated yet: use Allocate."))
        loading = loading_modal(case, record_link(self.settings.record_case_url, case.crn), terms_for(case.team.service))
        fill = self.allocate_view if kind == "allocate" else self.reallocate_view
        return ModalStep(view=loading, fill=lambda: fill(case))

    async def reallocate_view(self, case: Case) -> dict[str, Any]:
        """The Reallocate modal: the same ranked list, without whoever holds the case now."""
        async with self.db.uow() as uow:
            current = await uow.allocations.current_for_case(case.id)
            offers = await offers_for(uow, case, now=self.clock.now(), weights=self.settings.tier_weights)
        holder = current.practitioner if current else None
        others = [o for o in offers if holder is None or o.practitioner.id != holder.id]
        return reallocate_modal(
            case, others, current_name=f"{holder.name} ({holder.grade})" if holder else "nobody",
            reasons=REALLOCATION_REASONS, record_url=record_link(self.settings.record_case_url, case.crn),
            terms=terms_for(case.team.service),
        )  # fmt: skip

    async def reallocate(self, *, case_id: int, spo: str, form: ReallocationForm) -> Allocated:
        done = await reallocate(
            self.db.uow, case_id=case_id, spo=spo, form=form, clock=self.clock,
            record_case_url=self.settings.record_case_url, record_configured=bool(self.settings.record_api_url),
            reminder_days_before=self.settings.reminder_days_before,
        )  # fmt: skip
        self.nudge()
        return done

    async def allocation_summary(self, case_id: int) -> str:
        """mrkdwn naming who holds the case and who allocated it, for 'already allocated'."""
        async with self.db.uow() as uow:
            current = await uow.allocations.current_for_case(case_id)
        if current is None:
            return "This case is no longer waiting for allocation."
        return (
            f"Already allocated to {mrkdwn_safe(current.practitioner.name, 200)} (<@{current.practitioner.slack_user_id}>) "
            f"by <@{current.allocated_by}> on {when_text(current.allocated_at)}."
        )

    async def set_spo_copies(self, user_id: str, on: bool) -> None:
        async with self.db.uow() as uow:
            await uow.preferences.set_spo_copies(user_id, on, self.clock.now())
            await uow.commit()

    async def touchpoint_modal(self, kind: str, touchpoint_id: int, user: str) -> dict[str, Any]:
        """The modal for a reminder button, after checking this person may use it."""
        async with self.db.uow() as uow:
            loaded = await touchpoints.load(uow, touchpoint_id)
        view = touchpoint_view(loaded.touchpoint, loaded.allocation)
        if kind == "reschedule":
            touchpoints.check_involved(loaded, user)
            suggested = working_day_on_or_after(max(view.due_on, london_today(self.clock)) + timedelta(days=1))
            return reschedule_modal(loaded.case, view, suggested=suggested)
        touchpoints.check_can_settle(loaded, user)
        return record_modal(loaded.case, view) if kind == "record" else not_required_modal(loaded.case, view)

    async def settle_touchpoint(self, kind: str, touchpoint_id: int, user: str, values: dict[str, Any]) -> None:
        """Record, reschedule or mark not required, from the modal's answers."""
        if kind == "record":
            if values["sensitive"] not in ("yes", "no"):
                raise touchpoints.TouchpointRefused("Say whether these notes are sensitive.", block="notes_sensitive")
            await touchpoints.record(
                self.db.uow, touchpoint_id=touchpoint_id, user=user, notes=values["notes"], sensitive=values["sensitive"] == "yes", clock=self.clock
            )
        elif kind == "reschedule":
            new_date = _iso_date(values["date"])
            await touchpoints.reschedule(
                self.db.uow, touchpoint_id=touchpoint_id, user=user, new_date=new_date, clock=self.clock,
                days_before=self.settings.reminder_days_before,
            )
        else:
            await touchpoints.not_required(self.db.uow, touchpoint_id=touchpoint_id, user=user, reason=values["reason"], clock=self.clock)
        self.nudge()

    async def snooze_touchpoint(self, touchpoint_id: int, user: str) -> datetime:
        return await touchpoints.snooze(self.db.uow, touchpoint_id=touchpoint_id, user=user, clock=self.clock)

    async def case_with_team(self, case_id: int) -> Case | None:
        async with self.db.uow() as uow:
            return await uow.cases.with_team(case_id)

    def after_sent_hooks(self) -> dict[str, Callable[[UnitOfWork, OutboxMessage], Any]]:
        """What to record when an outbox message is delivered, by its purpose."""
        return {"case_card": _remember_card, "write_back": _audit_write_back, "prison_notice": _audit_write_back}

    def after_failed_hooks(self) -> dict[str, Callable[[UnitOfWork, OutboxMessage], Any]]:
        """A write-back or prison notice that cannot be delivered is shown to the SPOs, never lost."""
        return {"write_back": self._tell_spos_of_failure, "prison_notice": self._tell_spos_of_failure}

    async def _tell_spos_of_failure(self, uow: UnitOfWork, row: OutboxMessage) -> None:
        if row.case_id is None:
            return
        case = await uow.cases.with_team(row.case_id)
        if case is None:
            return
        now = self.clock.now()
        what = delivery_label(row)
        audit(uow, actor="outbox", action=f"{row.purpose}_failed", now=now, case_id=case.id, outbox_id=row.id, error=row.last_error)
        for spo in case.team.spo_user_ids:
            enqueue(
                uow, method="chat.postMessage", payload={"channel": spo, **delivery_failed_notice(case.crn, what, row.last_error or "")},
                purpose="failure_notice", ordering_key=f"case:{case.id}", now=now, case_id=case.id,
            )  # fmt: skip

    async def refresh_gauges(self) -> None:
        """Set the database-derived gauges just before a scrape."""
        async with self.db.uow() as uow:
            backlog = await uow.outbox.backlog()
            cases = await uow.cases.count_by_state()
        for state in ("pending", "sending", "sent", "failed"):
            self.metrics.outbox_backlog.labels(state).set(backlog.get(state, 0))
        for state, count in cases.items():
            self.metrics.cases.labels(state).set(count)


def _iso_date(text: str) -> date | None:
    """A datepicker's YYYY-MM-DD, or None (then 'Choose the touchpoint date')."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


async def _audit_write_back(uow: UnitOfWork, row: OutboxMessage) -> None:
    """Every write-back delivered is an audit event (issue 7: write-back delivered or failed)."""
    audit(uow, actor="outbox", action=f"{row.purpose}_delivered", now=row.sent_at or row.created_at, case_id=row.case_id, outbox_id=row.id, what=delivery_label(row))


async def _remember_card(uow: UnitOfWork, row: OutboxMessage) -> None:
    """The card's ts anchors the case's thread: store it on the case (DESIGN.md flow 1)."""
    if row.case_id is None or not row.result:
        return
    case = await uow.cases.get(row.case_id)
    if case is not None:
        case.slack_channel = row.result.get("channel")
        case.slack_ts = row.result.get("ts")
