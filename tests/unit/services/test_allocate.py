"""Allocation's rules, against the fake unit of work (bot/services/allocate.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.clock import FixedClock
from bot.domain.decision import AllocationForm, Concern
from bot.domain.enums import OutboxPurpose
from bot.domain.errors import AllocationRefused, AlreadyAllocated, Question
from bot.domain.policy_file import default_policy
from bot.services.allocate import Allocated, allocate
from bot.services.touchpoint_plan import touchpoint_default
from storage.models import Allocation, AuditEvent, Case, OutboxMessage, Practitioner, Team, Touchpoint
from tests.unit.services.conftest import NOW, PO_USER, SPO
from tests.unit.services.fakes import FakeStore, add_case, region_policy

EVIDENCE = "Ada has held similar burglary cases and knows this person's risks well."
SECRET = "Lives with the victim's sister; do not mention at induction."


def allocation_form(practitioner: Practitioner, **changes: object) -> AllocationForm:
    """The Allocate modal's answers: good evidence, a normal touchpoint on the usual day."""
    base = AllocationForm(
        practitioner_id=practitioner.id, evidence=EVIDENCE, evidence_sensitive=False, hate_crime=Concern(False), discrimination=Concern(False),
        touchpoint_priority="normal", touchpoint_date=touchpoint_default(NOW.date(), default_policy()), touchpoint_reason=None,
        notify_user_ids=[], exception_confirmed=False,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


async def run(store: FakeStore, case: Case, spo: str, answers: AllocationForm, clock: FixedClock) -> Allocated:
    return await allocate(store.factory, case_id=case.id, spo=spo, form=answers, clock=clock, record_case_url=None)


def refusal_stored_nothing(store: FakeStore, case: Case) -> None:
    assert store.commits == 0
    assert store.rows(Allocation) == [] and store.rows(AuditEvent) == []
    assert case.state == "unallocated"


async def test_a_practitioner_who_is_not_an_spo_is_refused(store: FakeStore, case: Case, po: Practitioner, clock: FixedClock) -> None:
    with pytest.raises(AllocationRefused, match="Only the team's SPOs") as refused:
        await run(store, case, PO_USER, allocation_form(po), clock)
    assert refused.value.question == Question.PRACTITIONER
    refusal_stored_nothing(store, case)


async def test_outside_policy_needs_the_spos_confirmation(store: FakeStore, case: Case, pso: Practitioner, clock: FixedClock) -> None:
    with pytest.raises(AllocationRefused, match="outside policy") as refused:
        await run(store, case, SPO, allocation_form(pso), clock)  # tier B is PO-only
    assert refused.value.question == Question.CONFIRM_EXCEPTION
    refusal_stored_nothing(store, case)

    done = await run(store, case, SPO, allocation_form(pso, exception_confirmed=True), clock)
    assert done.outside_policy is True
    [allocation] = store.rows(Allocation)
    assert allocation.outside_policy and allocation.policy_exceptions == ["Tier B needs PO grade; Grace Hopper is PSO"]


async def test_a_region_policy_making_tier_c_po_only_makes_c_to_a_pso_an_exception(store: FakeStore, team: Team, pso: Practitioner, clock: FixedClock) -> None:
    tier_c = add_case(store, team, tier="C1", received_at=NOW, due_by=NOW.date())
    region_policy(store, ("within_policy: [PO, PSO]", "within_policy: [PO]"))
    with pytest.raises(AllocationRefused, match="Tier C needs PO grade") as refused:
        await run(store, tier_c, SPO, allocation_form(pso), clock)
    assert refused.value.question == Question.CONFIRM_EXCEPTION
    refusal_stored_nothing(store, tier_c)


async def test_tier_c_to_a_pso_is_within_the_default_policy(store: FakeStore, team: Team, pso: Practitioner, clock: FixedClock) -> None:
    tier_c = add_case(store, team, tier="C1", received_at=NOW, due_by=NOW.date())
    done = await run(store, tier_c, SPO, allocation_form(pso), clock)
    assert done.outside_policy is False


async def test_the_cade_minimum_applies_only_when_the_policy_sets_one(store: FakeStore, case: Case, po: Practitioner, clock: FixedClock) -> None:
    short = "Knows the area."
    await run(store, case, SPO, allocation_form(po, evidence=short), clock)  # the default sets none
    assert store.commits == 1

    other = add_case(store, case.team, received_at=NOW, due_by=NOW.date())
    region_policy(store, ("cade_min_chars: null", "cade_min_chars: 40"))
    with pytest.raises(AllocationRefused, match="at least 40 characters") as refused:
        await run(store, other, SPO, allocation_form(po, evidence=short), clock)
    assert refused.value.question == Question.EVIDENCE
    await run(store, other, SPO, allocation_form(po, evidence=EVIDENCE), clock)
    assert other.state == "allocated"


async def test_a_far_touchpoint_date_needs_a_reason(store: FakeStore, case: Case, po: Practitioner, clock: FixedClock) -> None:
    far = touchpoint_default(NOW.date(), default_policy()) + timedelta(days=14)
    with pytest.raises(AllocationRefused, match="say why") as refused:
        await run(store, case, SPO, allocation_form(po, touchpoint_date=far), clock)
    assert refused.value.question == Question.TOUCHPOINT_REASON
    refusal_stored_nothing(store, case)

    await run(store, case, SPO, allocation_form(po, touchpoint_date=far, touchpoint_reason="Back from leave then."), clock)
    [touchpoint] = store.rows(Touchpoint)
    assert touchpoint.due_on == far and touchpoint.date_reason == "Back from leave then."


async def test_the_allocation_records_the_version_of_the_policy_in_force(store: FakeStore, case: Case, po: Practitioner, clock: FixedClock) -> None:
    region_policy(store, version="north-east-2026-03")
    await run(store, case, SPO, allocation_form(po), clock)
    [allocation] = store.rows(Allocation)
    assert allocation.policy_version == "north-east-2026-03"
    [event] = [e for e in store.rows(AuditEvent) if e.action == "allocated"]
    assert event.detail["policy_version"] == "north-east-2026-03"
    [write_back] = [r for r in store.rows(OutboxMessage) if r.method == "record.allocation"]
    assert write_back.payload["body"]["policy_version"] == "north-east-2026-03"


async def test_an_allocation_writes_everything_in_one_committed_transaction(store: FakeStore, case: Case, po: Practitioner, clock: FixedClock) -> None:
    done = await run(store, case, SPO, allocation_form(po), clock)
    assert case.state == "allocated"
    [allocation] = store.rows(Allocation)
    assert done.allocation_id == allocation.id and allocation.practitioner_id == po.id and allocation.current
    [touchpoint] = store.rows(Touchpoint)
    assert touchpoint.allocation_id == allocation.id and touchpoint.state == "planned"
    purposes = {row.purpose for row in store.rows(OutboxMessage)}
    assert {OutboxPurpose.CARD_ALLOCATED, OutboxPurpose.ALLOCATION_THREAD, OutboxPurpose.PRACTITIONER_NOTICE, OutboxPurpose.WRITE_BACK} <= purposes
    assert OutboxPurpose.SENSITIVE_NOTES not in purposes
    assert [unit.committed for unit in store.units] == [False, True]  # the check reads, the write commits once


async def test_a_second_allocation_of_the_same_case_is_refused(store: FakeStore, case: Case, po: Practitioner, clock: FixedClock) -> None:
    await run(store, case, SPO, allocation_form(po), clock)
    with pytest.raises(AlreadyAllocated, match="allocated by someone else") as refused:
        await run(store, case, SPO, allocation_form(po), clock)
    assert refused.value.current is not None and refused.value.current.practitioner_name == "Ada Lovelace"
    assert len(store.rows(Allocation)) == 1


async def test_sensitive_notes_go_only_to_the_practitioner_privately(store: FakeStore, case: Case, po: Practitioner, clock: FixedClock) -> None:
    answers = allocation_form(
        po, evidence=SECRET, evidence_sensitive=True, hate_crime=Concern(True, "Targeted the family: " + SECRET, True), notify_user_ids=["U0ADMIN01"]
    )
    await run(store, case, SPO, answers, clock)
    rows = store.rows(OutboxMessage)
    [private] = [row for row in rows if row.purpose == OutboxPurpose.SENSITIVE_NOTES]
    assert private.method == "chat.postMessage" and private.payload["channel"] == PO_USER
    assert SECRET in json.dumps(private.payload)
    channel = [row for row in rows if row.purpose in (OutboxPurpose.CARD_ALLOCATED, OutboxPurpose.ALLOCATION_THREAD)]
    others = [row for row in rows if row.purpose in (OutboxPurpose.PRACTITIONER_NOTICE, OutboxPurpose.NOTIFY_NOTICE)]
    assert len(channel) == 2 and len(others) == 2
    for row in channel + others:  # the SPO's own copy may show what the SPO wrote
        assert SECRET not in json.dumps(row.payload), row.purpose
