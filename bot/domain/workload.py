"""Workload: how full a practitioner's caseload is, before and after taking a case. Pure rules.

docs/architecture.md "Workload", after the Workload Measurement Tool that seeds/004 names ("a new Workload
Measurement Tool", and "taking account of Workload Measurement Tool levels") and the way the
MoJ allocation tool computes it (ministryofjustice hmpps-workload, `CapacityCalculator.kt`):

    workload %       = total case points / available points x 100
    available points = capacity points x available hours / contracted hours

Each open case weighs points by its Unified Tiering Model tier (bot/domain/tiers.py). Over 100% is
over capacity; exactly 100% is full, not over. As in the MoJ tool the ratio is rounded half up
to three decimal places, so the percentage has one decimal place (100.04% shows, and counts,
as 100.0%, so floating-point dust never tips someone "over").

Two deliberate differences from the MoJ tool: available points are not truncated to a whole
number (our capacities are around 100 points, where truncation would move a figure by up to
a whole per cent), and someone with no available points (capacity 0 or no available hours)
but some cases is at infinite workload, not 0%: the MoJ tool's 0 would rank an absent
practitioner as the emptiest.

Default tier weights: configurable defaults, not policy
--------------------------------------------------------
The Workload Measurement Tool's real weightings are national configuration we do not have, so
`DEFAULT_TIER_POINTS` is our own documented starting point, meant to be overridden (pass
`weights=`). It is scaled so that capacity_points = 100 (the default in README's teams
file) is a full-time caseload: about 30 B cases (~3.4 each) for a PO, or 60-80 mostly C and D
cases (~1.2-1.9 each) for a PSO. Risk of harm (the letter) dominates, needs (the digit) adds
within a letter, and every tier weighs more than every tier below it in the order
A3 > A2 > ... > D1 > D0:

    needs:   3     2     1     0
    A      6.0   5.5   5.0   4.5
    B      4.0   3.6   3.2   2.8
    C      2.5   2.2   1.9   1.6
    D      1.4   1.2   1.1   1.0

Custom weights must name all 16 tiers, each a finite number >= 0; `validate_weights` says
what is wrong otherwise.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain, repeat
from types import MappingProxyType

from bot.domain.tiers import Tier

RISK_LETTERS = ("A", "B", "C", "D")
ALL_TIERS = tuple(f"{letter}{needs}" for letter in RISK_LETTERS for needs in (3, 2, 1, 0))
_TIER_SET = frozenset(ALL_TIERS)

# The one place the default weights live. Read-only, so no caller can change them for everyone.
DEFAULT_TIER_POINTS: Mapping[str, float] = MappingProxyType(
    {
        "A3": 6.0, "A2": 5.5, "A1": 5.0, "A0": 4.5,
        "B3": 4.0, "B2": 3.6, "B1": 3.2, "B0": 2.8,
        "C3": 2.5, "C2": 2.2, "C1": 1.9, "C0": 1.6,
        "D3": 1.4, "D2": 1.2, "D1": 1.1, "D0": 1.0,
    }
)  # fmt: skip

STANDARD_WEEKLY_HOURS = 37.0  # full-time hours; with both defaults at 37 the scale is 1
CAPACITY_PERCENT = 100.0
_RATIO_PLACES = Decimal("0.001")  # MoJ CapacityCalculator: ratio to 3 dp, HALF_UP


def validate_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """A plain copy of `weights` if it names exactly the 16 tiers A3..D0, each a finite number
    >= 0; else ValueError listing every problem (configuration errors are fixed in one go)."""
    problems: list[str] = []
    missing = [tier for tier in ALL_TIERS if tier not in weights]
    unknown = sorted(str(key) for key in weights if key not in ALL_TIERS)
    if missing:
        problems.append("missing " + ", ".join(missing))
    if unknown:
        problems.append("unknown " + ", ".join(unknown) + " (tiers are A0 to D3, upper case)")
    for tier in ALL_TIERS:
        value = weights.get(tier)
        if tier in weights and not _is_weight(value):
            problems.append(f"{tier} must be a number of points >= 0, got {value!r}")
    if problems:
        raise ValueError("tier weights: " + "; ".join(problems))
    return {tier: float(weights[tier]) for tier in ALL_TIERS}


def _is_weight(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and value >= 0


def _checked(weights: Mapping[str, float]) -> Mapping[str, float]:
    """The defaults are known good; anything else is validated (16 entries: microseconds)."""
    return weights if weights is DEFAULT_TIER_POINTS else validate_weights(weights)


def case_points(tier: str, weights: Mapping[str, float] = DEFAULT_TIER_POINTS) -> float:
    """Points one case of this tier weighs ("b2" and " B2 " read as B2)."""
    return _points(tier, _checked(weights))


def _points(tier: str, weights: Mapping[str, float]) -> float:
    key = tier.strip().upper()
    if key not in weights:
        Tier.parse(tier)  # raises the ValueError that names what a tier looks like
    return weights[key]


def total_points(open_case_tiers: Iterable[str], weights: Mapping[str, float] = DEFAULT_TIER_POINTS) -> float:
    """The sum of the open cases' points. Each distinct tier is read once (a caseload holds many
    cases of few tiers: the Allocate modal sums 200 of them per click); fsum is exact whatever
    the order, so the result is the same as adding each case's points one by one."""
    checked = _checked(weights)
    counts = Counter(open_case_tiers)
    return math.fsum(chain.from_iterable(repeat(_points(tier, checked), count) for tier, count in counts.items()))


