"""The staff feed (README, "The staff feed"): the workforce source's caseloads, hours and
absences reach the Allocate modal and App Home through the real app (signed Slack requests,
the intake's bearer token), and `casebot staff import` takes a file with line-numbered errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from blocks.formats import TEAMS_FILE_FIGURES, tier_mix_bars, workload_bar
from blocks.ids import Action, AllocateBlock
from bot.demo.fake_slack import FakeSlack
from bot.domain.clock import FixedClock
from storage.models import Practitioner
from tests.e2e.test_app_home import opened_home, text_of
from tests.support.allocation import answers
from tests.support.bot import INTAKE_TOKEN, BotUnderTest, clocked_bot
from tests.support.cli import Cli
from tests.support.factories import case_fields

START = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Europe/London"))  # a Monday
SPO = "U0SPO0001"
# Ada is off sick this week and on leave next Monday: one stretch across the weekend.
ADA = {
    "caseload_points": 80, "caseload": {"B2": 10, "C1": 12}, "contracted_hours": 37, "available_hours": 37,
    "absences": [{"from": "2026-12-07", "to": "2026-12-11", "reason": "sickness"}, {"from": "2026-12-14", "to": "2026-12-14", "reason": "annual_leave"}],
}  # fmt: skip
GRACE = {"caseload_points": 30, "caseload": {"C1": 10, "D0": 5}, "available_hours": 37}


@pytest.fixture
async def world(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[tuple[BotUnderTest, FixedClock]]:
    async with clocked_bot(database_url, fake_slack, START) as world:
        yield world


async def put_staff(bot: BotUnderTest, code: str, body: Any, *, token: str | None = INTAKE_TOKEN) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with bot.http.put(f"{bot.base_url}/api/v1/staff/{code}", json=body, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def modal_lines(bot: BotUnderTest, case_id: int) -> tuple[list[str], list[str]]:
    """Open the Allocate modal as the SPO: the practitioners' lines, and the select's options."""
    bot.fake.clear()
    await bot.click(action_id=Action.ALLOCATE, value=str(case_id), user=SPO)
    [updated] = await bot.fake.wait_for_async("views.update")
    blocks = updated.args["view"]["blocks"]
    lines = [b["text"]["text"] for b in blocks if b["type"] == "section" and "Tier mix:" in b.get("text", {}).get("text", "")]
    select = next(b for b in blocks if b.get("block_id") == AllocateBlock.PRACTITIONER)
    return lines, [o["text"]["text"] for o in select["element"]["options"]]


async def test_a_feed_update_changes_the_modal_and_home_and_someone_away_ranks_last(world) -> None:
    bot, clock = world
    _, case = await bot.post_case(case_fields(tier="C1", mappa_category=None, mappa_level=None))

    before, _ = await modal_lines(bot, case["id"])
    assert [line.split("*")[1] for line in before] == ["Ada Lovelace", "Grace Hopper"]  # both empty: by name
    assert all(TEAMS_FILE_FIGURES in line for line in before)  # nothing from the source yet: the fallback, said so

    status, stored = await put_staff(bot, "N07A001", ADA)
    assert status == 200, stored
    assert (stored["team"], stored["caseload_points"], stored["caseload"]) == ("N07T1", 80.0, {"B2": 10, "C1": 12})
    assert stored["absences"][0] == {"from": "2026-12-07", "to": "2026-12-11", "reason": "sickness"}
    assert (await put_staff(bot, "N07A002", GRACE))[0] == 200

    after, options = await modal_lines(bot, case["id"])
    grace, ada = after  # Ada is away: offered last, though she would otherwise come first by name
    assert grace.startswith("*Grace Hopper*") and ada.startswith("*Ada Lovelace*")
    assert "*away until Mon 14 Dec*" in ada and "away" not in grace
    assert f"Workload {workload_bar(80.0)} → 82% after" in ada  # 80 points + a C1 (1.9) of 100
    assert f"Tier mix: {tier_mix_bars({'B': 10, 'C': 12})}" in ada
    assert f"Workload {workload_bar(30.0)} → 32% after" in grace
    assert not any(TEAMS_FILE_FIGURES in line for line in after)
    assert "sickness" not in json.dumps(bot.fake.calls_to("views.update")[-1].args)  # the reason is the source's, never shown
    assert options[0].startswith("Grace Hopper") and options[1].startswith("⛔ Ada Lovelace")

    clock.advance(minutes=5)  # an allocation after the source's figures: added to them
    assert await bot.submit(case_id=case["id"], user=SPO, values=answers(practitioner_id=(await bot.practitioner_ids())["N07A002"])) == (200, {})
    capacity = [line for line in text_of(await opened_home(bot, SPO)).splitlines() if "▓" in line or "░" in line]
    assert capacity[0].startswith(workload_bar(31.9)) and "Grace Hopper" in capacity[0]
    assert "Ada Lovelace" in capacity[-1] and "away until Mon 14 Dec" in capacity[-1]


async def test_casebot_caseload_says_who_is_away_until_when_and_marks_the_teams_file_fallback(world) -> None:
    from tests.e2e.test_slash_command import casebot

    bot, clock = world
    assert (await put_staff(bot, "N07A001", ADA))[0] == 200  # Grace is not reported: the teams file's figures

    ada, grace = await casebot(bot, "caseload <@U0PP00001>", SPO), await casebot(bot, "caseload <@U0PP00002>", SPO)
    ada_head, grace_head = ada.text.split("Tier mix:")[0], grace.text.split("Tier mix:")[0]
    assert "Sheffield North · ⛔ away until Mon 14 Dec\n" in ada_head  # the two absences are one stretch
    assert "sickness" not in ada.raw and "annual" not in ada.raw  # the reason is the source's, never shown
    assert "Workload now: 80%" in ada_head and TEAMS_FILE_FIGURES not in ada.raw
    assert "away" not in grace_head and TEAMS_FILE_FIGURES in grace.raw
    assert "Workload now: 0% · teams file figures\n" in grace_head  # as the person reads it

    clock.advance(days=8)  # Tue 15 Dec: back
    assert "away" not in (await casebot(bot, "caseload <@U0PP00001>", "U0PP00001")).text


async def test_the_staff_route_answers_like_the_intake_api(world) -> None:
    bot, _ = world
    assert (await put_staff(bot, "N07A001", GRACE, token=None))[0] == 401
    assert (await put_staff(bot, "N07A001", GRACE, token="wrong"))[0] == 401
    status, body = await put_staff(bot, "N07Z999", GRACE)
    assert status == 404 and body["errors"][0]["field"] == "staff_code"
    bad = {"caseload": {"B9": 1}, "available_hours": -1, "absences": [{"from": "7 Dec", "reason": "holiday"}], "staff_code": "N07A001", "shoe_size": 9}
    status, body = await put_staff(bot, "N07A001", bad)
    assert status == 422
    assert {e["field"] for e in body["errors"]} == {"caseload", "available_hours", "absences[0].from", "absences[0].reason", "shoe_size"}
    status, body = await put_staff(bot, "N07A001", {**GRACE, "staff_code": "N07A002"})
    assert status == 422 and body["errors"][0]["field"] == "staff_code"
    async with bot.runtime.db.uow() as uow:
        ada = (await uow.teams.practitioners_by_code(["N07A001"]))["N07A001"]
    assert (ada.feed_as_of, ada.absences) == (None, [])  # nothing stored for a refused request


async def test_staff_import_stores_good_lines_and_names_each_bad_one(world, database_url: str, tmp_path: Path) -> None:
    bot, _ = world
    cli = Cli(tmp_path, database_url)
    name = cli.write(
        "staff.csv",
        "staff_code,caseload_points,caseload,available_hours,absences\n"
        "N07A001,55,B2:5;C1:8,30,2026-12-07..2026-12-09 training\n"
        "N07A002,lots,,,\n"
        "N07Z999,10,,,\n"
        "N07A002,20,C1:4;D0:6,,2026-12-20.. sickness\n",
    )
    run = await cli.run("staff", "import", name)
    assert run.returncode == 2, run.stderr
    assert run.stderr_lines == [
        f"{name}: line 3: caseload_points: must be a number",
        f"{name}: line 4: staff_code: no practitioner with staff code 'N07Z999' is loaded (`casebot teams load`)",
    ]
    assert "2 practitioners updated, 2 lines rejected" in run.stdout
    async with bot.runtime.db.uow() as uow:
        staff = await uow.teams.practitioners_by_code(["N07A001", "N07A002"])
    ada, grace = staff["N07A001"], staff["N07A002"]
    assert (ada.feed_caseload_points, ada.feed_caseload, ada.feed_available_hours) == (55.0, {"B2": 5, "C1": 8}, 30.0)
    assert ada.absences == [{"from": "2026-12-07", "to": "2026-12-09", "reason": "training"}]
    assert grace.absences == [{"from": "2026-12-20", "to": None, "reason": "sickness"}]
    assert isinstance(grace, Practitioner) and grace.capacity_points == 100  # the teams file's, untouched

    lines = cli.write("staff.jsonl", json.dumps({"staff_code": "N07A002", **GRACE}) + "\n\nnot json\n")
    run = await cli.run("staff", "import", lines)
    assert run.returncode == 2 and run.stderr_lines == [f"{lines}: line 3: body: must be a JSON object with the staff fields"]
    header = cli.write("bad.csv", "staff_code,casload\nN07A001,B2:1\n")
    run = await cli.run("staff", "import", header)
    assert run.returncode == 2 and "column 2 'casload' is not a staff field: did you mean 'caseload'?" in run.stderr
