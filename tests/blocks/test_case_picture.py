"""The allocator's picture in the Details modal and the Allocate modal (blocks/case_picture.py),
judged by slack_sdk's own Block Kit models and Slack's limits."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from blocks.allocate_modal import allocate_modal
from blocks.case_picture import details_modal, picture_blocks, rosh_by_group_text
from blocks.ids import AllocateBlock, Callback
from blocks.text import SECTION_TEXT_MAX
from bot.domain.case_picture import LIST_MAX, CasePicture
from bot.domain.offers import Offer
from bot.domain.policy import PolicyFit
from tests.blocks.support import HOSTILE, all_text, assert_valid_view, make_case, mrkdwn_of

FULL = CasePicture(
    date_of_birth=date(1990, 12, 25),
    gender="Male",
    nomis_id="A1234BC",
    ogrs=45.0,
    rsr_level="Medium",
    rsr_date=date(2026, 11, 2),
    osp_c="Low",
    osp_i="Medium",
    rosh_children="High",
    rosh_public="Medium",
    rosh_known_adult="Very High",
    rosh_staff="Low",
    registrations=("Domestic abuse perpetrator", "Child protection", "ViSOR"),
    alerts=("Risk to females", "Racist"),
    last_oasys_date=date(2026, 11, 2),
    last_oasys_type="Layer 3 full",
    other_offences=("Criminal damage", "Breach of a restraining order"),
    sentence_length="2 years 6 months",
    requirements=("Unpaid work, 150 hours", "Rehabilitation activity, 20 days"),
    recall=False,
    parole_eligibility_date=date(2028, 1, 4),
    psr_prepared=True,
)


def full_case(**changes: Any) -> Any:
    return make_case(picture=FULL.to_stored(), rsr=4.2, mappa_category=2, mappa_level=1, **changes)


def offer() -> Offer:
    return Offer(
        practitioner_id=1, staff_code="N07A001", name="Ada Lovelace", grade="PO", slack_user_id="U0PP00001",
        fit=PolicyFit(exceptions=[], notes=[], is_previous=False), workload_now=55.0, workload_after=60.0,
        recent_allocations=0, tier_mix={"A": 1},
    )  # fmt: skip


def sections(view: dict[str, Any]) -> dict[str, str]:
    """Each picture section's text by its heading."""
    out = {}
    for block in view["blocks"]:
        text = block.get("text", {}).get("text", "") if block["type"] == "section" else ""
        if match := re.match(r"\*(?::warning: )?(Risk|Sentence|Offence|Case management)\*\n", text):
            out[match.group(1)] = text
    return out


def test_stored_picture_reads_back_the_same() -> None:
    assert CasePicture.from_stored(FULL.to_stored()) == FULL
    assert CasePicture.from_stored(None) == CasePicture() and CasePicture().to_stored() == {}


@pytest.mark.parametrize("build", ["details", "allocate"])
def test_full_picture_renders_within_slacks_limits(build: str) -> None:
    case = full_case()
    view = details_modal(case, team_name="T", record_url=None) if build == "details" else allocate_modal(
        case, [offer()], touchpoint_default=date(2027, 1, 8), notify_default=[], previous_name=None, record_url=None
    )  # fmt: skip
    assert_valid_view(view)  # slack_sdk's View: 100 blocks, title; ours: 3,000 a section
    found = sections(view)
    assert list(found) == ["Risk", "Sentence", "Offence", "Case management"]
    risk = found["Risk"]
    assert "Children *High* · Public Medium · Known adult *Very High* · Staff Low · Prisoners not known" in risk
    assert "• Domestic abuse perpetrator" in risk and "• ViSOR" in risk and "• Risk to females" in risk
    assert "*RSR:* 4.2% · Medium · on Mon 2 Nov 2026" in risk and "*OGRS:* 45%" in risk
    assert "*Last OASys assessment:* Mon 2 Nov 2026 (Layer 3 full)" in risk
    assert "length 2 years 6 months" in found["Sentence"] and "• Unpaid work, 150 hours" in found["Sentence"]
    assert "*Recall:* No · *parole eligibility:* Tue 4 Jan 2028" in found["Sentence"]
    assert "*Pre-sentence report prepared:* Yes" in found["Sentence"]
    assert found["Offence"].index("Theft") < found["Offence"].index("Criminal damage")  # main first
    assert "Tue 25 Dec 1990 (aged 35 at sentence)" in found["Case management"] and "A1234BC" in found["Case management"]


def test_the_risk_section_comes_before_the_questions_in_the_allocate_modal() -> None:
    view = allocate_modal(full_case(), [offer()], touchpoint_default=date(2027, 1, 8), notify_default=[], previous_name=None, record_url=None)
    kinds = [b.get("text", {}).get("text", "")[:20] if b["type"] == "section" else b.get("block_id", "") for b in view["blocks"]]
    assert kinds.index("*:warning: Risk*\n*Ro") < kinds.index(AllocateBlock.PRACTITIONER)


def test_what_the_source_did_not_send_reads_not_known() -> None:
    view = details_modal(make_case(rsr=None, offence=None, rosh=None), team_name="T", record_url=None)
    assert_valid_view(view)
    found = sections(view)
    assert "*RoSH by who is at risk:* not known" in found["Risk"] and "*Last OASys assessment:* not known" in found["Risk"]
    assert "*Registrations:*\n   not known" in found["Risk"] and "*OGRS:* not known" in found["Risk"]
    assert "*Main:* not known" in found["Offence"] and "*Recall:* not known" in found["Sentence"]
    assert "*Date of birth:* not known" in found["Case management"]
    assert (
        rosh_by_group_text(CasePicture(rosh_staff="High"))
        == "Children not known · Public not known · Known adult not known · Staff *High* · Prisoners not known"
    )


def test_hostile_picture_is_escaped_kept_whole_and_within_limits() -> None:
    """Every list at its longest with markup in every item: no ping, no split entity, no section over 3,000
    characters, at most two sections a heading and a note of what was left out."""
    long = tuple(("<!channel> & <@U0BOSS01> " * 20)[:300] for _ in range(LIST_MAX))
    picture = CasePicture(registrations=long, alerts=long, other_offences=long, requirements=long, gender="<!here>", last_oasys_type="<b>&")
    case = make_case(picture=picture.to_stored(), offence="<>&" * 666, name=HOSTILE[:200], sentence_type="<!here>", prison="<HMP>", custodial=True)
    for view in (
        details_modal(case, team_name="T", record_url=None),
        allocate_modal(case, [offer()], touchpoint_default=date(2027, 1, 8), notify_default=[], previous_name=None, record_url=None),
    ):
        assert_valid_view(view)
        text = mrkdwn_of(view)
        assert "<!channel>" not in text and "<!here>" not in text and "<@U0BOSS01>" not in text
        assert not re.search(r"&(?!amp;|lt;|gt;)", text)
        picture_sections = [b for b in view["blocks"] if b["type"] == "section" and "text" in b]
        assert all(len(b["text"]["text"]) <= SECTION_TEXT_MAX for b in picture_sections)
        assert "more lines: open the case record" in all_text(view)
        assert len(view["blocks"]) <= 100


def test_picture_blocks_stay_few() -> None:
    assert len(picture_blocks(full_case())) <= 12
    assert details_modal(full_case(), team_name="T", record_url=None)["callback_id"] == Callback.CASE_DETAILS