def available_points(
    capacity_points: float,
    available_hours: float = STANDARD_WEEKLY_HOURS,
    contracted_hours: float = STANDARD_WEEKLY_HOURS,
) -> float:
    """Capacity scaled by the share of contracted hours actually available (MoJ
    `calculateAvailablePoints`), e.g. 100 points, 37 contracted, 18.5 available -> 50."""
    if capacity_points < 0:
        raise ValueError(f"capacity points must not be negative, got {capacity_points!r}")
    if available_hours < 0:
        raise ValueError(f"available hours must not be negative, got {available_hours!r}")
    if contracted_hours <= 0:
        raise ValueError(f"contracted hours must be more than 0, got {contracted_hours!r}")
    return capacity_points * available_hours / contracted_hours


def points_percent(total: float, available: float) -> float:
    """Workload % of `total` points against `available` points, one decimal place."""
    if total == 0:
        return 0.0
    if available == 0:
        return math.inf  # cases but no capacity: as over capacity as it gets (module docstring)
    ratio = (Decimal(total) / Decimal(available)).quantize(_RATIO_PLACES, rounding=ROUND_HALF_UP)
    return float(ratio * 100)


def workload_percent(
    open_case_tiers: Iterable[str],
    capacity_points: float,
    weights: Mapping[str, float] = DEFAULT_TIER_POINTS,
    available_hours: float = STANDARD_WEEKLY_HOURS,
    contracted_hours: float = STANDARD_WEEKLY_HOURS,
) -> float:
    """Workload % = total case points / available points x 100, one decimal place."""
    available = available_points(capacity_points, available_hours, contracted_hours)
    return points_percent(total_points(open_case_tiers, weights), available)


def workload_after(
    open_case_tiers: Iterable[str],
    new_case_tier: str,
    capacity_points: float,
    weights: Mapping[str, float] = DEFAULT_TIER_POINTS,
    available_hours: float = STANDARD_WEEKLY_HOURS,
    contracted_hours: float = STANDARD_WEEKLY_HOURS,
) -> float:
    """Workload % if this practitioner also took the case being allocated (the modal
    shows "workload after taking this case")."""
    return workload_percent([*open_case_tiers, new_case_tier], capacity_points, weights, available_hours, contracted_hours)


def over_capacity(percent: float) -> bool:
    """Over 100% is over capacity (docs/architecture.md "Workload"); exactly 100% is full, not over."""
    return percent > CAPACITY_PERCENT


def tier_mix(open_case_tiers: Iterable[str]) -> dict[str, int]:
    """Open cases counted by risk letter, all of A-D present (seeds/002, "Choose a POM": "Use
    'tier mix' bars"). Raises ValueError on a tier that is not A0-D3."""
    mix = dict.fromkeys(RISK_LETTERS, 0)
    for tier, count in Counter(open_case_tiers).items():  # each distinct tier read once
        key = tier.strip().upper()
        mix[key[0] if key in _TIER_SET else Tier.parse(tier).risk] += count  # parse only to raise
    return mix


def tier_mix_text(mix: Mapping[str, int]) -> str:
    """ "A 2 · B 5 · C 9 · D 3"; a letter missing from `mix` counts 0."""
    return " · ".join(f"{letter} {mix.get(letter, 0)}" for letter in RISK_LETTERS)


@dataclass(frozen=True)
class StaffFigures:
    """A practitioner's figures from the workforce source, or the teams file where the source
    has not said (docs/workload.md). `outside_points`: the source's own caseload points, when it
    sends them; else the points of `outside_tiers`."""

    capacity_points: float
    contracted_hours: float
    available_hours: float
    outside_tiers: tuple[str, ...]
    outside_points: float | None = None
    from_feed: bool = False  # the caseload is the workforce source's, not the teams file's


def staff_percent(figures: StaffFigures, casebot_tiers: Iterable[str], weights: Mapping[str, float] = DEFAULT_TIER_POINTS) -> float:
    """Workload % of the source's caseload plus casebot's allocations it does not count yet."""
    checked = _checked(weights)
    base = figures.outside_points if figures.outside_points is not None else total_points(figures.outside_tiers, checked)
    total = base + total_points(casebot_tiers, checked)
    return points_percent(total, available_points(figures.capacity_points, figures.available_hours, figures.contracted_hours))
