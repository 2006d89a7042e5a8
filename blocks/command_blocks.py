"""The answers to `/casebot`, shown only to the caller (issue 7). Pure builders.

Every outside string (names, offences, notes, team names, policy reasons, the caller's own
words) goes through `blocks.text`; mentions are only made from ids that look like Slack ids.
Long lists are packed into sections under Slack's 3,000 characters, and a message never
carries more than 50 blocks (SLACK.md s1; slack_sdk does not check that one).
What a reader may see is decided before these builders run (bot/queries/commands.py): they show
what they are given, and say so where a note was withheld.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from blocks.allocation_notices import when_text
from blocks.ids import Action
from blocks.case_card import CaseLike, summary_fields
from bot.domain.vocabulary import PROBATION, Terms, terms_for
from blocks.text import FALLBACK_TEXT_MAX, FIELD_TEXT_MAX, HEADER_MAX, SECTION_TEXT_MAX, cut, long_date, mrkdwn_safe, plain, short_date

Block = dict[str, Any]
Message = dict[str, Any]

MESSAGE_BLOCKS_MAX = 50
NAME_MAX = 100
LINE_MAX = 600  # one list line, before packing into sections

USAGE_LINES = (
    "`/casebot queue`: your team's unallocated cases, soonest due first",
    "`/casebot case X123456`: a case's summary and history (a CRN is one letter and six digits)",
    "`/casebot caseload @person`: a practitioner's open cases and workload now",
    "`/casebot help`: this message",
)


# ---------------------------------------------------------------------------------------------
# What the builders read (bot/queries/commands.py's results satisfy these)


class QueueCaseLike(Protocol):
    crn: str
    name: str
    tier: str
    due_by: date
    restricted: bool


class TeamQueueLike(Protocol):
    team_name: str
    service: str
    viewer_is_spo: bool
    cases: Sequence[QueueCaseLike]
    total: int
    overdue: int


class QueueLike(Protocol):
    today: date
    teams: Sequence[TeamQueueLike]


class NoteLike(Protocol):
    text: str | None
    withheld: bool
    sensitive: bool


class TouchpointLike(Protocol):
    state: str
    priority: str
    due_on: date | None
    not_required_reason: str | None
    notes: NoteLike | None
    outcome_by: str | None
    outcome_at: datetime | None


class AllocationLike(Protocol):
    practitioner_name: str
    practitioner_user_id: str
    staff_code: str
    grade: str
    allocated_by: str
    allocated_at: datetime
    current: bool
    ended_at: datetime | None
    reason: str | None
    outside_policy: bool
    policy_exceptions: list[str]
    evidence: NoteLike | None
    hate_crime: bool
    hate_crime_notes: NoteLike | None
    touchpoint: TouchpointLike | None


class AuditLineLike(Protocol):
    at: datetime
    actor: str
    action: str
    detail: Mapping[str, Any]


class HistoryCaseLike(CaseLike, Protocol):
    state: str


class CaseHistoryLike(Protocol):
    case: HistoryCaseLike
    team_name: str
    service: str
    viewer_is_spo: bool
    today: date
    allocations: Sequence[AllocationLike]
    allocations_total: int
    audit: Sequence[AuditLineLike]
    audit_total: int
    other_events: int


class WorkloadLike(Protocol):
    percent: float
    tier_mix: dict[str, int]
    held_outside: int

    @property
    def over_capacity(self) -> bool: ...


class HeldCaseLike(Protocol):
    case: QueueCaseLike
    allocated_at: datetime


class CaseloadLike(Protocol):
    name: str
    grade: str
    staff_code: str
    user_id: str
    active: bool
    team_name: str
    service: str
    workload: WorkloadLike
    cases: Sequence[HeldCaseLike]
    listed_total: int
    restricted_hidden: int


# ---------------------------------------------------------------------------------------------
# Small pieces


def looks_like_user_id(value: str) -> bool:
    """U0PP00001 or W0123ABCD: upper-case letters and digits only, so safe inside `<@...>`."""
    return 2 < len(value) <= 20 and value[0] in "UW" and value.isascii() and value.isalnum() and value.isupper()


def mention(user_id: str | None) -> str:
    """`<@U123>` for something shaped like a Slack user id; anything else shown as text."""
    if user_id and looks_like_user_id(user_id):
        return f"<@{user_id}>"
    return mrkdwn_safe(user_id or "someone", NAME_MAX)


def _section(text: str) -> Block:
    # Every caller builds `text` from pieces already escaped and cut to a budget under the
    # limit; the cut is the last guard, never the plan.
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_TEXT_MAX)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, SECTION_TEXT_MAX)}]}


def _field(label: str, value: str) -> Block:
    return {"type": "mrkdwn", "text": f"*{label}*\n" + mrkdwn_safe(value, FIELD_TEXT_MAX - len(label) - 3)}


def packed_sections(lines: Iterable[str], *, heading: str | None = None) -> list[Block]:
    """Lines (each already safe) packed into as few sections as Slack's text limit allows."""
    blocks: list[Block] = []
    current = heading or ""
    for raw in lines:
        line = cut(raw, LINE_MAX)
        joined = f"{current}\n{line}" if current else line
        if len(joined) > SECTION_TEXT_MAX:
            blocks.append(_section(current))
            current = line
        else:
            current = joined
    if current:
        blocks.append(_section(current))
    return blocks


