"""The case's path on the card, in the modals and in its notices: within Slack's limits, every
upstream string escaped, and the senior approvers' request without sensitive evidence."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from blocks.case_card import case_card
from blocks.case_picture import details_modal
from blocks.ids import Action
from blocks.path_blocks import currently_managed_notice, currently_managed_reply, handover_reply, path_blocks
from blocks.sign_off_blocks import held_card, held_thread_reply, sign_off_request
from bot.domain.case_path import EventLine, FirstAppointment, PathFacts
from tests.blocks.support import HOSTILE, all_text, assert_valid_message, assert_valid_view, make_case, mrkdwn_of
from tests.blocks.test_notices import EVIDENCE, FACTS

PATH = PathFacts(
    resourcing="enhanced", resourcing_reason=HOSTILE, resourcing_given="normal", pom_led=True, path_reason=HOSTILE,
    handover_date=date(2027, 6, 22), allocatable_from=date(2027, 6, 8),
    events=tuple(EventLine(HOSTILE, date(2026, 12, day)) for day in range(1, 30)),
    first_appointment=FirstAppointment(date(2026, 12, 23), "10:30", HOSTILE), senior_sign_off=True,
)  # fmt: skip


def test_a_hostile_path_stays_within_limits_and_pings_nobody() -> None:
    case = make_case(name=HOSTILE)
    surfaces = {
        "card": case_card(case, team_name="T", record_url=None, path=PATH),
        "currently_managed_reply": currently_managed_reply(EventLine(HOSTILE, date(2026, 12, 1)), "U0PP00001"),
        "currently_managed_notice": currently_managed_notice("X123456", HOSTILE, EventLine(HOSTILE, date(2026, 12, 1)), "U0PP00001"),
        "handover_reply": handover_reply(PATH),
        "held_card": held_card(case, FACTS, ["U0DD00001"], team_name="T", record_url=None),
        "held_thread_reply": held_thread_reply(FACTS, ["U0DD00001"]),
        "sign_off_request": sign_off_request(case, replace(FACTS, evidence=HOSTILE, evidence_sensitive=False), record_url=None),
    }
    for name, message in surfaces.items():
        assert_valid_message(message)
        text = mrkdwn_of(message).replace("<@U0PP00001>", "").replace("<@U0SPO0001>", "").replace("<@U0DD00001>", "")
        assert "<!channel>" not in text and "<@U0BOSS01>" not in text, name
    assert_valid_view(details_modal(case, team_name="T", record_url=None, path=PATH))


def test_a_pom_led_card_offers_details_only_and_says_when_it_joins_the_queue() -> None:
    card = case_card(make_case(), team_name="T", record_url=None, path=replace(PATH, path_reason="more than 12 weeks to serve"))
    [actions] = [b for b in card["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions["elements"]] == [Action.DETAILS]
    text = all_text(card)
    assert "POM-led until handover on Tue 22 Jun 2027" in text and "Tue 8 Jun 2027" in text and "Team target" not in text


def test_the_approvers_never_read_sensitive_evidence() -> None:
    request = sign_off_request(make_case(), FACTS, record_url=None)  # FACTS' evidence is sensitive
    assert EVIDENCE not in all_text(request) and "marked sensitive" in all_text(request)
    assert not path_blocks(None)


def test_a_channel_card_names_the_resourcing_but_keeps_its_reason_for_details() -> None:
    """The reason is risk (MAPPA, RoSH, RSR): never on a channel card (README, "What the channel may see")."""
    path = PathFacts(resourcing="enhanced", resourcing_reason="MAPPA category 2", events=(EventLine("Community Order", date(2026, 12, 1)),) * 2)
    card = all_text(case_card(make_case(), team_name="T", record_url=None, path=path))
    assert "Enhanced resources (why: in Details)" in card and "MAPPA category 2" not in card
    assert "2 events for this person" in card and "Community Order" not in card  # minimal: no sentences
    standard = all_text(case_card(make_case(), team_name="T", record_url=None, path=path, detail="standard"))
    assert "Community Order, sentenced" in standard and "MAPPA category 2" not in standard
    assert "Enhanced resources: MAPPA category 2" in all_text(details_modal(make_case(), team_name="T", record_url=None, path=path))
