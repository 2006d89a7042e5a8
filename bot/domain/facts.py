"""What the allocation and touchpoint messages say, as plain values.

The services that make an allocation or fire a reminder build these; the builders in blocks/
only render them. Keeping them here lets both sides depend downwards on one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


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
    hate_crime: bool
    hate_crime_notes: str | None
    hate_crime_sensitive: bool | None
    touchpoint_priority: str
    touchpoint_date: date | None
    touchpoint_reason: str | None
    outside_policy: bool = False
    policy_exceptions: list[str] = field(default_factory=list)
    previous_user: str | None = None  # set on a reallocation: who held the case before
    reason: str | None = None  # a reallocation's reason, in words


@dataclass(frozen=True)
class TouchpointView:
    """What the touchpoint messages show: the case, the date, who."""

    touchpoint_id: int
    due_on: date
    priority: str
    practitioner_user: str
    spo_user: str
