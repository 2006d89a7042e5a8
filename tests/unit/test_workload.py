"""Workload % (bot/domain/workload.py): points by tier over available points, tier mix, capacity edge."""

from __future__ import annotations

import math

import pytest

from bot.domain.workload import (
    ALL_TIERS,
    DEFAULT_TIER_POINTS,
    available_points,
    case_points,
    over_capacity,
    tier_mix,
    tier_mix_text,
    total_points,
    validate_weights,
    workload_after,
    workload_percent,
)

FLAT = dict.fromkeys(ALL_TIERS, 10.0)  # every case weighs 10: easy arithmetic


# Default weights: documented, complete, ordered


def test_default_weights_name_all_sixteen_tiers_and_are_valid() -> None:
    assert sorted(DEFAULT_TIER_POINTS) == sorted(ALL_TIERS)
    assert len(ALL_TIERS) == 16
    assert validate_weights(DEFAULT_TIER_POINTS) == dict(DEFAULT_TIER_POINTS)


def test_default_weights_fall_strictly_from_a3_to_d0() -> None:
    # Higher risk weighs more than any lower risk; within a letter, higher needs weighs more.
    values = [DEFAULT_TIER_POINTS[tier] for tier in ALL_TIERS]
    assert ALL_TIERS[0] == "A3" and ALL_TIERS[-1] == "D0"
    assert all(a > b for a, b in zip(values, values[1:], strict=False))


def test_default_weights_cannot_be_changed_in_place() -> None:
    with pytest.raises(TypeError):
        DEFAULT_TIER_POINTS["A3"] = 0  # type: ignore[index]


def test_default_values_as_documented() -> None:
    assert DEFAULT_TIER_POINTS["A3"] == 6.0
    assert DEFAULT_TIER_POINTS["B2"] == 3.6
    assert DEFAULT_TIER_POINTS["C0"] == 1.6
    assert DEFAULT_TIER_POINTS["D0"] == 1.0


# Weight validation


def test_missing_tiers_are_named() -> None:
    weights = dict(FLAT)
    del weights["A3"], weights["C1"]
    with pytest.raises(ValueError, match=r"^tier weights: missing A3, C1$"):
        validate_weights(weights)


def test_unknown_tiers_are_named() -> None:
    with pytest.raises(ValueError, match=r"unknown E1, a3"):
        validate_weights({**FLAT, "E1": 1.0, "a3": 2.0})


@pytest.mark.parametrize("bad", [-0.5, math.nan, math.inf, "3", None, True])
def test_weights_must_be_finite_non_negative_numbers(bad: object) -> None:
    with pytest.raises(ValueError, match=r"B2 must be a number of points >= 0"):
        validate_weights({**FLAT, "B2": bad})  # type: ignore[dict-item]


def test_zero_and_whole_numbers_are_valid_weights() -> None:
    weights = {**FLAT, "D0": 0, "A3": 7}
    assert validate_weights(weights)["D0"] == 0.0
    assert validate_weights(weights)["A3"] == 7.0


def test_every_problem_is_reported_at_once() -> None:
    weights = {k: v for k, v in FLAT.items() if k != "D3"}
    weights.update({"B1": -1.0, "Z9": 1.0})
    with pytest.raises(ValueError) as raised:
        validate_weights(weights)
    message = str(raised.value)
    assert "missing D3" in message and "unknown Z9" in message and "B1 must be" in message


def test_workload_functions_refuse_bad_weights() -> None:
    with pytest.raises(ValueError, match="missing"):
        workload_percent(["B2"], 100, weights={"B2": 1.0})


# Points


def test_case_points_reads_any_case_and_spaces() -> None:
    assert case_points("b2") == case_points(" B2 ") == 3.6


def test_a_bad_tier_is_refused_with_what_a_tier_looks_like() -> None:
    with pytest.raises(ValueError, match="A0 to D3"):
        total_points(["B2", "E1"])


def test_total_points_sums_the_weights() -> None:
    assert total_points(["A3", "B2", "D0"]) == pytest.approx(6.0 + 3.6 + 1.0)
    assert total_points([]) == 0.0


# Workload %


def test_workload_is_total_points_over_available_points() -> None:
    assert workload_percent(["A3"] * 5, 100, weights=FLAT) == 50.0


def test_workload_with_default_weights() -> None:
    # 6.0 + 3.6 + 2.2 + 1.0 = 12.8 points of 100
    assert workload_percent(["A3", "B2", "C2", "D0"], 100) == 12.8


