"""App Home through the real app: signed `app_home_opened` events, the fake Slack's
`views.publish`, refreshes through the outbox (debounced), and Slack's view limits for a team
of 200 practitioners and 1,000 open cases. The clock is fixed: Monday 7 Dec 2026, 10:00 London."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select, update

from blocks.formats import tier_mix_bars, workload_bar
from blocks.home_blocks import HOME_BLOCKS_MAX, NOT_IN_TEAM
from blocks.ids import Action
from bot.adapters.delivery import PermanentFailure, RateLimited
from bot.adapters.home_publisher import HomePort
from bot.demo.fake_slack import FakeSlack, RecordedCall
from bot.demo.slack_requests import button_click, home_event, interaction_body, signed_headers
from bot.domain.clock import FixedClock
from bot.domain.enums import HOME_PUBLISH as HOME_METHOD
from bot.services.home_refresh import HOME_PURPOSE, home_key, queue_home_refresh
from handlers.presenters import render_home
from storage.db import Database
from storage.models import Allocation, Case, OutboxMessage, Touchpoint
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest, clocked_bot
from tests.support.factories import TEAMS_YAML, big_team_yaml, case_fields

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)  # a Monday
SPO, SPO2, PP, PSO = "U0SPO0001", "U0SPO0002", "U0PP00001", "U0PP00002"
dumps = json.dumps


@pytest.fixture
async def home(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[tuple[BotUnderTest, FixedClock]]:
    async with clocked_bot(database_url, fake_slack, START) as world:
        yield world


# ---------------------------------------------------------------------------------------------
# Helpers


async def open_home(bot: BotUnderTest, user: str, *, tab: str = "home") -> tuple[int, str]:
    body = dumps(home_event(user, tab=tab))
    headers = {**signed_headers(body), "Content-Type": "application/json"}
    return await bot.slack_request(body, headers)


def publishes(bot: BotUnderTest, user: str) -> list[RecordedCall]:
    return [call for call in bot.fake.calls_to("views.publish") if call.args.get("user_id") == user]


async def opened_home(bot: BotUnderTest, user: str) -> dict[str, Any]:
    """Open the Home tab as `user`; the view the fake Slack now holds for them. Queued
    refreshes go out first, so the publish counted here is the one this opening caused."""
    await bot.drained(only="home.")  # behind a big batch of cards a refresh waits its turn: as long as it takes
    before = len(publishes(bot, user))
    status, _ = await open_home(bot, user)
    assert status == 200
    deadline = time.monotonic() + 120  # a generous bound for a hang, not a budget: a busy machine is slower
    while len(publishes(bot, user)) <= before:
        assert time.monotonic() < deadline, f"no views.publish for {user}"
        await _sleep()
    call = publishes(bot, user)[-1]
    assert call.response["ok"], call.response
    assert call.args["view"]["type"] == "home"
    view = bot.fake.home_views[user]
    assert view["blocks"] == call.args["view"]["blocks"]
    check_limits(view)
    return view


async def _sleep() -> None:
    await asyncio.sleep(0.02)


def text_of(view: dict[str, Any]) -> str:
    """Every text a person would read in the view, in order."""
    parts = []
    for block in view["blocks"]:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields", [])]
        parts += [e["text"] for e in block.get("elements", []) if e.get("type") in ("mrkdwn", "plain_text")]
    return "\n".join(parts)


def check_limits(view: dict[str, Any]) -> None:
    """Slack's view limits: at most 100 blocks; section text 3,000, fields 10; header 150; context 10;
    button text 75; block ids unique. slack_sdk's own View model checks too."""
    blocks = view["blocks"]
    assert len(blocks) <= HOME_BLOCKS_MAX, len(blocks)
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(ids) == len(set(ids))
    for block in blocks:
        if block["type"] == "section":
            assert 1 <= len(block.get("text", {}).get("text", "x")) <= 3000
            assert len(block.get("fields", [])) <= 10
        elif block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        elif block["type"] == "context":
            assert len(block["elements"]) <= 10 and all(len(e["text"]) <= 3000 for e in block["elements"])
        elif block["type"] == "actions":
            assert len(block["elements"]) <= 25 and all(len(e["text"]["text"]) <= 75 for e in block["elements"])
    clean = {k: v for k, v in view.items() if k in ("type", "blocks")}
    View(**clean).validate_json()
    assert len(dumps(clean)) < 250_000


