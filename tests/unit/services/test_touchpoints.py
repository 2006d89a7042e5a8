"""Settling a touchpoint, against the fake unit of work (bot/services/touchpoints.py)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.clock import FixedClock
from bot.domain.enums import OutboxPurpose
from bot.domain.errors import TouchpointRefused
from bot.domain.policy_file import default_policy
from bot.domain.reminder_plan import plan_reminders
from bot.services import touchpoints
from bot.services.allocate import allocate
from storage.models import AuditEvent, Case, OutboxMessage, Practitioner, ScheduledJob, Touchpoint
from tests.unit.services.conftest import NOW, PO_USER, SPO
from tests.unit.services.fakes import FakeStore
from tests.unit.services.test_allocate import allocation_form

LATER = date(2026, 12, 22)  # a Tuesday, after the usual day (16 December)


@pytest.fixture
async def touchpoint(store: FakeStore, case: Case, po: Practitioner, clock: FixedClock) -> Touchpoint:
    """The planned touchpoint of the case allocated to the PO, with its reminders."""
    await allocate(store.factory, case_id=case.id, spo=SPO, form=allocation_form(po), clock=clock, record_case_url=None)
    [tp] = store.rows(Touchpoint)
    return tp


def jobs(store: FakeStore, tp: Touchpoint, state: str) -> list[ScheduledJob]:
    return [job for job in store.rows(ScheduledJob) if job.touchpoint_id == tp.id and job.state == state]


async def test_the_practitioner_cannot_record_the_touchpoint(store: FakeStore, touchpoint: Touchpoint, clock: FixedClock) -> None:
    commits = store.commits
    with pytest.raises(TouchpointRefused, match="SPO's oversight record"):
        await touchpoints.record(store.factory, touchpoint_id=touchpoint.id, user=PO_USER, notes="We talked.", sensitive=False, clock=clock)
    assert touchpoint.state == "planned" and touchpoint.notes is None
    assert jobs(store, touchpoint, "planned") and store.commits == commits


async def test_the_spo_records_the_touchpoint_and_its_reminders_stop(store: FakeStore, touchpoint: Touchpoint, clock: FixedClock) -> None:
    await touchpoints.record(store.factory, touchpoint_id=touchpoint.id, user=SPO, notes=" We talked. ", sensitive=True, clock=clock)
    assert (touchpoint.state, touchpoint.notes, touchpoint.notes_sensitive, touchpoint.outcome_by) == ("recorded", "We talked.", True, SPO)
    assert jobs(store, touchpoint, "planned") == []
    [contact] = [row for row in store.rows(OutboxMessage) if row.method == "record.contact" and row.payload["body"]["type"] == "Management oversight"]
    assert contact.payload["body"]["sensitive"] is True
    assert "touchpoint_recorded" in {event.action for event in store.rows(AuditEvent)}


async def test_rescheduling_replans_the_reminders_for_the_new_date(store: FakeStore, touchpoint: Touchpoint, clock: FixedClock) -> None:
    before = jobs(store, touchpoint, "planned")
    assert before

    await touchpoints.reschedule(store.factory, touchpoint_id=touchpoint.id, user=PO_USER, new_date=LATER, clock=clock)

    assert touchpoint.due_on == LATER
    assert all(job.state == "cancelled" for job in before)
    expected = plan_reminders(LATER, "normal", [PO_USER, SPO], now=NOW, rules=default_policy().touchpoint.reminders)
    after = jobs(store, touchpoint, "planned")
    assert sorted((job.recipient, job.due_at) for job in after) == sorted((p.recipient, p.due_at) for p in expected)
    assert not {job.due_at for job in after} & {job.due_at for job in before}
    told = [row.payload["channel"] for row in store.rows(OutboxMessage) if row.purpose == OutboxPurpose.TOUCHPOINT_RESCHEDULED]
    assert sorted(told) == sorted([PO_USER, SPO])


async def test_someone_outside_the_case_cannot_reschedule(store: FakeStore, touchpoint: Touchpoint, clock: FixedClock) -> None:
    due = touchpoint.due_on
    with pytest.raises(TouchpointRefused, match="Only the practitioner and the team's SPOs"):
        await touchpoints.reschedule(store.factory, touchpoint_id=touchpoint.id, user="U0STRANGER", new_date=LATER, clock=clock)
    assert touchpoint.due_on == due and jobs(store, touchpoint, "planned")
