"""Allocation policy fit (bot/domain/policy.py): grade for tier, readiness, ViSOR, previous, exclusions,
under the shipped default policy and under a region's own."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.policy import CaseSnapshot, PolicyFit, StaffSnapshot, is_previous_practitioner, offerable, policy_fit
from bot.domain.policy_file import Policy, default_policy, default_policy_text, parse_policy
from storage.models import Case, Practitioner

ALL_LETTERS = ("A", "B", "C", "D")


def staff(grade: str = "PO", **overrides: object) -> StaffSnapshot:
    fields: dict[str, object] = {
        "staff_code": "N07A001",
        "name": "Grace Hopper",
        "grade": grade,
        "visor_vetted": True,
        "ready_for_tiers": ALL_LETTERS,
    }
    fields.update(overrides)
    return StaffSnapshot(**fields)  # type: ignore[arg-type]


def case(tier: str = "B2", **overrides: object) -> CaseSnapshot:
    return CaseSnapshot(tier=tier, **overrides)  # type: ignore[arg-type]


# Grade for tier: seeds/004, "Mixed caseloads refers to ..."


@pytest.mark.parametrize("tier", ["A0", "A3", "B0", "B3"])
def test_tiers_a_and_b_to_po_are_within_policy(tier: str) -> None:
    fit = policy_fit(case(tier), staff("PO"))
    assert fit.within_policy
    assert fit.exceptions == [] and fit.notes == []


@pytest.mark.parametrize("tier", ["A1", "B2"])
def test_tiers_a_and_b_to_pso_are_exceptions(tier: str) -> None:
    fit = policy_fit(case(tier), staff("PSO"))
    assert not fit.within_policy
    assert fit.exceptions == [f"Tier {tier[0]} needs PO grade; Grace Hopper is PSO"]


@pytest.mark.parametrize("tier", ["A2", "B1"])
def test_tiers_a_and_b_to_pqip_are_exceptions_a_trainee_is_not_yet_po_grade(tier: str) -> None:
    fit = policy_fit(case(tier), staff("PQiP"))
    assert fit.exceptions == [f"Tier {tier[0]} needs PO grade; Grace Hopper is a PQiP (trainee PO)"]


@pytest.mark.parametrize("grade", ["PO", "PQiP", "PSO"])
def test_tier_c_to_any_grade_is_within_policy_with_no_note(grade: str) -> None:
    fit = policy_fit(case("C2"), staff(grade))
    assert fit.within_policy
    assert fit.notes == []


def test_tier_c_to_pso_is_within_policy() -> None:
    assert policy_fit(case("C3"), staff("PSO", ready_for_tiers=("C", "D"), visor_vetted=False)).within_policy


def test_tier_d_to_pso_is_within_policy_with_no_note() -> None:
    fit = policy_fit(case("D1"), staff("PSO"))
    assert fit.within_policy and fit.notes == []


def test_tier_d_to_po_is_within_policy_with_a_soft_note() -> None:
    fit = policy_fit(case("D0"), staff("PO"))
    assert fit.within_policy
    assert fit.notes == ["Tier D cases mostly go to PSO grade; Grace Hopper is PO"]


def test_tier_d_to_pqip_is_within_policy_with_no_note_a_pqip_counts_as_pso_grade_by_default() -> None:
    fit = policy_fit(case("D0"), staff("PQiP"))
    assert fit.within_policy and fit.notes == []


def test_grade_is_read_regardless_of_case_and_spaces() -> None:
    assert policy_fit(case("B2"), staff(" po ")).within_policy
    assert policy_fit(case("B2"), staff("pqip")).exceptions == ["Tier B needs PO grade; Grace Hopper is a PQiP (trainee PO)"]


@pytest.mark.parametrize("grade", ["SPO", "", "Officer"])
def test_an_unknown_grade_is_an_exception_for_every_tier(grade: str) -> None:
    for tier in ("A3", "C1", "D0"):
        fit = policy_fit(case(tier), staff(grade))
        assert fit.exceptions == [f"Grace Hopper's grade {grade!r} is not one the allocation policy knows (PO, PQiP, PSO)"]


# Readiness: seeds/004, readiness "assessed and confirmed by a Senior Probation Officer"


def test_not_ready_for_the_tier_is_an_exception() -> None:
    fit = policy_fit(case("C2"), staff("PSO", ready_for_tiers=("D",)))
    assert fit.exceptions == ["Grace Hopper has not been confirmed ready for tier C cases"]


def test_readiness_for_another_tier_does_not_count() -> None:
    fit = policy_fit(case("A3"), staff("PO", ready_for_tiers=("B", "C", "D")))
    assert fit.exceptions == ["Grace Hopper has not been confirmed ready for tier A cases"]


def test_no_readiness_recorded_is_an_exception() -> None:
    assert policy_fit(case("D0"), staff("PSO", ready_for_tiers=())).exceptions == ["Grace Hopper has not been confirmed ready for tier D cases"]


def test_readiness_letters_are_read_regardless_of_case() -> None:
    assert policy_fit(case("c1"), staff("PSO", ready_for_tiers=("c",))).within_policy


# ViSOR: seeds/004 ViSOR questions


def test_mappa_case_without_visor_vetting_is_an_exception() -> None:
    fit = policy_fit(case("B2", mappa_category=2), staff("PO", visor_vetted=False))
    assert fit.exceptions == ["MAPPA category 2 case needs ViSOR vetting; Grace Hopper is not ViSOR vetted"]


def test_mappa_case_with_visor_vetting_is_within_policy() -> None:
    assert policy_fit(case("B2", mappa_category=1), staff("PO", visor_vetted=True)).within_policy


def test_non_mappa_case_needs_no_visor_vetting() -> None:
    assert policy_fit(case("B2", mappa_category=None), staff("PO", visor_vetted=False)).within_policy


# Several findings at once


def test_all_exceptions_are_reported_together_in_a_fixed_order() -> None:
    fit = policy_fit(
        case("A3", mappa_category=3),
        staff("PSO", visor_vetted=False, ready_for_tiers=("C", "D")),
    )
    assert not fit.within_policy
    assert fit.exceptions == [
        "Tier A needs PO grade; Grace Hopper is PSO",
        "Grace Hopper has not been confirmed ready for tier A cases",
        "MAPPA category 3 case needs ViSOR vetting; Grace Hopper is not ViSOR vetted",
    ]


def test_exceptions_and_notes_can_come_together() -> None:
    fit = policy_fit(
        case("D2", mappa_category=4, previous_practitioner="N07A001"),
        staff("PO", visor_vetted=False, ready_for_tiers=("A", "B")),
    )
    assert fit.exceptions == [
        "Grace Hopper has not been confirmed ready for tier D cases",
        "MAPPA category 4 case needs ViSOR vetting; Grace Hopper is not ViSOR vetted",
    ]
    assert fit.notes == [
        "Grace Hopper held this case before",
        "Tier D cases mostly go to PSO grade; Grace Hopper is PO",
    ]
    assert fit.is_previous


# Previous practitioner: seeds/002 "previous POM"


def test_previous_practitioner_is_marked_and_noted() -> None:
    fit = policy_fit(case("B2", previous_practitioner="N07A001"), staff("PO"))
    assert fit.is_previous
    assert fit.within_policy
    assert fit.notes == ["Grace Hopper held this case before"]


def test_someone_else_or_nobody_as_previous_is_not_marked() -> None:
    for previous in ("N07A999", None):
        fit = policy_fit(case("B2", previous_practitioner=previous), staff("PO"))
        assert not fit.is_previous
        assert fit.notes == []


def test_previous_practitioner_does_not_excuse_an_exception() -> None:
    fit = policy_fit(case("A1", previous_practitioner="N07A001"), staff("PSO"))
    assert fit.is_previous
    assert fit.exceptions == ["Tier A needs PO grade; Grace Hopper is PSO"]


def test_previous_practitioner_code_is_compared_ignoring_case_and_spaces() -> None:
    assert is_previous_practitioner(case(previous_practitioner=" n07a001"), staff())


# Exclusions: README `excluded_practitioners`


def test_excluded_practitioner_is_never_offerable() -> None:
    restricted = case("C1", excluded_practitioners=("N07A005", "N07A001"))
    assert not offerable(restricted, staff("PO"))


def test_excluded_practitioner_is_not_offerable_whatever_their_fit() -> None:
    # A perfect fit, and the previous practitioner: still never offered.
    restricted = case("D0", previous_practitioner="N07A001", excluded_practitioners=("N07A001",))
    perfect = staff("PSO")
    assert policy_fit(restricted, perfect).within_policy
    assert not offerable(restricted, perfect)


def test_exclusion_matches_staff_codes_ignoring_case_and_spaces() -> None:
    assert not offerable(case(excluded_practitioners=(" n07a001 ",)), staff())


def test_others_are_offerable() -> None:
    assert offerable(case(excluded_practitioners=("N07A002",)), staff())
    assert offerable(case(excluded_practitioners=()), staff())


# Edges


def test_a_case_with_a_bad_tier_is_refused() -> None:
    with pytest.raises(ValueError, match="A0 to D3"):
        policy_fit(case("E9"), staff())


def test_tier_is_read_regardless_of_case_and_spaces() -> None:
    assert policy_fit(case(" a3 "), staff("PSO")).exceptions == ["Tier A needs PO grade; Grace Hopper is PSO"]


def test_policy_fit_within_policy_follows_exceptions_only() -> None:
    assert PolicyFit().within_policy
    assert PolicyFit(notes=["a note"]).within_policy
    assert not PolicyFit(exceptions=["a reason"]).within_policy


def test_storage_models_satisfy_the_protocols_structurally() -> None:
    # Transient ORM objects (no database): the policy reads them as it reads the snapshots.
    practitioner = Practitioner(
        staff_code="N07A002",
        name="Ada Lovelace",
        grade="PSO",
        slack_user_id="U0PP00002",
        capacity_points=100,
        visor_vetted=False,
        ready_for_tiers=["C", "D"],
    )
    row = Case(
        event_id="evt-1",
        crn="X123456",
        name="Sam Smith",
        tier="B2",
        sentence_type="Community Order",
        sentence_date=date(2026, 1, 5),
        mappa_category=2,
        previous_practitioner="N07A002",
        excluded_practitioners=[],
        due_by=date(2026, 1, 7),
    )
    fit = policy_fit(row, practitioner)
    assert fit.exceptions == [
        "Tier B needs PO grade; Ada Lovelace is PSO",
        "Ada Lovelace has not been confirmed ready for tier B cases",
        "MAPPA category 2 case needs ViSOR vetting; Ada Lovelace is not ViSOR vetted",
    ]
    assert fit.is_previous
    assert offerable(row, practitioner)
    row.excluded_practitioners = ["N07A002"]
    assert not offerable(row, practitioner)


# A region's own policy (bot/domain/policy_file.py): the same rules, other data


def region_policy(*replacements: tuple[str, str]) -> Policy:
    """The shipped default file with some lines changed, as a region would edit its copy."""
    text = default_policy_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return parse_policy(text)


C_TO_PO_ONLY = ("within_policy: [PO, PSO]", "within_policy: [PO]")


def test_tier_c_po_only_makes_a_c_to_pso_choice_an_exception() -> None:
    policy = region_policy(C_TO_PO_ONLY)
    fit = policy_fit(case("C2"), staff("PSO"), policy=policy)
    assert fit.exceptions == ["Tier C needs PO grade; Grace Hopper is PSO"]
    assert policy_fit(case("C2"), staff("PO"), policy=policy).within_policy
    assert policy_fit(case("C2"), staff("PSO")).within_policy, "the default policy is unchanged"


def test_without_a_policy_argument_the_shipped_default_applies() -> None:
    for tier, grade in (("A1", "PSO"), ("C2", "PSO"), ("D0", "PO"), ("B3", "PQiP")):
        assert policy_fit(case(tier), staff(grade)) == policy_fit(case(tier), staff(grade), policy=default_policy())


def test_a_region_counting_pqip_as_po_grade_lets_a_pqip_hold_tier_b() -> None:
    policy = region_policy(("counts_as: PSO             # the documents are silent", "counts_as: PO # region"))
    assert policy_fit(case("B2"), staff("PQiP"), policy=policy).within_policy
    assert policy_fit(case("D0"), staff("PQiP"), policy=policy).notes == ["Tier D cases mostly go to PSO grade; Grace Hopper is a PQiP (trainee PO)"]


def test_a_tier_with_two_grades_names_both_in_the_exception() -> None:
    policy = region_policy(('within_policy: [PO]        # 004 Q "What does mixed caseloads mean?": "Tier A', "within_policy: [PSO] #"))
    assert policy_fit(case("A0"), staff("PO"), policy=policy).exceptions == ["Tier A needs PSO grade; Grace Hopper is PO"]
    two = region_policy(C_TO_PO_ONLY, ("within_policy: [PSO, PO]", "within_policy: [PSO]"))
    assert policy_fit(case("D1"), staff("PO"), policy=two).exceptions == ["Tier D needs PSO grade; Grace Hopper is PO"]


def test_a_policy_without_a_usual_grade_gives_no_note() -> None:
    policy = region_policy(("    usual: PSO ", "    # usual: PSO "))
    assert policy_fit(case("D0"), staff("PO"), policy=policy).notes == []


@pytest.mark.parametrize(
    ("setting", "exceptions", "notes"),
    [
        ("exception", ["Grace Hopper has not been confirmed ready for tier C cases"], []),
        ("note", [], ["Grace Hopper has not been confirmed ready for tier C cases"]),
        ("ignore", [], []),
    ],
)
def test_the_readiness_check_follows_the_policy(setting: str, exceptions: list[str], notes: list[str]) -> None:
    policy = region_policy(("readiness: exception", f"readiness: {setting}"))
    fit = policy_fit(case("C2"), staff("PSO", ready_for_tiers=("D",)), policy=policy)
    assert (fit.exceptions, fit.notes) == (exceptions, notes)


@pytest.mark.parametrize(("setting", "within"), [("exception", False), ("note", True), ("ignore", True)])
def test_the_visor_check_follows_the_policy(setting: str, within: bool) -> None:
    policy = region_policy(("visor_for_mappa: exception", f"visor_for_mappa: {setting}"))
    fit = policy_fit(case("B2", mappa_category=2), staff("PO", visor_vetted=False), policy=policy)
    assert fit.within_policy is within
    assert bool(fit.notes) is (setting == "note")


def test_an_unknown_grade_lists_the_policy_grades() -> None:
    assert policy_fit(case("C1"), staff("SPO"), policy=region_policy(C_TO_PO_ONLY)).exceptions == [
        "Grace Hopper's grade 'SPO' is not one the allocation policy knows (PO, PQiP, PSO)"
    ]
