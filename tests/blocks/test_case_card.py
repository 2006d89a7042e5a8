"""The channel case card, the restricted-case DM and the Details modal (blocks/case_card.py)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from blocks.case_card import FULL, case_card, mappa_text, record_link, restricted_case_dm
from blocks.case_picture import details_modal
from blocks.ids import Action
from blocks.text import FIELD_TEXT_MAX, HEADER_MAX, SECTION_TEXT_MAX
from bot.domain.case_summary import CaseSummary
from bot.domain.channel_detail import initials
from tests.blocks.support import all_text, make_case, text_objects

RECORD_URL = "https://records.example/case/X123456?view=full&tab=1"
# The one piece of raw mrkdwn markup the builders emit: the CRN linked to the record.
_RECORD_LINK = re.compile(r"<https://[^|<>]+\|[^<>]*>")


HOSTILE = make_case(
    name="<!channel> & <@U0BOSS01> " * 200,  # 5,000 characters
    offence="<>&" * 1700,
    sentence_type="<!here>",
    prison="HMP <Leeds> & Co",
    custodial=True,
    previous_practitioner="<b>N07A001</b>",
)


def builds(case: CaseSummary, record_url: str | None) -> dict[str, dict[str, Any]]:
    return {
        "card": case_card(case, team_name="Sheffield <North>", record_url=record_url, detail="standard"),
        "minimal": case_card(case, team_name="Sheffield <North>", record_url=record_url),
        "dm": restricted_case_dm(case, team_name="Sheffield <North>", record_url=record_url),
        "modal": details_modal(case, team_name="Sheffield <North>", record_url=record_url),
    }


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (actions,) = [b for b in message["blocks"] if b["type"] == "actions"]
    return {e["action_id"]: e for e in actions["elements"]}


def section_fields(view: dict[str, Any]) -> list[dict[str, Any]]:
    return next(b for b in view["blocks"] if b["type"] == "section" and "fields" in b)["fields"]


# --- Slack's own models accept what we build -------------------------------------------------


@pytest.mark.parametrize("case", [make_case(), HOSTILE], ids=["plain", "hostile"])
@pytest.mark.parametrize("record_url", [None, RECORD_URL], ids=["no-record", "record"])
def test_builds_validate_against_slack_sdk_models(case: CaseSummary, record_url: str | None) -> None:
    built = builds(case, record_url)
    for name in ("card", "dm"):
        for block in built[name]["blocks"]:
            Block.parse(block).validate_json()
    View(**built["modal"]).validate_json()
    for message in built.values():
        json.dumps(message)  # JSON-ready: no dates or other objects left in


@pytest.mark.parametrize("record_url", [None, RECORD_URL], ids=["no-record", "record"])
def test_hostile_case_stays_within_slack_limits(record_url: str | None) -> None:
    # slack_sdk does not check the 2,000-character field limit, so check it here.
    for name, message in builds(HOSTILE, record_url).items():
        fields = section_fields(message)
        assert len(fields) <= 10, name
        assert all(len(f["text"]) <= FIELD_TEXT_MAX for f in fields), name
        header = next(b for b in message["blocks"] if b["type"] == "header")
        assert len(header["text"]["text"]) <= HEADER_MAX, name
        assert all(len(t["text"]) <= SECTION_TEXT_MAX for t in text_objects(message["blocks"])), name
        if "text" in message:
            assert len(message["text"]) <= 4000, name


def test_hostile_header_is_cut_with_an_ellipsis() -> None:
    header = case_card(HOSTILE, team_name="T", record_url=None, detail="standard")["blocks"][0]
    assert header["text"]["text"].endswith("…")
    assert len(header["text"]["text"]) == HEADER_MAX


@pytest.mark.parametrize("record_url", [None, RECORD_URL], ids=["no-record", "record"])
def test_no_raw_markup_from_case_data_in_mrkdwn(record_url: str | None) -> None:
    """No `<!channel>` or `<@U…>` from upstream can ping anyone: every mrkdwn text is escaped."""
    for name, message in builds(HOSTILE, record_url).items():
        mrkdwn = [t["text"] for t in text_objects(message["blocks"]) if t["type"] == "mrkdwn"]
        if "text" in message:
            mrkdwn.append(message["text"])  # the notification text is mrkdwn too
        for text in mrkdwn:
            bare = _RECORD_LINK.sub("", text)
            assert "<" not in bare and ">" not in bare, (name, text[:200])
            assert not re.search(r"&(?!amp;|lt;|gt;)", bare), (name, text[:200])
        assert name == "minimal" or any("&lt;!channel&gt;" in t or "&lt;!here&gt;" in t for t in mrkdwn), name


# --- buttons ---------------------------------------------------------------------------------


def test_allocate_and_details_buttons_carry_the_case_id() -> None:
    card = case_card(make_case(id=1234), team_name="T", record_url=None)
    found = buttons(card)
    assert set(found) == {Action.ALLOCATE.value, Action.DETAILS.value}
    assert found[Action.ALLOCATE]["value"] == "1234"
    assert found[Action.DETAILS]["value"] == "1234"
    assert found[Action.ALLOCATE]["text"]["text"] == "Allocate"


def test_restricted_dm_keeps_the_buttons() -> None:
    dm = restricted_case_dm(make_case(id=7, restricted=True), team_name="T", record_url=None)
    found = buttons(dm)
    assert found[Action.ALLOCATE]["value"] == "7" and found[Action.DETAILS]["value"] == "7"


# --- record link -----------------------------------------------------------------------------


def test_record_link_fills_the_template() -> None:
    assert record_link("https://records.example/case/{crn}", "X123456") == "https://records.example/case/X123456"
    assert record_link(None, "X123456") is None
    assert record_link("", "X123456") is None


def test_record_url_links_the_crn_and_adds_an_open_button() -> None:
    card = case_card(make_case(), team_name="T", record_url=RECORD_URL)
    crn = section_fields(card)[0]["text"]
    # In mrkdwn the & of the URL is escaped too.
    assert crn == "*CRN*\n<https://records.example/case/X123456?view=full&amp;tab=1|X123456>"
    assert buttons(card)[Action.OPEN_RECORD]["url"] == RECORD_URL


def test_no_record_url_means_no_link_and_no_open_button() -> None:
    for message in builds(make_case(), None).values():
        assert "records.example" not in json.dumps(message)
        assert section_fields(message)[0]["text"] == "*CRN*\nX123456"
    assert Action.OPEN_RECORD.value not in buttons(case_card(make_case(), team_name="T", record_url=None))


# --- content ---------------------------------------------------------------------------------


def test_a_minimal_card_shows_crn_initials_tier_and_target_and_no_name() -> None:
    """The default (README, "What the channel may see"): no name, no sentence, no risk."""
    card = case_card(make_case(release_date=date(2027, 3, 1)), team_name="Sheffield North", record_url=None)
    fields = [f["text"] for f in section_fields(card)]
    assert fields == ["*CRN*\nX123456", "*Tier*\nB2", "*Team target*\nallocate by Wed 30 Dec"]
    assert card["blocks"][0]["text"]["text"] == "New case: J.B."
    assert "Jo" not in all_text(card) and "Bloggs" not in all_text(card) and "Community Order" not in all_text(card)
    assert "Medium" not in all_text(card) and "Theft" not in all_text(card)
    assert "J.B." in card["text"] and "Wed 30 Dec" in card["text"] and "Sheffield North" in card["text"]


def test_a_standard_card_adds_the_name_and_sentence_but_no_risk() -> None:
    card = case_card(make_case(), team_name="Sheffield North", record_url=None, detail="standard")
    fields = [f["text"] for f in section_fields(card)]
    assert fields == ["*CRN*\nX123456", "*Tier*\nB2", "*Sentence*\nCommunity Order", "*Team target*\nallocate by Wed 30 Dec"]
    assert card["blocks"][0]["text"]["text"] == "New case: Jo Bloggs" and "Jo Bloggs" in card["text"]
    assert "Sentenced Thu 24 Dec 2026" in all_text(card) and "RoSH" not in all_text(card)


def test_the_spos_private_copy_shows_risk() -> None:
    fields = [f["text"] for f in section_fields(case_card(make_case(), team_name="T", record_url=None, detail=FULL))]
    assert "*RoSH*\nMedium" in fields and "*MAPPA*\nNone recorded" in fields and "*Sentence*\nCommunity Order" in fields


@pytest.mark.parametrize(("name", "shown"), [("Sam de la Cruz-Smith", "S.D.L.C.S."), ("  ", "?"), ("<!channel>", "?"), ("ada", "A.")])
def test_initials(name: str, shown: str) -> None:
    assert initials(name) == shown


@pytest.mark.parametrize(
    ("category", "level", "shown"),
    [(2, 3, "Category 2, Level 3"), (1, None, "Category 1"), (None, 2, "Level 2"), (None, None, "None recorded")],
)
def test_mappa_text(category: int | None, level: int | None, shown: str) -> None:
    assert mappa_text(make_case(mappa_category=category, mappa_level=level)) == shown


def test_missing_rosh_is_not_recorded() -> None:
    fields = [f["text"] for f in section_fields(case_card(make_case(rosh=None), team_name="T", record_url=None, detail=FULL))]
    assert "*RoSH*\nNot recorded" in fields


def test_restricted_dm_says_it_is_restricted_and_not_in_the_channel() -> None:
    dm = restricted_case_dm(make_case(restricted=True), team_name="Sheffield North", record_url=None)
    assert "Restricted" in dm["text"] and "X123456" in dm["text"]
    notice = dm["blocks"][1]
    assert notice["type"] == "context"
    assert "Restricted (limited-access)" in notice["elements"][0]["text"]
    assert "not posted to the channel" in notice["elements"][0]["text"]
    # The DM's phone notification carries the CRN, not the person's name.
    assert "Jo Bloggs" not in dm["text"]
