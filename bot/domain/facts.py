"""What the allocation and touchpoint messages say, as plain values.

The services that make an allocation or fire a reminder build these; the builders in blocks/
only render them. Keeping them here lets both sides depend downwards on one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.case_summary import CaseSummary
from bot.domain.decision import Concern


@dataclass(frozen=True)
class AllocationFacts:
    """Everything the notices say about one allocation; built by the allocation service."""

    practitioner_name: str
    practitioner_grade: str
    practitioner_user: str
    spo_user: str
    allocated_at: datetime
    evidence: str
    evidence_sensitive: bool
    hate_crime: Concern
    discrimination: Concern
    touchpoint_priority: str
    touchpoint_date: date | None
    touchpoint_reason: str | None
    outside_policy: bool = False
    policy_exceptions: list[str] = field(default_factory=list)
    previous_user: str | None = None  # set on a reallocation: who held the case before
    reason: str | None = None  # a reallocation's reason, in words
    # How the prison reaches the community offender manager (seeds/003 para 1.15; teams file).
    practitioner_email: str | None = None
    practitioner_phone: str | None = None

    def concerns(self) -> list[tuple[str, Concern]]:
        """The questions answered yes, with their labels, in the order the modal asks them."""
        return [(label, c) for label, c in (("Hate crime", self.hate_crime), ("Discrimination", self.discrimination)) if c.linked]

    @property
    def has_sensitive_notes(self) -> bool:
        """Whether anything the practitioner should know is not to reach the person on probation."""
        return self.evidence_sensitive or any(c.sensitive for _, c in self.concerns())


@dataclass(frozen=True)
class TouchpointView:
    """What the touchpoint messages show: the case, the date, who."""

    touchpoint_id: int
    due_on: date
    priority: str
    practitioner_user: str
    spo_user: str


@dataclass(frozen=True)
class DueTouchpoint:
    """A touchpoint whose reminder fell due, with what the reminder says: read for a whole
    scheduler tick in one query of plain columns (storage/repositories/allocations.py
    `due_touchpoints`), not as ORM rows."""

    touchpoint_id: int
    state: str
    due_on: date | None
    priority: str
    current: bool  # its allocation is still in force
    practitioner_user: str
    spo_user: str
    service: str  # the team's service, for its words (bot/domain/vocabulary.py)
    case: CaseSummary

    def view(self) -> TouchpointView:
        assert self.due_on is not None
        return TouchpointView(self.touchpoint_id, self.due_on, self.priority, self.practitioner_user, self.spo_user)


@dataclass(frozen=True)
class WaitingCase:
    """An unallocated case the morning chase names: its facts, its team and its access lists
    (bot/domain/access.py `CaseLists`), read for every team at once as plain columns."""

    team_id: int
    case: CaseSummary
    excluded_practitioners: tuple[str, ...]
    restricted_to: tuple[str, ...]
