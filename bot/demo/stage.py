"""The demo's stage: the team, who is who, and the helper that plays Slack's part.

`casebot demo` (bot/demo/story.py) drives the real bot through the embedded fake Slack
(bot/demo/fake_slack.py) with requests signed exactly as Slack signs them, and prints what each
person would see, rendered as text (blocks/render_text.py).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any

import aiohttp
from sqlalchemy import select

from blocks.render_text import render
from bot.demo.fake_slack import FakeSlack
from bot.demo.slack_requests import home_event, signed_headers
from bot.domain.clock import FixedClock
from storage.models import OutboxMessage

TOKEN = "demo-intake-token"
CHANNEL = "C0DEMO0001"
SPO, ADA, GRACE, ALAN, ADMIN = "U0SPO0001", "U0PP00001", "U0PP00002", "U0PP00003", "U0ADMIN01"
NAMES = {SPO: "Sam Shaw", ADA: "Ada Lovelace", GRACE: "Grace Hopper", ALAN: "Alan Turing", ADMIN: "Admin Hub"}
TEAMS = """\
teams:
  - code: N07T1
    name: Sheffield North
    channel: C0DEMO0001
    channel_detail: minimal       # the channel sees CRN, initials, tier and target; risk opens in Details
    spos: [{slack_user: U0SPO0001, staff_code: N07S001, name: Sam Shaw}]
    notify: [U0ADMIN01]
    practitioners:
      - {staff_code: N07A001, name: Ada Lovelace, grade: PO, slack_user: U0PP00001, visor_vetted: true,
         ready_for_tiers: [A, B, C, D], caseload: {B2: 6, C1: 9, D0: 3}}
      - {staff_code: N07A002, name: Grace Hopper, grade: PSO, slack_user: U0PP00002,
         ready_for_tiers: [C, D], caseload: {C2: 12, D1: 10}}
      - {staff_code: N07A003, name: Alan Turing, grade: PQiP, slack_user: U0PP00003, visor_vetted: true,
         ready_for_tiers: [C, D], caseload: {C1: 4}}
"""
CAST = """\
Sheffield North, a probation team. Sam Shaw is its senior probation officer (SPO): Sam decides who
takes each new case. The practitioners are Ada Lovelace (probation officer, PO), Grace Hopper
(probation services officer, PSO) and Alan Turing (PO in training, PQiP). The admin hub is told of
each allocation. The people on probation are Daniel Reid, Alex Morgan and Jo Bloggs."""


def show(title: str, surface: dict[str, Any], values: dict[str, Any] | None = None) -> None:
    """One person's view, titled, as text."""
    print(f"\n--- {title} " + "-" * max(3, 70 - len(title)))
    print(render(surface, NAMES, values))


def scene(number: str, text: str) -> None:
    print(f"\n{number}. {text}")


def pauser(step: bool) -> Callable[[], None]:
    """`casebot demo --step`: wait for Enter between scenes, for a live audience."""

    def pause() -> None:
        if step:
            print("\n[Enter for the next scene]", end="", flush=True)
            sys.stdin.readline()

    return pause


class Demo:
    """The bot under demonstration, and Slack's side of the conversation."""

    def __init__(self, base: str, fake: FakeSlack, runtime: Any, clock: FixedClock, http: aiohttp.ClientSession) -> None:
        self.base, self.fake, self.runtime, self.clock, self.http = base, fake, runtime, clock, http

    async def slack(self, body: str, headers: dict[str, str] | None = None) -> str:
        async with self.http.post(f"{self.base}/slack/events", data=body, headers=headers or signed_headers(body)) as response:
            assert response.status == 200, await response.text()
            return await response.text()

    async def api(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """The system of record or the workforce source calling casebot's API."""
        async with self.http.request(method, f"{self.base}{path}", json=body, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            answer: dict[str, Any] = await response.json()
            assert response.status in (200, 201), answer
            return answer

    async def settle(self) -> None:
        """Until the outbox has sent what it can (write-backs wait: the demo has no record API)."""
        prefixes = self.runtime.worker.deliverable_prefixes()
        for _ in range(400):
            async with self.runtime.db.uow() as uow:
                rows = await uow.session.scalars(select(OutboxMessage.method).where(OutboxMessage.state.in_(("pending", "sending"))))
                if not [m for m in rows if m.startswith(prefixes)]:
                    return
            await asyncio.sleep(0.05)

    def posts(self) -> int:
        return len(self.fake.calls_to("chat.postMessage"))

    def posts_to(self, who: str, since: int = 0) -> list[dict[str, Any]]:
        return [c.args for c in self.fake.calls_to("chat.postMessage")[since:] if c.args["channel"] == who]

    def thread_replies(self, since: int) -> list[dict[str, Any]]:
        return [p for p in self.posts_to(CHANNEL, since) if p.get("thread_ts")]

    async def open_home(self, user: str) -> dict[str, Any]:
        """The person opens casebot's Home tab; the view it publishes for them."""
        await self.settle()  # queued refreshes first, so the view shown is the one this opening built
        published = len(self.fake.calls_to("views.publish"))
        body = json.dumps(home_event(user))
        await self.slack(body, {**signed_headers(body), "Content-Type": "application/json"})
        await self.fake.wait_for_async("views.publish", count=published + 1)
        view: dict[str, Any] = self.fake.home_views[user]
        return view
