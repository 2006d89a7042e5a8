"""Action, block and callback ids shared by the builders and the listeners that match them."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    ALLOCATE = "case_allocate"
    DETAILS = "case_details"
    OPEN_RECORD = "case_open_record"


class Callback(StrEnum):
    CASE_DETAILS = "case_details_modal"
    ALLOCATE = "allocate_modal"


class MetadataEvent(StrEnum):
    """Slack message metadata event types the bot writes (DESIGN.md principles: outbox id)."""

    OUTBOX = "casebot_outbox"
