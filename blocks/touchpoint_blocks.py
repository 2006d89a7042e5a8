"""Touchpoint reminders, their modals and the deadline chases (issue 6). Pure builders.

Reminders go by DM to the practitioner and the SPO; they name the case but carry no notes.
The oversight notes the SPO records are never shown back in any message (they may be
sensitive); only who recorded the touchpoint and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from blocks.case_card import CaseLike
from blocks.ids import INPUT_ACTION, Action, Callback, TouchpointBlock
from blocks.text import FALLBACK_TEXT_MAX, SECTION_TEXT_MAX, cut, long_date, mrkdwn_safe, short_date

WHEN_WORDS = {"before": "coming up", "day": "today", "after": "was due yesterday and is not yet recorded", "snooze": "reminder"}
PRIORITY = {"high": "high priority", "normal": "normal priority"}


@dataclass(frozen=True)
class TouchpointView:
    """What the touchpoint messages show: the case, the date, who."""

    touchpoint_id: int
    due_on: date
    priority: str
    practitioner_user: str
    spo_user: str


def _case_line(case: CaseLike) -> str:
    return f"*{mrkdwn_safe(case.name, 200)}* · {case.crn} · tier {case.tier}"


def _button(action: Action, text: str, touchpoint_id: int, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": action, "text": {"type": "plain_text", "text": text}, "value": str(touchpoint_id)}
    if style:
        button["style"] = style
    return button


def reminder(case: CaseLike, tp: TouchpointView, *, when: str) -> dict[str, Any]:
    """The reminder DM, with the actions (Record is for the SPO; the listener enforces it)."""
    headline = {
        "before": f"Post-allocation touchpoint on {long_date(tp.due_on)} ({PRIORITY.get(tp.priority, tp.priority)})",
        "day": f"Post-allocation touchpoint today ({PRIORITY.get(tp.priority, tp.priority)})",
        "after": f"Post-allocation touchpoint was due {long_date(tp.due_on)} and is not recorded yet",
        "snooze": f"Reminder: post-allocation touchpoint on {long_date(tp.due_on)}",
    }[when]
    text = f"{headline}\n{_case_line(case)}\nBetween <@{tp.spo_user}> (SPO) and <@{tp.practitioner_user}> (practitioner)."
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_TEXT_MAX)}},
        {
            "type": "actions",
            "block_id": f"touchpoint_{tp.touchpoint_id}",
            "elements": [
                _button(Action.TOUCHPOINT_RECORD, "Record touchpoint", tp.touchpoint_id, "primary"),
                _button(Action.TOUCHPOINT_RESCHEDULE, "Reschedule", tp.touchpoint_id),
                _button(Action.TOUCHPOINT_NOT_REQUIRED, "Not required", tp.touchpoint_id),
                _button(Action.TOUCHPOINT_SNOOZE, "Remind me tomorrow", tp.touchpoint_id),
            ],
        },
    ]
    return {"text": mrkdwn_safe(f"{headline}: {case.crn}", FALLBACK_TEXT_MAX), "blocks": blocks}


def reminder_settled(case: CaseLike, outcome: str, by_user: str, at_text: str) -> dict[str, Any]:
    """A reminder after the touchpoint is settled: buttons gone, who did what."""
    words = {"recorded": "Recorded", "not_required": "Marked not required", "rescheduled": "Rescheduled"}[outcome]
    text = f"Post-allocation touchpoint for {_case_line(case)}\n✅ {words} by <@{by_user}> on {at_text}."
    return {"text": mrkdwn_safe(f"Touchpoint {words.lower()}: {case.crn}", FALLBACK_TEXT_MAX), "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_TEXT_MAX)}}]}


def rescheduled_notice(case: CaseLike, due_on: date, by_user: str) -> dict[str, Any]:
    text = f"<@{by_user}> moved the post-allocation touchpoint for {_case_line(case)} to {long_date(due_on)}."
    return {"text": mrkdwn_safe(f"Touchpoint moved: {case.crn}", FALLBACK_TEXT_MAX), "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def _modal(callback: Callback, title: str, submit: str, touchpoint_id: int, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback,
        "private_metadata": str(touchpoint_id),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _intro(case: CaseLike, tp: TouchpointView) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"{_case_line(case)}\nTouchpoint due {long_date(tp.due_on)} with <@{tp.practitioner_user}>."}}


def record_modal(case: CaseLike, tp: TouchpointView) -> dict[str, Any]:
    """The SPO's management oversight record (seeds/000: 'Management oversight' contact)."""
    return _modal(
        Callback.TOUCHPOINT_RECORD, "Record touchpoint", "Record", tp.touchpoint_id,
        [
            _intro(case, tp),
            {
                "type": "input", "block_id": TouchpointBlock.NOTES, "label": {"type": "plain_text", "text": "Oversight notes"},
                "hint": {"type": "plain_text", "text": "What you discussed and agreed. Written back as a Management oversight contact."},
                "element": {"type": "plain_text_input", "action_id": INPUT_ACTION, "multiline": True, "max_length": 3000},
            },
            {
                "type": "input", "block_id": TouchpointBlock.NOTES_SENSITIVE,
                "label": {"type": "plain_text", "text": "Are these notes sensitive? (kept out of a subject access request)"},
                "element": {"type": "radio_buttons", "action_id": INPUT_ACTION, "options": [
                    {"text": {"type": "plain_text", "text": "Yes"}, "value": "yes"},
                    {"text": {"type": "plain_text", "text": "No"}, "value": "no"},
                ]},
            },
        ],
    )  # fmt: skip


