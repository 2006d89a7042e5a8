"""Intake, against the fake unit of work (bot/services/intake.py)."""

from __future__ import annotations

from datetime import date

from bot.domain.clock import FixedClock
from bot.domain.enums import OutboxPurpose
from bot.services.intake import Received, receive_case, receive_cases
from storage.models import AuditEvent, Case, OutboxMessage, Team
from tests.support.factories import case_fields
from tests.unit.services.conftest import SPO
from tests.unit.services.fakes import FakeStore, region_policy

ARRIVED = "2026-11-19"  # a Thursday


async def test_due_by_is_the_policys_target_in_working_days_from_arrival(store: FakeStore, team: Team, clock: FixedClock) -> None:
    received = await receive_case(store.factory, case_fields(arrived_on=ARRIVED), clock=clock, record_case_url=None)
    assert received.created and received.case.arrived_on == date(2026, 11, 19)
    assert received.case.due_by == date(2026, 11, 23)  # the default's 2 working days: Friday, Monday

    region_policy(store, ("  probation: 2   ", "  probation: 5   "))
    later = await receive_case(store.factory, case_fields(event_id="evt-0002", crn="X654321", arrived_on=ARRIVED), clock=clock, record_case_url=None)
    assert later.case.due_by == date(2026, 11, 26)  # 5 working days


async def test_a_repeated_event_id_is_not_created_twice(store: FakeStore, team: Team, clock: FixedClock) -> None:
    first = await receive_case(store.factory, case_fields(), clock=clock, record_case_url=None)
    again = await receive_case(store.factory, case_fields(name="Someone Else"), clock=clock, record_case_url=None)
    assert first.created and not again.created
    assert again.case.id == first.case.id and again.case.name == "Sam Smith"
    assert len(store.rows(Case)) == 1
    assert [row.purpose for row in store.rows(OutboxMessage) if row.case_id == first.case.id] == [OutboxPurpose.CASE_CARD]
    assert [event.action for event in store.rows(AuditEvent)] == ["case_received"]


async def test_a_repeat_within_one_batch_is_created_once(store: FakeStore, team: Team, clock: FixedClock) -> None:
    results = await receive_cases(store.factory, [case_fields(), case_fields(), case_fields(event_id="evt-0002")], clock=clock, record_case_url=None)
    assert [r.created for r in results if isinstance(r, Received)] == [True, False, True]
    assert len(store.rows(Case)) == 2


async def test_a_new_case_posts_its_card_and_refreshes_the_spos_home(store: FakeStore, team: Team, clock: FixedClock) -> None:
    received = await receive_case(store.factory, case_fields(), clock=clock, record_case_url=None)
    [card] = [row for row in store.rows(OutboxMessage) if row.purpose == OutboxPurpose.CASE_CARD]
    assert card.payload["channel"] == team.channel_id and card.case_id == received.case.id and card.ordering_key == f"case:{received.case.id}"
    [home] = [row for row in store.rows(OutboxMessage) if row.purpose == OutboxPurpose.HOME_REFRESH]
    assert home.payload["user_id"] == SPO

    await receive_case(store.factory, case_fields(event_id="evt-0002"), clock=clock, record_case_url=None)
    assert len([row for row in store.rows(OutboxMessage) if row.purpose == OutboxPurpose.HOME_REFRESH]) == 1  # still pending: debounced


async def test_two_events_for_one_person_in_one_batch_make_one_case(store: FakeStore, team: Team, clock: FixedClock) -> None:
    rows = [case_fields(event_id="a", crn="X111111"), case_fields(event_id="b", crn="X111111", sentence_type="Suspended Sentence Order")]
    first, second = await receive_cases(store.factory, rows, clock=clock, record_case_url=None)
    assert isinstance(first, Received) and isinstance(second, Received)
    assert second.case is first.case and (second.event_id, second.state, second.created) == ("b", "unallocated", True)
    assert len(store.rows(Case)) == 1
    purposes = [row.purpose for row in store.rows(OutboxMessage) if row.case_id == first.case.id]
    assert purposes == [OutboxPurpose.CASE_CARD, OutboxPurpose.CARD_EVENTS]  # one card, updated to list both
    assert [event.action for event in store.rows(AuditEvent)] == ["case_received", "event_joined"]