def queue_items(view: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(the case line, [(action_id, value)]) of each queue item with buttons."""
    blocks = view["blocks"]
    out = []
    for n, block in enumerate(blocks):
        if block["type"] == "actions" and block.get("block_id", "").startswith("home_queue_"):
            out.append((blocks[n - 1]["text"]["text"], [(e["action_id"], e["value"]) for e in block["elements"]]))
    return out


async def post(bot: BotUnderTest, **fields: Any) -> int:
    status, body = await bot.post_case(case_fields(**fields))
    assert status == 201, body
    return int(body["id"])


async def allocate(bot: BotUnderTest, case_id: int, staff_code: str, touchpoint: date, *, priority: str = "normal", confirm: bool = False) -> None:
    ids = await bot.practitioner_ids()
    values = answers(practitioner_id=ids[staff_code], touchpoint=touchpoint, priority=priority, confirm=confirm)
    status, answer = await bot.submit(case_id=case_id, user=SPO, values=values)
    assert (status, answer) == (200, {}), answer


# ---------------------------------------------------------------------------------------------
# The SPO's queue


async def test_spo_sees_the_queue_soonest_first_with_overdue_marked_and_working_buttons(home) -> None:
    bot, _ = home
    soon = await post(bot, event_id="e-soon", crn="X000002", name="Sam Soon", sentence_date="2026-12-04")  # due Tue 8 Dec
    late = await post(bot, event_id="e-late", crn="X000001", name="Lee Late", sentence_date="2026-11-19")  # due Mon 23 Nov
    secret = await post(bot, event_id="e-res", crn="X000003", name="<!channel> Kept Private", sentence_date="2026-12-03", restricted=True)

    view = await opened_home(bot, SPO)

    items = queue_items(view)
    assert [line.split("*")[1] for line, _ in items] == ["X000001", "X000003", "X000002"]  # soonest due first
    assert [buttons for _, buttons in items] == [[(Action.ALLOCATE, str(case)), (Action.DETAILS, str(case))] for case in (late, secret, soon)]
    late_line, secret_line, soon_line = (line for line, _ in items)
    assert ":warning: *Overdue* by 10 working days (was due Mon 23 Nov)" in late_line
    assert "due *today*" in secret_line and "Overdue" not in soon_line and "due Tue 8 Dec" in soon_line
    # A restricted case is in its SPOs' queue, by name, escaped so it pings nobody.
    assert "&lt;!channel&gt; Kept Private" in secret_line and ":lock: limited access" in secret_line
    assert "<!channel>" not in dumps(view)
    text = text_of(view)
    assert "3 unallocated cases, *1 overdue*" in text
    assert "Sheffield North: waiting for allocation" in text and "*Team capacity*: 2 practitioners" in text
    assert "Ada Lovelace" in text and "Grace Hopper" in text
    assert "Your cases" not in text  # an SPO who holds no cases has no practitioner section

    # A practitioner of the team sees none of the queue, and no restricted name anywhere.
    pp_view = await opened_home(bot, PP)
    assert "Kept Private" not in dumps(pp_view) and "X000003" not in dumps(pp_view)
    assert "waiting for allocation" not in text_of(pp_view)

    # The Home's Allocate button is the card's: the existing listener opens the modal.
    click = button_click(action_id=Action.ALLOCATE, value=str(late), user=SPO, trigger_id="home-trigger")
    for key in ("channel", "message"):
        click.pop(key)
    click["container"] = {"type": "view", "view_id": view["id"]}
    click["view"] = {"id": view["id"], "type": "home", "blocks": view["blocks"], "hash": view["hash"]}
    status, _ = await bot.slack_request(interaction_body(click))
    assert status == 200
    [opened] = await bot.fake.wait_for_async("views.open")
    assert opened.args["trigger_id"] == "home-trigger" and "Lee Late" in dumps(opened.args["view"])


async def test_spo_sees_exceptions_of_the_last_30_days_and_overdue_touchpoints(home) -> None:
    bot, clock = home
    outside = await post(bot, event_id="e-b2", crn="X100001", name="Pat Policy", tier="B2", sentence_date="2026-12-03")
    within = await post(bot, event_id="e-c1", crn="X100002", name="Chris Within", tier="C1", sentence_date="2026-12-03")
    await allocate(bot, outside, "N07A002", date(2026, 12, 9), priority="high", confirm=True)  # B2 to a PSO: outside policy
    await allocate(bot, within, "N07A001", date(2026, 12, 21))
    await bot.drained()

    view = await opened_home(bot, SPO)
    text = text_of(view)
    assert "*Exceptions to policy, last 30 days* (1)" in text
    [exception] = [line for line in text.splitlines() if "X100001" in line and "allocated to" in line]
    assert "Pat Policy" in exception and "Grace Hopper (PSO)" in exception and f"<@{SPO}>" in exception
    assert "PO grade" in exception and "Mon 7 Dec" in exception
    [button] = [b["accessory"] for b in view["blocks"] if "X100001" in str(b.get("text")) and b.get("accessory")]
    assert (button["action_id"], button["value"]) == (Action.REALLOCATE, str(outside))  # reallocate from App Home
    assert "Chris Within (tier C1) allocated" not in text
    assert "*Touchpoints overdue* (0)\nNone overdue." in text
    assert queue_items(view) == [] and "Nothing is waiting for allocation." in text

    clock.set(datetime(2026, 12, 14, 9, 0, tzinfo=LONDON))  # the B2 touchpoint (Wed 9 Dec) is 5 days late
    text = text_of(await opened_home(bot, SPO))
    assert "*Touchpoints overdue* (1)" in text
    [late] = [line for line in text.splitlines() if line.startswith("• *X100001*")]
    assert f"with Grace Hopper <@{PSO}>" in late and ":warning: *Overdue* by 3 working days (was due Wed 9 Dec)" in late and "*high priority*" in late
    assert "X100002" not in late

    clock.set(datetime(2027, 1, 11, 9, 0, tzinfo=LONDON))  # 35 days after the exception
    text = text_of(await opened_home(bot, SPO))
    assert "*Exceptions to policy, last 30 days* (0)\nNone: every allocation was within policy." in text
    assert "*Touchpoints overdue* (2)" in text  # both planned touchpoints are now overdue, oldest first
    assert re.findall(r"^• \*(X10000\d)\*", text, flags=re.M) == ["X100001", "X100002"]


# ---------------------------------------------------------------------------------------------
# The practitioner's view


async def test_practitioner_sees_new_cases_touchpoints_and_workload_and_no_restricted_names(home) -> None:
    bot, clock = home
    open_case = await post(bot, event_id="e-1", crn="X200001", name="Robin Open", tier="B2", sentence_date="2026-12-03")
    hidden = await post(bot, event_id="e-2", crn="X200002", name="Secret Name", tier="C1", sentence_date="2026-12-03", restricted=True)
    await allocate(bot, open_case, "N07A001", date(2026, 12, 21), priority="high")
    await allocate(bot, hidden, "N07A001", date(2026, 12, 22))
    await bot.drained()

    view = await opened_home(bot, PP)
    text = text_of(view)
    assert "Your cases: Sheffield North" in text
    assert "*New cases allocated to you, last 14 days* (2)" in text
    assert f"• *X200001* Robin Open · tier B2 · Community Order · allocated Mon 7 Dec by <@{SPO}>" in text
    assert "• :lock: a limited-access case · tier C1" in text
    assert "Secret Name" not in dumps(view) and "X200002" not in dumps(view)
    assert "*Your planned touchpoints* (2)" in text
    assert f"• due Mon 21 Dec · *X200001* Robin Open with <@{SPO}> · *high priority*" in text
    assert f"• due Tue 22 Dec · :lock: a limited-access case (details in your casebot messages) with <@{SPO}>" in text
    # B2 (3.6) + C1 (1.9) of 100 points: 5.5%, and the same figure the SPO's capacity shows.
    assert f"*Your workload*: {workload_bar(5.5)} · 2 open cases · PO, ready ABCD\nTier mix: A 0 · B ▇ 1 · C ▇ 1 · D 0" in text
    assert workload_bar(5.5) == "▓░░░░░░░░░ 6%"  # whole per cent, as the Allocate modal and /casebot caseload show it
    assert "waiting for allocation" not in text and "Team capacity" not in text
    assert queue_items(view) == []

    spo_text = text_of(await opened_home(bot, SPO))
    assert f"{workload_bar(0.0)} *Grace Hopper* (PSO) · {tier_mix_bars({})} · ready CD" in spo_text
    assert f"{workload_bar(5.5)} *Ada Lovelace* (PO) · A 0 · B ▇ 1 · C ▇ 1 · D 0 · ready ABCD" in spo_text
    assert spo_text.index("Grace Hopper") < spo_text.index("Ada Lovelace")  # most room first

    clock.set(datetime(2026, 12, 22, 9, 0, tzinfo=LONDON))  # 15 days on: no longer new; one touchpoint late
    text = text_of(await opened_home(bot, PP))
    assert "*New cases allocated to you, last 14 days* (0)\nNo new cases." in text
    assert "• :warning: *Overdue* by 1 working day (was due Mon 21 Dec) · *X200001* Robin Open" in text
    assert "• due *today* · :lock: a limited-access case" in text


async def test_someone_both_spo_and_practitioner_sees_both_and_a_stranger_an_explanation(home) -> None:
    bot, _ = home
    await bot.load_teams(TEAMS_YAML.replace("slack_user: U0PP00002", f"slack_user: {SPO2}"))  # Grace is also SPO 2
    case_id = await post(
        bot, event_id="e-both", crn="X300001", name="Dana Both", tier="C1", sentence_date="2026-12-03", restricted=True, mappa_category=None, mappa_level=None
    )

    text = text_of(await opened_home(bot, SPO2))
    assert text.index("Sheffield North: waiting for allocation") < text.index("Your cases: Sheffield North")
    assert "Dana Both" in text  # their own team's restricted case, as its SPO

    await allocate(bot, case_id, "N07A002", date(2026, 12, 21))
    text = text_of(await opened_home(bot, SPO2))
    assert "• *X300001* Dana Both · tier C1" in text  # an SPO of the case's team sees the name in their own list too

    view = await opened_home(bot, "U0NOBODY1")
    assert text_of(view).startswith("casebot\n" + NOT_IN_TEAM) and len(view["blocks"]) == 3

    status, _ = await open_home(bot, "U0QUIET01", tab="messages")  # the Messages tab: nothing to publish
    assert status == 200
    await opened_home(bot, SPO)
    assert publishes(bot, "U0QUIET01") == []


# ---------------------------------------------------------------------------------------------
# A big team within Slack's limits


async def _allocate_directly(bot: BotUnderTest, case_ids: list[int], practitioner_code: str, now: datetime) -> None:
    """Allocations outside policy with touchpoints already late, written straight to the
    tables (the journey itself is tested above; this only fills the lists)."""
    async with bot.runtime.db.uow() as uow:
        person = (await uow.teams.practitioners_by_code([practitioner_code]))[practitioner_code]
        await uow.session.execute(update(Case).where(Case.id.in_(case_ids)).values(state="allocated"))
        tiers = {case_id: tier for case_id, tier in await uow.session.execute(select(Case.id, Case.tier).where(Case.id.in_(case_ids)))}
        for n, case_id in enumerate(case_ids):
            allocation = uow.allocations.add(
                Allocation(
                    case_id=case_id, practitioner_id=person.id, tier=tiers[case_id], allocated_by=SPO, allocated_at=now - timedelta(days=n % 10), current=True,
                    evidence="Bench.", evidence_sensitive=False, hate_crime=False, outside_policy=True,
                    policy_exceptions=[f"Reason {n} " + "x" * 200], notify_user_ids=[],
                )
            )  # fmt: skip
            await uow.session.flush()
            uow.allocations.add_touchpoint(
                Touchpoint(case_id=case_id, allocation_id=allocation.id, due_on=date(2026, 12, 1), priority="high", state="planned", created_at=now)
            )
        await uow.commit()


@pytest.mark.slow
async def test_a_team_of_200_with_1000_open_cases_fits_slacks_limits(home) -> None:
    bot, clock = home
    await bot.load_teams(big_team_yaml(200))
    rows = [
        case_fields(event_id=f"big-{n}", crn=f"B{n:06d}", name=f"Person {n} " + "&<>" * 20, tier="ABCD"[n % 4] + str(n % 4),
                    sentence_date=(date(2026, 11, 2) + timedelta(days=n % 35)).isoformat(), restricted=n % 50 == 0)
        for n in range(1000)
    ]  # fmt: skip
    results = await bot.runtime.services.receive_cases(rows, source="test")
    ids = [r.case.id for r in results]  # type: ignore[union-attr]
    assert len(set(ids)) == 1000
    await _allocate_directly(bot, ids[:40], "B000001", clock.now())

    started = time.perf_counter()
    view = await opened_home(bot, SPO)
    elapsed = time.perf_counter() - started
    text = text_of(view)

    assert len(view["blocks"]) <= 100
    items = queue_items(view)
    assert len(items) == 20
    async with bot.runtime.db.uow() as uow:
        waiting = await uow.session.scalar(select(func.count()).select_from(Case).where(Case.state == "unallocated"))
        overdue = await uow.session.scalar(select(func.count()).select_from(Case).where(Case.state == "unallocated", Case.due_by < date(2026, 12, 7)))
    assert waiting == 960 and overdue
    assert f"960 unallocated cases, *{overdue} overdue*" in text
    assert "and 940 more — use `/casebot queue`" in text
    dues = [line for line, _ in items]
    assert all("Overdue" in line for line in dues[: min(20, overdue)])
    capacity = re.findall(r"[▓░]{10} \d+%(?: :warning:)? \*Practitioner (\d{3})\*", text)
    assert sorted(capacity) == [f"{n:03d}" for n in range(200)]  # all 200, packed several to a section
    assert "*Exceptions to policy, last 30 days* (40)" in text and "and 25 more" in text
    assert "*Touchpoints overdue* (40)" in text
    assert "<!" not in dumps(view)  # the names' & < > are escaped everywhere

    pp_view = await opened_home(bot, "U00000001")
    pp_text = text_of(pp_view)
    assert "*New cases allocated to you, last 14 days* (40)" in pp_text and "and 25 more" in pp_text
    assert "*Your planned touchpoints* (40)" in pp_text
    print(f"\nApp Home for an SPO of 200 practitioners / 1,000 open cases: {len(view['blocks'])} blocks, "
          f"{len(dumps(view)) / 1000:.1f} kB, event -> views.publish {elapsed * 1000:.0f} ms")  # fmt: skip


@pytest.mark.slow
async def test_many_teams_for_one_spo_still_fit(home) -> None:
    """An SPO of several big teams: each team's share of the 100 blocks shrinks, never past it."""
    bot, _ = home
    teams = "teams:\n" + "".join(
        big_team_yaml(60, code=f"T{n}").split("teams:\n", 1)[1].replace("B0000", f"S{n}000").replace("U000", f"U{n}00") for n in range(5)
    )
    await bot.load_teams(teams)
    rows = [case_fields(event_id=f"m-{n}", crn=f"M{n:06d}", team=f"T{n % 5}", sentence_date="2026-11-20") for n in range(200)]
    await bot.runtime.services.receive_cases(rows, source="test")
    view = await opened_home(bot, SPO)
    assert len(view["blocks"]) <= 100
    assert len(queue_items(view)) >= 5


# ---------------------------------------------------------------------------------------------
# Refresh through the outbox, debounced


async def test_queue_home_refresh_debounces_to_one_pending_row_per_person(database_url: str) -> None:
    db = Database(database_url)
    now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    try:
        async with db.uow() as uow:
            assert await queue_home_refresh(uow, [SPO, PP, SPO, None, ""], now) == [PP, SPO]  # sorted: the lock order
            assert await queue_home_refresh(uow, [SPO], now) == []  # same transaction, not yet committed
            await uow.commit()
        async with db.uow() as uow:
            assert await queue_home_refresh(uow, [SPO, PP], now + timedelta(seconds=1)) == []  # a later transaction
            await uow.commit()

        async with db.uow() as uow:
            rows = (await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        assert [(r.ordering_key, r.method, r.purpose, r.payload, r.state) for r in rows] == [
            (home_key(PP), HOME_METHOD, HOME_PURPOSE, {"user_id": PP, "refresh": True}, "pending"),
            (home_key(SPO), HOME_METHOD, HOME_PURPOSE, {"user_id": SPO, "refresh": True}, "pending"),
        ]

        # Once a refresh is being sent it may have read the data already: a change queues another.
        async with db.uow() as uow:
            await uow.session.execute(update(OutboxMessage).where(OutboxMessage.ordering_key == home_key(SPO)).values(state="sending"))
            await uow.commit()
        async with db.uow() as uow:
            assert await queue_home_refresh(uow, [SPO, PP], now, delay=timedelta(seconds=2)) == [SPO]
            await uow.commit()
        async with db.uow() as uow:
            pending = (
                await uow.session.scalars(
                    select(OutboxMessage).where(OutboxMessage.purpose == HOME_PURPOSE, OutboxMessage.state == "pending").order_by(OutboxMessage.id)
                )
            ).all()
        assert [r.ordering_key for r in pending] == [home_key(PP), home_key(SPO)]
        assert pending[1].next_attempt_at == now + timedelta(seconds=2)
    finally:
        await db.dispose()


async def test_a_burst_of_changes_publishes_once_with_the_view_built_at_send_time(home) -> None:
    bot, clock = home
    for _ in range(3):  # three changes, three transactions, before the worker gets to it
        async with bot.runtime.db.uow() as uow:
            await queue_home_refresh(uow, [SPO], clock.now(), delay=timedelta(seconds=30))
            await uow.commit()
    await post(bot, event_id="e-after", crn="X400001", name="Late Arrival", sentence_date="2026-12-04")  # after the rows were queued
    await bot.fake.wait_for_async("chat.postMessage")  # the worker is running...
    await asyncio.sleep(0.3)
    assert publishes(bot, SPO) == []  # ...but the refresh is not due yet

    clock.advance(seconds=31)
    bot.runtime.worker.nudge()
    await bot.drained()
    [published] = publishes(bot, SPO)
    assert "Late Arrival" in dumps(published.args["view"])  # built when sent, not when queued
    check_limits(bot.fake.home_views[SPO])
    async with bot.runtime.db.uow() as uow:
        [row] = (
            await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == HOME_PURPOSE, OutboxMessage.ordering_key == f"home:{SPO}"))
        ).all()  # the new case's own refresh for this SPO was folded into the pending one
    assert row.state == "sent" and row.result == {"id": bot.fake.home_views[SPO]["id"]}


