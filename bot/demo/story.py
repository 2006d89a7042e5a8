"""`casebot demo`: the whole journey on this machine, no Slack workspace needed.

It starts the embedded fake Slack and the real bot on a throwaway SQLite file, loads a team
(bot/demo/stage.py), and tells one allocation as the people in it would see it: three cases
arrive (one custodial, POM-led until handover), the SPO reads the case and the practitioners,
answers every question of the Allocate form, the practitioner and the admin hub are told (the
sensitive notes privately), a later court event stays with the practitioner, the touchpoint
reminder comes and is recorded, and each person opens their Home tab. Every Slack request is
signed exactly as Slack signs it. The clock is the bot's own, moved forward to the touchpoint
day; `--date` replays the story as of another day (the README's output uses it).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from blocks.formats import long_date
from blocks.ids import INPUT_ACTION, Action, AllocateBlock, Callback, TouchpointBlock
from bot.demo.fake_slack import FakeSlack
from bot.demo.slack_requests import SIGNING_SECRET, allocation_values, button_click, interaction_body, view_submission
from bot.demo.stage import ADA, ADMIN, CAST, CHANNEL, SPO, TEAMS, Demo, pauser, scene, show
from bot.domain.calendar import subtract_working_days
from bot.domain.clock import FixedClock, SystemClock, london_today
from bot.domain.teams_file import parse_teams_file
from bot.domain.working_hours import morning_of, next_working_day
from bot.runtime.app import create_runtime
from bot.runtime.serve import bound_port, start
from bot.runtime.settings import Settings
from bot.services.teams import load_teams
from storage.migrate import upgrade_to_head

DANIEL = {"event_id": "demo-1", "crn": "X123456", "name": "Daniel Reid", "tier": "B2", "sentence_type": "Community Order", "rosh": "Medium",
          "mappa_category": 2, "mappa_level": 1, "offence": "Burglary (dwelling)"}  # fmt: skip
# The allocator's picture the record sends with Daniel's case (README, "The intake API").
PICTURE: dict[str, Any] = {
    "date_of_birth": "1991-06-14", "rsr": 4.2, "rsr_level": "Medium", "ogrs": 38, "rosh_children": "Low", "rosh_public": "Medium",
    "rosh_known_adult": "High", "rosh_staff": "Low", "registrations": ["Domestic abuse perpetrator"], "alerts": ["Risk to females"],
    "last_oasys_type": "Layer 3", "last_oasys_date": "2026-10-12", "other_offences": ["Criminal damage"], "sentence_length": "18 months",
    "requirements": ["Unpaid work, 120 hours", "Rehabilitation activity, 15 days"], "psr_prepared": True,
}  # fmt: skip
EVIDENCE = "Ada has supervised burglary cases under MAPPA level 1 for five years, is ViSOR vetted and has room this month."
SENSITIVE_NOTE = "Daniel says staff at his last office treated him unfairly because of his ethnicity; he asks not to report there."


async def run_demo(today: date, pause: Callable[[], None]) -> None:
    start_at = morning_of(next_working_day(today)) + timedelta(hours=1)
    clock = FixedClock(start_at)
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        settings = Settings(
            _env_file=None, slack_bot_token="xoxb-demo", slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.api_url,
            database_url=f"sqlite:///{Path(tmp) / 'demo.db'}", intake_token="demo-intake-token", port=0, scheduler_enabled=False,
            record_case_url="https://records.example/case/{crn}", log_level="WARNING", home_refresh_delay_seconds=0,
        )  # fmt: skip
        upgrade_to_head(settings.database_url)
        async with AsyncExitStack() as stack, aiohttp.ClientSession() as http:
            runtime = create_runtime(settings, clock=clock)
            runner = await start(runtime, stack)
            demo = Demo(f"http://127.0.0.1:{bound_port(runner)}", fake, runtime, clock, http)
            await load_teams(runtime.db.uow, parse_teams_file(TEAMS), clock=clock)
            print("casebot demo: a fake Slack and the real bot on SQLite; every request below is signed as Slack signs it.\n")
            print(CAST)
            case_id = await arrivals(demo, subtract_working_days(start_at.date(), 1))
            pause()
            view = await read_the_case(demo, case_id)
            pause()
            touchpoint_day = await allocate(demo, view)
            pause()
            await currently_managed(demo)
            pause()
            await touchpoint(demo, touchpoint_day)
            pause()
            show("Sam Shaw's Home tab", await demo.open_home(SPO))
            recap(touchpoint_day)


async def arrivals(demo: Demo, sentenced: date) -> int:
    """Scene 1: the workforce source's figures, then three cases from the system of record."""
    await demo.api("PUT", "/api/v1/staff/N07A002", {"caseload_points": 38.5, "caseload": {"C2": 12, "D1": 10}, "contracted_hours": 37, "available_hours": 30})
    away = {"from": demo.clock.now().date().isoformat(), "to": (demo.clock.now().date() + timedelta(days=4)).isoformat(), "reason": "training"}
    await demo.api("PUT", "/api/v1/staff/N07A003", {"absences": [away]})
    cases: list[dict[str, Any]] = [
        {**DANIEL, **PICTURE},
        {"event_id": "demo-2", "crn": "X654321", "name": "Alex Morgan", "tier": "C1", "sentence_type": "Suspended Sentence Order", "rosh": "Low",
         "previous_practitioner": "N07A002"},
        {"event_id": "demo-3", "crn": "X246810", "name": "Jo Bloggs", "tier": "C2", "sentence_type": "Custody", "prison": "HMP Leeds", "rosh": "Low",
         "rsr": 2.1, "release_date": (sentenced + timedelta(days=730)).isoformat()},
    ]  # fmt: skip
    ids = [(await demo.api("POST", "/api/v1/cases", {**case, "team": "N07T1", "sentence_date": sentenced.isoformat()}))["id"] for case in cases]
    await demo.settle()
    scene("1", "The workforce source sends caseloads and leave (Alan is on training this week). The system of record sends")
    print("   three new cases; the bot posts each to the team channel. The channel sees initials only (the team's")
    print("   channel_detail is minimal): the name and the risk open in Details, for the team's own people.")
    cards = demo.posts_to(CHANNEL)
    for crn, title in (("X123456", "Daniel Reid's case"), ("X654321", "Alex Morgan's case"), ("X246810", "Jo Bloggs's case: custody, two years to serve")):
        show(f"#sheffield-north: {title}", next(card for card in cards if crn in card["text"]))
    print("\n   Jo Bloggs's case is POM-led until handover (custody under OMiC): the prison's offender manager holds it;")
    print("   it has no Allocate button and joins the team's queue at the handover lead time.")
    return int(ids[0])


