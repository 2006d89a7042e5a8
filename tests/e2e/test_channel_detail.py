"""What the channel may see (README): the card at the team's `channel_detail`, Details only for
the team's own people, and restricted cases only for the staff their lists allow. Through signed
requests against the fake Slack."""

from __future__ import annotations

import json
from datetime import date

from blocks.ids import Action
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields, teams_yaml

CHANNEL = "C0123456789"
OUTSIDER = "U0OUTSIDE1"  # in the channel, not in the teams file
# Sheffield North's SPOs with staff codes, so a case's lists can name them.
CODED = teams_yaml("minimal", staff_codes="{U0SPO0001: N07S001, U0SPO0002: N07S002}")


def everything(call: object) -> str:
    return json.dumps(call.args, ensure_ascii=False)  # type: ignore[attr-defined]


async def test_a_minimal_card_carries_no_name_before_or_after_allocation(bot: BotUnderTest) -> None:
    _, case = await bot.post_case(case_fields(name="Sam Smith", date_of_birth="1990-01-02", registrations=["ViSOR"]))
    [card] = await bot.fake.wait_for_async("chat.postMessage")
    await bot.drained()

    assert card.args["channel"] == CHANNEL and card.args["blocks"][0]["text"]["text"] == "New case: S.S."
    for secret in ("Sam", "Smith", "Community Order", "Medium", "Burglary", "MAPPA", "ViSOR", "1990"):
        assert secret not in everything(card), secret
    assert "X123456" in everything(card) and "B2" in everything(card)

    ids = await bot.practitioner_ids()
    status, answer = await bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=ids["N07A001"]))
    assert (status, answer) == (200, {})
    [update] = await bot.fake.wait_for_async("chat.update")
    assert "Sam" not in everything(update) and "Smith" not in everything(update)


async def test_a_standard_card_adds_the_name_and_sentence_but_no_risk(bot: BotUnderTest) -> None:
    await bot.load_teams(teams_yaml("standard"))
    await bot.post_case(case_fields(name="Sam Smith"))
    [card] = await bot.fake.wait_for_async("chat.postMessage")

    assert card.args["blocks"][0]["text"]["text"] == "New case: Sam Smith" and "Community Order" in everything(card)
    assert "RoSH" not in everything(card) and "MAPPA" not in everything(card)


async def test_a_channel_member_not_in_the_team_is_refused_details(bot: BotUnderTest) -> None:
    _, case = await bot.post_case(case_fields(offence="burglary-canary"))
    for n, user in enumerate((OUTSIDER, "U0SPO0009", "U0ADMIN01", "U0PP00002"), start=1):  # outsider, another team's SPO, notify list, practitioner
        await bot.click(action_id=Action.DETAILS, value=str(case["id"]), user=user, trigger_id=f"trigger-{n}")
    # The modal opens after the ack, so the four may arrive in any order: each is known by its trigger.
    by_trigger = {call.args["trigger_id"]: call.args["view"] for call in await bot.fake.wait_for_async("views.open", count=4)}
    views = [by_trigger[f"trigger-{n}"] for n in range(1, 5)]

    for refused in views[:2]:
        text = json.dumps(refused)
        assert "burglary-canary" not in text and "Sam Smith" not in text
        assert "for the team's own people" in text and "<@U0SPO0001>" in text
    for shown in views[2:]:
        assert "burglary-canary" in json.dumps(shown)


async def test_a_restricted_case_reaches_only_the_named_staff(bot: BotUnderTest) -> None:
    await bot.load_teams(CODED)
    _, case = await bot.post_case(case_fields(restricted_to=["N07S001", "N07A002"], offence="restricted-canary"))
    await bot.drained()

    posts = bot.fake.calls_to("chat.postMessage")
    assert [p.args["channel"] for p in posts] == ["U0SPO0001"]  # restricted: no channel card, and only the named SPO
    assert case["restricted"] is True and case["restricted_to"] == ["N07S001", "N07A002"]

    await bot.click(action_id=Action.ALLOCATE, value=str(case["id"]), user="U0SPO0002")
    [refusal] = await bot.fake.wait_for_async("chat.postEphemeral")
    assert "not among the staff who may see or hold it" in refusal.args["text"]
    await bot.click(action_id=Action.DETAILS, value=str(case["id"]), user="U0SPO0002", trigger_id="trigger-2")
    [refused] = await bot.fake.wait_for_async("views.open")
    assert "restricted-canary" not in json.dumps(refused.args["view"])

    await bot.click(action_id=Action.ALLOCATE, value=str(case["id"]), user="U0SPO0001", trigger_id="trigger-3")
    [filled] = await bot.fake.wait_for_async("views.update")
    offered = json.dumps(filled.args["view"])
    assert "Grace Hopper" in offered and "Ada Lovelace" not in offered  # only the named practitioner may hold it
    ids = await bot.practitioner_ids()
    status, answer = await bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=ids["N07A001"]))
    assert status == 200 and answer.get("response_action") == "errors"  # Ada is not named: refused even if crafted


