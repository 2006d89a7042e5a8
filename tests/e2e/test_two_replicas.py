"""Two `casebot serve` processes on one PostgreSQL: requests go to
both alternately, both run the outbox worker and the scheduler, and nothing is sent twice."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime

import aiohttp
import pytest
from sqlalchemy import func, select

from blocks.allocate_modal import AllocateMetadata
from blocks.ids import Callback
from bot.demo.fake_slack import FakeSlack
from bot.demo.slack_requests import interaction_body, signed_headers, view_submission
from bot.domain.teams_file import parse_teams_file
from bot.runtime.app import create_services
from bot.services.teams import load_teams
from storage.models import OutboxMessage, ScheduledJob
from tests.support.allocation import answers
from tests.support.bot import INTAKE_TOKEN, WORKING_TITLES, bot_settings
from tests.support.factories import TEAMS_YAML, case_fields
from tests.support.processes import serve_env, start_serve

CASES = 40
ALLOCATIONS = 20


def _outbox_ids(fake: FakeSlack) -> Counter[int]:
    return Counter(c.args["metadata"]["event_payload"]["outbox_id"] for c in fake.calls_to("chat.postMessage") if c.status == 200 and c.args.get("metadata"))


async def test_two_replicas_share_the_work_without_doubles(database_url: str, fake_slack: FakeSlack) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share one PostgreSQL in production; SQLite is single-process")
    services = create_services(bot_settings(database_url, fake_slack))
    await load_teams(services.db.uow, parse_teams_file(TEAMS_YAML), clock=services.clock)
    env = serve_env(database_url, fake_slack.api_url, CASEBOT_SCHEDULER_TICK_SECONDS="0.3")
    replicas = [start_serve(env), start_serve(env)]
    try:
        async with aiohttp.ClientSession() as http:
            ids = []
            for n in range(CASES):
                target = replicas[n % 2].url
                body = case_fields(event_id=f"rep-{n}", crn=f"X{n:06d}", custodial=n < ALLOCATIONS, prison="HMP Leeds" if n < ALLOCATIONS else None)
                async with http.post(f"{target}/api/v1/cases", json=body, headers={"Authorization": f"Bearer {INTAKE_TOKEN}"}) as response:
                    assert response.status == 201
                    ids.append((await response.json())["id"])
            async with services.db.uow() as uow:
                staff = await uow.teams.practitioners_by_code(["N07A001"])
            late = 0
            for n, case_id in enumerate(ids[:ALLOCATIONS]):
                payload = view_submission(
                    callback_id=Callback.ALLOCATE, private_metadata=AllocateMetadata(case_id).dumps(),
                    values=answers(practitioner_id=staff["N07A001"].id), user="U0SPO0001",
                )  # fmt: skip
                text = interaction_body(payload)
                async with http.post(f"{replicas[n % 2].url}/slack/events", data=text, headers=signed_headers(text)) as response:
                    assert response.status == 200
                    answer = (await response.text()).strip()  # closed, or "Allocating…" on a busy machine
                    late += bool(answer) and json.loads(answer)["view"]["title"]["text"] in WORKING_TITLES
            outcomes = await fake_slack.wait_for_async("views.update", count=late) if late else []
            assert all(o.args["view"]["title"]["text"] == "Done" for o in outcomes), outcomes
        # Make every prison check fall due now: both replicas' schedulers race for them.
        async with services.db.uow() as uow:
            jobs = list(await uow.session.scalars(select(ScheduledJob).where(ScheduledJob.kind == "prison_check")))
            for job in jobs:
                job.due_at = datetime.now(UTC)
            await uow.commit()
        assert len(jobs) == ALLOCATIONS

        async def settled() -> bool:
            async with services.db.uow() as uow:
                waiting = await uow.session.scalar(
                    select(func.count()).where(
                        OutboxMessage.state.in_(("pending", "sending")),
                        ~OutboxMessage.method.startswith("record."),
                        ~OutboxMessage.method.startswith("prison."),
                    )
                )
                planned = await uow.session.scalar(select(func.count()).where(ScheduledJob.kind == "prison_check", ScheduledJob.state != "done"))
            return waiting == 0 and planned == 0

        for _ in range(300):
            if await settled():
                break
            await asyncio.sleep(0.1)
        assert await settled(), "the replicas did not finish the work"
    finally:
        for replica in replicas:
            assert replica.stop() == 0

    sent = _outbox_ids(fake_slack)
    assert sent and max(sent.values()) == 1, [k for k, v in sent.items() if v > 1]
    async with services.db.uow() as uow:
        slack_rows = await uow.session.scalar(select(func.count()).where(OutboxMessage.state == "sent", OutboxMessage.method == "chat.postMessage"))
    assert len(sent) == slack_rows  # every delivered row reached Slack exactly once
    cards = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "C0123456789" and not c.args.get("thread_ts")]
    assert len(cards) == CASES
    alerts = [c for c in fake_slack.calls_to("chat.postMessage") if "has not yet been notified" in c.args.get("text", "")]
    assert len(alerts) == ALLOCATIONS * 2  # one per custodial allocation per SPO, none doubled
    await services.db.dispose()
