"""Answers to the Allocate modal, shaped as Slack's `view.state.values`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from blocks.ids import INPUT_ACTION, AllocateBlock
from bot.calendar import working_day_on_or_after

DEFAULT_TOUCHPOINT = working_day_on_or_after(date.today() + timedelta(days=15))
GOOD_EVIDENCE = "Ada has held similar burglary cases and has the experience with tier B risk this person needs."


def _option(value: str) -> dict[str, Any]:
    return {"selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}}


def answers(
    *,
    practitioner_id: int | None,
    evidence: str = GOOD_EVIDENCE,
    evidence_sensitive: str | None = "no",
    hate_crime: str | None = "no",
    hate_notes: str = "",
    hate_notes_sensitive: str | None = None,
    priority: str | None = "normal",
    touchpoint: date | None = DEFAULT_TOUCHPOINT,
    reason: str = "",
    notify: list[str] | None = None,
    confirm: bool = False,
) -> dict[str, Any]:
    def block(name: AllocateBlock, state: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return str(name), {INPUT_ACTION: state}

    return dict(
        [
            block(AllocateBlock.PRACTITIONER, _option(str(practitioner_id)) if practitioner_id else {"selected_option": None}),
            block(AllocateBlock.EVIDENCE, {"type": "plain_text_input", "value": evidence or None}),
            block(AllocateBlock.EVIDENCE_SENSITIVE, _option(evidence_sensitive) if evidence_sensitive else {"selected_option": None}),
            block(AllocateBlock.HATE_CRIME, _option(hate_crime) if hate_crime else {"selected_option": None}),
            block(AllocateBlock.HATE_NOTES, {"type": "plain_text_input", "value": hate_notes or None}),
            block(AllocateBlock.HATE_NOTES_SENSITIVE, _option(hate_notes_sensitive) if hate_notes_sensitive else {"selected_option": None}),
            block(AllocateBlock.TOUCHPOINT_PLAN, _option(priority) if priority else {"selected_option": None}),
            block(AllocateBlock.TOUCHPOINT_DATE, {"type": "datepicker", "selected_date": touchpoint.isoformat() if touchpoint else None}),
            block(AllocateBlock.TOUCHPOINT_REASON, {"type": "plain_text_input", "value": reason or None}),
            block(AllocateBlock.NOTIFY, {"type": "multi_users_select", "selected_users": notify or []}),
            block(
                AllocateBlock.CONFIRM_EXCEPTION,
                {"type": "checkboxes", "selected_options": [{"value": "confirmed"}] if confirm else []},
            ),
        ]
    )
