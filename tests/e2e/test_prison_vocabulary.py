"""A prison team speaks of HOMDs, POMs and people in prison (seeds/002)."""

from __future__ import annotations

import json

from blocks.ids import Action
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields

PRISON_YAML = """\
teams:
  - code: LEI01
    name: HMP Leeds OMU
    channel: C0PRISON01
    channel_detail: standard   # the card shows the release date (README, "What the channel may see")
    service: prison
    spos: [U0HOMD001]
    notify: [U0OMUHUB1]
    practitioners:
      - staff_code: LEIP001
        name: Pat Jones
        grade: PO
        slack_user: U0POM0001
        ready_for_tiers: [A, B, C, D]
        visor_vetted: true
"""


async def test_prison_team_journey_uses_prison_words_and_shows_release_date(bot: BotUnderTest) -> None:
    await bot.load_teams(PRISON_YAML)
    _, case = await bot.post_case(
        case_fields(team="LEI01", sentence_type="Custody", custodial=True, prison="HMP Leeds", release_date="2027-06-30", previous_practitioner="LEIP001")
    )
    assert case["release_date"] == "2027-06-30"
    [card] = await bot.fake.wait_for_async("chat.postMessage")
    assert card.args["channel"] == "C0PRISON01" and "Release date*\\nWed 30 Jun 2027" in json.dumps(card.args["blocks"])

    await bot.click(action_id=Action.ALLOCATE, value=str(case["id"]), user="U0POM0001", channel="C0PRISON01")
    [refusal] = await bot.fake.wait_for_async("chat.postEphemeral")
    assert refusal.args["text"].startswith("Only the team's HOMDs can allocate cases. Please ask <@U0HOMD001>")

    await bot.click(action_id=Action.ALLOCATE, value=str(case["id"]), user="U0HOMD001", channel="C0PRISON01", trigger_id="t2")
    [opened] = await bot.fake.wait_for_async("views.open")
    [updated] = await bot.fake.wait_for_async("views.update")
    loading, modal = json.dumps(opened.args["view"]), json.dumps(updated.args["view"])
    assert "Loading POMs" in loading
    assert "POMs, best fit first" in modal and "Previous POM" in modal and "Choose a POM" in modal
    assert "practitioner" not in modal.lower().replace("alloc_practitioner", "")
    assert updated.args["view"]["blocks"][-2]["element"]["initial_users"] == ["U0OMUHUB1"]  # the prison-wide notify list
