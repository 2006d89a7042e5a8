"""The allocation decision as values: what an SPO decides, and the rules on its answers that
need no Slack (the form parser in handlers/forms.py reads the modal into these).

The questions come from seeds/000 ("Evidencing and auditing an allocation decision"); see
docs/policy-sources.md for each paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.calendar import is_bank_holiday

MAX_TEXT_CHARS = 3000  # Slack's plain_text_input limit; the MoJ tool allows 3,500
PRIORITIES = ("high", "normal", "not_required")


@dataclass(frozen=True)
class Concern:
    """The SPO's answer to one question about the offence. Hate crime and discrimination are
    two such questions, each with its own notes and its own sensitivity (seeds/000 version two:
    "information has to be entered for both issues"; docs/policy-sources.md)."""

    linked: bool
    notes: str | None = None
    sensitive: bool | None = None


NO_CONCERN = Concern(linked=False)


@dataclass(frozen=True)
class AllocationForm:
    practitioner_id: int
    evidence: str
    evidence_sensitive: bool
    hate_crime: Concern
    discrimination: Concern
    touchpoint_priority: str
    touchpoint_date: date | None
    touchpoint_reason: str | None
    notify_user_ids: list[str]
    exception_confirmed: bool
    early_reason: str | None = None  # why a POM-led case is allocated before its handover lead time


def touchpoint_date_problem(when: date | None, today: date) -> str | None:
    """Why a touchpoint date will not do, or None: it must be a working day, not in the past."""
    if when is None:
        return "Choose the touchpoint date."
    if when < today:
        return "The touchpoint date is in the past: choose today or a later date."
    if when.weekday() >= 5:
        return "The touchpoint date is on a weekend: choose a working day."
    if is_bank_holiday(when):
        return "The touchpoint date is a bank holiday: choose a working day."
    return None


@dataclass(frozen=True)
class ReallocationForm:
    """A reallocation's answers. When the planned touchpoint is not kept, the SPO answers the
    same touchpoint questions as at allocation (priority judged, nothing assumed)."""

    practitioner_id: int
    evidence: str
    evidence_sensitive: bool
    reason: str
    keep_touchpoint: bool
    exception_confirmed: bool
    touchpoint_priority: str | None = None
    touchpoint_date: date | None = None
    touchpoint_reason: str | None = None


@dataclass(frozen=True)
class CurrentAllocation:
    """Who holds a case and who allocated it, for 'already allocated'."""

    practitioner_name: str
    practitioner_user: str
    allocated_by: str
    allocated_at: datetime
