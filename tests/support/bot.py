"""The real bot under test: the app factory, its aiohttp server on a real port, its outbox worker,
pointed at the fake Slack. Tests talk to it over real HTTP with signed requests."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
from sqlalchemy import select

from blocks.allocate_modal import AllocateMetadata
from blocks.ids import Callback
from bot.demo.fake_slack import FakeSlack
from bot.demo.slack_requests import SIGNING_SECRET, button_click, interaction_body, signed_headers, view_submission
from bot.demo.waiting import WAIT_SECONDS, poll_async
from bot.domain.clock import Clock, FixedClock
from bot.domain.teams_file import parse_teams_file
from bot.runtime.app import Runtime, create_runtime
from bot.runtime.serve import bound_port, start
from bot.runtime.settings import Settings
from bot.services.teams import load_teams
from handlers.allocate import SAVING
from handlers.touchpoints import OUTCOMES
from storage.models import OutboxMessage
from tests.support.factories import TEAMS_YAML

INTAKE_TOKEN = "test-intake-token"
_view_ids = itertools.count(1000)
# The titles of the views a submission is answered with while its commit finishes.
WORKING_TITLES = {SAVING.working, *(outcome.working for outcome in OUTCOMES.values())}


def bot_settings(database_url: str, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.api_url,
        "database_url": database_url,
        "intake_token": INTAKE_TOKEN,
        "port": 0,
        "outbox_poll_seconds": 0.05,
        "home_refresh_delay_seconds": 0,  # tests move a fixed clock: a delayed row would wait for good
        "outbox_lease_seconds": 2.0,
        "outbox_max_backoff_seconds": 0.2,
        "slack_timeout_seconds": 2,
        # Slack's 3 s is not enforced here; a longer budget keeps refusals inline (with their
        # blocks) on a busy machine. tests/e2e/test_slow_database_submission.py sets its own.
        "submission_budget_seconds": 2.5,
        "scheduler_enabled": False,
        "slack_channel_interval_seconds": 0,  # the fake Slack has no channel limit unless a test sets one  # tests tick the scheduler themselves, with a moved clock
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class BotUnderTest:
    runtime: Runtime
    base_url: str
    http: aiohttp.ClientSession
    fake: FakeSlack

    async def load_teams(self, yaml_text: str = TEAMS_YAML) -> None:
        await load_teams(self.runtime.db.uow, parse_teams_file(yaml_text), clock=self.runtime.clock)

    async def post_case(self, body: Any, *, token: str | None = INTAKE_TOKEN, raw: bytes | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = raw if raw is not None else None
        kwargs: dict[str, Any] = (
            {"data": data, "headers": {**headers, "Content-Type": "application/json"}} if raw is not None else {"json": body, "headers": headers}
        )
        async with self.http.post(f"{self.base_url}/api/v1/cases", **kwargs) as response:
            return response.status, await response.json(content_type=None)

    async def slack_request(self, body: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        async with self.http.post(f"{self.base_url}/slack/events", data=body, headers=headers or signed_headers(body)) as response:
            return response.status, await response.text()

    async def click(self, **kwargs: Any) -> tuple[int, str]:
        return await self.slack_request(interaction_body(button_click(**kwargs)))

    async def submit(self, *, case_id: int, user: str, values: dict[str, Any], settle_late: bool = True) -> tuple[int, Any]:
        """Submit the Allocate modal; returns Bolt's HTTP status and JSON answer ({} when closed)."""
        payload = view_submission(callback_id=Callback.ALLOCATE, private_metadata=AllocateMetadata(case_id).dumps(), values=values, user=user)
        return await self.submit_view(payload, settle_late=settle_late)

    async def submit_view(self, payload: dict[str, Any], *, settle_late: bool = True) -> tuple[int, Any]:
        """Submit a modal (Allocate, Reallocate, a touchpoint's); Bolt's HTTP status and JSON
        answer ({} when closed).

        On a busy machine a commit can outlast the app's submission budget: the modal is then
        answered with a working view and the outcome follows by views.update of the same view
        (handlers/submissions.py). `settle_late` waits for that outcome and answers as the fast
        path would: {} when it was saved, {"late_outcome": text} otherwise, so a test's
        assertion does not depend on load. Each submission gets a view id of its own, so
        concurrent submissions each find their own outcome."""
        payload = {**payload, "view": {**payload["view"], "id": f"V{next(_view_ids)}"}}
        status, text = await self.slack_request(interaction_body(payload))
        answer = json.loads(text) if text.strip() else {}
        if settle_late and answer.get("response_action") == "update" and answer["view"]["title"]["text"] in WORKING_TITLES:
            outcome = (await poll_async(lambda: self._update_of(payload["view"]["id"]), WAIT_SECONDS, lambda: "no late outcome"))["view"]
            return status, {} if outcome["title"]["text"] == "Done" else {"late_outcome": json.dumps(outcome)}
        return status, answer

    def _update_of(self, view_id: str) -> dict[str, Any] | None:
        """The arguments of the views.update of `view_id`, once it was sent."""
        return next((c.args for c in self.fake.calls_to("views.update") if c.args.get("view_id") == view_id), None)

    async def practitioner_ids(self) -> dict[str, int]:
        async with self.runtime.db.uow() as uow:
            staff = await uow.teams.practitioners_by_code(["N07A001", "N07A002"])
        return {code: p.id for code, p in staff.items()}

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(f"{self.base_url}{path}") as response:
            return response.status, await response.text()

    async def drained(self, stall: float = 20.0, *, only: str | None = None) -> None:
        """Wait until the outbox has nothing left it can deliver (write-backs with no system of
        record configured stay queued by design); `only`: just the methods with this prefix.

        There is no time budget: a busy machine makes a big drain slower, not wrong. The wait
        fails only when the worker stalls, `stall` seconds in which no deliverable row (of any
        method: a refresh may queue behind cards) was settled, retried or added."""
        loop = asyncio.get_running_loop()
        prefixes = self.runtime.worker.deliverable_prefixes()
        wanted = (only,) if only else prefixes
        last_seen: tuple[int, int] | None = None
        last_change = loop.time()
        while True:
            async with self.runtime.db.uow() as uow:
                rows = (
                    await uow.session.execute(select(OutboxMessage.method, OutboxMessage.attempts).where(OutboxMessage.state.in_(("pending", "sending"))))
                ).all()
            deliverable = [(method, attempts) for method, attempts in rows if method.startswith(prefixes)]
            backlog = [method for method, _ in deliverable if method.startswith(wanted)]
            if not backlog:
                return
            progress = (len(deliverable), sum(attempts for _, attempts in deliverable))
            if progress != last_seen:
                last_seen, last_change = progress, loop.time()
            elif loop.time() - last_change > stall:
                raise AssertionError(f"outbox stalled: nothing delivered or retried for {stall}s, still waiting: {backlog}")
            await asyncio.sleep(0.05)


async def start_bot(stack: AsyncExitStack, settings: Settings, fake: FakeSlack, *, clock: Clock | None = None) -> BotUnderTest:
    runtime = create_runtime(settings, clock=clock)
    runner = await start(runtime, stack)
    http = aiohttp.ClientSession()
    stack.push_async_callback(http.close)
    return BotUnderTest(runtime=runtime, base_url=f"http://127.0.0.1:{bound_port(runner)}", http=http, fake=fake)


@asynccontextmanager
async def clocked_bot(database_url: str, fake: FakeSlack, start_at: datetime, teams: str = TEAMS_YAML) -> AsyncIterator[tuple[BotUnderTest, FixedClock]]:
    """The bot on a clock the test moves, its teams loaded: what a test of dates and reminders needs."""
    clock = FixedClock(start_at)
    async with AsyncExitStack() as stack:
        bot = await start_bot(stack, bot_settings(database_url, fake), fake, clock=clock)
        await bot.load_teams(teams)
        yield bot, clock
