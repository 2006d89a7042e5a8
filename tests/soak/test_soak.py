"""Fault-injection soak: a bad day at Slack and at the system of record, and a bot
killed with SIGKILL again and again while cases arrive and are allocated.

The fake Slack fails 30% of posts and updates (429; 500 before acting; 500 after acting;
acting and then holding the reply past the client timeout); besides, now and then a post or
update acts and then drops the connection with no answer at all, or acts and answers `ok:
false` with a server error (`_dropper`). The fake system of record fails 30% of write-backs the
same ways. `casebot serve` is SIGKILLed at random moments and restarted.
At the end every case card, every allocation notice, every write-back and every prison alert
that fell due exists exactly once, counted by the fakes by outbox id, and no row is lost.

Short form in CI (`.ci/run`): 60 intakes, 30 allocations, 5 kills. The issue's full form
(500 intakes, 300 allocations, 20 kills): `CASEBOT_SOAK=long pytest tests/soak`.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from sqlalchemy import delete, func, select, update

from blocks.allocate_modal import AllocateMetadata
from blocks.ids import Callback
from bot.demo.fake_slack import FakeSlack
from bot.demo.slack_requests import interaction_body, signed_headers, view_submission
from bot.domain.teams_file import parse_teams_file
from bot.runtime.app import create_services
from bot.services.teams import load_teams
from storage.models import Allocation, Case, DailyRun, OutboxMessage, ScheduledJob
from tests.fakes.fake_http_sink import FakeHttpSink
from tests.support.allocation import answers
from tests.support.bot import INTAKE_TOKEN, bot_settings
from tests.support.factories import TEAMS_YAML, case_fields
from tests.support.processes import ServeProcess, serve_env, start_serve

LONG = os.environ.get("CASEBOT_SOAK") == "long"
INTAKES, ALLOCATIONS, KILLS = (500, 300, 20) if LONG else (60, 30, 5)
FAULT_RATE = 0.3
# The end is waited for as long as it keeps coming: a busy machine makes the run slower, not
# wrong. Only a run that makes no progress at all for this long (nothing sent, retried, run or
# allocated; the backoff is capped at 1 s) is stuck.
STALL_SECONDS = 120


class Bot:
    """The running `casebot serve` processes (one, or two replicas on one PostgreSQL); a
    killed one is replaced by a fresh one. Requests go to them in turn."""

    def __init__(self, env: dict[str, str], replicas: int, rng: random.Random) -> None:
        self.env = env
        self.processes: list[ServeProcess] = [start_serve(env) for _ in range(replicas)]
        self.killed: list[ServeProcess] = []
        self.kills = 0
        self.answered = 0  # requests answered, by any process
        self.driving = True  # requests still to come
        self.rng = rng
        self._turn = 0

    @property
    def current(self) -> ServeProcess:
        self._turn += 1
        return self.processes[self._turn % len(self.processes)]

    async def kill_and_restart(self) -> None:
        victim = self.rng.randrange(len(self.processes))
        self.processes[victim].kill()
        self.killed.append(self.processes[victim])
        self.kills += 1
        self.processes[victim] = await asyncio.to_thread(start_serve, self.env)

    def stop(self) -> list[int]:
        return [process.stop() for process in self.processes]

    def logged(self, text: str) -> int:
        """How many log lines of every process this run started (killed ones too) say `text`."""
        return sum(text in line for process in [*self.killed, *self.processes] for line in process.log)


async def _send(bot: Bot, http: aiohttp.ClientSession, path: str, make: Callable[[], dict[str, Any]]) -> tuple[int, str, ServeProcess]:
    """POST to whichever process is up, retrying through kills; the answer and who gave it. Each
    attempt is a new request (`make`): a signed Slack request cannot be sent twice, the bot
    refuses replays."""
    deadline = time.monotonic() + 180  # a restart on a busy machine is slow; this bounds a hang only
    while time.monotonic() < deadline:
        process = bot.current
        try:
            async with http.post(f"{process.url}{path}", timeout=aiohttp.ClientTimeout(total=30), **make()) as response:
                answer = response.status, await response.text(), process
            bot.answered += 1
            return answer
        except (TimeoutError, aiohttp.ClientError):
            await asyncio.sleep(0.1)
    raise AssertionError(f"{path} never answered")


async def _killer(bot: Bot, done: asyncio.Event, rng: random.Random) -> None:
    """Kills at random moments, each after the run has moved on since the last restart: on a busy
    machine a fresh process can take longer to answer its first request than the next kill
    takes to come, and a run of such kills would only starve the requests."""
    while bot.kills < KILLS and not done.is_set():
        await asyncio.sleep(rng.uniform(0.3, 1.5))
        await bot.kill_and_restart()
        answered = bot.answered
        while bot.answered == answered and bot.driving and not done.is_set():
            await asyncio.sleep(0.05)


def _story(fake: FakeSlack, bot: Bot, ids: list[int]) -> str:
    """What the fake and every process (killed ones too) saw of these outbox ids: the posts that
    carried them (when, status, error) and the log lines naming them, to tell how a post doubled."""
    lines = [f"posts not seen exactly once: {ids}"]
    for call in fake.calls_to("chat.postMessage"):
        outbox_id = ((call.args.get("metadata") or {}).get("event_payload") or {}).get("outbox_id")
        if outbox_id in ids:
            lines.append(f"  post {outbox_id} at {call.at:.3f} status {call.status} error {call.response.get('error')} channel {call.args.get('channel')}")
    for n, process in enumerate([*bot.killed, *bot.processes]):
        lines += [f"  process {n}: {line.strip()}" for line in process.log if any(f'"outbox_id": {i},' in line or f'"outbox_id": {i}}}' in line for i in ids)]
    return "\n".join(lines)


LOST_ANSWERS = ("connection dropped", "service_unavailable", "internal_error", "request_timeout")


async def _dropper(fake: FakeSlack, done: asyncio.Event, rng: random.Random) -> None:
    """Now and then, the next post or update acts and then loses its answer: the connection is
    dropped (no status, no body), or Slack says `ok: false` with a server error."""
    while not done.is_set():
        await asyncio.sleep(rng.uniform(0.2, 1.0))
        method = rng.choice(("chat.postMessage", "chat.update"))
        if rng.random() < 0.5:
            fake.fail_after_acting(method, drop=True)
        else:
            fake.fail_after_acting(method, error=rng.choice(LOST_ANSWERS[1:]))


def _lost_answers(fake: FakeSlack) -> Counter[str]:
    """The calls that acted and lost their answer, by what the client heard."""
    return Counter(str(c.response.get("error")) for c in fake.calls if c.status == 200 and c.response.get("error") in LOST_ANSWERS)


async def _drive(bot: Bot, services, rng: random.Random, killer: asyncio.Task[None]) -> list[int]:  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as http:
        ids = []
        for n in range(INTAKES):
            body = case_fields(event_id=f"soak-{n}", crn=f"S{n:06d}", custodial=n % 3 == 0, prison="HMP Leeds" if n % 3 == 0 else None)
            status, text, _ = await _send(bot, http, "/api/v1/cases", lambda body=body: {"json": body, "headers": {"Authorization": f"Bearer {INTAKE_TOKEN}"}})
            assert status in (200, 201), text
            ids.append(int(json.loads(text)["id"]))
        async with services.db.uow() as uow:
            staff = await uow.teams.practitioners_by_code(["N07A001"])
            # Let today's morning deadline chase run again now that every case is in, so that in
            # working hours (the real clock decides) chases race the allocations below.
            await uow.session.execute(delete(DailyRun).where(DailyRun.kind == "deadline_chase"))
            await uow.commit()
        late: dict[int, ServeProcess] = {}  # answered "Allocating...", by the process committing it
        for case_id in rng.sample(ids, ALLOCATIONS):

            def submission(case_id: int = case_id) -> dict[str, Any]:
                payload = view_submission(
                    callback_id=Callback.ALLOCATE, private_metadata=AllocateMetadata(case_id).dumps(),
                    values=answers(practitioner_id=staff["N07A001"].id), user="U0SPO0001",
                )  # fmt: skip
                text = interaction_body(payload)
                return {"data": text, "headers": signed_headers(text)}

            status, answer, process = await _send(bot, http, "/slack/events", submission)
            # Closed at once, already allocated by an earlier attempt, or (a commit slower than the
            # submission budget, as on a busy machine) "Allocating..." with the outcome after.
            assert status == 200 and (answer.strip() == "" or "Already allocated" in answer or "Allocating" in answer), answer
            if "Allocating" in answer:
                late[case_id] = process
        bot.driving = False  # the remaining kills need not wait for answers
        await killer
        # A process killed while it was still committing never finished that allocation: the SPO
        # saw "Allocating..." and no outcome, and submits again (no kills are left to lose it).
        async with services.db.uow() as uow:
            allocated = set(await uow.session.scalars(select(Allocation.case_id)))
        for case_id, process in late.items():
            if process.process.poll() is not None and case_id not in allocated:
                status, answer, _ = await _send(bot, http, "/slack/events", lambda case_id=case_id: submission(case_id))
                assert status == 200 and (answer.strip() == "" or "Already allocated" in answer or "Allocating" in answer), answer
        return ids


async def _backlog(services) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Where the run stands: outbox rows and scheduled jobs by state, allocations made, and the
    attempts spent on rows not yet sent (a retry is progress too)."""
    async with services.db.uow() as uow:
        rows = await uow.session.execute(select(OutboxMessage.method, OutboxMessage.state, func.count()).group_by(OutboxMessage.method, OutboxMessage.state))
        jobs = await uow.session.execute(select(ScheduledJob.kind, ScheduledJob.state, func.count()).group_by(ScheduledJob.kind, ScheduledJob.state))
        tries = await uow.session.scalar(select(func.coalesce(func.sum(OutboxMessage.attempts), 0)).where(OutboxMessage.state.in_(("pending", "sending"))))
        allocations = await uow.session.scalar(select(func.count()).select_from(Allocation))
    return (
        {f"{method}/{state}": n for method, state, n in rows.all()}
        | {f"job {kind}/{state}": n for kind, state, n in jobs.all()}
        | {"allocations": int(allocations or 0), "attempts on unsent rows": int(tries or 0)}
    )


