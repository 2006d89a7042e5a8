"""`casebot demo`: the whole journey on this machine, no Slack workspace needed.

It starts the embedded fake Slack (bot/demo/fake_slack.py) and the real bot on a throwaway SQLite
file, loads the example teams (docs/example-teams.yml's shape), sends cases through the intake
API, then, with signed requests exactly as Slack would send them, has the SPO allocate one and
record its touchpoint when the reminder comes. It prints what each person would see, rendered
as text. The clock is the bot's own injectable clock, moved forward to the touchpoint day.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from contextlib import AsyncExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select

from blocks.ids import INPUT_ACTION, Action, AllocateBlock, Callback, TouchpointBlock
from blocks.render_text import render
from bot.demo.fake_slack import FakeSlack
from bot.demo.slack_requests import SIGNING_SECRET, allocation_values, button_click, home_event, interaction_body, signed_headers, view_submission
from bot.domain.calendar import subtract_working_days
from bot.domain.clock import FixedClock, SystemClock, london_today
from bot.domain.teams_file import parse_teams_file
from bot.domain.working_hours import morning_of, next_working_day
from bot.runtime.app import create_runtime
from bot.runtime.serve import bound_port, start
from bot.runtime.settings import Settings
from bot.services.teams import load_teams
from storage.migrate import upgrade_to_head
from storage.models import OutboxMessage

TOKEN = "demo-intake-token"
TEAMS = """\
teams:
  - code: N07T1
    name: Sheffield North
    channel: C0DEMO0001
    channel_detail: minimal       # the channel sees CRN, initials, tier and target; risk opens in Details
    spos: [U0SPO0001]
    notify: [U0ADMIN01]
    practitioners:
      - {staff_code: N07A001, name: Ada Lovelace, grade: PO, slack_user: U0PP00001, visor_vetted: true,
         ready_for_tiers: [A, B, C, D], caseload: {B2: 6, C1: 9, D0: 3}}
      - {staff_code: N07A002, name: Grace Hopper, grade: PSO, slack_user: U0PP00002,
         ready_for_tiers: [C, D], caseload: {C2: 12, D1: 10}}
      - {staff_code: N07A003, name: Alan Turing, grade: PQiP, slack_user: U0PP00003, visor_vetted: true,
         ready_for_tiers: [C, D], caseload: {C1: 4}}
