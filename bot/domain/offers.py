"""One practitioner as offered for one case, as plain values (bot/queries/candidates.py fills
it after ranking, blocks/candidate_blocks.py renders it in the Allocate and Reallocate modals).

In the domain, like home_view.py, so the read model and the builder depend downwards on one
definition; no ORM object inside, only the figures and the fit the modal shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.availability import Away
from bot.domain.policy import PolicyFit
from bot.domain.workload import over_capacity


@dataclass(frozen=True)
class Offer:
    practitioner_id: int
    staff_code: str
    name: str
    grade: str
    slack_user_id: str
    fit: PolicyFit
    workload_now: float  # % now (bot/domain/workload.py)
    workload_after: float  # % after taking this case
    recent_allocations: int  # cases allocated to them in the past 7 days
    tier_mix: dict[str, int]
    away: Away | None = None  # away today (the workforce source's absences)
    from_feed: bool = False  # the figures are the workforce source's; False: the teams file's

    @property
    def over_capacity_after(self) -> bool:
        return over_capacity(self.workload_after)