async def read_the_case(demo: Demo, case_id: int) -> dict[str, Any]:
    """Scene 2: the Allocate modal, the case first, then the practitioners best fit first."""
    scene("2", "Sam presses Allocate on Daniel Reid's card. The modal opens at once, then fills in.")
    await demo.slack(interaction_body(button_click(action_id=Action.ALLOCATE, value=str(case_id), user=SPO, channel=CHANNEL)))
    [filled] = await demo.fake.wait_for_async("views.update")  # the click is acked before the modal fills
    view: dict[str, Any] = filled.args["view"]
    blocks = view["blocks"]
    heading = next(i for i, b in enumerate(blocks) if "best fit first" in b.get("text", {}).get("text", ""))
    chooser = next(i for i, b in enumerate(blocks) if b.get("block_id") == AllocateBlock.PRACTITIONER)
    show("Sam's Allocate modal: the case and its risk", {**view, "blocks": blocks[:heading]})
    show("Sam's Allocate modal: the practitioners, workload and tier mix as bars", {**view, "blocks": blocks[heading:chooser]})
    return view


async def allocate(demo: Demo, view: dict[str, Any]) -> date:
    """Scene 3: every question answered, then what each person is told."""
    blocks = view["blocks"]
    touchpoint_day = date.fromisoformat(next(b for b in blocks if b.get("block_id") == AllocateBlock.TOUCHPOINT_DATE)["element"]["initial_date"])
    options = next(b for b in blocks if b.get("block_id") == AllocateBlock.PRACTITIONER)["element"]["options"]
    ada = next(o["value"] for o in options if "Ada Lovelace" in o["text"]["text"])
    values = allocation_values(
        practitioner_id=int(ada), evidence=EVIDENCE, evidence_sensitive="no", hate_crime="no", discrimination="yes",
        discrimination_notes=SENSITIVE_NOTE, discrimination_notes_sensitive="yes", priority="high", touchpoint=touchpoint_day, notify=[ADMIN],
    )  # fmt: skip
    scene("3", "Sam chooses Ada and answers every question: why Ada (the allocation evidence), whether the case")
    print("   involves hate crime or discrimination (with notes, marked sensitive), when to meet Ada about the case")
    print("   (the post-allocation touchpoint, high priority) and whom to tell.")
    chooser = next(i for i, b in enumerate(blocks) if b.get("block_id") == AllocateBlock.PRACTITIONER)
    show("Sam's Allocate modal: the answers", {**view, "blocks": blocks[chooser:]}, values)
    before = demo.posts()
    submission = view_submission(callback_id=Callback.ALLOCATE, private_metadata=view["private_metadata"], values=values, user=SPO)
    answer = await demo.slack(interaction_body(submission))
    assert answer.strip() == "", answer
    await demo.settle()
    print("\n   Sam presses Allocate. The modal closes; the bot stores the decision, then tells each person what is theirs.")
    show("#sheffield-north: the card now", demo.fake.calls_to("chat.update")[-1].args)
    show("#sheffield-north: in the case's thread", demo.thread_replies(before)[0])
    for n, message in enumerate(demo.posts_to(ADA, before), start=1):
        show(f"Ada's direct messages ({n})", message)
    show("The admin hub (people to notify)", demo.posts_to(ADMIN, before)[0])
    show("Sam's private copy", demo.posts_to(SPO, before)[0])
    print("\n   The discrimination notes were marked sensitive: only Ada and Sam read them, privately, and the write-back")
    print("   flags them for the case record. The channel, the thread and the admin hub never see them.")
    show("Ada's Home tab, straight after", await demo.open_home(ADA))
    return touchpoint_day


