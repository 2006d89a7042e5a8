"""What the `/casebot queue` and `/casebot caseload` answers show, as plain values
(bot/queries/commands.py fills them, blocks/queue_answer.py and blocks/caseload_answer.py render
them).

They live in the domain, like home_view.py, so the read model that builds them and the builders
that draw them both depend downwards on one definition. No ORM object is put in them: a builder
gets the columns it shows and nothing else, so it cannot leak what it never received.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.availability import Away
from bot.domain.workload import over_capacity


@dataclass(frozen=True)
class QueueCase:
    """One case as a /casebot list line shows it."""

    crn: str
    name: str
    tier: str
    due_by: date
    restricted: bool


@dataclass(frozen=True)
class AwaitingCase:
    """A POM-led custodial case (seeds/001 s2.3): when it passes to the community and when it
    joins the team's queue (the handover date less the policy's lead time)."""

    case: QueueCase
    handover_date: date | None
    allocatable_from: date | None


@dataclass(frozen=True)
class TeamQueue:
    team_name: str
    service: str  # probation | prison: whose words the answer uses (bot/domain/vocabulary.py)
    viewer_is_spo: bool
    cases: list[QueueCase]  # soonest due first, at most the limit
    total: int
    overdue: int
    awaiting: list[AwaitingCase] = field(default_factory=list)  # soonest to join the queue first, at most the limit
    awaiting_total: int = 0


@dataclass(frozen=True)
class QueueAnswer:
    today: date
    teams: list[TeamQueue]


@dataclass(frozen=True)
class Workload:
    percent: float
    tier_mix: dict[str, int]
    held_outside: int  # cases the workforce source (or the teams file) reports outside casebot
    from_feed: bool = False  # the caseload is the workforce source's; False: the teams file's fallback

    @property
    def over_capacity(self) -> bool:
        return over_capacity(self.percent)


@dataclass(frozen=True)
class HeldCase:
    case: QueueCase
    allocated_at: datetime


@dataclass(frozen=True)
class CaseloadView:
    name: str
    grade: str
    staff_code: str
    user_id: str
    active: bool
    team_name: str
    service: str
    workload: Workload
    cases: list[HeldCase]  # newest allocation first, at most the limit
    listed_total: int  # cases this reader may see listed
    restricted_hidden: int  # restricted cases counted in the workload but not listed
    away: Away | None = None  # away today, from the workforce source's absences