async def test_a_debounced_refresh_cannot_be_sent_before_the_change_commits(home) -> None:
    """The debounce touches the waiting row in the changing transaction: until that commits
    the worker cannot take the row (PostgreSQL skips the locked row; SQLite's writer lock
    holds the lease back), so the view it builds always includes the change."""
    bot, clock = home
    case_id = await post(bot, event_id="e-race", crn="X600001", name="Before Rename", sentence_date="2026-12-04")
    await bot.drained()
    before = len(publishes(bot, SPO))  # the new case's own refresh has gone out
    async with bot.runtime.db.uow() as uow:
        await queue_home_refresh(uow, [SPO], clock.now(), delay=timedelta(seconds=30))
        await uow.commit()

    async with bot.runtime.db.uow() as uow:
        await uow.session.execute(update(Case).where(Case.id == case_id).values(name="After Rename"))
        assert await queue_home_refresh(uow, [SPO], clock.now()) == []  # debounced onto the waiting row
        clock.advance(seconds=31)  # the waiting row falls due while this transaction is open
        bot.runtime.worker.nudge()
        await asyncio.sleep(0.5)
        assert len(publishes(bot, SPO)) == before
        await uow.commit()

    bot.runtime.worker.nudge()
    await bot.drained()
    assert len(publishes(bot, SPO)) == before + 1
    published = publishes(bot, SPO)[-1]
    assert "After Rename" in dumps(published.args["view"]) and "Before Rename" not in dumps(published.args["view"])