def reschedule_modal(case: CaseLike, tp: TouchpointView, *, suggested: date) -> dict[str, Any]:
    return _modal(
        Callback.TOUCHPOINT_RESCHEDULE, "Reschedule touchpoint", "Reschedule", tp.touchpoint_id,
        [
            _intro(case, tp),
            {
                "type": "input", "block_id": TouchpointBlock.DATE, "label": {"type": "plain_text", "text": "New date (a working day)"},
                "element": {"type": "datepicker", "action_id": INPUT_ACTION, "initial_date": suggested.isoformat()},
            },
        ],
    )  # fmt: skip


def not_required_modal(case: CaseLike, tp: TouchpointView) -> dict[str, Any]:
    return _modal(
        Callback.TOUCHPOINT_NOT_REQUIRED, "Touchpoint not needed", "Save", tp.touchpoint_id,
        [
            _intro(case, tp),
            {
                "type": "input", "block_id": TouchpointBlock.REASON, "label": {"type": "plain_text", "text": "Why is the touchpoint not required?"},
                "element": {"type": "plain_text_input", "action_id": INPUT_ACTION, "multiline": True, "max_length": 3000},
            },
        ],
    )  # fmt: skip


def deadline_chase(case: CaseLike, *, overdue_days: int, spos: Sequence[str]) -> dict[str, Any]:
    """The thread reply chasing an unallocated case (seeds/003 s1.9: two working days)."""
    status = "⏰ Due today" if overdue_days <= 0 else f"⚠ Overdue by {overdue_days} working day{'s' if overdue_days != 1 else ''}"
    who = " ".join(f"<@{s}>" for s in spos) or "the team's SPOs"
    text = f"{status}: this case is not yet allocated (allocate by {short_date(case.due_by)}). {who}"
    return {"text": cut(text, FALLBACK_TEXT_MAX), "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def deadline_digest(team_name: str, rows: Sequence[tuple[CaseLike, int]]) -> dict[str, Any]:
    """One message per team per morning: every case due or overdue, soonest first."""
    lines = []
    hidden = 0
    for case, overdue in rows:
        if case.restricted:
            hidden += 1
            continue
        state = "due today" if overdue <= 0 else f"overdue by {overdue} working day{'s' if overdue != 1 else ''}"
        lines.append(f"• {case.crn} {mrkdwn_safe(case.name, 100)} (tier {case.tier}): {state}")
    if hidden:
        lines.append(f"• and {hidden} restricted case{'s' if hidden != 1 else ''} (sent to the SPOs privately)")
    head = f"*Cases to allocate today, {mrkdwn_safe(team_name, 100)}* ({len(rows)})"
    body = cut("\n".join(lines), SECTION_TEXT_MAX - 10)
    return {"text": mrkdwn_safe(f"{len(rows)} cases due or overdue for allocation in {team_name}", FALLBACK_TEXT_MAX),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": head}}, {"type": "section", "text": {"type": "mrkdwn", "text": body or "-"}}]}  # fmt: skip


def overdue_touchpoints_digest(rows: Sequence[tuple[CaseLike, TouchpointView]]) -> dict[str, Any]:
    """One DM per SPO per working morning listing overdue touchpoints, not one message each."""
    lines = [f"• {case.crn} {mrkdwn_safe(case.name, 100)} with <@{tp.practitioner_user}>: due {long_date(tp.due_on)}" for case, tp in rows]
    text = f"*Overdue post-allocation touchpoints* ({len(rows)})\n" + "\n".join(lines)
    return {"text": f"{len(rows)} overdue touchpoints", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_TEXT_MAX)}}]}


def prison_notice_late(case: CaseLike, allocated_text: str) -> dict[str, Any]:
    """To the SPOs: the prison notice is not delivered 4 hours before its 24-hour limit."""
    text = (
        f"⚠ The prison has not yet been notified of the allocation of {case.crn} ({mrkdwn_safe(case.prison or 'prison', 100)}), "
        f"allocated {allocated_text}. PI 05/2014 s1.15 asks for notice within 24 hours: please notify the prison directly."
    )
    return {"text": cut(text, FALLBACK_TEXT_MAX), "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}

