"""What the `/casebot case X123456` answer shows, as plain values (bot/queries/case_history.py
fills them, blocks/case_answer.py renders them).

They live in the domain, like home_view.py, so the read model and the builder depend downwards
on one definition. No ORM object is put in them, and a note the reader may not see arrives as
`withheld` with no text: who may see what is decided by the read model, and a builder cannot
leak what it never received.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain.case_summary import CaseSummary


@dataclass(frozen=True)
class Note:
    """A text someone wrote, or the fact that it is withheld from this reader."""

    text: str | None
    withheld: bool
    sensitive: bool  # shown to an SPO, marked so they know not to pass it on


@dataclass(frozen=True)
class TouchpointRecord:
    state: str
    priority: str
    due_on: date | None
    not_required_reason: str | None
    notes: Note | None
    outcome_by: str | None
    outcome_at: datetime | None


@dataclass(frozen=True)
class AllocationRecord:
    practitioner_name: str
    practitioner_user_id: str
    staff_code: str
    grade: str
    allocated_by: str
    allocated_at: datetime
    current: bool
    ended_at: datetime | None
    reason: str | None  # why it was reallocated to this practitioner, in words (None for the first)
    outside_policy: bool
    policy_exceptions: list[str]
    evidence: Note | None
    hate_crime: bool
    hate_crime_notes: Note | None
    discrimination: bool
    discrimination_notes: Note | None
    touchpoint: TouchpointRecord | None


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class CaseHistory:
    case: CaseSummary
    team_name: str
    service: str
    viewer_is_spo: bool
    today: date
    allocations: list[AllocationRecord]  # newest first
    allocations_total: int
    audit: list[AuditLine]  # oldest first, the latest the read model's limit
    audit_total: int
    other_events: int  # other sentence events with this CRN the caller may see