async def currently_managed(demo: Demo) -> None:
    """Scene 4: a later court event for Daniel stays with Ada: no second card."""
    before = demo.posts()
    event = {**DANIEL, "event_id": "demo-4", "team": "N07T1", "sentence_type": "Suspended Sentence Order", "sentence_date": demo.clock.now().date().isoformat()}
    answer = await demo.api("POST", "/api/v1/cases", event)
    await demo.settle()
    scene("4", "The court sends a new event for Daniel Reid. His case is allocated and current, so it stays with Ada: no")
    print(f"   new card (the intake API answers state '{answer['state']}').")
    show("#sheffield-north: in the case's thread", demo.thread_replies(before)[0])
    show("Ada's direct messages", demo.posts_to(ADA, before)[0])


async def touchpoint(demo: Demo, day: date) -> None:
    """Scene 5: the touchpoint reminder on its day, and Sam records the conversation."""
    before = demo.posts()
    demo.clock.set(morning_of(day))
    await demo.runtime.scheduler.tick()
    await demo.settle()
    scene("5", f"Time passes: it is 09:00 on {long_date(day)}, the touchpoint day. The scheduler reminds Sam and Ada.")
    reminder = demo.posts_to(SPO, before)[0]
    show("Sam's direct messages", reminder)
    tp_id = next(e["value"] for b in reminder["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == Action.TOUCHPOINT_RECORD)
    await demo.slack(interaction_body(button_click(action_id=Action.TOUCHPOINT_RECORD, value=tp_id, user=SPO, channel="D0SPO0001")))
    await demo.fake.wait_for_async("views.open", count=2)
    values: dict[str, Any] = {
        TouchpointBlock.NOTES: {INPUT_ACTION: {"type": "plain_text_input", "value": "Agreed the risk management plan and weekly contact for the first month."}},
        TouchpointBlock.NOTES_SENSITIVE: {INPUT_ACTION: {"type": "radio_buttons", "selected_option": {"value": "no"}}},
    }
    await demo.slack(interaction_body(view_submission(callback_id=Callback.TOUCHPOINT_RECORD, private_metadata=tp_id, values=values, user=SPO)))
    await demo.settle()
    print("\n   After their conversation Sam presses Record touchpoint and writes the oversight notes.")
    show("Ada's reminder, now", demo.fake.calls_to("chat.update")[-1].args)
    scene("6", "Sam opens the Home tab: Alex Morgan's case still waits (nobody has allocated it), Jo Bloggs's waits for handover.")


def recap(touchpoint_day: date) -> None:
    print("\nIn short: Sam Shaw (SPO) allocated Daniel Reid (X123456) to Ada Lovelace, because: " + EVIDENCE)
    print("The discrimination notes are sensitive: Ada and Sam read them privately; nobody else does.")
    print(f"The touchpoint between Sam and Ada was on {long_date(touchpoint_day)} (high priority), and is recorded.")
    print("\nNext: README.md 'Slack app setup' connects a real workspace; `make try` runs the bot against a local fake Slack.")


def main(*, today: date | None = None, step: bool = False) -> int:
    asyncio.run(run_demo(today or london_today(SystemClock()), pauser(step)))
    return 0
