"""The allocator's picture of a case, in sections, for the Allocate modal and Details.

seeds/002 "Review the case" restructures the case into sections (sentence, offence, case
management, risks and needs) and asks that the most important facts show by default: risks
and alerts that affect allocation, who is at risk and how much, the last OASys assessment and
its type, recall or parole eligibility, previous and concurrent offences. Each section here
starts with its most decisive line; whatever the source did not send reads "not known", so an
SPO can tell "none" from "not sent". Risk comes first: it decides the grade and the person.
Pure: a case in, blocks out; every upstream string is escaped and cut (blocks/text.py), and
each section kept under Slack's 3,000 characters (`_section`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from blocks.case_card import summary_fields
from blocks.formats import NOT_KNOWN, age_text, long_date, score_text, yes_no_text
from blocks.ids import Callback
from blocks.kit import Block, context, divider, field, fields_section, header, modal, section
from blocks.path_blocks import path_blocks
from blocks.text import SECTION_TEXT_MAX, mrkdwn_safe
from bot.domain.case_path import PathFacts
from bot.domain.case_picture import CasePicture
from bot.domain.case_summary import CaseSummary
from bot.domain.vocabulary import PROBATION, Terms

SECTION_PARTS_MAX = 2  # sections one heading may fill before "and N more"
ITEM_TEXT_MAX = 300


def _safe(value: str | None, limit: int = ITEM_TEXT_MAX) -> str:
    return mrkdwn_safe(value, limit) if value else NOT_KNOWN


def _date(day: date | None) -> str:
    return long_date(day) if day is not None else NOT_KNOWN


def _items(values: Sequence[str]) -> list[str]:
    """One bullet a registration, requirement or offence; "not known" when none was sent."""
    return [f"   • {mrkdwn_safe(v, ITEM_TEXT_MAX)}" for v in values] or [f"   {NOT_KNOWN}"]


def rosh_by_group_text(picture: CasePicture) -> str:
    """'Children *High* · Public Medium · Known adult not known · ...': High and Very High in
    bold, since they decide the grade and the team; "not known" when no group was sent."""
    groups = picture.rosh_by_group()
    if all(level is None for _, level in groups):
        return NOT_KNOWN
    return " · ".join(f"{who} " + (f"*{level}*" if level in ("High", "Very High") else level or NOT_KNOWN) for who, level in groups)


def _rsr_line(case: CaseSummary, picture: CasePicture) -> str:
    parts = [score_text(case.rsr), *([picture.rsr_level] if picture.rsr_level else []), *([f"on {long_date(picture.rsr_date)}"] if picture.rsr_date else [])]
    return "*RSR:* " + " · ".join(parts)


def risk_lines(case: CaseSummary, picture: CasePicture) -> list[str]:
    """Who is at risk and how much, then the registrations and alerts, the predictors and the
    last assessment (seeds/002: "a breakdown of risk ... who is the risk against"; alerts "that
    will affect an allocation decision"; 001 s3.1-3.2: OGRS, RSR, OSP). The overall RoSH and
    MAPPA are in the summary above the sections."""
    kind = f" ({mrkdwn_safe(picture.last_oasys_type, 100)})" if picture.last_oasys_type else ""
    oasys = (long_date(picture.last_oasys_date) if picture.last_oasys_date else "date not known" if kind else NOT_KNOWN) + kind
    return [
        f"*RoSH by who is at risk:* {rosh_by_group_text(picture)}",
        "*Registrations:*",
        *_items(picture.registrations),
        "*Alerts:*",
        *_items(picture.alerts),
        _rsr_line(case, picture),
        f"*OGRS:* {score_text(picture.ogrs)} · *OSP/C:* {_safe(picture.osp_c)} · *OSP/I:* {_safe(picture.osp_i)}",
        f"*Last OASys assessment:* {oasys}",
    ]


def sentence_lines(case: CaseSummary, picture: CasePicture) -> list[str]:
    """What the court gave, then custody: release, recall, parole (seeds/003 s3.17: "the sentence
    of the court including any requirements"; seeds/002: "Whether a recall or parole eligible case")."""
    custody = f"Yes ({mrkdwn_safe(case.prison, 200)})" if case.custodial and case.prison else yes_no_text(case.custodial)
    return [
        f"*{mrkdwn_safe(case.sentence_type, 100)}* · length {_safe(picture.sentence_length, 60)} · sentenced {long_date(case.sentence_date)}",
        "*Requirements:*",
        *_items(picture.requirements),
        f"*Custodial:* {custody} · *release date:* {_date(case.release_date)}",
        f"*Recall:* {yes_no_text(picture.recall)} · *parole eligibility:* {_date(picture.parole_eligibility_date)}",
        f"*Pre-sentence report prepared:* {yes_no_text(picture.psr_prepared)}",
    ]


def offence_lines(case: CaseSummary, picture: CasePicture) -> list[str]:
    """The main offence, then the others (seeds/002: previous and concurrent offences help "establish a pattern")."""
    return [f"*Main:* {_safe(case.offence, 2000)}", "*Other offences:*", *_items(picture.other_offences)]


def management_lines(case: CaseSummary, picture: CasePicture) -> list[str]:
    """Who the person is (seeds/002: name, date of birth, NOMIS id); the previous
    practitioner is in the summary above."""
    born = (
        f"{long_date(picture.date_of_birth)} (aged {age_text(picture.date_of_birth, case.sentence_date)} at sentence)" if picture.date_of_birth else NOT_KNOWN
    )
    return [
        f"*Date of birth:* {born} · *gender:* {_safe(picture.gender, 100)} · *NOMIS id:* {_safe(picture.nomis_id, 10)}",
    ]


def _section(heading: str, lines: list[str]) -> list[Block]:
    """The heading and its lines in at most two sections of 3,000 characters. Each line is
    already escaped and cut to its own budget (at most the offence's 2,000), so lines are kept
    whole (kit.packed would cut long ones mid-entity); what does not fit is counted."""
    texts: list[str] = []
    current = f"*{heading}*"
    for index, line in enumerate(lines):
        if len(current) + 1 + len(line) <= SECTION_TEXT_MAX:
            current += "\n" + line
            continue
        texts.append(current)
        if len(texts) == SECTION_PARTS_MAX:
            return [*(section(t) for t in texts), context(f"and {len(lines) - index:,} more lines: open the case record for the rest")]
        current = line
    return [*(section(t) for t in [*texts, current])]


def picture_blocks(case: CaseSummary) -> list[Block]:
    """The four sections, risk first and the most decisive line first in each: at most 13 blocks
    (a divider, then up to two sections and a "more" note a heading)."""
    picture = CasePicture.from_stored(case.picture)
    return [
        divider(),
        *_section(":warning: Risk", risk_lines(case, picture)),
        *_section("Sentence", sentence_lines(case, picture)),
        *_section("Offence", offence_lines(case, picture)),
        *_section("Case management", management_lines(case, picture)),
    ]


def details_modal(case: CaseSummary, *, team_name: str, record_url: str | None, terms: Terms = PROBATION, path: PathFacts | None = None) -> dict[str, Any]:
    """Details: the case at a glance, its path (resourcing and why, custody, events, first
    appointment), then the picture, for the team's people (bot/domain/access.py)."""
    blocks: list[Block] = [
        header(f"{case.name} ({case.crn})"),
        fields_section([*summary_fields(case, record_url), field(f"Previous {terms.practitioner}", case.previous_practitioner or "None recorded")]),
        *path_blocks(path),
        *picture_blocks(case),
        context(mrkdwn_safe(f"Team: {team_name} · allocate by {long_date(case.due_by)}", SECTION_TEXT_MAX)),
    ]
    return modal("Case details", blocks, callback=Callback.CASE_DETAILS, close="Close")
