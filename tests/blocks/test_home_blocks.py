"""The App Home (blocks/home_blocks.py, home_spo.py, home_practitioner.py), built from
bot/domain/home_view.py values and judged by slack_sdk's View model."""

from __future__ import annotations

import re
from datetime import date, datetime

from blocks.formats import percent_text, tier_mix_bars, workload_bar
from blocks.home_blocks import HOME_BLOCKS_MAX, NOT_IN_TEAM, home_view
from blocks.home_spo import capacity_line
from blocks.ids import Action
from bot.domain.home_view import (
    CapacityLine,
    ExceptionItem,
    HomeData,
    NewCaseItem,
    PractitionerSection,
    QueueItem,
    SpoSection,
    TouchpointItem,
)
from bot.domain.vocabulary import PRISON, PROBATION
from tests.blocks.support import DECIMAL_PERCENT, HOSTILE, all_text, assert_valid_view, mrkdwn_of

TODAY = date(2026, 12, 7)  # a Monday
UPDATED = datetime(2026, 12, 7, 10, 0)


def queue_item(n: int, **changes: object) -> QueueItem:
    fields: dict[str, object] = dict(case_id=n, crn=f"X{n:06d}", name=f"Person {n}", tier="B2", sentence_type="Community Order",
                                     due_by=date(2026, 12, 8), restricted=False, custodial=False)  # fmt: skip
    fields.update(changes)
    return QueueItem(**fields)  # type: ignore[arg-type]


def touchpoint(**changes: object) -> TouchpointItem:
    fields: dict[str, object] = dict(crn="X000009", name="Robin Open", hidden=False, due_on=date(2026, 12, 2), priority="high",
                                     practitioner_name="Grace Hopper", practitioner_user_id="U0PP00002", spo_user_id="U0SPO0001")  # fmt: skip
    fields.update(changes)
    return TouchpointItem(**fields)  # type: ignore[arg-type]


def spo_section(**changes: object) -> SpoSection:
    fields: dict[str, object] = dict(
        team_name="Sheffield North", terms=PROBATION,
        queue=[queue_item(1, due_by=date(2026, 11, 23)), queue_item(2, due_by=TODAY, restricted=True, custodial=True), queue_item(3)],
        queue_total=30, queue_overdue=1,
        capacity=[CapacityLine(name="Grace Hopper", grade="PSO", percent=0.0, tier_mix={}, ready_for_tiers=["C", "D"]),
                  CapacityLine(name="Ada Lovelace", grade="PO", percent=62.3, tier_mix={"A": 2, "B": 5, "C": 9, "D": 3}, ready_for_tiers=["A", "B", "C", "D"]),
                  CapacityLine(name="Over Worked", grade="PO", percent=100.2, tier_mix={"B": 40}, ready_for_tiers=["B"])],
        exceptions=[ExceptionItem(case_id=7, current=True, crn="X000007", name="Pat Policy", tier="B2", restricted=False,
                                  practitioner_name="Grace Hopper", grade="PSO", allocated_by="U0SPO0001", allocated_on=TODAY,
                                  reasons=["PO grade needed for tier B"], reallocation=False)],
        exceptions_total=1, exception_days=30, overdue_touchpoints=[touchpoint()], overdue_total=1,
    )  # fmt: skip
    fields.update(changes)
    return SpoSection(**fields)  # type: ignore[arg-type]


def practitioner_section(**changes: object) -> PractitionerSection:
    fields: dict[str, object] = dict(
        team_name="Sheffield North", terms=PROBATION, grade="PO", percent=62.3, tier_mix={"A": 2, "B": 5, "C": 9, "D": 3},
        ready_for_tiers=["A", "B", "C", "D"],
        new_cases=[NewCaseItem(case_id=9, crn="X000009", name="Robin Open", hidden=False, tier="B2", sentence_type="Community Order",
                               allocated_on=TODAY, allocated_by="U0SPO0001"),
                   NewCaseItem(case_id=10, crn="", name="", hidden=True, tier="C1", sentence_type="", allocated_on=TODAY, allocated_by="U0SPO0001")],
        new_total=2, new_days=14,
        touchpoints=[touchpoint(due_on=date(2026, 12, 21), hidden=False), touchpoint(crn="", name="", hidden=True, due_on=TODAY, priority="normal")],
        touchpoints_total=2,
    )  # fmt: skip
    fields.update(changes)
    return PractitionerSection(**fields)  # type: ignore[arg-type]