def _message(text: str, blocks: list[Block]) -> Message:
    """The ephemeral answer: short escaped fallback text, at most 50 blocks."""
    if len(blocks) > MESSAGE_BLOCKS_MAX:
        blocks = [*blocks[: MESSAGE_BLOCKS_MAX - 1], _context("Some of this answer was left out to fit in one Slack message.")]
    return {"text": cut(text, FALLBACK_TEXT_MAX), "blocks": blocks}


def _day(day: date, today: date) -> str:
    return short_date(day) if day.year == today.year else long_date(day)


def _due(due_by: date, today: date) -> str:
    if due_by < today:
        return f":warning: *Overdue* (was due {_day(due_by, today)})"
    if due_by == today:
        return "due *today*"
    return f"due {_day(due_by, today)}"


def _case_line(case: QueueCaseLike, tail: str) -> str:
    restricted = " · :lock: restricted" if case.restricted else ""
    return f"• *{mrkdwn_safe(case.crn, 10)}* {mrkdwn_safe(case.name, NAME_MAX)} · tier {mrkdwn_safe(case.tier, 5)} · {tail}{restricted}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# ---------------------------------------------------------------------------------------------
# help, usage and polite refusals


def usage_message(problem: str | None = None) -> Message:
    """Usage; with `problem` (plain text, may quote the caller) saying first what was wrong."""
    blocks: list[Block] = []
    if problem:
        blocks.append(_section(":warning: " + mrkdwn_safe(problem, 500)))
    blocks.append(_section("*How to use /casebot*\n" + "\n".join(f"• {line}" for line in USAGE_LINES)))
    text = ("/casebot: " + mrkdwn_safe(problem, 500)) if problem else "/casebot: queue | case X123456 | caseload @person | help"
    return _message(text, blocks)


def not_in_team_message() -> Message:
    text = (
        "You are not an SPO or a practitioner in any team casebot knows, so there is nothing to show you here. "
        "If you should be, please ask your casebot administrator to add you to the teams file."
    )
    return _message(text, [_section(text)])


def case_not_visible_message(crn: str) -> Message:
    text = (
        f"I can't show you case {mrkdwn_safe(crn, 10)}: casebot holds no case with that CRN for your team, "
        "or it is a limited-access case that only the team's SPOs can see."
    )
    return _message(text, [_section(text)])


def unknown_person_message(user_id: str) -> Message:
    problem = f"{mention(user_id)} is not a practitioner in any team casebot knows, so there is no caseload to show."
    message = usage_message()
    return _message(problem, [_section(":warning: " + problem), *message["blocks"]])


def not_allowed_message(user_id: str, team_names: Sequence[str]) -> Message:
    teams = ", ".join(mrkdwn_safe(name, NAME_MAX) for name in list(dict.fromkeys(team_names))[:5])
    text = f"Only the SPOs of {teams} and {mention(user_id)} themselves can see {mention(user_id)}'s caseload."
    return _message(text, [_section(text)])


def failure_message(reference: str) -> Message:
    text = (
        "Sorry, something went wrong answering that. Please try again in a minute; if it keeps happening, "
        f"tell your casebot administrator (reference `{mrkdwn_safe(reference, 40)}`)."
    )
    return _message(text, [_section(text)])


# ---------------------------------------------------------------------------------------------
# queue


