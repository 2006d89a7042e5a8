"""A practitioner's workload now: the figures the Allocate modal shows, for one person.

Reuses exactly what bot/queries/candidates.py counts (the cases held outside casebot plus casebot's
allocations in force) and the pure rules in bot/domain/workload.py, so `/casebot caseload` and the
Allocate modal can never disagree about the same person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.domain.workload import DEFAULT_TIER_POINTS, over_capacity, tier_mix, workload_percent
from bot.queries.candidates import _tiers as open_case_tiers  # the one definition of "what a practitioner holds"
from storage.models import Practitioner


@dataclass(frozen=True)
class Workload:
    percent: float
    tier_mix: dict[str, int]
    held_outside: int  # cases the system of record reports outside casebot

    @property
    def over_capacity(self) -> bool:
        return over_capacity(self.percent)


def workload_now(practitioner: Practitioner, allocated_tiers: Iterable[str], weights: Mapping[str, float] = DEFAULT_TIER_POINTS) -> Workload:
    """Workload % and tier mix of `practitioner`, given the tiers of casebot's allocations in force."""
    allocated = list(allocated_tiers)
    tiers = open_case_tiers(practitioner, allocated)
    percent = workload_percent(
        tiers, practitioner.capacity_points, weights,
        available_hours=practitioner.available_hours, contracted_hours=practitioner.contracted_hours,
    )  # fmt: skip
    return Workload(percent=percent, tier_mix=tier_mix(tiers), held_outside=len(tiers) - len(allocated))