def _settled(backlog: dict[str, int]) -> bool:
    """Every allocation in (one answered "Allocating..." commits after its answer), nothing left
    to send, and every prison check run."""
    unsent = any(key.endswith(("/pending", "/sending")) and n for key, n in backlog.items())
    checks = any(key.startswith("job prison_check/") and not key.endswith("/done") and n for key, n in backlog.items())
    return backlog["allocations"] == ALLOCATIONS and not unsent and not checks


async def _bring_checks_forward(services) -> None:  # type: ignore[no-untyped-def]
    """The prison checks fall due 20 hours on; bring them forward so this run sees them fire. At
    every look, not once: a late allocation's check is planned after the others."""
    now = datetime.now(UTC)
    async with services.db.uow() as uow:
        await uow.session.execute(
            update(ScheduledJob).where(ScheduledJob.kind == "prison_check", ScheduledJob.state == "planned", ScheduledJob.due_at > now).values(due_at=now)
        )
        await uow.commit()


async def _until_settled(services) -> None:  # type: ignore[no-untyped-def]
    """Wait for the end while the run moves; fail when it stops moving for STALL_SECONDS."""
    loop = asyncio.get_running_loop()
    seen, moved = await _backlog(services), loop.time()
    while not _settled(seen):
        if loop.time() - moved > STALL_SECONDS:
            raise AssertionError(f"no progress for {STALL_SECONDS} s; the outbox, the scheduler or the allocations did not finish: {seen}")
        await _bring_checks_forward(services)
        await asyncio.sleep(0.2)
        now = await _backlog(services)
        if now != seen:
            seen, moved = now, loop.time()