def test_a_whole_home_validates_and_shows_every_part() -> None:
    view = home_view(HomeData(user_id="U0SPO0001", today=TODAY, updated_at=UPDATED, spo=[spo_section()], practitioner=[practitioner_section()]))
    assert_valid_view(view)
    text = all_text(view)
    assert "Sheffield North: waiting for allocation" in text and "30 unallocated cases, *1 overdue*" in text
    assert ":warning: *Overdue* by 10 working days (was due Mon 23 Nov)" in text
    assert "due *today*" in text and "due Tue 8 Dec" in text
    assert "and 27 more — use `/casebot queue`" in text
    assert "*Team capacity*: 3 practitioners, most room first · :warning: 1 over capacity" in text
    assert "*Exceptions to policy, last 30 days* (1)" in text
    assert "• due Mon 21 Dec · *X000009* Robin Open with <@U0SPO0001> · *high priority*" in text
    assert "• due *today* · :lock: a limited-access case" in text
    assert "Updated 10:00 on Mon 7 Dec" in text
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons[:2]] == [(Action.ALLOCATE, "1"), (Action.DETAILS, "1")]
    accessory = next(b["accessory"] for b in view["blocks"] if "accessory" in b)
    assert (accessory["action_id"], accessory["value"]) == (Action.REALLOCATE, "7")


def test_workload_figures_are_whole_per_cents_with_tier_mix_bars() -> None:
    view = home_view(HomeData(user_id="U0SPO0001", today=TODAY, updated_at=UPDATED, spo=[spo_section()], practitioner=[practitioner_section()]))
    text = all_text(view)
    assert "▓▓▓▓▓▓░░░░ 62% *Ada Lovelace* (PO) · A ▇ 2 · B ▇▇ 5 · C ▇▇▇▇ 9 · D ▇ 3 · ready ABCD" in text  # short bars in the packed list
    assert "▓▓▓▓▓▓▓▓▓▓ 101% :warning: *Over Worked* (PO)" in text
    assert f"*Your workload*: {workload_bar(62.3)} · 19 open cases · PO, ready ABCD\nTier mix: {tier_mix_bars({'A': 2, 'B': 5, 'C': 9, 'D': 3})}" in text
    assert percent_text(62.3) == "62%" and not DECIMAL_PERCENT.search(text)


def test_over_capacity_practitioner_is_told_in_their_services_words() -> None:
    view = home_view(HomeData(user_id="U1", today=TODAY, updated_at=UPDATED, practitioner=[practitioner_section(percent=120.0, terms=PRISON)]))
    assert "You are over capacity: tell your HOMD if that is not already known." in all_text(view)


def test_someone_in_no_team_gets_an_explanation() -> None:
    view = home_view(HomeData(user_id="U1", today=TODAY, updated_at=UPDATED))
    assert_valid_view(view)
    assert NOT_IN_TEAM in all_text(view)


def test_hostile_names_are_escaped_and_cut() -> None:
    section = spo_section(
        team_name=HOSTILE,
        queue=[queue_item(n, name=HOSTILE, crn=HOSTILE, sentence_type=HOSTILE) for n in range(20)],
        capacity=[CapacityLine(name=HOSTILE, grade=HOSTILE, percent=50.0, tier_mix={"A": 3}, ready_for_tiers=[HOSTILE])] * 50,
        overdue_touchpoints=[touchpoint(name=HOSTILE, practitioner_name=HOSTILE, practitioner_user_id=HOSTILE)] * 15,
    )
    view = home_view(HomeData(user_id="U1", today=TODAY, updated_at=UPDATED, spo=[section], practitioner=[practitioner_section(team_name=HOSTILE)]))
    assert_valid_view(view)
    mrkdwn = mrkdwn_of(view)
    assert "&lt;!channel&gt;" in mrkdwn and "<!channel>" not in mrkdwn and "<@U0BOSS01>" not in mrkdwn


def test_two_hundred_full_caseloads_fit_the_capacity_sections() -> None:
    """The capacity list's short tier bars keep a team of 200 busy practitioners within the
    8 sections bot/queries/home.py plans for them (names past 32 characters are cut, and a
    team of such names is told "and N more" rather than overflowing)."""
    heavy = {"A": 12, "B": 40, "C": 30, "D": 25}
    capacity = [CapacityLine(name=f"Practitioner {n:03d}", grade="PSO", percent=100.4, tier_mix=heavy, ready_for_tiers=["A", "B", "C", "D"])
                for n in range(200)]  # fmt: skip
    view = home_view(HomeData(user_id="U1", today=TODAY, updated_at=UPDATED, spo=[spo_section(capacity=capacity)]))
    assert_valid_view(view)
    shown = re.findall(r"\*Practitioner (\d{3})", all_text(view))
    assert sorted(shown) == [f"{n:03d}" for n in range(200)]
    assert len(capacity_line(capacity[0])) < 3000 // 28


def test_a_home_never_passes_100_blocks() -> None:
    teams = [spo_section(queue=[queue_item(n) for n in range(20)], queue_total=500) for _ in range(6)]
    view = home_view(HomeData(user_id="U1", today=TODAY, updated_at=UPDATED, spo=teams, practitioner=[practitioner_section()] * 3))
    assert len(view["blocks"]) == HOME_BLOCKS_MAX
    assert_valid_view(view)
    assert "left out to fit Slack's limit" in all_text(view)