async def test_an_spo_on_the_exclusion_list_does_not_get_the_card(bot: BotUnderTest) -> None:
    await bot.load_teams(CODED)
    _, case = await bot.post_case(case_fields(restricted=True, excluded_practitioners=["n07s002"]))
    await bot.drained()

    assert [p.args["channel"] for p in bot.fake.calls_to("chat.postMessage")] == ["U0SPO0001"]
    await bot.click(action_id=Action.DETAILS, value=str(case["id"]), user="U0SPO0002")
    [refused] = await bot.fake.wait_for_async("views.open")
    assert "not among the staff who may see it" in json.dumps(refused.args["view"])


async def test_a_restricted_case_naming_no_spo_is_not_lost_and_not_shown(bot: BotUnderTest) -> None:
    await bot.load_teams(CODED)
    await bot.post_case(case_fields(restricted_to=["N07A002"], name="Hidden Person"))
    await bot.drained()

    posts = bot.fake.calls_to("chat.postMessage")
    assert sorted(p.args["channel"] for p in posts) == ["U0SPO0001", "U0SPO0002"]
    for post in posts:
        assert "allocate it in the case record" in everything(post)
        assert "Hidden" not in everything(post) and "X123456" not in everything(post) and "B2" not in everything(post)


async def test_app_home_counts_a_restricted_case_but_shows_nothing_of_it_to_an_spo_its_lists_keep_it_from(bot: BotUnderTest) -> None:
    from tests.e2e.test_app_home import opened_home

    await bot.load_teams(CODED)
    await bot.post_case(case_fields(restricted_to=["N07S001"], name="Hidden Person", crn="X765432"))
    allowed, kept_from = json.dumps(await opened_home(bot, "U0SPO0001")), json.dumps(await opened_home(bot, "U0SPO0002"))

    assert "Hidden Person" in allowed and "X765432" in allowed
    assert "Hidden Person" not in kept_from and "X765432" not in kept_from and "a limited-access case its lists keep from you" in kept_from


async def test_app_home_awaiting_handover_keeps_a_restricted_pom_led_case_from_an_spo_its_lists_keep_it_from(bot: BotUnderTest) -> None:
    """A POM-led custodial case (custody under OMiC) waits in the SPOs' 'Awaiting handover' list:
    counted for every SPO, named (with its Allocate early button) only for those its lists allow."""
    from tests.e2e.test_app_home import opened_home

    await bot.load_teams(CODED)
    custody = {
        "sentence_type": "Custody",
        "prison": "HMP Leeds",
        "release_date": "2029-01-01",
        "rosh": "Low",
        "rsr": 1.0,
        "mappa_category": None,
        "mappa_level": None,
    }
    status, body = await bot.post_case(case_fields(restricted_to=["N07S001"], name="Hidden Prisoner", crn="X765433", tier="C2", **custody))
    assert status == 201 and body["state"] == "awaiting_handover", body
    allowed, kept_from = json.dumps(await opened_home(bot, "U0SPO0001")), json.dumps(await opened_home(bot, "U0SPO0002"))

    assert "Awaiting handover" in allowed and "Hidden Prisoner" in allowed and "Allocate early" in allowed
    assert "Awaiting handover" in kept_from and "a limited-access case its lists keep from you" in kept_from
    assert "Hidden Prisoner" not in kept_from and "X765433" not in kept_from and "Allocate early" not in kept_from


async def test_app_home_overdue_touchpoints_keep_a_restricted_case_from_an_spo_its_lists_keep_it_from(bot: BotUnderTest) -> None:
    from sqlalchemy import update

    from storage.models import Touchpoint
    from tests.e2e.test_app_home import opened_home

    await bot.load_teams(CODED)
    _, case = await bot.post_case(
        case_fields(restricted_to=["N07S001", "N07A002"], name="Hidden Overdue", crn="X765434", tier="C1", mappa_category=None, mappa_level=None)
    )
    await bot.drained()
    grace = (await bot.practitioner_ids())["N07A002"]
    assert await bot.submit(case_id=case["id"], user="U0SPO0001", values=answers(practitioner_id=grace)) == (200, {})
    async with bot.runtime.db.uow() as uow:  # the touchpoint's day has passed without it being recorded
        await uow.session.execute(update(Touchpoint).values(due_on=date(2026, 1, 5)))
        await uow.commit()
    allowed, kept_from = json.dumps(await opened_home(bot, "U0SPO0001")), json.dumps(await opened_home(bot, "U0SPO0002"))

    assert "*Touchpoints overdue* (1)" in allowed and "Hidden Overdue" in allowed
    assert "*Touchpoints overdue* (1)" in kept_from and "Hidden Overdue" not in kept_from and "X765434" not in kept_from


async def test_casebot_queue_and_case_say_nothing_of_a_restricted_case_to_an_spo_its_lists_keep_it_from(bot: BotUnderTest) -> None:
    from tests.e2e.test_slash_command import casebot

    await bot.load_teams(CODED)
    await bot.post_case(case_fields(restricted=True, excluded_practitioners=["N07S002"], name="Hidden Person", crn="X765432"))

    allowed, kept_from = await casebot(bot, "queue", "U0SPO0001"), await casebot(bot, "queue", "U0SPO0002")
    assert "Hidden Person" in allowed.raw and "X765432" in allowed.raw
    assert "Hidden Person" not in kept_from.raw and "X765432" not in kept_from.raw
    assert "Hidden Person" in (await casebot(bot, "case X765432", "U0SPO0001")).raw
    assert "Hidden Person" not in (await casebot(bot, "case X765432", "U0SPO0002")).raw