@pytest.mark.parametrize("replicas", [1, 2])
async def test_soak_with_faults_and_kills_delivers_everything_exactly_once(
    database_url: str, fake_slack: FakeSlack, replicas: int, capsys: pytest.CaptureFixture[str]
) -> None:
    if replicas == 2 and not database_url.startswith("postgresql"):
        pytest.skip("replicas share one PostgreSQL in production; SQLite is single-process")
    rng = random.Random(8)
    fake_slack.chaos(FAULT_RATE, seed=1, hold_seconds=4)
    with FakeHttpSink() as record, FakeHttpSink() as prison:
        record.chaos(FAULT_RATE, seed=2, hold_seconds=4)
        services = create_services(bot_settings(database_url, fake_slack))
        await load_teams(services.db.uow, parse_teams_file(TEAMS_YAML), clock=services.clock)
        env = serve_env(
            database_url, fake_slack.api_url, CASEBOT_RECORD_API_URL=record.url, CASEBOT_PRISON_WEBHOOK_URL=prison.url,
            CASEBOT_SCHEDULER_TICK_SECONDS="0.5", CASEBOT_SLACK_TIMEOUT_SECONDS="2", CASEBOT_OUTBOX_LEASE_SECONDS="3",
        )  # fmt: skip
        bot = Bot(env, replicas, rng)
        done = asyncio.Event()
        killer = asyncio.create_task(_killer(bot, done, rng))
        dropper = asyncio.create_task(_dropper(fake_slack, done, random.Random(3)))
        try:
            ids = await _drive(bot, services, rng, killer)
            done.set()  # no more lost answers queued; those queued still happen
            settle_started = time.monotonic()
            await _until_settled(services)
            settle_seconds = time.monotonic() - settle_started
        finally:
            # A restart still in flight finishes first, so that stop() reaches every process this
            # test started (none outlives it), and a failure above is not masked by this check.
            done.set()
            await asyncio.gather(killer, dropper, return_exceptions=True)
            exit_codes = bot.stop()
        assert exit_codes == [0] * replicas

        async with services.db.uow() as uow:
            cases = await uow.session.scalar(select(func.count()).select_from(Case))
            allocations = await uow.session.scalar(select(func.count()).select_from(Allocation))
            allocated_case_ids = set(await uow.session.scalars(select(Allocation.case_id)))
            rows = list(await uow.session.scalars(select(OutboxMessage)))
        await services.db.dispose()  # before the event loop closes under aiosqlite's thread
        slack_ids = Counter(
            m["metadata"]["event_payload"]["outbox_id"] for m in fake_slack.all_messages() if (m.get("metadata") or {}).get("event_type") == "casebot_outbox"
        )
        posts = [r for r in rows if r.method == "chat.postMessage"]
        sent_posts = [r for r in posts if r.state == "sent"]
        cancelled = [r for r in rows if r.state == "cancelled"]
        writes = [r for r in rows if r.method.startswith("record.")]
        keys = record.recorded_keys()
        alerts = sum(1 for r in posts if r.purpose == "prison_alert")
        custodial_allocated = sum(1 for r in rows if r.purpose == "prison_notice")

        with capsys.disabled():  # the counts show in CI's output, not only with -s
            print(
                f"\nsoak ({replicas} replica{'s' if replicas > 1 else ''}, {database_url.split(':')[0]}): {len(ids)} intakes, {allocations} allocations, {bot.kills} SIGKILLs, "
                f"slack faults {fake_slack.chaos_counts}, answers lost after acting {dict(_lost_answers(fake_slack))}; "
                f"{len(sent_posts)} messages posted exactly once, {len(cancelled)} deadline chases cancelled by allocation, {len(writes)} write-backs recorded exactly once, "
                f"{custodial_allocated} prison notices recorded exactly once, {alerts} prison-notice alerts (checks brought forward "
                f"fire only while a notice is still undelivered); settled {settle_seconds:.0f} s after the last request; "
                f"{bot.logged('already delivered; reconciled')} posts found in Slack before a resend, "
                f"{bot.logged('lease ran out mid-attempt')} rows taken back from a lease that ran out, "
                f"{bot.logged('lease ran out and the row was taken back')} attempts stopped by their lost lease"
            )
        assert cases == INTAKES == len(set(ids))
        assert allocations == ALLOCATIONS
        # A morning deadline chase (the run's real clock may fall in working hours) that was still
        # queued when its case was allocated is cancelled, never sent after. One whose
        # earlier attempt had an unknown outcome may already be in Slack: at most once, then.
        assert {r.state for r in rows} <= {"sent", "cancelled"}, Counter(r.state for r in rows)
        assert {r.purpose for r in cancelled} <= {"deadline_chase"}, Counter(r.purpose for r in cancelled)
        assert {r.case_id for r in cancelled} <= allocated_case_ids
        assert all(slack_ids[r.id] == 1 for r in sent_posts), _story(fake_slack, bot, [r.id for r in sent_posts if slack_ids[r.id] != 1])
        assert all(slack_ids[r.id] <= 1 for r in cancelled), [r.id for r in cancelled if slack_ids[r.id] > 1]
        # Nothing in Slack that casebot did not mean to send.
        assert {r.id for r in sent_posts} <= set(slack_ids) <= {r.id for r in posts}
        assert {int(k) for k in keys} == {r.id for r in writes}  # each write-back recorded once, none missing
        cards = [r for r in posts if r.purpose == "case_card"]
        assert len(cards) == INTAKES
        assert len(prison.recorded_keys()) == custodial_allocated
