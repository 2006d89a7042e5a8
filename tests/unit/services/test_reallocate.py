"""Reallocation's rules, against the fake unit of work (bot/services/reallocate.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.domain.clock import FixedClock
from bot.domain.decision import ReallocationForm
from bot.domain.errors import AllocationRefused, Question
from bot.services.allocate import Allocated, allocate
from bot.services.reallocate import reallocate
from storage.models import Allocation, Case, Practitioner, ScheduledJob, Team, Touchpoint
from tests.unit.services.conftest import NOW, PSO_USER, SPO
from tests.unit.services.fakes import FakeStore, add_case, region_policy
from tests.unit.services.test_allocate import EVIDENCE, allocation_form

NEW_DATE = date(2026, 12, 14)  # a Monday, two days before the usual day (16 December)


@pytest.fixture
async def allocated(store: FakeStore, team: Team, po: Practitioner, clock: FixedClock) -> Case:
    """A tier C case allocated to the PO, with its touchpoint and reminders planned."""
    case = add_case(store, team, tier="C1", received_at=NOW, due_by=NOW.date())
    await allocate(store.factory, case_id=case.id, spo=SPO, form=allocation_form(po), clock=clock, record_case_url=None)
    return case


def reallocation_form(practitioner: Practitioner, **changes: object) -> ReallocationForm:
    base = ReallocationForm(
        practitioner_id=practitioner.id, evidence=EVIDENCE, evidence_sensitive=False, reason="workload", keep_touchpoint=True, exception_confirmed=False
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def run(store: FakeStore, case: Case, answers: ReallocationForm, clock: FixedClock) -> Allocated:
    return await reallocate(store.factory, case_id=case.id, spo=SPO, form=answers, clock=clock, record_case_url=None, record_configured=True)


async def test_the_reason_must_be_one_of_the_policys_reasons(store: FakeStore, allocated: Case, pso: Practitioner, clock: FixedClock) -> None:
    for reason in ("", "made_up"):
        with pytest.raises(AllocationRefused) as refused:
            await run(store, allocated, reallocation_form(pso, reason=reason), clock)
        assert refused.value.question == Question.REASON
    region_policy(store, ("  workload: Workload balancing", "  secondment: Seconded elsewhere"))
    with pytest.raises(AllocationRefused) as refused:  # in the default, not in the region's file
        await run(store, allocated, reallocation_form(pso, reason="workload"), clock)
    assert refused.value.question == Question.REASON
    [still] = store.rows(Allocation)
    assert still.current and store.commits == 1  # only the first allocation

    await run(store, allocated, reallocation_form(pso, reason="secondment"), clock)
    old, new = store.rows(Allocation)
    assert not old.current and new.current and new.practitioner_id == pso.id and new.reason == "secondment"


async def test_not_keeping_the_touchpoint_plans_the_one_in_the_form(store: FakeStore, allocated: Case, pso: Practitioner, clock: FixedClock) -> None:
    [old_tp] = store.rows(Touchpoint)
    old_jobs = [job for job in store.rows(ScheduledJob) if job.touchpoint_id == old_tp.id]
    assert old_jobs and all(job.state == "planned" for job in old_jobs)

    answers = reallocation_form(pso, keep_touchpoint=False, touchpoint_priority="high", touchpoint_date=NEW_DATE)
    await run(store, allocated, answers, clock)

    [_, new] = store.rows(Allocation)
    old_tp, new_tp = store.rows(Touchpoint)
    assert old_tp.state == "cancelled" and old_tp.allocation_id != new.id
    assert (new_tp.allocation_id, new_tp.due_on, new_tp.priority, new_tp.state) == (new.id, NEW_DATE, "high", "planned")
    assert all(job.state == "cancelled" for job in old_jobs)
    planned = [job for job in store.rows(ScheduledJob) if job.state == "planned"]
    assert planned and {job.touchpoint_id for job in planned} == {new_tp.id}
    assert PSO_USER in {job.recipient for job in planned}


async def test_keeping_the_touchpoint_moves_it_to_the_new_practitioner(store: FakeStore, allocated: Case, pso: Practitioner, clock: FixedClock) -> None:
    [tp] = store.rows(Touchpoint)
    due = tp.due_on
    await run(store, allocated, reallocation_form(pso), clock)
    [_, new] = store.rows(Allocation)
    assert store.rows(Touchpoint) == [tp]
    assert tp.allocation_id == new.id and tp.due_on == due and tp.state == "planned"
    planned = [job for job in store.rows(ScheduledJob) if job.state == "planned"]
    assert planned and {job.recipient for job in planned} == {PSO_USER, SPO}
