"""The region's policy file judges each allocation, through the real app: a policy that makes
tier C PO-only turns a C-to-PSO choice into an exception the SPO must confirm, recorded with the
policy's version; a CADE minimum applies only where the region sets one; a touchpoint date far
from the usual offset asks for its reason."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from blocks.ids import AllocateBlock
from bot.domain.calendar import working_day_on_or_after
from bot.domain.clock import SystemClock
from bot.domain.policy_file import default_policy_text, parse_policy
from bot.services.policies import load_policy
from storage.models import Allocation, AuditEvent
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields

SPO = "U0SPO0001"


async def region_policy(bot: BotUnderTest, version: str, *, replace: tuple[str, str] | None = None) -> None:
    """Load the shipped default as a region edits it: its own version and one changed line."""
    text = default_policy_text().replace("version: casebot-default-1", f"version: {version}")
    if replace:
        assert replace[0] in text, replace
        text = text.replace(*replace)
    await load_policy(bot.runtime.db.uow, text, parse_policy(text), clock=SystemClock(), actor="test")


async def posted(bot: BotUnderTest, **fields: object) -> int:
    status, body = await bot.post_case(case_fields(**fields))
    assert status == 201, body
    await bot.drained()
    return int(body["id"])


async def test_tier_c_made_po_only_makes_a_pso_choice_an_exception_recorded_with_the_version(bot: BotUnderTest) -> None:
    c_to_pso = await posted(bot, event_id="e-c1", tier="C1", mappa_category=None, mappa_level=None)
    pso = (await bot.practitioner_ids())["N07A002"]  # Grace Hopper, PSO, ready for C and D
    status, body = await bot.submit(case_id=c_to_pso, user=SPO, values=answers(practitioner_id=pso))
    assert (status, body) == (200, {})  # within the shipped default: C to PO or PSO

    await region_policy(bot, "north-2", replace=("within_policy: [PO, PSO]", "within_policy: [PO]"))
    second = await posted(bot, event_id="e-c2", crn="X222222", tier="C1", mappa_category=None, mappa_level=None)
    status, refused = await bot.submit(case_id=second, user=SPO, values=answers(practitioner_id=pso))
    assert refused["response_action"] == "errors" and list(refused["errors"]) == [AllocateBlock.CONFIRM_EXCEPTION], refused
    status, body = await bot.submit(case_id=second, user=SPO, values=answers(practitioner_id=pso, confirm=True))
    assert (status, body) == (200, {})

    async with bot.runtime.db.uow() as uow:
        allocations = {a.case_id: a for a in await uow.session.scalars(select(Allocation))}
        events = {e.case_id: e for e in await uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "allocated"))}
    assert (allocations[c_to_pso].policy_version, allocations[c_to_pso].outside_policy) == ("casebot-default-1", False)
    assert (allocations[second].policy_version, allocations[second].outside_policy) == ("north-2", True)
    assert events[second].detail["policy_version"] == "north-2" and events[c_to_pso].detail["policy_version"] == "casebot-default-1"


async def test_a_cade_minimum_applies_only_where_the_region_sets_one(bot: BotUnderTest) -> None:
    pp = (await bot.practitioner_ids())["N07A001"]
    short = await posted(bot, event_id="e-short-1")
    assert await bot.submit(case_id=short, user=SPO, values=answers(practitioner_id=pp, evidence="Good fit.")) == (200, {})

    await region_policy(bot, "north-3", replace=("cade_min_chars: null", "cade_min_chars: 50"))
    second = await posted(bot, event_id="e-short-2", crn="X333333")
    status, refused = await bot.submit(case_id=second, user=SPO, values=answers(practitioner_id=pp, evidence="Good fit."))
    assert list(refused["errors"]) == [AllocateBlock.EVIDENCE] and "50 characters" in refused["errors"][AllocateBlock.EVIDENCE]


async def test_a_touchpoint_thirty_days_out_asks_why(bot: BotUnderTest) -> None:
    pp = (await bot.practitioner_ids())["N07A001"]
    case_id = await posted(bot)
    far = working_day_on_or_after(date.today() + timedelta(days=30))
    status, refused = await bot.submit(case_id=case_id, user=SPO, values=answers(practitioner_id=pp, touchpoint=far, reason=""))
    assert list(refused["errors"]) == [AllocateBlock.TOUCHPOINT_REASON], refused
    assert "15 days" in refused["errors"][AllocateBlock.TOUCHPOINT_REASON]
    reason = "Practitioner on leave for two weeks; the touchpoint waits for their return."
    assert await bot.submit(case_id=case_id, user=SPO, values=answers(practitioner_id=pp, touchpoint=far, reason=reason)) == (200, {})
