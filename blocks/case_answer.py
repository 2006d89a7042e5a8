"""`/casebot case X123456`: one case's facts, every allocation (newest first), its touchpoint
and the audit trail. Pure.

Notes are shown only as the read model gives them: a withheld note arrives as `withheld` and
is named, never quoted. Each piece has its own budget so an allocation stays under Slack's
3,000 characters a section, and the answer under 50 blocks (`blocks.kit.message`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from blocks.case_card import summary_fields
from blocks.formats import day_text, due_text, long_date, plural, rsr_text, when_text
from blocks.ids import Action
from blocks.kit import NAME_MAX, Block, Message, actions, button, context, divider, field, fields_section, header, mention, message, packed, section
from blocks.text import mrkdwn_safe
from bot.domain.case_history_view import AllocationRecord, AuditLine, CaseHistory, Note, TouchpointRecord
from bot.domain.case_summary import CaseSummary
from bot.domain.vocabulary import PROBATION, Terms, terms_for


def _note(item: Note | None, limit: int, terms: Terms) -> str:
    if item is None:
        return "None recorded"
    if item.withheld or item.text is None:
        return f"_(sensitive: visible to {terms.managers})_"
    flag = f":lock: _sensitive, for the {terms.managers} and the allocated {terms.practitioner} only:_ " if item.sensitive else ""
    return flag + mrkdwn_safe(item.text, limit)


def _touchpoint(tp: TouchpointRecord | None, today: date, terms: Terms) -> str:
    if tp is None:
        return "None planned"
    by = f" by {mention(tp.outcome_by)}" if tp.outcome_by else ""
    on = f" on {when_text(tp.outcome_at)}" if tp.outcome_at else ""
    if tp.state == "planned":
        when = due_text(tp.due_on, today) if tp.due_on else "with no date"
        return f"planned, {when}, {mrkdwn_safe(tp.priority.replace('_', ' '), 20)} priority"
    if tp.state == "recorded":
        return f"recorded{by}{on}: {_note(tp.notes, 500, terms)}"
    if tp.state == "not_required":
        reason = f" (reason: {mrkdwn_safe(tp.not_required_reason, 250)})" if tp.not_required_reason else ""
        return f"not required{reason}{by}{on}"
    return mrkdwn_safe(tp.state.replace("_", " "), 30) + by + on


def allocation_section(allocation: AllocationRecord, today: date, terms: Terms = PROBATION) -> Block:
    """One allocation: who, by whom, when, policy, evidence, hate crime notes, touchpoint.
    Each piece has its own budget; together they stay under Slack's 3,000 characters."""
    title = "Current allocation" if allocation.current else "Earlier allocation"
    who = (
        f"*{title}:* {mrkdwn_safe(allocation.practitioner_name, NAME_MAX)} "
        f"({mrkdwn_safe(allocation.grade, 10)}, {mrkdwn_safe(allocation.staff_code, 20)}) {mention(allocation.practitioner_user_id)}"
    )
    allocated = f"Allocated by {mention(allocation.allocated_by)} on {when_text(allocation.allocated_at)}"
    if allocation.reason:
        allocated += " · reallocation: " + mrkdwn_safe(allocation.reason, 200)
    if allocation.ended_at and not allocation.current:
        allocated += f" · ended {when_text(allocation.ended_at)}"
    lines = [who, allocated]
    if allocation.outside_policy:
        reasons = "; ".join(allocation.policy_exceptions) or f"confirmed by the {terms.manager}"
        lines.append(":warning: *Outside policy:* " + mrkdwn_safe(reasons, 300))
    else:
        lines.append("Within policy")
    lines.append("*Evidence:* " + _note(allocation.evidence, 1000, terms))
    for label, linked, notes in (
        ("Hate crime", allocation.hate_crime, allocation.hate_crime_notes),
        ("Discrimination", allocation.discrimination, allocation.discrimination_notes),
    ):
        lines.append(f"*{label}:* " + (("Yes: " + _note(notes, 400, terms)) if linked else "No"))
    lines.append("*Touchpoint:* " + _touchpoint(allocation.touchpoint, today, terms))
    return section("\n".join(lines))


AUDIT_LABELS = {
    "case_received": "Case received",
    "allocated": "Allocated",
    "reallocated": "Reallocated",
    "touchpoint_recorded": "Touchpoint recorded",
    "touchpoint_not_required": "Touchpoint marked not required",
    "touchpoint_rescheduled": "Touchpoint rescheduled",
    "write_back_delivered": "Written back to the case record",
    "write_back_failed": "Write-back failed",
    "prison_notice_delivered": "Prison notified",
    "prison_notice_failed": "Prison notice failed",
}


