"""What people are told after an allocation and about touchpoints and deadlines
(blocks/allocation_notices.py, blocks/touchpoint_blocks.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from blocks.allocation_notices import (
    allocated_card,
    allocation_thread_reply,
    delivery_failed_notice,
    handed_over_notice,
    notify_notice,
    practitioner_notice,
    prison_notice,
    sensitive_notes,
    spo_copy,
)
from blocks.ids import Action, Callback, TouchpointBlock
from blocks.touchpoint_blocks import (
    deadline_chase,
    deadline_digest,
    not_required_modal,
    overdue_touchpoints_digest,
    prison_notice_late,
    record_modal,
    reminder,
    reminder_settled,
    reschedule_modal,
    rescheduled_notice,
)
from bot.domain.decision import Concern
from bot.domain.facts import AllocationFacts, TouchpointView
from tests.blocks.support import HOSTILE, all_text, assert_valid_message, assert_valid_view, make_case, mrkdwn_of

EVIDENCE = "CANARY-evidence Ada knows the family"
HATE = "CANARY-hate notes"
DISCRIMINATION = "CANARY-discrimination notes about staff"
FACTS = AllocationFacts(
    practitioner_name="Ada Lovelace", practitioner_grade="PO", practitioner_user="U0PP00001", spo_user="U0SPO0001",
    allocated_at=datetime(2026, 12, 7, 10, 0, tzinfo=UTC), evidence=EVIDENCE, evidence_sensitive=True,
    hate_crime=Concern(True, HATE, False), discrimination=Concern(True, DISCRIMINATION, True),
    touchpoint_priority="high", touchpoint_date=date(2026, 12, 21), touchpoint_reason=None,
)  # fmt: skip
TP = TouchpointView(touchpoint_id=5, due_on=date(2026, 12, 21), priority="high", practitioner_user="U0PP00001", spo_user="U0SPO0001")


def test_every_allocation_notice_validates() -> None:
    case = make_case(name=HOSTILE)
    for message in (
        allocated_card(case, FACTS, team_name="Sheffield North", record_url="https://records.example/X123456"),
        allocation_thread_reply(FACTS, record_url="https://records.example/X123456"),
        practitioner_notice(case, FACTS, record_url=None, link="https://slack.com/archives/C1/p1"),
        notify_notice(case, FACTS, link="https://slack.com/archives/C1/p1"),
        spo_copy(case, FACTS, record_url=None, record_configured=False),
        sensitive_notes(case, FACTS),
        handed_over_notice(case, replace(FACTS, previous_user="U0PP00002", reason=HOSTILE)),
        delivery_failed_notice("X123456", "allocation write-back", HOSTILE),
    ):
        assert_valid_message(message)
        assert "<!channel>" not in mrkdwn_of(message)


def test_the_channel_never_sees_notes_and_the_practitioner_only_what_is_not_sensitive() -> None:
    card = all_text(allocated_card(make_case(), FACTS, team_name="T", record_url=None))
    thread = all_text(allocation_thread_reply(FACTS))
    assert not any(note in card + thread for note in (EVIDENCE, HATE, DISCRIMINATION))
    assert "Touchpoint: Mon 21 Dec 2026 (high priority)." in thread
    dm = all_text(practitioner_notice(make_case(), FACTS, record_url=None, link=None))
    assert EVIDENCE not in dm and DISCRIMINATION not in dm and HATE in dm
    assert "Allocate by" not in dm and "Team target" not in dm  # allocated: no deadline to repeat
    private = all_text(sensitive_notes(make_case(), FACTS))
    assert EVIDENCE in private and DISCRIMINATION in private and HATE not in private
    assert "not to be disclosed" in private
    copy = all_text(spo_copy(make_case(), FACTS, record_url=None))
    assert all(note in copy for note in (EVIDENCE, HATE, DISCRIMINATION))


def test_the_allocated_card_swaps_allocate_for_reallocate() -> None:
    card = allocated_card(make_case(), FACTS, team_name="T", record_url=None)
    [actions] = [b for b in card["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions["elements"]] == [Action.REALLOCATE, Action.DETAILS]


def test_the_prison_notice_dates_read_like_every_other_date() -> None:
    notice = prison_notice(make_case(), FACTS, team_name="Sheffield North")
    assert "Allocated on: Mon 7 Dec 2026 at 10:00" in notice["text"]
    assert "sentenced Thu 24 Dec 2026" in notice["text"]


@pytest.mark.parametrize("when", ["before", "day", "after", "snooze"])
def test_reminders_validate_with_their_buttons(when: str) -> None:
    message = reminder(make_case(name=HOSTILE), TP, when=when)
    assert_valid_message(message)
    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [e["value"] for e in actions["elements"]] == ["5"] * 4


def test_touchpoint_modals_validate() -> None:
    case = make_case(name=HOSTILE)
    record = record_modal(case, TP)
    assert_valid_view(record)
    assert record["callback_id"] == Callback.TOUCHPOINT_RECORD and record["private_metadata"] == "5"
    assert [b.get("block_id") for b in record["blocks"][1:]] == [TouchpointBlock.NOTES, TouchpointBlock.NOTES_SENSITIVE]
    assert_valid_view(reschedule_modal(case, TP, suggested=date(2026, 12, 22)))
    assert_valid_view(not_required_modal(case, TP))


def test_settled_and_moved_touchpoints_validate() -> None:
    assert_valid_message(reminder_settled(make_case(), "recorded", "U0SPO0001", "Mon 7 Dec 2026 at 10:00"))
    assert_valid_message(rescheduled_notice(make_case(), date(2026, 12, 22), "U0SPO0001"))
    assert_valid_message(prison_notice_late(make_case(prison=HOSTILE), "Mon 7 Dec 2026 at 10:00"))


def test_deadline_texts_count_working_days_in_one_format() -> None:
    assert all_text(deadline_chase(make_case(), overdue_days=0, spos=["U0SPO0001"])).startswith("⏰ Due today: ")
    chase = deadline_chase(make_case(), overdue_days=2, spos=[])
    assert_valid_message(chase)
    assert chase["text"].startswith("⚠ Overdue by 2 working days: this case is not yet allocated (the team's target: allocate by Wed 30 Dec). the team's SPOs")
    digest = deadline_digest("Sheffield North", [(make_case(), 0), (make_case(crn="X000002"), 1), (make_case(restricted=True), 3)])
    assert_valid_message(digest)
    text = all_text(digest)
    assert "(tier B2): due today" in text and "(tier B2): overdue by 1 working day" in text and "and 1 restricted case" in text
    assert digest["text"] == "3 cases due or overdue for allocation in Sheffield North"


def test_overdue_touchpoints_digest_validates() -> None:
    digest = overdue_touchpoints_digest([(make_case(name=HOSTILE), TP)] * 3)
    assert_valid_message(digest)
    assert digest["text"] == "3 overdue touchpoints" and "due Mon 21 Dec 2026" in all_text(digest)
