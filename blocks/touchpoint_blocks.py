"""Touchpoint reminders, their modals and the deadline chases. Pure builders.

Reminders go by DM to the practitioner and the SPO; they name the case but carry no notes.
The oversight notes the SPO records are never shown back in any message (they may be
sensitive); only who recorded the touchpoint and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from blocks.formats import due_words, long_date, plural, short_date
from blocks.ids import Action, Callback, TouchpointBlock
from blocks.kit import YES_NO, Block, Message, actions, button, date_input, mention, message, modal, radio_input, section, text_input, text_message
from blocks.text import FALLBACK_TEXT_MAX, SECTION_TEXT_MAX, cut, mrkdwn_safe
from bot.domain.case_summary import CaseSummary
from bot.domain.channel_detail import DEFAULT_CHANNEL_DETAIL, channel_name
from bot.domain.facts import TouchpointView
from bot.domain.vocabulary import PROBATION, Terms

PRIORITY = {"high": "high priority", "normal": "normal priority"}


def _case_line(case: CaseSummary) -> str:
    return f"*{mrkdwn_safe(case.name, 200)}* · {case.crn} · tier {case.tier}"


def reminder(case: CaseSummary, tp: TouchpointView, *, when: str, terms: Terms = PROBATION) -> Message:
    """The reminder DM, with the actions (Record is for the SPO; the listener enforces it)."""
    headline = {
        "before": f"Post-allocation touchpoint on {long_date(tp.due_on)} ({PRIORITY.get(tp.priority, tp.priority)})",
        "day": f"Post-allocation touchpoint today ({PRIORITY.get(tp.priority, tp.priority)})",
        "after": f"Post-allocation touchpoint was due {long_date(tp.due_on)} and is not recorded yet",
        "snooze": f"Reminder: post-allocation touchpoint on {long_date(tp.due_on)}",
    }[when]
    text = f"{headline}\n{_case_line(case)}\nBetween {mention(tp.spo_user)} ({terms.manager}) and {mention(tp.practitioner_user)} ({terms.practitioner})."
    value = str(tp.touchpoint_id)
    buttons = [
        button(Action.TOUCHPOINT_RECORD, "Record touchpoint", value=value, style="primary"),
        button(Action.TOUCHPOINT_RESCHEDULE, "Reschedule", value=value),
        button(Action.TOUCHPOINT_NOT_REQUIRED, "Not required", value=value),
        button(Action.TOUCHPOINT_SNOOZE, "Remind me tomorrow", value=value),
    ]
    return message(mrkdwn_safe(f"{headline}: {case.crn}", FALLBACK_TEXT_MAX), [section(text), actions(buttons, f"touchpoint_{tp.touchpoint_id}")])


def reminder_settled(case: CaseSummary, outcome: str, by_user: str, at_text: str) -> Message:
    """A reminder after the touchpoint is settled: buttons gone, who did what."""
    words = {"recorded": "Recorded", "not_required": "Marked not required", "rescheduled": "Rescheduled"}[outcome]
    text = f"Post-allocation touchpoint for {_case_line(case)}\n✅ {words} by {mention(by_user)} on {at_text}."
    return message(mrkdwn_safe(f"Touchpoint {words.lower()}: {case.crn}", FALLBACK_TEXT_MAX), [section(text)])


def rescheduled_notice(case: CaseSummary, due_on: date, by_user: str) -> Message:
    text = f"{mention(by_user)} moved the post-allocation touchpoint for {_case_line(case)} to {long_date(due_on)}."
    return message(mrkdwn_safe(f"Touchpoint moved: {case.crn}", FALLBACK_TEXT_MAX), [section(text)])


def _modal(callback: Callback, title: str, submit: str, tp: TouchpointView, case: CaseSummary, question: Block) -> Block:
    intro = section(f"{_case_line(case)}\nTouchpoint due {long_date(tp.due_on)} with {mention(tp.practitioner_user)}.")
    return modal(title, [intro, question], callback=callback, submit=submit, metadata=str(tp.touchpoint_id))


def record_modal(case: CaseSummary, tp: TouchpointView) -> Block:
    """The SPO's management oversight record (seeds/000: 'Management oversight' contact)."""
    notes = text_input(TouchpointBlock.NOTES, "Oversight notes", hint="What you discussed and agreed. Written back as a Management oversight contact.")
    view = _modal(Callback.TOUCHPOINT_RECORD, "Record touchpoint", "Record", tp, case, notes)
    view["blocks"].append(radio_input(TouchpointBlock.NOTES_SENSITIVE, "Are these notes sensitive? (kept out of a subject access request)", YES_NO))
    return view


