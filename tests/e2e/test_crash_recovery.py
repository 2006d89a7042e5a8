"""A `casebot serve` killed between Slack's send and the outbox mark sends nothing twice.

The fake Slack stores the message and then holds its reply; the bot process is SIGKILLed
while it waits. After a restart the worker finds the row's lease run out, takes it back in
doubt, and a call's timeout later looks for its outbox id in the channel's history, finds the
message, and marks it sent instead of posting again.
"""

from __future__ import annotations

import asyncio
import time

from bot.demo.fake_slack import FakeSlack
from bot.domain.teams_file import parse_teams_file
from bot.runtime.app import create_services
from bot.services.teams import load_teams
from storage.models import OutboxMessage
from tests.support.bot import bot_settings
from tests.support.factories import TEAMS_YAML, case_fields
from tests.support.processes import serve_env, start_serve


async def _row(services, row_id: int) -> OutboxMessage:
    async with services.db.uow() as uow:
        row = await uow.outbox.get(row_id)
        assert row is not None
        return row


async def test_kill_between_send_and_mark_then_restart_sends_once(database_url: str, fake_slack: FakeSlack) -> None:
    services = create_services(bot_settings(database_url, fake_slack))
    await load_teams(services.db.uow, parse_teams_file(TEAMS_YAML), clock=services.clock)
    received = await services.receive_case(case_fields(), source="test")
    [row] = [r for r in await _rows_for(services, received.case.id)]
    fake_slack.delay_next("chat.postMessage", seconds=30)

    env = serve_env(
        # The kill comes as soon as the fake has the post, well within the call's 5 s; the row's
        # lease runs 6 s, then it waits a call's time in doubt before it is looked for.
        database_url, fake_slack.api_url, CASEBOT_OUTBOX_LEASE_SECONDS="1", CASEBOT_SLACK_TIMEOUT_SECONDS="5",
        CASEBOT_SCHEDULER_ENABLED="false",  # only the outbox is under test here
    )  # fmt: skip
    first = start_serve(env)
    try:
        await fake_slack.wait_for_async("chat.postMessage")
    finally:
        first.kill()  # SIGKILL, between Slack storing the message and the outbox marking it
    assert (await _row(services, row.id)).state == "sending"

    second = start_serve(env)
    try:
        deadline = time.monotonic() + 120  # bounds a hang; a busy machine restarts slower
        while (await _row(services, row.id)).state != "sent":
            assert time.monotonic() < deadline, "the restarted bot never settled the row"
            assert second.process.poll() is None, "".join(second.log[-20:])
            await asyncio.sleep(0.1)
        assert second.stop() == 0, "serve should stop cleanly on SIGTERM"
    finally:
        second.process.kill()

    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.calls_to("conversations.history")
    [message] = fake_slack.messages_in("C0123456789")
    async with services.db.uow() as uow:
        case = await uow.cases.get(received.case.id)
    assert case is not None and case.slack_ts == message["ts"]
    await services.db.dispose()


async def _rows_for(services, case_id: int) -> list[OutboxMessage]:
    async with services.db.uow() as uow:
        return list(await uow.outbox.for_case(case_id))