def _audit_detail(detail: Mapping[str, Any]) -> str:
    parts = []
    for key, value in detail.items():
        if key == "outside_policy":
            parts.append("outside policy" if value else "within policy")
        elif key == "sensitive":
            parts.append("notes sensitive" if value else "notes not sensitive")
        elif key == "kept_touchpoint":
            parts.append("touchpoint kept" if value else "touchpoint replanned")
        elif key == "from_staff_code":
            parts.append(f"from {mrkdwn_safe(str(value), 20)}")
        elif key == "staff_code":
            parts.append(f"to {mrkdwn_safe(str(value), 20)}")
        elif key == "due_on" and isinstance(value, str):
            try:
                parts.append("for " + long_date(date.fromisoformat(value)))
            except ValueError:
                parts.append("for " + mrkdwn_safe(value, 20))
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            parts.append(f"{key.replace('_', ' ')} {mrkdwn_safe(str(value), 100)}")
    return " · ".join(parts)


def audit_line(event: AuditLine) -> str:
    label = AUDIT_LABELS.get(event.action) or mrkdwn_safe(event.action.replace("_", " ").capitalize(), 60)
    detail = _audit_detail(event.detail)
    return f"• {when_text(event.at)} · {label} · by {mention(event.actor)}" + (f" · {detail}" if detail else "")


def _spo_button(case: CaseSummary) -> Block:
    """Allocate or Reallocate, for the team's SPOs (reallocation starts from `/casebot case` too);
    the listeners in handlers/allocate.py check the clicker again."""
    action, label = (Action.ALLOCATE, "Allocate") if case.state == "unallocated" else (Action.REALLOCATE, "Reallocate")
    return actions([button(action, label, value=str(case.id))], f"command_case_{case.id}")


def _facts(history: CaseHistory, terms: Terms) -> list[str]:
    case = history.case
    facts = []
    if case.restricted:
        facts.append(f":lock: Limited-access case: only the team's {terms.managers} see it")
    if case.custodial:
        facts.append("Custodial" + (f" ({mrkdwn_safe(case.prison, NAME_MAX)})" if case.prison else ""))
    if case.previous_practitioner:
        facts.append(f"Previous {terms.practitioner} " + mrkdwn_safe(case.previous_practitioner, 20))
    if history.other_events:
        facts.append(f"casebot also holds {plural(history.other_events, 'earlier sentence event')} for this CRN; this is the latest")
    return facts


def case_message(history: CaseHistory, *, record_url: str | None) -> Message:
    """One case: the facts, every allocation (newest first), the touchpoints and the audit trail."""
    case, today, terms = history.case, history.today, terms_for(history.service)
    if case.state == "unallocated":
        status = "Unallocated" + (" (overdue)" if case.due_by < today else "")
    else:
        status = case.state.replace("_", " ").capitalize()
    fields = [
        *summary_fields(case, record_url),
        field("Team", history.team_name),
        field("Status", status),
        field("Sentenced", long_date(case.sentence_date)),
        field("RSR", rsr_text(case.rsr)),
    ]
    blocks: list[Block] = [
        header(f"{case.name} ({case.crn})"),
        fields_section(fields),
        section("*Offence*\n" + mrkdwn_safe(case.offence or "Not recorded", 1000)),
    ]
    if facts := _facts(history, terms):
        blocks.append(context(" · ".join(facts)))
    blocks.append(divider())
    if history.allocations:
        blocks += [allocation_section(allocation, today, terms) for allocation in history.allocations]
        if history.allocations_total > len(history.allocations):
            blocks.append(context(f"and {plural(history.allocations_total - len(history.allocations), 'earlier allocation')} not shown"))
    else:
        blocks.append(section("*Allocations:* none yet. Allocate by " + day_text(case.due_by, today) + "."))
    if history.viewer_is_spo and case.state in ("unallocated", "allocated"):
        blocks.append(_spo_button(case))
    blocks.append(divider())
    heading = "*Audit trail*"
    if history.audit_total > len(history.audit):
        heading += f" (the latest {len(history.audit)} of {history.audit_total:,})"
    if history.audit:
        blocks += packed((audit_line(event) for event in history.audit), heading=heading)[0]
    else:
        blocks.append(section(heading + "\nNothing recorded yet."))
    text = f"Case {mrkdwn_safe(case.crn, 10)}: {mrkdwn_safe(case.name, NAME_MAX)}, tier {mrkdwn_safe(case.tier, 5)}, {status.lower()}"
    return message(text, blocks)