def queue_message(answer: QueueLike) -> Message:
    """Each of the caller's teams: unallocated cases soonest due first, overdue marked."""
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": "Waiting for allocation"}}]
    summary = []
    for team in answer.teams:
        name = mrkdwn_safe(team.team_name, NAME_MAX)
        overdue = f", {team.overdue} overdue" if team.overdue else ""
        heading = f"*{name}*: {_plural(team.total, 'unallocated case')}{overdue}"
        summary.append(f"{name} {team.total}")
        if not team.cases:
            blocks.append(_section(f"{heading}\nNothing is waiting for allocation."))
            continue
        blocks += packed_sections((_case_line(case, _due(case.due_by, answer.today)) for case in team.cases), heading=heading)
        notes = []
        if team.total > len(team.cases):
            notes.append(f"and {team.total - len(team.cases)} more")
        if not team.viewer_is_spo:
            notes.append(f"limited-access cases are listed only for the team's {terms_for(team.service).managers}")
        if notes:
            blocks.append(_context(" · ".join(notes)))
    return _message("Waiting for allocation: " + ", ".join(summary), blocks)


# ---------------------------------------------------------------------------------------------
# case


def _note(item: NoteLike | None, limit: int, terms: Terms) -> str:
    if item is None:
        return "None recorded"
    if item.withheld or item.text is None:
        return f"_(sensitive: visible to {terms.managers})_"
    flag = f":lock: _sensitive, for {terms.managers} only:_ " if item.sensitive else ""
    return flag + mrkdwn_safe(item.text, limit)


def _touchpoint(tp: TouchpointLike | None, today: date, terms: Terms) -> str:
    if tp is None:
        return "None planned"
    by = f" by {mention(tp.outcome_by)}" if tp.outcome_by else ""
    on = f" on {when_text(tp.outcome_at)}" if tp.outcome_at else ""
    if tp.state == "planned":
        when = f"for {_day(tp.due_on, today)}" if tp.due_on else "with no date"
        late = " · :warning: overdue" if tp.due_on and tp.due_on < today else ""
        return f"planned {when}, {mrkdwn_safe(tp.priority.replace('_', ' '), 20)} priority{late}"
    if tp.state == "recorded":
        return f"recorded{by}{on}: {_note(tp.notes, 500, terms)}"
    if tp.state == "not_required":
        reason = f" (reason: {mrkdwn_safe(tp.not_required_reason, 250)})" if tp.not_required_reason else ""
        return f"not required{reason}{by}{on}"
    return mrkdwn_safe(tp.state.replace("_", " "), 30) + by + on


def allocation_section(allocation: AllocationLike, today: date, terms: Terms = PROBATION) -> Block:
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
    hate = ("Yes: " + _note(allocation.hate_crime_notes, 400, terms)) if allocation.hate_crime else "No"
    lines.append("*Hate crime or discrimination:* " + hate)
    lines.append("*Touchpoint:* " + _touchpoint(allocation.touchpoint, today, terms))
    return _section("\n".join(lines))


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


def audit_line(event: AuditLineLike) -> str:
    label = AUDIT_LABELS.get(event.action) or mrkdwn_safe(event.action.replace("_", " ").capitalize(), 60)
    detail = _audit_detail(event.detail)
    return f"• {when_text(event.at)} · {label} · by {mention(event.actor)}" + (f" · {detail}" if detail else "")


def _spo_button(case: HistoryCaseLike) -> Block:
    """Allocate or Reallocate, for the team's SPOs (issue 7: reallocate from `/casebot case`);
    the listeners in handlers/allocate.py check the clicker again."""
    action, label = (Action.ALLOCATE, "Allocate") if case.state == "unallocated" else (Action.REALLOCATE, "Reallocate")
    button = {"type": "button", "action_id": action, "text": {"type": "plain_text", "text": label}, "value": str(case.id)}
    return {"type": "actions", "block_id": f"command_case_{case.id}", "elements": [button]}