def reschedule_modal(case: CaseSummary, tp: TouchpointView, *, suggested: date) -> Block:
    question = date_input(TouchpointBlock.DATE, "New date (a working day)", suggested)
    return _modal(Callback.TOUCHPOINT_RESCHEDULE, "Reschedule touchpoint", "Reschedule", tp, case, question)


def not_required_modal(case: CaseSummary, tp: TouchpointView) -> Block:
    question = text_input(TouchpointBlock.REASON, "Why is the touchpoint not required?")
    return _modal(Callback.TOUCHPOINT_NOT_REQUIRED, "Touchpoint not needed", "Save", tp, case, question)


def deadline_chase(case: CaseSummary, *, overdue_days: int, spos: Sequence[str]) -> Message:
    """The thread reply chasing an unallocated case at or past the team's target."""
    status = ("⏰ " if overdue_days <= 0 else "⚠ ") + due_words(overdue_days).capitalize()
    who = " ".join(mention(s) for s in spos) or "the team's SPOs"
    return text_message(f"{status}: this case is not yet allocated (the team's target: allocate by {short_date(case.due_by)}). {who}")


def deadline_digest(team_name: str, rows: Sequence[tuple[CaseSummary, int]], *, detail: str = DEFAULT_CHANNEL_DETAIL) -> Message:
    """One message per team per morning in the channel: every case due or overdue, soonest
    first, each named as the team's `channel_detail` allows (initials at minimal)."""
    lines = []
    hidden = 0
    for case, overdue in rows:
        if case.restricted:
            hidden += 1
            continue
        lines.append(f"• {case.crn} {mrkdwn_safe(channel_name(case.name, detail), 100)} (tier {case.tier}): {due_words(overdue)}")
    if hidden:
        lines.append(f"• and {plural(hidden, 'restricted case')} (sent to the SPOs privately)")
    head = f"*Cases to allocate today, {mrkdwn_safe(team_name, 100)}* ({len(rows)})"
    body = cut("\n".join(lines), SECTION_TEXT_MAX - 10)
    text = mrkdwn_safe(f"{plural(len(rows), 'case')} due or overdue for allocation in {team_name}", FALLBACK_TEXT_MAX)
    return message(text, [section(head), section(body or "-")])


def overdue_touchpoints_digest(rows: Sequence[tuple[CaseSummary, TouchpointView]]) -> Message:
    """One DM per SPO per working morning listing overdue touchpoints, not one message each."""
    lines = [f"• {case.crn} {mrkdwn_safe(case.name, 100)} with {mention(tp.practitioner_user)}: due {long_date(tp.due_on)}" for case, tp in rows]
    text = f"*Overdue post-allocation touchpoints* ({len(rows)})\n" + "\n".join(lines)
    return message(plural(len(rows), "overdue touchpoint"), [section(text)])


def prison_notice_late(case: CaseSummary, allocated_text: str) -> Message:
    """To the SPOs: the prison notice is not delivered 4 hours before its 24-hour limit."""
    return text_message(
        f"⚠ The prison has not yet been notified of the allocation of {case.crn} ({mrkdwn_safe(case.prison or 'prison', 100)}), "
        f"allocated {allocated_text}. PI 05/2014 s1.15 asks for notice within 24 hours: please notify the prison directly."
    )
