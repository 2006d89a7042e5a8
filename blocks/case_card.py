"""The case as the team sees it: the channel card and the restricted-case DM (Details: blocks/case_picture.py).

Pure builders. Every upstream string goes through `blocks.text` (escaped, cut to limits).
"""

from __future__ import annotations

from typing import Any

from blocks.formats import long_date, short_date
from blocks.ids import Action
from blocks.kit import Block, actions, button, context, field, fields_section, header, message, modal, section
from blocks.path_blocks import path_blocks
from blocks.text import FALLBACK_TEXT_MAX, SECTION_TEXT_MAX, mrkdwn_safe
from bot.domain.case_path import PathFacts
from bot.domain.case_summary import CaseSummary
from bot.domain.channel_detail import DEFAULT_CHANNEL_DETAIL, channel_name, shows_name
from bot.domain.vocabulary import PROBATION, Terms


def record_link(template: str | None, crn: str) -> str | None:
    """The case's address in the system of record, from the operator's `{crn}` template."""
    return template.format(crn=crn) if template else None


def mappa_text(case: CaseSummary) -> str:
    if case.mappa_category is None and case.mappa_level is None:
        return "None recorded"
    parts = []
    if case.mappa_category is not None:
        parts.append(f"Category {case.mappa_category}")
    if case.mappa_level is not None:
        parts.append(f"Level {case.mappa_level}")
    return ", ".join(parts)


def _crnfield(case: CaseSummary, record_url: str | None) -> Block:
    if record_url:
        return {"type": "mrkdwn", "text": f"*CRN*\n<{mrkdwn_safe(record_url, 1500)}|{mrkdwn_safe(case.crn, 20)}>"}
    return field("CRN", case.crn)


def summary_fields(case: CaseSummary, record_url: str | None, *, waiting: bool = True) -> list[Block]:
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


def _buttons(case: CaseSummary, record_url: str | None, pom_led: bool = False) -> Block:
    """A POM-led case is not offered for allocation yet: Details only (seeds/001 s2.3)."""
    elements = [button(Action.DETAILS, "Details", value=str(case.id))] if pom_led else case_buttons(case.id)
    if record_url:
        elements.append(button(Action.OPEN_RECORD, "Open record", url=record_url))
    return actions(elements, f"case_actions_{case.id}")


FULL = "full"  # every summary field: the SPOs' private copy of a restricted case, never a channel


def card_fields(case: CaseSummary, record_url: str | None, detail: str, *, waiting: bool = True) -> list[Block]:
    """The card's facts at the team's `channel_detail`: CRN, tier and target (minimal), with the
    sentence (standard); RoSH and MAPPA only in the SPOs' private copy (`FULL`). `waiting`: the
    case is offered for allocation now, so the team's target date is shown (not while POM-led)."""
    if detail == FULL:
        return summary_fields(case, record_url, waiting=waiting)
    return [
        _crnfield(case, record_url),
        field("Tier", case.tier),
        *([field("Sentence", case.sentence_type)] if shows_name(detail) else []),
        *([field("Team target", "allocate by " + short_date(case.due_by))] if waiting else []),
        *([field("Release date", long_date(case.release_date))] if case.release_date and shows_name(detail) else []),
    ]


def case_fallback_text(case: CaseSummary, team_name: str, detail: str = DEFAULT_CHANNEL_DETAIL) -> str:
    """Notification text: what a phone shows, so short and escaped."""
    who = case.name if detail == FULL else channel_name(case.name, detail)
    text = f"New case: {who} ({case.crn}, tier {case.tier}) for {team_name}, allocate by {short_date(case.due_by)}"
    return mrkdwn_safe(text, FALLBACK_TEXT_MAX)


def case_card(
    case: CaseSummary, *, team_name: str, record_url: str | None, detail: str = DEFAULT_CHANNEL_DETAIL, path: PathFacts | None = None
) -> dict[str, Any]:
    """The channel message for a new unallocated case, the start of its thread, at the team's
    `channel_detail` (bot/domain/channel_detail.py; `FULL` for the SPOs' private copy). `path`:
    its resourcing, POM-led status, events and first appointment (blocks/path_blocks.py)."""
    full = detail == FULL
    pom_led = path is not None and path.pom_led
    who = case.name if full else channel_name(case.name, detail)
    sentenced = f"Sentenced {long_date(case.sentence_date)} · " if full or shows_name(detail) else ""
    blocks: list[Block] = [
        header(f"{'Custody, POM-led' if pom_led else 'New case'}: {who}"),
        fields_section(card_fields(case, record_url, detail, waiting=not pom_led)),
        *path_blocks(path, in_channel=not full, detail=detail),
        context(
            mrkdwn_safe(
                sentenced
                + (f"reached the team {long_date(case.arrived_on)} · " if case.arrived_on else "")
                + "the team's target counts in working days from its arrival · discuss this case in the thread",
                SECTION_TEXT_MAX,
            )
        ),
        _buttons(case, record_url, pom_led),
    ]
    return message(case_fallback_text(case, team_name, detail), blocks)


def restricted_case_dm(case: CaseSummary, *, team_name: str, record_url: str | None, terms: Terms = PROBATION, path: PathFacts | None = None) -> dict[str, Any]:
    """A limited-access case goes to each SPO (HOMD) privately, never to the channel."""
    card = case_card(case, team_name=team_name, record_url=record_url, detail=FULL, path=path)
    notice = context(
        mrkdwn_safe(
            f"Restricted (limited-access) case for {team_name}: sent only to the team's {terms.managers} and not posted to the channel.",
            SECTION_TEXT_MAX,
        )
    )
    blocks = [card["blocks"][0], notice, *card["blocks"][1:]]
    text = mrkdwn_safe(f"Restricted case {case.crn} for {team_name}: allocate by {short_date(case.due_by)}", FALLBACK_TEXT_MAX)
    return message(text, blocks)


def restricted_elsewhere_notice(team_name: str, terms: Terms = PROBATION) -> dict[str, Any]:
    """To each SPO when a restricted case's lists allow none of them: it exists and is not lost,
    but nothing of it (not even the CRN) is shown to people its lists keep it from."""
    text = mrkdwn_safe(
        f"A limited-access case arrived for {team_name}, but its restriction or exclusion lists allow none of the team's "
        f"{terms.managers} known to casebot, so it is not shown here: allocate it in the case record. If you should be on "
        "its list, ask your administrator to add your staff code to the teams file (`staff_codes`).",
        SECTION_TEXT_MAX,
    )
    return message(mrkdwn_safe(f"A limited-access case arrived for {team_name}", FALLBACK_TEXT_MAX), [section(text)])


def notice_modal(title: str, message_mrkdwn: str) -> dict[str, Any]:
    """A one-message modal, for polite refusals and 'not yet' answers to a click.

    `message_mrkdwn` is built by the caller with any outside text already escaped, so it may
    carry the bot's own mentions (`<@U123>`).
    """
    return modal(title, [section(message_mrkdwn)], close="Close")
