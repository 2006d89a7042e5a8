"""The order practitioners are offered in for one case: best fits first, anyone away last. Pure.

Order, each key breaking ties in the one before:
0. anyone away today last (bot/domain/availability.py; seeds/004, Q "What mixed caseload lessons
   were learnt from Wales?": allocating with "information on whereabouts"): an absent
   practitioner cannot start the case, however well they fit;
1. within policy before outside it (bot/domain/policy.py: an exception needs the SPO's confirmation);
2. the previous practitioner first among equals (seeds/002, "Choose a POM": "Include
   previously allocated POM details in the table and above the table"; continuity is a benefit
   seeds/004 names: "Improve continuity for our Probation Practitioners and people on
   probation");
3. lower workload after taking this case (bot/domain/workload.py);
4. fewer cases allocated in the past 7 days: the MoJ allocation tool shows this to spot someone
   already flooded with new cases (seeds/004, Q "What mixed caseload lessons were learnt from
   Wales?": "knowing where staff had already experienced a high volume of new allocations");
5. name, then staff code, so the order is stable and the same for every SPO.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.policy import CaseFacts, PolicyFit, StaffFacts, offerable


@dataclass(frozen=True)
class Candidate:
    """One practitioner as the allocation modal lists them for one case."""

    staff: StaffFacts
    fit: PolicyFit
    workload_after: float  # % after taking this case (bot/workload.workload_after)
    recent_allocations: int  # cases allocated to them in the past 7 days
    away: bool = False  # away today (the workforce source's absences)


def _sort_key(candidate: Candidate) -> tuple[bool, bool, bool, float, int, str, str]:
    return (
        candidate.away,
        not candidate.fit.within_policy,
        not candidate.fit.is_previous,
        candidate.workload_after,
        candidate.recent_allocations,
        candidate.staff.name.casefold(),
        candidate.staff.staff_code,
    )


def rank_candidates(case: CaseFacts, candidates: Iterable[Candidate]) -> list[Candidate]:
    """Candidates best first. Anyone on the case's exclusion list is dropped here too, so a
    restricted case can never be offered to them even if a caller forgot `offerable`."""
    return sorted((c for c in candidates if offerable(case, c.staff)), key=_sort_key)
