"""Who can take this case, and how well each fits: the list the Allocate modal shows.

Reads the team's active practitioners and the allocations casebot holds, then applies the pure
rules (bot/domain/policy.py, bot/domain/workload.py, bot/domain/ranking.py). Two queries, whatever the team size.
Workload counts as bot/queries/caseload.py defines it (the workforce source's figures, the
teams file's as the fallback); who is away today comes from the source's absences.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.domain.clock import london_day
from bot.domain.offers import Offer
from bot.domain.policy import policy_fit
from bot.domain.policy_file import Policy
from bot.domain.ranking import Candidate, rank_candidates
from bot.domain.workload import DEFAULT_TIER_POINTS, staff_percent
from bot.queries.caseload import away_today, staff_figures, workload_now
from storage.db import UnitOfWork
from storage.models import Case

RECENT_DAYS = 7  # the MoJ allocation tool's "cases allocated in the last 7 days"


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
    candidates: list[Candidate] = []
    offers: dict[str, Offer] = {}  # by staff code, in the ranked order below
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
        candidates.append(candidate)
        offers[person.staff_code] = Offer(
            practitioner_id=person.id, staff_code=person.staff_code, name=person.name, grade=person.grade, slack_user_id=person.slack_user_id,
            fit=candidate.fit, workload_now=figures.percent, workload_after=candidate.workload_after,
            recent_allocations=candidate.recent_allocations, tier_mix=figures.tier_mix, away=away, from_feed=figures.from_feed,
        )  # fmt: skip
    return [offers[c.staff.staff_code] for c in rank_candidates(case, candidates)]
