"""Candidate order (bot/domain/ranking.py): policy, previous, workload after, recent allocations, name."""

from __future__ import annotations

from bot.domain.policy import CaseSnapshot, PolicyFit, StaffSnapshot, policy_fit
from bot.domain.ranking import Candidate, rank_candidates

CASE = CaseSnapshot(tier="C2")


def candidate(
    name: str,
    *,
    code: str | None = None,
    within: bool = True,
    previous: bool = False,
    after: float = 50.0,
    recent: int = 0,
    away: bool = False,
) -> Candidate:
    fit = PolicyFit(exceptions=[] if within else ["outside policy"], is_previous=previous)
    staff = StaffSnapshot(staff_code=code or name.upper(), name=name, grade="PO")
    return Candidate(staff=staff, fit=fit, workload_after=after, recent_allocations=recent, away=away)


def names(ranked: list[Candidate]) -> list[str]:
    return [c.staff.name for c in ranked]


def test_within_policy_comes_before_exceptions_whatever_the_workload() -> None:
    ranked = rank_candidates(CASE, [candidate("Busy", after=140.0), candidate("Idle", within=False, after=5.0)])
    assert names(ranked) == ["Busy", "Idle"]


def test_previous_practitioner_comes_first_among_equals() -> None:
    ranked = rank_candidates(CASE, [candidate("Light", after=10.0), candidate("Previous", previous=True, after=90.0)])
    assert names(ranked) == ["Previous", "Light"]


def test_previous_practitioner_outside_policy_does_not_jump_those_within() -> None:
    ranked = rank_candidates(CASE, [candidate("Previous", within=False, previous=True), candidate("Other")])
    assert names(ranked) == ["Other", "Previous"]


def test_lower_workload_after_comes_first() -> None:
    ranked = rank_candidates(CASE, [candidate("High", after=95.5), candidate("Low", after=40.0), candidate("Mid", after=70.0)])
    assert names(ranked) == ["Low", "Mid", "High"]


def test_fewer_recent_allocations_break_a_workload_tie() -> None:
    ranked = rank_candidates(CASE, [candidate("Flooded", recent=6), candidate("Quiet", recent=1)])
    assert names(ranked) == ["Quiet", "Flooded"]


def test_recent_allocations_do_not_outrank_workload() -> None:
    ranked = rank_candidates(CASE, [candidate("Quiet", after=80.0, recent=0), candidate("Flooded", after=60.0, recent=9)])
    assert names(ranked) == ["Flooded", "Quiet"]


def test_name_breaks_remaining_ties_ignoring_case_then_staff_code() -> None:
    ranked = rank_candidates(
        CASE,
        [candidate("bea", code="N2"), candidate("Abe", code="N3"), candidate("Bea", code="N1")],
    )
    assert [(c.staff.name, c.staff.staff_code) for c in ranked] == [("Abe", "N3"), ("Bea", "N1"), ("bea", "N2")]


def test_over_capacity_without_available_points_sorts_last_among_equals() -> None:
    ranked = rank_candidates(CASE, [candidate("Absent", after=float("inf")), candidate("Full", after=130.0)])
    assert names(ranked) == ["Full", "Absent"]


def test_excluded_practitioners_are_dropped_even_if_the_caller_forgot() -> None:
    restricted = CaseSnapshot(tier="C2", excluded_practitioners=("N07A001",))
    ranked = rank_candidates(
        restricted,
        [candidate("Kept", code="N07A002"), candidate("Excluded", code="N07A001", previous=True, after=0.0)],
    )
    assert names(ranked) == ["Kept"]


def test_full_ordering_with_real_policy_fits() -> None:
    case = CaseSnapshot(tier="B2", mappa_category=1, previous_practitioner="N04")
    people = {
        "N01": StaffSnapshot("N01", "Ada PO", "PO", visor_vetted=True, ready_for_tiers=("A", "B", "C", "D")),
        "N02": StaffSnapshot("N02", "Bob PO", "PO", visor_vetted=True, ready_for_tiers=("B",)),
        "N03": StaffSnapshot("N03", "Cy PSO", "PSO", visor_vetted=True, ready_for_tiers=("C", "D")),
        "N04": StaffSnapshot("N04", "Di PO", "PO", visor_vetted=True, ready_for_tiers=("B",)),
        "N05": StaffSnapshot("N05", "Ed PO", "PO", visor_vetted=False, ready_for_tiers=("B",)),
    }
    workload = {"N01": 80.0, "N02": 60.0, "N03": 20.0, "N04": 95.0, "N05": 10.0}
    candidates = [Candidate(staff=s, fit=policy_fit(case, s), workload_after=workload[code], recent_allocations=0) for code, s in people.items()]
    ranked = rank_candidates(case, candidates)
    # Within policy: Di (previous), then Bob (60), Ada (80). Outside: Ed (10, no ViSOR), Cy (20, PSO).
    assert names(ranked) == ["Di PO", "Bob PO", "Ada PO", "Ed PO", "Cy PSO"]


def test_empty_input_gives_an_empty_list() -> None:
    assert rank_candidates(CASE, []) == []


def test_someone_away_today_comes_last_however_well_they_fit() -> None:
    ranked = rank_candidates(
        CASE, [candidate("Away", previous=True, after=5.0, away=True), candidate("Outside", within=False, after=120.0), candidate("Here", after=90.0)]
    )
    assert names(ranked) == ["Here", "Outside", "Away"]
