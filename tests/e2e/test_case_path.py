"""The case's path through probation, through the real app: resourcing computed from the case's
fields, custody under OMiC (POM-led until the handover lead time, then allocatable), later
events of a person's open case, and the prison notice naming the community offender manager."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from blocks.ids import Action
from bot.demo.fake_slack import FakeSlack
from bot.domain.clock import FixedClock
from bot.queries.sar import subject_access
from storage.models import Allocation, Case, OutboxMessage
from tests.e2e.test_app_home import opened_home, text_of
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest, clocked_bot
from tests.support.factories import TEAMS_YAML, case_fields

LONDON = ZoneInfo("Europe/London")
CHANNEL = "C0123456789"
TEAMS_WITH_CONTACTS = TEAMS_YAML.replace(
    "        slack_user: U0PP00001\n", "        slack_user: U0PP00001\n        email: ada.lovelace@probation.example\n        phone: 0114 496 0001\n"
)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
async def timed(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[tuple[BotUnderTest, FixedClock]]:
    async with clocked_bot(database_url, fake_slack, london(2026, 12, 21, 10, 0), TEAMS_WITH_CONTACTS) as world:  # Monday
        yield world


def custody(**overrides: Any) -> dict[str, Any]:
    """A custodial case sentenced Mon 14 Dec 2026, 9 months to serve, no enhanced criterion."""
    fields = {
        "sentence_type": "Custody", "prison": "HMP Leeds", "sentence_date": "2026-12-14", "release_date": "2027-09-14",
        "rosh": "Low", "rsr": 2.0, "mappa_category": None, "mappa_level": None, "tier": "C2",
    }  # fmt: skip
    fields.update(overrides)
    return case_fields(**fields)


def buttons(message: dict) -> list[str]:
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def allocate(bot: BotUnderTest, case_id: int) -> None:
    ids = await bot.practitioner_ids()
    status, body = await bot.submit(case_id=case_id, user="U0SPO0001", values=answers(practitioner_id=ids["N07A001"], touchpoint=date(2027, 1, 12)))
    assert (status, body) == (200, {}), body
    await bot.drained()


async def test_each_enhanced_resources_criterion_is_named(timed) -> None:
    bot, _ = timed
    criteria = [
        ({"mappa_category": 2}, "MAPPA category 2"),
        ({"mappa_category": None, "mappa_level": None, "rosh": "High"}, "RoSH High"),
        ({"mappa_category": None, "mappa_level": None, "rosh": "Very High"}, "RoSH Very High"),
        ({"mappa_category": None, "mappa_level": None, "rsr": 6.9}, "RSR 6.9% (at or above 6.9%)"),
        ({"mappa_category": None, "mappa_level": None, "exceptional_public_interest": True}, "exceptional public interest"),
        ({"mappa_category": None, "mappa_level": None, "sentence_type": "Deferred Sentence"}, "deferred sentence"),
        (
            {"mappa_category": None, "mappa_level": None, "sentence_type": "Custody", "prison": "HMP Leeds", "foreign_national": True, "sentence_months": 12},
            "foreign national, 12 months or more in custody",
        ),
        (
            {"mappa_category": None, "mappa_level": None, "foreign_national": True, "deportation_recommended": True},
            "foreign national recommended for deportation",
        ),
    ]
    ids = []
    for n, (fields, reason) in enumerate(criteria):
        status, body = await bot.post_case(case_fields(event_id=f"crit-{n}", **{"rosh": "Low", "rsr": 1.0, **fields}))
        assert status == 201, body
        ids.append(body["id"])
        assert (body["resourcing"], body["resourcing_reason"]) == ("enhanced", reason)
    # Just below each line: normal resources; the source's own outcome is kept and shown beside.
    below = {"mappa_category": None, "mappa_level": None, "rosh": "Medium", "rsr": 6.89, "foreign_national": True, "sentence_months": 11.9,
             "sentence_type": "Custody", "prison": "HMP Leeds", "resourcing": "Enhanced"}  # fmt: skip
    status, body = await bot.post_case(case_fields(event_id="below", **below))
    assert (body["resourcing"], body["resourcing_given"]) == ("normal", "enhanced")
    await bot.drained()
    cards = {m["text"]: json.dumps(m["blocks"]) for m in bot.fake.messages_in(CHANNEL)}
    # The channel card names the outcome; its reason is risk, shown in Details to the team's people.
    enhanced = [blocks for text, blocks in cards.items() if body["crn"] not in text]
    assert len(enhanced) == len(criteria) and all("Enhanced resources (why: in Details)" in blocks for blocks in enhanced)
    risk_reasons = ("MAPPA category 2", "RoSH High", "RoSH Very High", "RSR 6.9%")
    assert not any(reason in blocks for blocks in enhanced for reason in risk_reasons)
    await bot.click(action_id=Action.DETAILS, value=str(ids[0]), user="U0SPO0001", trigger_id="details-mappa")
    [details] = await bot.fake.wait_for_async("views.open")
    assert "Enhanced resources: MAPPA category 2" in json.dumps(details.args["view"])
    [normal] = [blocks for text, blocks in cards.items() if body["crn"] in text]
    assert "Normal resources" in normal and "the source's outcome differs: enhanced resources" in normal


async def test_custody_allocates_now_or_waits_for_the_handover_lead_time(timed) -> None:
    bot, clock = timed
    status, now_case = await bot.post_case(custody(event_id="high", crn="X100001", rosh="High"))
    assert status == 201 and now_case["state"] == "unallocated" and now_case["handover_date"] is None
    status, pom = await bot.post_case(custody(event_id="low", crn="X100002"))
    assert status == 201, pom
    # 9 months to serve is more than the 12 weeks of normal resources: POM-led until handover,
    # 12 weeks before release (Tue 22 Jun 2027), offered 10 working days before (Tue 8 Jun).
    assert (pom["state"], pom["resourcing"], pom["handover_date"], pom["allocatable_from"]) == ("awaiting_handover", "normal", "2027-06-22", "2027-06-08")
    assert pom["due_by"] == "2027-06-10"  # its clock starts at the lead time
    await bot.drained()
    cards = {m["text"].split("(")[1][:7]: m for m in bot.fake.messages_in(CHANNEL)}
    assert "Allocate" in buttons(cards["X100001"])
    assert buttons(cards["X100002"]) == ["Details"]
    text = json.dumps(cards["X100002"]["blocks"])
    assert "POM-led until handover on Tue 22 Jun 2027" in text and "no workload" in text
    home = text_of(await opened_home(bot, "U0SPO0001"))  # the SPO's queue lists it apart
    assert "Awaiting handover* (1)" in home and "X100002" in home and "handover Tue 22 Jun 2027 · to allocate from Tue 8 Jun 2027" in home
    assert "1 unallocated case" in home  # only the case allocatable now
    assert " 0% *Ada Lovelace*" in home and " 0% *Grace Hopper*" in home  # the POM-led case weighs on nobody

    # An Allocate click on a POM-led case opens the modal that asks why now (early allocation);
    # unanswered, nothing is allocated, so nobody's workload counts it.
    await bot.click(action_id=Action.ALLOCATE, value=str(pom["id"]), user="U0SPO0001")
    await bot.fake.wait_for_async("views.open")
    async with bot.runtime.db.uow() as uow:
        assert list(await uow.session.scalars(select(Allocation).where(Allocation.case_id == pom["id"]))) == []

    clock.set(london(2027, 6, 7, 10, 0))  # the day before the lead time: nothing moves
    await bot.runtime.scheduler.tick()
    clock.set(london(2027, 6, 8, 7, 0))
    await bot.runtime.scheduler.tick()
    await bot.runtime.scheduler.tick()  # once only
    await bot.drained()
    async with bot.runtime.db.uow() as uow:
        case = await uow.session.get(Case, pom["id"])
        assert case is not None and (case.state, case.due_by) == ("unallocated", date(2027, 6, 10))
    [card] = [m for m in bot.fake.messages_in(CHANNEL) if "X100002" in m["text"]]
    assert "Allocate" in buttons(card)
    replies = [c.args["text"] for c in bot.fake.calls_to("chat.postMessage") if c.args.get("thread_ts") and "handover lead time" in c.args["text"]]
    assert len(replies) == 1


async def test_a_second_event_for_an_allocated_person_stays_with_their_practitioner(timed) -> None:
    bot, _ = timed
    _, first = await bot.post_case(case_fields(event_id="e1", crn="X200001"))
    await bot.drained()
    await allocate(bot, first["id"])
    cards_before = len(bot.fake.messages_in(CHANNEL))
    second = case_fields(event_id="e2", crn="X200001", sentence_type="Suspended Sentence Order", sentence_date="2026-12-18")
    status, body = await bot.post_case(second)
    assert status == 201, body
    assert (body["state"], body["id"], body["event_id"]) == ("currently_managed", first["id"], "e2")
    assert body["practitioner"] == {"staff_code": "N07A001", "name": "Ada Lovelace"}
    assert await bot.post_case(second) == (200, body)  # a repeat answers the same, posts nothing
    await bot.drained()
    assert len(bot.fake.messages_in(CHANNEL)) == cards_before
    posts = bot.fake.calls_to("chat.postMessage")
    [reply] = [c for c in posts if c.args.get("thread_ts") and "New event" in c.args["text"]]
    assert "Suspended Sentence Order" in reply.args["text"] and "<@U0PP00001>" in reply.args["text"]
    told = {c.args["channel"] for c in posts if "stays with" in c.args.get("text", "") and not c.args.get("thread_ts")}
    assert told == {"U0PP00001", "U0SPO0001", "U0SPO0002"}
    export = await subject_access(bot.runtime.db.uow, "X200001", clock=bot.runtime.clock)  # the person's data includes the event
    assert [(e["event_id"], e["outcome"]) for e in export["cases"][0]["later_events"]] == [("e2", "currently_managed")]

    # A new custodial sentence is a new case, following the custody rule.
    status, custodial = await bot.post_case(custody(event_id="e3", crn="X200001"))
    assert status == 201 and custodial["id"] != first["id"] and custodial["state"] == "awaiting_handover"


async def test_a_second_event_for_a_waiting_person_joins_their_case(timed) -> None:
    bot, _ = timed
    _, first = await bot.post_case(case_fields(event_id="w1", crn="X300001"))
    await bot.drained()
    status, body = await bot.post_case(case_fields(event_id="w2", crn="X300001", sentence_type="Suspended Sentence Order", sentence_date="2026-12-18"))
    assert status == 201 and (body["id"], body["state"], body["event_id"]) == (first["id"], "unallocated", "w2")
    await bot.drained()
    [card] = [m for m in bot.fake.messages_in(CHANNEL) if "X300001" in m["text"]]  # no second card
    text = json.dumps(card["blocks"])
    # A minimal card counts the events; their sentences are in Details (README, "What the channel may see").
    assert "2 events for this person" in text and "Suspended Sentence Order" not in text
    assert "Allocate" in buttons(card)
    await bot.click(action_id=Action.DETAILS, value=str(first["id"]), user="U0SPO0001", trigger_id="details-events")
    [details] = await bot.fake.wait_for_async("views.open")
    shown = json.dumps(details.args["view"])
    assert "2 events for this person" in shown and "Suspended Sentence Order" in shown and "Community Order" in shown


async def test_the_prison_notice_names_the_community_offender_manager(timed) -> None:
    bot, _ = timed
    _, case = await bot.post_case(custody(event_id="p1", crn="X400001", rosh="High"))
    await bot.drained()
    await allocate(bot, case["id"])
    async with bot.runtime.db.uow() as uow:
        [row] = list(await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "prison_notice")))
    text = row.payload["text"]
    assert "Community offender manager: Ada Lovelace (PO), Sheffield North" in text
    assert "ada.lovelace@probation.example" in text and "0114 496 0001" in text


async def test_the_first_appointment_given_at_court_is_shown_to_the_team_and_the_practitioner(timed) -> None:
    bot, _ = timed
    appointment = {"first_appointment_date": "2026-12-23", "first_appointment_time": "10:30", "first_appointment_place": "Sheffield <Probation> Office"}
    status, case = await bot.post_case(case_fields(event_id="fa", crn="X600001", **appointment))
    assert status == 201 and (case["first_appointment_date"], case["first_appointment_time"]) == ("2026-12-23", "10:30")
    await bot.drained()
    expected = "First appointment given at court:* Wed 23 Dec 2026 at 10:30, Sheffield &lt;Probation&gt; Office"
    [card] = [m for m in bot.fake.messages_in(CHANNEL) if "X600001" in m["text"]]
    assert expected in json.dumps(card["blocks"], ensure_ascii=False)
    await allocate(bot, case["id"])
    [notice] = [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "U0PP00001" and "allocated you" in json.dumps(c.args)]
    blocks = notice.args["blocks"]
    assert expected in blocks[1]["text"]["text"]  # right under the opening line

    status, bad = await bot.post_case(case_fields(event_id="fa2", first_appointment_time="25:00"))
    assert status == 422 and bad["errors"] == [{"field": "first_appointment_time", "message": "must be a time of day as HH:MM, e.g. 09:30"}]


async def test_an_spo_may_allocate_a_pom_led_case_early_with_a_reason(timed) -> None:
    bot, _ = timed
    _, pom = await bot.post_case(custody(event_id="early", crn="X700001"))
    assert pom["state"] == "awaiting_handover"
    await bot.drained()
    home = await opened_home(bot, "U0SPO0001")
    early = [b["accessory"] for b in home["blocks"] if b.get("accessory", {}).get("text", {}).get("text") == "Allocate early"]
    assert [e["value"] for e in early] == [str(pom["id"])]

    await bot.click(action_id=Action.ALLOCATE, value=str(pom["id"]), user="U0SPO0001")
    [updated] = await bot.fake.wait_for_async("views.update")
    modal = json.dumps(updated.args["view"])
    assert "Why allocate before the handover lead time?" in modal and "Normal resources: no enhanced-resources criterion met" in modal
    ids = await bot.practitioner_ids()
    values = answers(practitioner_id=ids["N07A001"], touchpoint=date(2027, 1, 12))
    status, body = await bot.submit(case_id=pom["id"], user="U0SPO0001", values=values)
    assert status == 200 and body["response_action"] == "errors" and "say why you allocate it now" in body["errors"]["alloc_early_reason"]
    values["alloc_early_reason"] = {"value": {"type": "plain_text_input", "value": "Release on home detention curfew is likely next month."}}
    status, body = await bot.submit(case_id=pom["id"], user="U0SPO0001", values=values)
    assert (status, body) == (200, {}), body
    async with bot.runtime.db.uow() as uow:
        [allocation] = list(await uow.session.scalars(select(Allocation).where(Allocation.case_id == pom["id"])))
        events = [e for e in await uow.audit.for_case(pom["id"]) if e.action == "allocated"]
    assert allocation.early_reason == "Release on home detention curfew is likely next month."
    assert events[0].detail["early_reason"] == allocation.early_reason
