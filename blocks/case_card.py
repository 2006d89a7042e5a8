"""The case as the team sees it: the channel card, the restricted-case DM and the Details modal.

Pure builders. Every upstream string goes through `blocks.text` (escaped, cut to limits).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from blocks.formats import long_date, rsr_text, short_date
from blocks.ids import Action, Callback
from blocks.kit import Block, actions, button, context, field, fields_section, header, message, modal, section
from blocks.path_blocks import path_blocks
from blocks.text import FALLBACK_TEXT_MAX, SECTION_TEXT_MAX, mrkdwn_safe
from bot.domain.case_path import PathFacts
from bot.domain.vocabulary import PROBATION, Terms


class CaseLike(Protocol):
    """What the builders read of a case (storage.models.Case satisfies it)."""

    id: int
    crn: str
    name: str
    tier: str
    sentence_type: str
    sentence_date: date
    due_by: date
    custodial: bool
    prison: str | None
    rosh: str | None
    rsr: float | None
    mappa_category: int | None
    mappa_level: int | None
    offence: str | None
    previous_practitioner: str | None
    restricted: bool
    release_date: date | None
    arrived_on: date | None


def record_link(template: str | None, crn: str) -> str | None:
    """The case's address in the system of record, from the operator's `{crn}` template."""
    return template.format(crn=crn) if template else None


def mappa_text(case: CaseLike) -> str:
    if case.mappa_category is None and case.mappa_level is None:
        return "None recorded"
    parts = []
    if case.mappa_category is not None:
        parts.append(f"Category {case.mappa_category}")
    if case.mappa_level is not None:
        parts.append(f"Level {case.mappa_level}")
    return ", ".join(parts)


def _crnfield(case: CaseLike, record_url: str | None) -> Block:
    if record_url:
        return {"type": "mrkdwn", "text": f"*CRN*\n<{mrkdwn_safe(record_url, 1500)}|{mrkdwn_safe(case.crn, 20)}>"}
    return field("CRN", case.crn)


def summary_fields(case: CaseLike, record_url: str | None, *, waiting: bool = True) -> list[Block]:
    """The at-a-glance facts, at most 10 fields (Slack's section limit). `waiting`: the case
    still waits for allocation, so the team's target date is shown; once allocated it is not."""
    return [
        _crnfield(case, record_url),
        field("Tier", case.tier),
        field("Sentence", case.sentence_type),
        field("RoSH", case.rosh or "Not recorded"),
        field("MAPPA", mappa_text(case)),
        *([field("Team target", "allocate by " + short_date(case.due_by))] if waiting else []),
        *([field("Release date", long_date(case.release_date))] if case.release_date else []),
    ]


def case_buttons(case_id: int) -> list[Block]:
    """Allocate and Details: the same buttons wherever a waiting case is shown, so the same
    listeners answer them."""
    return [
        button(Action.ALLOCATE, "Allocate", value=str(case_id), style="primary"),
        button(Action.DETAILS, "Details", value=str(case_id)),
    ]


def _buttons(case: CaseLike, record_url: str | None, pom_led: bool = False) -> Block:
    """A POM-led case is not offered for allocation yet: Details only (seeds/001 s2.3)."""
    elements = [button(Action.DETAILS, "Details", value=str(case.id))] if pom_led else case_buttons(case.id)
    if record_url:
        elements.append(button(Action.OPEN_RECORD, "Open record", url=record_url))
    return actions(elements, f"case_actions_{case.id}")


def case_fallback_text(case: CaseLike, team_name: str) -> str:
    """Notification text: what a phone shows, so short and escaped."""
    text = f"New case: {case.name} ({case.crn}, tier {case.tier}) for {team_name}, allocate by {short_date(case.due_by)}"
    return mrkdwn_safe(text, FALLBACK_TEXT_MAX)


def case_card(case: CaseLike, *, team_name: str, record_url: str | None, path: PathFacts | None = None) -> dict[str, Any]:
    """The channel message for a new unallocated case: the start of its thread. `path`: its
    resourcing, POM-led status, events and first appointment (blocks/path_blocks.py)."""
    pom_led = path is not None and path.pom_led
    blocks: list[Block] = [
        header(f"{'Custody, POM-led' if pom_led else 'New case'}: {case.name}"),
        fields_section(summary_fields(case, record_url, waiting=not pom_led)),
        *path_blocks(path),
        context(
            mrkdwn_safe(
                f"Sentenced {long_date(case.sentence_date)}"
                + (f" · reached the team {long_date(case.arrived_on)}" if case.arrived_on else "")
                + " · the team's target counts in working days from its arrival · discuss this case in the thread",
                SECTION_TEXT_MAX,
            )
        ),
        _buttons(case, record_url, pom_led),
    ]
    return message(case_fallback_text(case, team_name), blocks)


def restricted_case_dm(case: CaseLike, *, team_name: str, record_url: str | None, terms: Terms = PROBATION, path: PathFacts | None = None) -> dict[str, Any]:
    """A limited-access case goes to each SPO (HOMD) privately, never to the channel."""
    card = case_card(case, team_name=team_name, record_url=record_url, path=path)
    notice = context(
        mrkdwn_safe(
            f"Restricted (limited-access) case for {team_name}: sent only to the team's {terms.managers} and not posted to the channel.",
            SECTION_TEXT_MAX,
        )
    )
    blocks = [card["blocks"][0], notice, *card["blocks"][1:]]
    text = mrkdwn_safe(f"Restricted case {case.crn} for {team_name}: allocate by {short_date(case.due_by)}", FALLBACK_TEXT_MAX)
    return message(text, blocks)


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def details_modal(case: CaseLike, *, team_name: str, record_url: str | None, terms: Terms = PROBATION, path: PathFacts | None = None) -> dict[str, Any]:
    """Everything the intake told us about the case, for anyone in the channel (issue: Details)."""
    facts = [
        *summary_fields(case, record_url),
        field("Sentence date", long_date(case.sentence_date)),
        field("RSR", rsr_text(case.rsr)),
        field("Custodial", _yes_no(case.custodial) + (f" ({case.prison})" if case.custodial and case.prison else "")),
        field(f"Previous {terms.practitioner}", case.previous_practitioner or "None recorded"),
    ]
    blocks: list[Block] = [
        header(f"{case.name} ({case.crn})"),
        fields_section(facts),
        section("*Offence*\n" + mrkdwn_safe(case.offence or "Not recorded", SECTION_TEXT_MAX - 20)),
        *path_blocks(path),
        context(mrkdwn_safe(f"Team: {team_name} · allocate by {long_date(case.due_by)}", SECTION_TEXT_MAX)),
    ]
    return modal("Case details", blocks, callback=Callback.CASE_DETAILS, close="Close")


def notice_modal(title: str, message_mrkdwn: str) -> dict[str, Any]:
    """A one-message modal, for polite refusals and 'not yet' answers to a click.

    `message_mrkdwn` is built by the caller with any outside text already escaped, so it may
    carry the bot's own mentions (`<@U123>`).
    """
    return modal(title, [section(message_mrkdwn)], close="Close")
