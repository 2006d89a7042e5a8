"""What the App Home shows, as plain values (bot/queries/home.py fills them, blocks/home_*.py
render them).

They live in the domain, not beside the builders, so the read model that builds them and the
builders that draw them both depend downwards on one definition. No ORM object and no note
text is ever put in them: a case the reader may not see by name arrives with its name and
CRN already blanked (`hidden`), so a builder cannot leak what it never received.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.availability import Away
from bot.domain.vocabulary import Terms
from bot.domain.workload import over_capacity


@dataclass(frozen=True)
class QueueItem:
    """One unallocated case in an SPO's queue."""

    case_id: int
    crn: str
    name: str
    tier: str
    sentence_type: str
    due_by: date
    restricted: bool
    custodial: bool


@dataclass(frozen=True)
class CapacityLine:
    """One practitioner in the team capacity list."""

    name: str
    grade: str
    percent: float
    tier_mix: dict[str, int]
    ready_for_tiers: list[str]
    away: Away | None = None  # away today (the workforce source's absences)
    from_feed: bool = True  # False: the teams file's figures, the fallback

    @property
    def over_capacity(self) -> bool:
        return over_capacity(self.percent)


@dataclass(frozen=True)
class ExceptionItem:
    """An allocation made outside policy, for the SPO's review."""

    case_id: int
    current: bool  # the allocation is still in force (so it can be reallocated from here)
    crn: str
    name: str
    tier: str
    restricted: bool
    practitioner_name: str
    grade: str
    allocated_by: str
    allocated_on: date  # in London
    reasons: list[str]
    reallocation: bool


@dataclass(frozen=True)
class TouchpointItem:
    """A planned post-allocation touchpoint."""

    crn: str  # "" when hidden
    name: str  # "" when hidden
    hidden: bool  # a limited-access case this reader may not see by name
    due_on: date
    priority: str
    practitioner_name: str
    practitioner_user_id: str
    spo_user_id: str


@dataclass(frozen=True)
class NewCaseItem:
    """A case recently allocated to the reader."""

    case_id: int
    crn: str  # "" when hidden
    name: str  # "" when hidden
    hidden: bool
    tier: str
    sentence_type: str
    allocated_on: date  # in London
    allocated_by: str


@dataclass(frozen=True)
class SpoSection:
    """One team, as its SPO sees it."""

    team_name: str
    terms: Terms
    queue: list[QueueItem]  # soonest due first, the first few
    queue_total: int
    queue_overdue: int
    capacity: list[CapacityLine]  # lowest workload first, anyone away last
    exceptions: list[ExceptionItem]  # newest first
    exceptions_total: int
    exception_days: int
    overdue_touchpoints: list[TouchpointItem]  # longest overdue first
    overdue_total: int
    capacity_sections_max: int = 8
    awaiting_handover: list[HandoverItem] = field(default_factory=list)  # soonest to allocate first
    awaiting_handover_total: int = 0


@dataclass(frozen=True)
class HandoverItem:
    """A POM-led custodial case: the team allocates it at the handover lead time (seeds/001 s2.3)."""

    case_id: int
    crn: str
    name: str
    handover_date: date
    allocatable_from: date
    hidden: bool = False  # restricted, and its lists keep it from this reader: no CRN, no name, no button


@dataclass(frozen=True)
class PractitionerSection:
    """The reader's own cases and workload in one team."""

    team_name: str
    terms: Terms
    grade: str
    percent: float
    tier_mix: dict[str, int]
    ready_for_tiers: list[str]
    new_cases: list[NewCaseItem]  # newest first
    new_total: int
    new_days: int
    touchpoints: list[TouchpointItem]  # soonest first (overdue ones first of all)
    touchpoints_total: int

    @property
    def open_cases(self) -> int:
        return sum(self.tier_mix.values())

    @property
    def over_capacity(self) -> bool:
        return over_capacity(self.percent)


@dataclass(frozen=True)
class HomeData:
    """Everything one person's Home tab shows."""

    user_id: str
    today: date
    updated_at: datetime  # London time, for the "updated" line
    spo: list[SpoSection] = field(default_factory=list)
    practitioner: list[PractitionerSection] = field(default_factory=list)
