"""Who can take this case, and how well each fits: the list the Allocate modal shows.

Reads the team's active practitioners and the allocations casebot holds, then applies the pure
rules (bot/domain/policy.py, bot/domain/workload.py, bot/domain/ranking.py). Two queries, whatever the team size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.domain.offers import Offer
from bot.domain.policy import policy_fit
from bot.domain.policy_file import Policy
from bot.domain.ranking import Candidate, rank_candidates
from bot.domain.workload import DEFAULT_TIER_POINTS, tier_mix, workload_after, workload_percent
from storage.db import UnitOfWork
from storage.models import Case, Practitioner

RECENT_DAYS = 7  # the MoJ allocation tool's "cases allocated in the last 7 days"


def _tiers(practitioner: Practitioner, allocated: list[str]) -> list[str]:
    outside = [tier for tier, count in (practitioner.caseload or {}).items() for _ in range(int(count))]
    return outside + allocated


async def offers_for(
    uow: UnitOfWork, case: Case, *, now: datetime, weights: Mapping[str, float] = DEFAULT_TIER_POINTS, policy: Policy | None = None
) -> list[Offer]:
    """The team's practitioners for `case`, best fit first (exclusions already removed), judged
    by `policy` (the region's policy in force when None)."""
    policy = policy or await uow.policies.current()
    staff = await uow.teams.active_practitioners(case.team_id)
    held: dict[int, list[str]] = defaultdict(list)
    recent: dict[int, int] = defaultdict(int)
    since = now - timedelta(days=RECENT_DAYS)
    for practitioner_id, tier, count, recent_count in await uow.allocations.current_tier_counts([p.id for p in staff], since):
        held[practitioner_id] += [tier] * count
        recent[practitioner_id] += recent_count
    candidates: dict[str, Candidate] = {}  # by staff code
    figures: dict[str, tuple[float, dict[str, int]]] = {}  # staff code -> (workload now, tier mix)
    for person in staff:
        tiers = _tiers(person, held[person.id])
        hours = {"available_hours": person.available_hours, "contracted_hours": person.contracted_hours}
        candidates[person.staff_code] = Candidate(
            staff=person,
            fit=policy_fit(case, person, policy=policy),
            workload_after=workload_after(tiers, case.tier, person.capacity_points, weights, **hours),
            recent_allocations=recent[person.id],
        )
        figures[person.staff_code] = (workload_percent(tiers, person.capacity_points, weights, **hours), tier_mix(tiers))
    by_code = {person.staff_code: person for person in staff}
    ranked = rank_candidates(case, candidates.values())
    return [_offer(c, by_code[c.staff.staff_code], *figures[c.staff.staff_code]) for c in ranked]


def _offer(candidate: Candidate, person: Practitioner, workload_now: float, mix: dict[str, int]) -> Offer:
    """The ranked candidate as the modal shows it: the figures, copied out of the ORM row."""
    return Offer(
        practitioner_id=person.id, staff_code=person.staff_code, name=person.name, grade=person.grade, slack_user_id=person.slack_user_id,
        fit=candidate.fit, workload_now=workload_now, workload_after=candidate.workload_after,
        recent_allocations=candidate.recent_allocations, tier_mix=mix,
    )  # fmt: skip
