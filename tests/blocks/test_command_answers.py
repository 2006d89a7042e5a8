"""The `/casebot` answers (blocks/command_blocks.py, queue_answer.py, case_answer.py,
caseload_answer.py), judged by slack_sdk's block models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from blocks.case_answer import case_message
from blocks.caseload_answer import caseload_message
from blocks.command_blocks import (
    case_not_visible_message,
    failure_message,
    not_allowed_message,
    not_in_team_message,
    unknown_person_message,
    usage_message,
)
from blocks.formats import TEAMS_FILE_FIGURES, percent_text, tier_mix_bars
from blocks.ids import Action
from blocks.kit import MESSAGE_BLOCKS_MAX
from blocks.queue_answer import queue_message
from bot.domain.availability import Away
from bot.domain.case_history_view import AllocationRecord, AuditLine, CaseHistory, Note, TouchpointRecord
from bot.domain.case_summary import CaseSummary
from bot.domain.command_views import CaseloadView, HeldCase, QueueAnswer, QueueCase, TeamQueue, Workload
from tests.blocks.support import DECIMAL_PERCENT, HOSTILE, all_text, assert_valid_message, make_case, mrkdwn_of

TODAY = date(2026, 12, 7)
AT = datetime(2026, 12, 2, 16, 31, tzinfo=UTC)


def listed(case: CaseSummary) -> QueueCase:
    """The list line's columns of a case, as bot/queries/commands.py copies them."""
    return QueueCase(crn=case.crn, name=case.name, tier=case.tier, due_by=case.due_by, restricted=case.restricted)


def team(cases: list[CaseSummary], **changes: object) -> TeamQueue:
    fields: dict[str, Any] = dict(
        team_name="Sheffield North", service="probation", viewer_is_spo=True, cases=[listed(c) for c in cases], total=len(cases), overdue=0
    )
    fields.update(changes)
    return TeamQueue(**fields)


def caseload(**changes: object) -> CaseloadView:
    load = Workload(percent=62.3, tier_mix={"A": 0, "B": 2, "C": 1, "D": 0}, held_outside=1)
    fields: dict[str, Any] = dict(name="Ada Lovelace", grade="PO", staff_code="N07A001", user_id="U0PP00001", active=True,
                                     team_name="Sheffield North", service="probation", workload=load,
                                     cases=[HeldCase(case=listed(make_case()), allocated_at=AT)], listed_total=1, restricted_hidden=1)  # fmt: skip
    fields.update(changes)
    return CaseloadView(**fields)


def note(text: str | None, *, withheld: bool = False, sensitive: bool = False) -> Note:
    return Note(text=text, withheld=withheld, sensitive=sensitive)


def history(**changes: object) -> CaseHistory:
    touchpoint = TouchpointRecord(
        state="planned", priority="high", due_on=date(2026, 12, 2), not_required_reason=None, notes=None, outcome_by=None, outcome_at=None
    )
    allocation = AllocationRecord(
        practitioner_name="Ada Lovelace", practitioner_user_id="U0PP00001", staff_code="N07A001", grade="PO", allocated_by="U0SPO0001",
        allocated_at=AT, current=True, ended_at=None, reason=None, outside_policy=False, policy_exceptions=[],
        evidence=note("Ada knows the family."), hate_crime=True, hate_crime_notes=note(None, withheld=True), discrimination=False, discrimination_notes=None, touchpoint=touchpoint,
    )  # fmt: skip
    audit = [AuditLine(at=AT, actor="U0SPO0001", action="allocated", detail={"outside_policy": False, "due_on": "2026-12-21"})]
    fields: dict[str, Any] = dict(case=make_case(state="allocated", rsr=4.2), team_name="Sheffield North", service="probation", viewer_is_spo=True,
                                     today=TODAY, allocations=[allocation], allocations_total=1, audit=audit, audit_total=1, other_events=0)  # fmt: skip
    fields.update(changes)
    return CaseHistory(**fields)


def test_queue_marks_due_and_overdue_in_the_one_due_format() -> None:
    cases = [
        make_case(crn="X000001", due_by=date(2026, 11, 23)),
        make_case(crn="X000002", due_by=TODAY),
        make_case(crn="X000003", due_by=date(2026, 12, 9), restricted=True),
    ]
    message = queue_message(QueueAnswer(today=TODAY, teams=[team(cases, total=40, overdue=1, viewer_is_spo=False)]))
    assert_valid_message(message)
    text = all_text(message)
    assert "*Sheffield North*: 40 unallocated cases, 1 overdue" in text
    assert "• *X000001* Jo Bloggs · tier B2 · :warning: *Overdue* by 10 working days (was due Mon 23 Nov)" in text
    assert "• *X000002* Jo Bloggs · tier B2 · due *today*" in text
    assert "• *X000003* Jo Bloggs · tier B2 · due Wed 9 Dec · :lock: restricted" in text
    assert "and 37 more · limited-access cases are listed only for the team's SPOs" in text


