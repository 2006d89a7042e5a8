"""The case as the team sees it: the channel card, the restricted-case DM and the Details modal.

Pure builders. Every upstream string goes through `blocks.text` (escaped, cut to limits).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from blocks.ids import Action, Callback
from bot.domain.vocabulary import PROBATION, Terms
from blocks.text import (
    BUTTON_TEXT_MAX,
    FALLBACK_TEXT_MAX,
    FIELD_TEXT_MAX,
    HEADER_MAX,
    SECTION_TEXT_MAX,
    cut,
    long_date,
    mrkdwn_safe,
    plain,
    short_date,
)

Block = dict[str, Any]


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


def record_link(template: str | None, crn: str) -> str | None:
    """The case's address in the system of record, from the operator's `{crn}` template."""
    return template.format(crn=crn) if template else None


def _field(label: str, value: str) -> Block:
    """A labelled section field; `label` is ours, `value` may come from anyone."""
    return {"type": "mrkdwn", "text": f"*{label}*\n" + mrkdwn_safe(value, FIELD_TEXT_MAX - len(label) - 3)}


def mappa_text(case: CaseLike) -> str:
    if case.mappa_category is None and case.mappa_level is None:
        return "None recorded"
    parts = []
    if case.mappa_category is not None:
        parts.append(f"Category {case.mappa_category}")
    if case.mappa_level is not None:
        parts.append(f"Level {case.mappa_level}")
    return ", ".join(parts)


def _crn_field(case: CaseLike, record_url: str | None) -> Block:
    if record_url:
        return {"type": "mrkdwn", "text": f"*CRN*\n<{mrkdwn_safe(record_url, 1500)}|{mrkdwn_safe(case.crn, 20)}>"}
    return _field("CRN", case.crn)


def summary_fields(case: CaseLike, record_url: str | None) -> list[Block]:
    """The at-a-glance facts, at most 10 fields (Slack's section limit)."""
    return [
        _crn_field(case, record_url),
        _field("Tier", case.tier),
        _field("Sentence", case.sentence_type),
        _field("RoSH", case.rosh or "Not recorded"),
        _field("MAPPA", mappa_text(case)),
        _field("Allocate by", short_date(case.due_by)),
        *([_field("Release date", long_date(case.release_date))] if case.release_date else []),
    ]


def _buttons(case: CaseLike, record_url: str | None) -> Block:
    elements: list[Block] = [
        {
            "type": "button",
            "action_id": Action.ALLOCATE,
            "text": {"type": "plain_text", "text": "Allocate"},
            "style": "primary",
            "value": str(case.id),
        },
        {
            "type": "button",
            "action_id": Action.DETAILS,
            "text": {"type": "plain_text", "text": "Details"},
            "value": str(case.id),
        },
    ]
    if record_url:
        elements.append(
            {
                "type": "button",
                "action_id": Action.OPEN_RECORD,
                "text": {"type": "plain_text", "text": plain("Open record", BUTTON_TEXT_MAX)},
                "url": record_url[:3000],
            }
        )
    return {"type": "actions", "block_id": f"case_actions_{case.id}", "elements": elements}


def case_fallback_text(case: CaseLike, team_name: str) -> str:
    """Notification text: what a phone shows, so short and escaped."""
    text = f"New case: {case.name} ({case.crn}, tier {case.tier}) for {team_name}, allocate by {short_date(case.due_by)}"
    return mrkdwn_safe(text, FALLBACK_TEXT_MAX)


def case_card(case: CaseLike, *, team_name: str, record_url: str | None) -> dict[str, Any]:
    """The channel message for a new unallocated case (DESIGN.md flow 1)."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": plain(f"New case: {case.name}", HEADER_MAX)}},
        {"type": "section", "fields": summary_fields(case, record_url)},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": mrkdwn_safe(
                        f"Sentenced {long_date(case.sentence_date)} · due two working days after sentence "
                        "(PI 05/2014 s1.9) · discuss this case in the thread",
                        SECTION_TEXT_MAX,
                    ),
                }
            ],
        },
        _buttons(case, record_url),
    ]
    return {"text": case_fallback_text(case, team_name), "blocks": blocks}


def restricted_case_dm(case: CaseLike, *, team_name: str, record_url: str | None, terms: Terms = PROBATION) -> dict[str, Any]:
    """A limited-access case goes to each SPO (HOMD) privately, never to the channel."""
    card = case_card(case, team_name=team_name, record_url=record_url)
    notice = {
        "type": "context",
        "elements": [
            {
                "type": "mrkdwn",
                "text": mrkdwn_safe(
                    f"Restricted (limited-access) case for {team_name}: sent only to the team's {terms.managers} and not posted to the channel.",
                    SECTION_TEXT_MAX,
                ),
            }
        ],
    }
    blocks = [card["blocks"][0], notice, *card["blocks"][1:]]
    text = mrkdwn_safe(f"Restricted case {case.crn} for {team_name}: allocate by {short_date(case.due_by)}", FALLBACK_TEXT_MAX)
    return {"text": text, "blocks": blocks}


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def details_modal(case: CaseLike, *, team_name: str, record_url: str | None, terms: Terms = PROBATION) -> dict[str, Any]:
    """Everything the intake told us about the case, for anyone in the channel (issue: Details)."""
    facts = [
        *summary_fields(case, record_url),
        _field("Sentence date", long_date(case.sentence_date)),
        _field("RSR", f"{case.rsr:g}%" if case.rsr is not None else "Not recorded"),
        _field("Custodial", _yes_no(case.custodial) + (f" ({case.prison})" if case.custodial and case.prison else "")),
        _field(f"Previous {terms.practitioner}", case.previous_practitioner or "None recorded"),
    ]
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": plain(f"{case.name} ({case.crn})", HEADER_MAX)}},
        {"type": "section", "fields": facts[:10]},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Offence*\n" + mrkdwn_safe(case.offence or "Not recorded", SECTION_TEXT_MAX - 20)},
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": mrkdwn_safe(f"Team: {team_name} · allocate by {long_date(case.due_by)}", SECTION_TEXT_MAX)}],
        },
    ]
    return {
        "type": "modal",
        "callback_id": Callback.CASE_DETAILS,
        "title": {"type": "plain_text", "text": "Case details"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks,
    }


def notice_modal(title: str, message_mrkdwn: str) -> dict[str, Any]:
    """A one-message modal, for polite refusals and 'not yet' answers to a click.

    `message_mrkdwn` is built by the caller with any outside text already escaped, so it may
    carry the bot's own mentions (`<@U123>`).
    """
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": plain(title, 24)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": cut(message_mrkdwn, SECTION_TEXT_MAX)}}],
    }
