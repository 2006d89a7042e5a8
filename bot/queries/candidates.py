"""Who can take this case, and how well each fits: the list the Allocate modal shows.

Reads the team's active practitioners and the allocations casebot holds, then applies the pure
rules (bot/domain/policy.py, bot/domain/workload.py, bot/domain/ranking.py). Two queries, whatever the team size.
Workload counts as bot/queries/caseload.py defines it (the workforce source's figures, the
teams file's as the fallback); who is away today comes from the source's absences.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.availability import Away
from bot.domain.clock import london_day
from bot.domain.policy import policy_fit
from bot.domain.policy_file import Policy
from bot.domain.ranking import Candidate, rank_candidates
from bot.domain.workload import DEFAULT_TIER_POINTS, over_capacity, staff_percent
from bot.queries.caseload import away_today, staff_figures, workload_now
from storage.db import UnitOfWork
from storage.models import Case, Practitioner

RECENT_DAYS = 7  # the MoJ allocation tool's "cases allocated in the last 7 days"


@dataclass(frozen=True)
class Offer:
    """One practitioner as offered for one case, with the figures the modal shows."""

    candidate: Candidate
    practitioner: Practitioner
    workload_now: float
    tier_mix: dict[str, int]
    away: Away | None = None  # away today (the workforce source's absences)
    from_feed: bool = False  # the figures are the workforce source's; False: the teams file's

    @property
    def over_capacity_after(self) -> bool:
        return over_capacity(self.candidate.workload_after)


async def offers_for(
    uow: UnitOfWork, case: Case, *, now: datetime, weights: Mapping[str, float] = DEFAULT_TIER_POINTS, policy: Policy | None = None
) -> list[Offer]:
    """The team's practitioners for `case`, best fit first (exclusions already removed, anyone
    away today last), judged by `policy` (the region's policy in force when None)."""
    policy = policy or await uow.policies.current()
    staff = await uow.teams.active_practitioners(case.team_id)
    held: dict[int, list[str]] = defaultdict(list)
    recent: dict[int, int] = defaultdict(int)
    since = now - timedelta(days=RECENT_DAYS)
    for practitioner_id, tier, count, recent_count in await uow.allocations.current_tier_counts([p.id for p in staff], since):
        held[practitioner_id] += [tier] * count
        recent[practitioner_id] += recent_count
    today = london_day(now)
    by_code: dict[str, Offer] = {}
    for person in staff:
        figures = workload_now(person, held[person.id], weights)
        away = away_today(person, today)
        candidate = Candidate(
            staff=person,
            fit=policy_fit(case, person, policy=policy),
            workload_after=staff_percent(staff_figures(person), [*held[person.id], case.tier], weights),
            recent_allocations=recent[person.id],
            away=away is not None,
        )
        by_code[person.staff_code] = Offer(
            candidate=candidate, practitioner=person, workload_now=figures.percent, tier_mix=figures.tier_mix, away=away, from_feed=figures.from_feed
        )
    ranked = rank_candidates(case, [offer.candidate for offer in by_code.values()])
    return [by_code[c.staff.staff_code] for c in ranked]
