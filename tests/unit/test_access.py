"""Who may see a case (bot/domain/access.py; README, "What the channel may see")."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.domain.access import details_refusal, in_team, open_to, spos_open_to
from bot.domain.policy import CaseSnapshot, StaffSnapshot, offerable

TEAM = SimpleNamespace(
    spo_user_ids=["U0SPO0001", "U0SPO0002"], notify_user_ids=["U0ADMIN01"], service="probation",
    staff_codes={"U0SPO0001": "N07S001", "U0SPO0002": "N07S002", "U0PP00001": "N07A001"},
)  # fmt: skip


def case(*, restricted: bool = False, excluded: tuple[str, ...] = (), restricted_to: tuple[str, ...] = ()) -> SimpleNamespace:
    return SimpleNamespace(restricted=restricted, excluded_practitioners=list(excluded), restricted_to=list(restricted_to))


@pytest.mark.parametrize(("user", "member"), [("U0SPO0001", True), ("U0ADMIN01", True), ("U0PP00001", True), ("U0OUTSIDE1", False)])
def test_the_teams_people_are_its_spos_practitioners_and_notify_list(user: str, member: bool) -> None:
    assert in_team(TEAM, user) is member


def test_lists_compare_codes_loosely_and_a_restriction_list_closes_the_case_to_everyone_else() -> None:
    assert not open_to(case(excluded=(" n07s001 ",)), ["N07S001"])
    assert open_to(case(restricted_to=("N07A001",)), ["n07a001"]) and not open_to(case(restricted_to=("N07A001",)), ["N07S001"])
    assert not open_to(case(restricted_to=("N07A001",)), [])  # no staff code: cannot be on the list
    assert open_to(case(), [])
    assert not open_to(case(excluded=("N07A001",), restricted_to=("N07A001",)), ["N07A001"])  # the exclusion wins


def test_only_the_spos_the_lists_allow_get_a_restricted_case() -> None:
    assert spos_open_to(TEAM, case(restricted=True, excluded=("N07S002",))) == ["U0SPO0001"]
    assert spos_open_to(TEAM, case(restricted=True, restricted_to=("N07S002", "N07A001"))) == ["U0SPO0002"]
    assert spos_open_to(TEAM, case(restricted=True)) == ["U0SPO0001", "U0SPO0002"]


def test_details_refusals_name_whom_to_ask_and_why() -> None:
    outsider = details_refusal(TEAM, case(), "U0OUTSIDE1")
    assert outsider is not None and "team's own people" in outsider and "<@U0SPO0001>, <@U0SPO0002>" in outsider
    assert details_refusal(TEAM, case(), "U0ADMIN01") is None
    assert "only the team's SPOs" in (details_refusal(TEAM, case(restricted=True), "U0PP00001") or "")
    assert "not among the staff" in (details_refusal(TEAM, case(restricted=True, excluded=("N07S001",)), "U0SPO0001") or "")
    assert details_refusal(TEAM, case(restricted=True, restricted_to=("N07S001",)), "U0SPO0001") is None


def test_a_restriction_list_limits_who_is_offered() -> None:
    ada, grace = StaffSnapshot(staff_code="N07A001", name="Ada", grade="PO"), StaffSnapshot(staff_code="N07A002", name="Grace", grade="PSO")
    listed = CaseSnapshot(tier="C2", restricted_to=("N07A002",))
    assert not offerable(listed, ada) and offerable(listed, grace)