async def test_home_port_maps_slack_errors_for_the_worker(home) -> None:
    bot, clock = home
    port = HomePort(partial(render_home, bot.runtime.db.uow), AsyncWebClient(token="xoxb-test", base_url=bot.fake.api_url), clock)
    bot.fake.fail_next("views.publish", status=429, retry_after=7)
    with pytest.raises(RateLimited) as limited:
        await port.call(HOME_METHOD, {"user_id": SPO, "refresh": True, "idempotency_key": "1"})
    assert limited.value.retry_after == 7
    bot.fake.fail_next("views.publish", status=200, error="invalid_blocks")
    with pytest.raises(PermanentFailure):
        await port.call(HOME_METHOD, {"user_id": SPO, "refresh": True})
    with pytest.raises(PermanentFailure):
        await port.call("home.other", {"user_id": SPO})
    assert await port.call(HOME_METHOD, {"user_id": SPO, "refresh": True}) == {"id": bot.fake.home_views[SPO]["id"]}


async def test_home_reads_nothing_sensitive(home) -> None:
    """The Home never shows CADE evidence, hate crime notes or touchpoint notes, to anyone."""
    bot, _ = home
    case_id = await post(bot, event_id="e-canary", crn="X500001", name="Canary Case", sentence_date="2026-12-03")
    ids = await bot.practitioner_ids()
    canary = "CANARY-SENSITIVE-7f3a evidence about the person"
    values = answers(practitioner_id=ids["N07A001"], touchpoint=date(2026, 12, 21), evidence=canary + " " + "x" * 60, evidence_sensitive="yes")
    status, answer = await bot.submit(case_id=case_id, user=SPO, values=values)
    assert (status, answer) == (200, {})
    views = {}
    for user in (SPO, PP):
        views[user] = dumps(await render_home(bot.runtime.db.uow, user, bot.runtime.clock.now()))
    assert "Canary Case" in views[PP]
    assert not any("CANARY" in view for view in views.values())
