"""A practitioner's workload now: the figures the Allocate modal shows, for one person.

The one definition of "what a practitioner holds", used by bot/queries/candidates.py, App Home
and `/casebot caseload`, so they can never disagree about the same person: the workforce
source's caseload (PUT /api/v1/staff, `casebot staff import`) or, where it has not reported
one, the teams file's `caseload`; plus casebot's allocations in force that the source does not
count yet (storage/repositories/allocations.py `current_tier_counts`). Hours likewise come from the source
where it gave them, else the teams file (docs/workload.md). Pure rules in bot/domain/workload.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from bot.domain.availability import Away, away_on, stored_absences
from bot.domain.command_views import Workload
from bot.domain.workload import DEFAULT_TIER_POINTS, StaffFigures, staff_percent, tier_mix
from storage.models import Practitioner


def _tiers(counts: Mapping[str, object] | None) -> tuple[str, ...]:
    return tuple(tier for tier, count in (counts or {}).items() for _ in range(int(str(count))))


def staff_figures(practitioner: Practitioner) -> StaffFigures:
    """The source's figures where it gave them, else the teams file's."""
    p = practitioner
    from_feed = p.feed_as_of is not None
    return StaffFigures(
        capacity_points=p.capacity_points,
        contracted_hours=p.feed_contracted_hours if p.feed_contracted_hours is not None else p.contracted_hours,
        available_hours=p.feed_available_hours if p.feed_available_hours is not None else p.available_hours,
        outside_tiers=_tiers(p.feed_caseload) if from_feed else _tiers(p.caseload),
        outside_points=p.feed_caseload_points if from_feed else None,
        from_feed=from_feed,
    )


def workload_now(practitioner: Practitioner, allocated_tiers: Iterable[str], weights: Mapping[str, float] = DEFAULT_TIER_POINTS) -> Workload:
    """Workload % and tier mix of `practitioner`, given the tiers of casebot's allocations in
    force that the source does not count yet."""
    allocated = list(allocated_tiers)
    figures = staff_figures(practitioner)
    return Workload(
        percent=staff_percent(figures, allocated, weights),
        tier_mix=tier_mix([*figures.outside_tiers, *allocated]),
        held_outside=len(figures.outside_tiers),
        from_feed=figures.from_feed,
    )


def away_today(practitioner: Practitioner, today: date) -> Away | None:
    """Away today and until when, from the absences the workforce source sent."""
    return away_on(stored_absences(practitioner.absences), today)