"""
SPO, PP, ADMIN = "U0SPO0001", "U0PP00001", "U0ADMIN01"
# The allocator's picture the record sends with the first case (README, "The intake API").
PICTURE: dict[str, Any] = {
    "date_of_birth": "1991-06-14",
    "rsr": 4.2,
    "rsr_level": "Medium",
    "ogrs": 38,
    "rosh_children": "Low",
    "rosh_public": "Medium",
    "rosh_known_adult": "High",
    "rosh_staff": "Low",
    "registrations": ["Domestic abuse perpetrator"],
    "alerts": ["Risk to females"],
    "last_oasys_type": "Layer 3",
    "last_oasys_date": "2026-10-12",
    "other_offences": ["Criminal damage"],
    "sentence_length": "18 months",
    "requirements": ["Unpaid work, 120 hours", "Rehabilitation activity, 15 days"],
    "psr_prepared": True,
}
NAMES = {SPO: "Sam Shaw", PP: "Ada Lovelace", "U0PP00002": "Grace Hopper", "U0PP00003": "Alan Turing", ADMIN: "Admin Hub"}


def show(title: str, surface: dict[str, Any]) -> None:
    print(f"\n--- {title} " + "-" * max(3, 70 - len(title)))
    print(render(surface, NAMES))


class Demo:
    def __init__(self, base: str, fake: FakeSlack, runtime: Any, clock: FixedClock, http: aiohttp.ClientSession) -> None:
        self.base, self.fake, self.runtime, self.clock, self.http = base, fake, runtime, clock, http

    async def slack(self, body: str, headers: dict[str, str] | None = None) -> str:
        async with self.http.post(f"{self.base}/slack/events", data=body, headers=headers or signed_headers(body)) as response:
            assert response.status == 200, await response.text()
            return await response.text()

    async def settle(self) -> None:
        """Until the outbox has sent what it can (write-backs wait: the demo has no record API)."""
        prefixes = self.runtime.worker.deliverable_prefixes()
        for _ in range(400):
            async with self.runtime.db.uow() as uow:
                rows = await uow.session.scalars(select(OutboxMessage.method).where(OutboxMessage.state.in_(("pending", "sending"))))
                if not [m for m in rows if m.startswith(prefixes)]:
                    return
            await asyncio.sleep(0.05)

    def posts_to(self, who: str, since: int = 0) -> list[dict[str, Any]]:
        return [c.args for c in self.fake.calls_to("chat.postMessage")[since:] if c.args["channel"] == who]


async def run_demo() -> None:
    today = london_today(SystemClock())
    start_at = morning_of(next_working_day(today)) + timedelta(hours=1)
    clock = FixedClock(start_at)
    sentenced = subtract_working_days(start_at.date(), 1)
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        settings = Settings(
            _env_file=None, slack_bot_token="xoxb-demo", slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.api_url,
            database_url=f"sqlite:///{Path(tmp) / 'demo.db'}", intake_token=TOKEN, port=0, scheduler_enabled=False,
            record_case_url="https://records.example/case/{crn}", log_level="WARNING",
        )  # fmt: skip
        upgrade_to_head(settings.database_url)
        async with AsyncExitStack() as stack, aiohttp.ClientSession() as http:
            runtime = create_runtime(settings, clock=clock)
            runner = await start(runtime, stack)
            demo = Demo(f"http://127.0.0.1:{bound_port(runner)}", fake, runtime, clock, http)
            await load_teams(runtime.db.uow, parse_teams_file(TEAMS), clock=clock)
            print("casebot demo: a fake Slack and the real bot on SQLite; every request below is signed as Slack signs it.")
            await workforce(demo, start_at.date())
            case_id = await intake(demo, sentenced.isoformat())
            tp_date = await allocate(demo, case_id)
            await currently_managed(demo, sentenced.isoformat())
            await touchpoint(demo, tp_date)
            await app_home(demo)
            print("\nThat was the whole journey. Next: README.md 'Slack app setup' to connect a real workspace.")


async def workforce(demo: Demo, today: date) -> None:
    """The workforce source's figures (README, "The staff feed"): Grace's caseload as it counts
    it, and Alan away this week, so the modal shows him as away and offers him last."""
    feed = {
        "N07A002": {"caseload_points": 38.5, "caseload": {"C2": 12, "D1": 10}, "contracted_hours": 37, "available_hours": 30},
        "N07A003": {"absences": [{"from": today.isoformat(), "to": (today + timedelta(days=4)).isoformat(), "reason": "training"}]},
    }
    for code, body in feed.items():
        async with demo.http.put(f"{demo.base}/api/v1/staff/{code}", json=body, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            assert response.status == 200, await response.text()


async def intake(demo: Demo, sentenced: str) -> int:
    cases: list[dict[str, Any]] = [
        {"event_id": "demo-1", "crn": "X123456", "name": "Sam Smith", "tier": "B2", "sentence_type": "Community Order", "rosh": "Medium", "mappa_category": 2, "mappa_level": 1, "offence": "Burglary (dwelling)", **PICTURE},
        {"event_id": "demo-2", "crn": "X654321", "name": "Alex Morgan", "tier": "C1", "sentence_type": "Suspended Sentence Order", "rosh": "Low", "previous_practitioner": "N07A002"},
        {"event_id": "demo-3", "crn": "X246810", "name": "Jo Bloggs", "tier": "C2", "sentence_type": "Custody", "prison": "HMP Leeds", "rosh": "Low", "rsr": 2.1,
         "release_date": (date.fromisoformat(sentenced) + timedelta(days=730)).isoformat()},
    ]  # fmt: skip
    ids = []
    for case in cases:
        body = {**case, "team": "N07T1", "sentence_date": sentenced}
        async with demo.http.post(f"{demo.base}/api/v1/cases", json=body, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            ids.append((await response.json())["id"])
    await demo.settle()
    print("\n1. The workforce source sends caseloads and leave (Alan is on training this week); the system of record")
    print("   sends three new cases; the bot posts each to the team channel (initials only: the team's channel_detail")
    print("   is minimal, and the risk opens in Details for the team's own people).")
    show("#sheffield-north sees", demo.posts_to("C0DEMO0001")[0])
    print("\n   A custodial case with two years to serve is POM-led until handover (OMiC): not offered for allocation yet.")
    show("#sheffield-north sees", next(p for p in demo.posts_to("C0DEMO0001") if "X246810" in p["text"]))
    return int(ids[0])


async def allocate(demo: Demo, case_id: int) -> date:
    print("\n2. Sam Shaw, the SPO, presses Allocate. The modal opens at once, then fills with the practitioners.")
    await demo.slack(interaction_body(button_click(action_id=Action.ALLOCATE, value=str(case_id), user=SPO, channel="C0DEMO0001")))
    [filled] = await demo.fake.wait_for_async("views.update")  # the click is acked before the modal fills
    view, blocks = filled.args["view"], filled.args["view"]["blocks"]
    heading = next(i for i, b in enumerate(blocks) if "best fit first" in b.get("text", {}).get("text", ""))
    chooser = next(i for i, b in enumerate(blocks) if b.get("block_id") == AllocateBlock.PRACTITIONER)
    show("Sam's Allocate modal: the case", {**view, "blocks": blocks[:heading]})
    show("Sam's Allocate modal: the practitioners, workload and tier mix as bars (numbers beside them)", {**view, "blocks": blocks[heading:chooser]})
    initial = next(b for b in view["blocks"] if b.get("block_id") == AllocateBlock.TOUCHPOINT_DATE)["element"]["initial_date"]
    select = next(b for b in view["blocks"] if b.get("block_id") == AllocateBlock.PRACTITIONER)["element"]["options"]
    ada = next(o["value"] for o in select if "Ada Lovelace" in o["text"]["text"])
    values = allocation_values(
        practitioner_id=int(ada), priority="high", touchpoint=date.fromisoformat(initial), notify=[ADMIN],
        evidence="Ada has managed burglary cases with MAPPA oversight for five years and has capacity this month.",
        evidence_sensitive="no", hate_crime="no",
    )  # fmt: skip
    before = len(demo.fake.calls_to("chat.postMessage"))
    answer = await demo.slack(
        interaction_body(view_submission(callback_id=Callback.ALLOCATE, private_metadata=json.dumps({"case_id": case_id}), values=values, user=SPO))
    )
    assert answer.strip() == "", answer
    await demo.settle()
    print("\n3. Sam chooses Ada, writes the evidence, plans a high-priority touchpoint and allocates.")
    show("#sheffield-north: the card now", demo.fake.calls_to("chat.update")[-1].args)
    show("#sheffield-north: in the case's thread", [p for p in demo.posts_to("C0DEMO0001", before) if p.get("thread_ts")][0])
    show("Ada's direct messages", demo.posts_to(PP, before)[0])
    show("The admin hub (people to notify)", demo.posts_to(ADMIN, before)[0])
    show("Sam's private copy", demo.posts_to(SPO, before)[0])
    return date.fromisoformat(initial)


async def currently_managed(demo: Demo, sentenced: str) -> None:
    """A second event for Sam Smith, now allocated: it stays with Ada (no new card)."""
    body = {
        "event_id": "demo-4",
        "crn": "X123456",
        "name": "Sam Smith",
        "team": "N07T1",
        "tier": "B2",
        "sentence_type": "Suspended Sentence Order",
        "sentence_date": sentenced,
    }
    before = len(demo.fake.calls_to("chat.postMessage"))
    async with demo.http.post(f"{demo.base}/api/v1/cases", json=body, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        state = (await response.json())["state"]
    await demo.settle()
    print(f"\n3b. The court sends a new event for Sam Smith. The case is current, so it stays with Ada (intake answers state {state!r}).")
    show("#sheffield-north: in the case's thread", [p for p in demo.posts_to("C0DEMO0001", before) if p.get("thread_ts")][0])
    show("Ada's direct messages", demo.posts_to(PP, before)[0])


async def touchpoint(demo: Demo, day: date) -> None:
    print("\n4. Time passes: it is 09:00 on the touchpoint day. The scheduler sends the reminders.")
    before = len(demo.fake.calls_to("chat.postMessage"))
    demo.clock.set(morning_of(day))
    await demo.runtime.scheduler.tick()
    await demo.settle()
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
    print("\n5. After their conversation Sam presses Record touchpoint and writes the oversight notes.")
    show("Ada's reminder, now", demo.fake.calls_to("chat.update")[-1].args)


async def app_home(demo: Demo) -> None:
    print("\n6. Each opens casebot's Home tab.")
    for user in (SPO, PP):
        await demo.settle()  # queued refreshes first, so the view shown is the one this opening built
        published = len(demo.fake.calls_to("views.publish"))
        body = json.dumps(home_event(user))
        await demo.slack(body, {**signed_headers(body), "Content-Type": "application/json"})
        await demo.fake.wait_for_async("views.publish", count=published + 1)
        show(f"{NAMES[user]}'s App Home", demo.fake.home_views[user])


def main() -> int:
    asyncio.run(run_demo())
    return 0