def test_caseload_shows_the_one_percent_format_and_tier_mix_bars() -> None:
    message = caseload_message([caseload()])
    assert_valid_message(message)
    text = all_text(message)
    assert f"Workload now: *{percent_text(62.3)}* · including 1 case held outside casebot · {TEAMS_FILE_FIGURES}\n" in text and "*62%*" in text
    assert f"Tier mix: {tier_mix_bars({'B': 2, 'C': 1})}\n" in text
    assert "1 limited-access case not listed (only the team's SPOs see those)" in text
    assert message["text"] == "Caseload of Ada Lovelace: workload 62%"
    assert not DECIMAL_PERCENT.search(text)


def test_caseload_over_and_without_capacity() -> None:
    over = Workload(percent=100.2, tier_mix={"B": 30}, held_outside=0)
    none = Workload(percent=float("inf"), tier_mix={"D": 1}, held_outside=0)
    text = all_text(caseload_message([caseload(workload=over), caseload(workload=none, active=False)]))
    assert "Workload now: *101%* :warning: over capacity" in text
    assert "Workload now: *no capacity* :warning: over capacity" in text and " · inactive" in text


def test_caseload_says_who_is_away_and_marks_the_teams_file_fallback_as_the_allocate_modal_does() -> None:
    fed = Workload(percent=40, tier_mix={"B": 1}, held_outside=0, from_feed=True)
    away, back = caseload(away=Away(until=date(2026, 12, 14)), workload=fed), caseload(away=Away(until=None))
    text = all_text(caseload_message([away, back, caseload()]))
    first, second, third = text.split("*Ada Lovelace*")[1:]
    assert "· :no_entry: *away until Mon 14 Dec*\n" in first and TEAMS_FILE_FIGURES not in first
    assert "*away, no return date*" in second and f"held outside casebot · {TEAMS_FILE_FIGURES}\n" in second
    assert "away" not in third and TEAMS_FILE_FIGURES in third


def test_case_answer_shows_the_allocation_and_withholds_what_it_is_not_given() -> None:
    message = case_message(history(), record_url=None)
    assert_valid_message(message)
    text = all_text(message)
    assert "*RSR*\n4.2%" in text  # a risk score keeps its decimals
    assert "*Current allocation:* Ada Lovelace (PO, N07A001) <@U0PP00001>" in text
    assert "*Evidence:* Ada knows the family." in text
    assert "*Hate crime:* Yes: _(sensitive: visible to SPOs)_" in text
    assert "*Touchpoint:* planned, :warning: *Overdue* by 3 working days (was due Wed 2 Dec), high priority" in text
    assert "Allocated · by <@U0SPO0001> · within policy · for Mon 21 Dec 2026" in text
    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == Action.REALLOCATE


def test_case_answer_of_an_unallocated_case_offers_allocate() -> None:
    message = case_message(history(case=make_case(), allocations=[], allocations_total=0, audit=[], audit_total=0), record_url=None)
    assert_valid_message(message)
    text = all_text(message)
    assert "*Allocations:* none yet. Allocate by Wed 30 Dec." in text and "Nothing recorded yet." in text
    assert [b for b in message["blocks"] if b["type"] == "actions"][0]["elements"][0]["action_id"] == Action.ALLOCATE


def test_long_answers_stay_within_50_blocks() -> None:
    cases = [make_case(name=HOSTILE, crn=f"Q{n:06d}") for n in range(30)]
    message = queue_message(QueueAnswer(today=TODAY, teams=[team(cases, team_name=HOSTILE, total=1000)] * 30))
    assert_valid_message(message)
    assert len(message["blocks"]) == MESSAGE_BLOCKS_MAX and "left out to fit" in all_text(message)


@pytest.mark.parametrize(
    "message",
    [
        usage_message(),
        usage_message(HOSTILE),
        not_in_team_message(),
        case_not_visible_message(HOSTILE),
        unknown_person_message(HOSTILE),
        not_allowed_message("U0PP00001", [HOSTILE, "Sheffield North"]),
        failure_message("abc123"),
    ],
    ids=["usage", "usage-problem", "not-in-team", "not-visible", "unknown", "not-allowed", "failure"],
)
def test_refusals_validate_and_escape(message: dict) -> None:
    assert_valid_message(message)
    assert "<!channel>" not in mrkdwn_of(message)
