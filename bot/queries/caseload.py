"""A practitioner's workload now: the figures the Allocate modal shows, for one person.

Reuses exactly what bot/queries/candidates.py counts (the cases held outside casebot plus casebot's
allocations in force) and the pure rules in bot/domain/workload.py, so `/casebot caseload` and the
Allocate modal can never disagree about the same person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.domain.command_views import Workload
from bot.domain.workload import DEFAULT_TIER_POINTS, tier_mix, workload_percent
from bot.queries.candidates import _tiers as open_case_tiers  # the one definition of "what a practitioner holds"
from storage.models import Practitioner


def workload_now(practitioner: Practitioner, allocated_tiers: Iterable[str], weights: Mapping[str, float] = DEFAULT_TIER_POINTS) -> Workload:
    """Workload % and tier mix of `practitioner`, given the tiers of casebot's allocations in force."""
    allocated = list(allocated_tiers)
    tiers = open_case_tiers(practitioner, allocated)
    percent = workload_percent(
        tiers, practitioner.capacity_points, weights,
        available_hours=practitioner.available_hours, contracted_hours=practitioner.contracted_hours,
    )  # fmt: skip
    return Workload(percent=percent, tier_mix=tier_mix(tiers), held_outside=len(tiers) - len(allocated))