def test_available_hours_scale_the_available_points() -> None:
    assert available_points(100, available_hours=18.5, contracted_hours=37) == 50.0
    assert workload_percent(["C1"] * 5, 100, weights=FLAT, available_hours=18.5) == 100.0


def test_default_hours_leave_capacity_unscaled() -> None:
    assert available_points(100) == 100.0


def test_no_cases_is_zero_percent() -> None:
    assert workload_percent([], 100) == 0.0
    assert workload_percent([], 0) == 0.0


def test_cases_but_no_available_points_is_infinitely_over_capacity() -> None:
    for percent in (workload_percent(["D0"], 0), workload_percent(["D0"], 100, available_hours=0)):
        assert percent == math.inf
        assert over_capacity(percent)


def test_percent_has_one_decimal_place_rounded_half_up() -> None:
    # 1 / 3 -> ratio 0.333 -> 33.3 %; 2 / 3 -> 0.667 -> 66.7 %; 1 / 8 -> 0.125 -> 12.5 %
    assert workload_percent(["A3"], 30, weights=FLAT) == 33.3
    assert workload_percent(["A3", "A3"], 30, weights=FLAT) == 66.7
    assert workload_percent(["A3"], 80, weights=FLAT) == 12.5
    # 0.0005 rounds up: 1 / 2000 -> 0.001 -> 0.1 %
    assert workload_percent(["A3"], 20000, weights=FLAT) == 0.1


def test_float_dust_does_not_tip_a_full_caseload_over() -> None:
    # 24 x D1 (1.1) + 23 x B1 (3.2) = 26.4 + 73.6 = exactly 100 points in decimal, but the
    # naive float sum is 100.00000000000007: without the MoJ rounding it would read "over".
    cases = ["D1"] * 24 + ["B1"] * 23
    naive = sum(DEFAULT_TIER_POINTS[t] for t in cases) / 100 * 100
    assert naive > 100  # the trap is real
    percent = workload_percent(cases, 100)
    assert percent == 100.0
    assert not over_capacity(percent)


@pytest.mark.parametrize(
    ("capacity", "available", "contracted"),
    [(-1, 37, 37), (100, -1, 37), (100, 37, 0), (100, 37, -37)],
)
def test_impossible_capacity_or_hours_are_refused(capacity: float, available: float, contracted: float) -> None:
    with pytest.raises(ValueError):
        workload_percent(["B2"], capacity, available_hours=available, contracted_hours=contracted)


# Workload after this case


def test_workload_after_adds_the_new_case() -> None:
    assert workload_after(["A3"] * 9, "B2", 100, weights=FLAT) == 100.0
    assert workload_after([], "A3", 100) == 6.0
    assert workload_after(["B2"], "D0", 100) == workload_percent(["B2", "D0"], 100)


def test_workload_after_accepts_a_one_shot_iterable_and_hours() -> None:
    tiers = iter(["C1", "C1"])
    assert workload_after(tiers, "C1", 60, weights=FLAT, available_hours=18.5) == 100.0


# Capacity edge: docs/architecture.md "Over 100% is over capacity"


def test_exactly_100_percent_is_not_over_capacity() -> None:
    assert not over_capacity(100.0)
    assert not over_capacity(99.9)
    assert not over_capacity(0.0)


def test_just_over_100_percent_is_over_capacity() -> None:
    assert over_capacity(100.1)
    assert over_capacity(250.0)


def test_over_capacity_through_workload_percent() -> None:
    assert not over_capacity(workload_percent(["A3"] * 10, 100, weights=FLAT))  # 100.0
    assert over_capacity(workload_percent(["A3"] * 10 + ["D0"], 100, weights={**FLAT, "D0": 0.1}))  # 100.1


# Tier mix


def test_tier_mix_counts_by_letter_with_all_four_present() -> None:
    assert tier_mix(["A3", "B2", "b1", "C0", "C3", " c2 "]) == {"A": 1, "B": 2, "C": 3, "D": 0}
    assert list(tier_mix([])) == ["A", "B", "C", "D"]
    assert tier_mix([]) == {"A": 0, "B": 0, "C": 0, "D": 0}


def test_tier_mix_refuses_a_bad_tier() -> None:
    with pytest.raises(ValueError):
        tier_mix(["B2", "X1"])


def test_tier_mix_text() -> None:
    assert tier_mix_text({"A": 2, "B": 5, "C": 9, "D": 3}) == "A 2 · B 5 · C 9 · D 3"
    assert tier_mix_text(tier_mix([])) == "A 0 · B 0 · C 0 · D 0"
    assert tier_mix_text({"C": 1}) == "A 0 · B 0 · C 1 · D 0"