def case_message(history: CaseHistoryLike, *, record_url: str | None) -> Message:
    """One case: the facts, every allocation (newest first), the touchpoints and the audit trail."""
    case, today, terms = history.case, history.today, terms_for(history.service)
    if case.state == "unallocated":
        status = "Unallocated" + (" (overdue)" if case.due_by < today else "")
    else:
        status = case.state.replace("_", " ").capitalize()
    fields = [
        *summary_fields(case, record_url),
        _field("Team", history.team_name),
        _field("Status", status),
        _field("Sentenced", long_date(case.sentence_date)),
        _field("RSR", f"{case.rsr:g}%" if case.rsr is not None else "Not recorded"),
    ]
    facts = []
    if case.restricted:
        facts.append(f":lock: Limited-access case: only the team's {terms.managers} see it")
    if case.custodial:
        facts.append("Custodial" + (f" ({mrkdwn_safe(case.prison, NAME_MAX)})" if case.prison else ""))
    if case.previous_practitioner:
        facts.append(f"Previous {terms.practitioner} " + mrkdwn_safe(case.previous_practitioner, 20))
    if history.other_events:
        facts.append(f"casebot also holds {_plural(history.other_events, 'earlier sentence event')} for this CRN; this is the latest")
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": plain(f"{case.name} ({case.crn})", HEADER_MAX)}},
        {"type": "section", "fields": fields[:10]},
        _section("*Offence*\n" + mrkdwn_safe(case.offence or "Not recorded", 1000)),
    ]
    if facts:
        blocks.append(_context(" · ".join(facts)))
    blocks.append({"type": "divider"})
    if history.allocations:
        blocks += [allocation_section(allocation, today, terms) for allocation in history.allocations]
        if history.allocations_total > len(history.allocations):
            blocks.append(_context(f"and {_plural(history.allocations_total - len(history.allocations), 'earlier allocation')} not shown"))
    else:
        blocks.append(_section("*Allocations:* none yet. Allocate by " + _day(case.due_by, today) + "."))
    if history.viewer_is_spo and case.state in ("unallocated", "allocated"):
        blocks.append(_spo_button(case))
    blocks.append({"type": "divider"})
    heading = "*Audit trail*"
    if history.audit_total > len(history.audit):
        heading += f" (the latest {len(history.audit)} of {history.audit_total})"
    if history.audit:
        blocks += packed_sections((audit_line(event) for event in history.audit), heading=heading)
    else:
        blocks.append(_section(heading + "\nNothing recorded yet."))
    text = f"Case {mrkdwn_safe(case.crn, 10)}: {mrkdwn_safe(case.name, NAME_MAX)}, tier {mrkdwn_safe(case.tier, 5)}, {status.lower()}"
    return _message(text, blocks)


# ---------------------------------------------------------------------------------------------
# caseload


def _percent(value: float) -> str:
    return "no available capacity" if math.isinf(value) else f"{value:.1f}%"


def caseload_message(views: Sequence[CaseloadLike]) -> Message:
    """Per team the person works in: workload now, tier mix, and the cases casebot allocated them."""
    blocks: list[Block] = []
    for view in views:
        load = view.workload
        mix = " · ".join(f"{letter} {count}" for letter, count in load.tier_mix.items())
        over = " :warning: over capacity" if load.over_capacity else ""
        outside = f" · including {_plural(load.held_outside, 'case')} held outside casebot" if load.held_outside else ""
        inactive = " · inactive" if not view.active else ""
        heading = (
            f"*{mrkdwn_safe(view.name, NAME_MAX)}* ({mrkdwn_safe(view.grade, 10)}, {mrkdwn_safe(view.staff_code, 20)}) "
            f"{mention(view.user_id)} · {mrkdwn_safe(view.team_name, NAME_MAX)}{inactive}\n"
            f"Workload now: *{_percent(load.percent)}*{over} · tier mix {mix}{outside}\n"
            f"*Open cases allocated through casebot:* {view.listed_total + view.restricted_hidden}"
        )
        lines = [_case_line(held.case, f"allocated {when_text(held.allocated_at)}") for held in view.cases]
        blocks += packed_sections(lines, heading=heading)
        notes = []
        if view.listed_total > len(view.cases):
            notes.append(f"and {view.listed_total - len(view.cases)} more")
        if view.restricted_hidden:
            managers = terms_for(view.service).managers
            notes.append(f"{_plural(view.restricted_hidden, 'limited-access case')} not listed (only the team's {managers} see those)")
        if notes:
            blocks.append(_context(" · ".join(notes)))
    first = views[0]
    text = f"Caseload of {mrkdwn_safe(first.name, NAME_MAX)}: workload {_percent(first.workload.percent)}"
    return _message(text, blocks)
