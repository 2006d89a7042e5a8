"""The App Home tab (issue 7): an SPO's team queue, capacity, exceptions and overdue
touchpoints; a practitioner's new cases, touchpoints and workload. Pure builders.

What a reader may see is decided before these run (bot/queries/home.py): a case the reader may not
see by name arrives here with its name and CRN already blanked (`hidden`), so a builder
cannot leak what it never received. Every outside string goes through `blocks.text`.

Slack's limits (SLACK.md s1): a Home view holds at most 100 blocks and a section's text
3,000 characters. A team of 200 practitioners and 1,000 open cases does not fit as one block
per item, so the queue shows the soonest cases with buttons and counts the rest, and the
capacity list packs many practitioners into each section. `home_view` never returns more
than 100 blocks, whatever it is given.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from blocks.command_blocks import mention
from blocks.ids import Action
from blocks.text import HEADER_MAX, SECTION_TEXT_MAX, cut, long_date, mrkdwn_safe, plain, short_date
from bot.domain.vocabulary import Terms

Block = dict[str, Any]

HOME_BLOCKS_MAX = 100  # SLACK.md s1: blocks per Home tab view
NAME_MAX = 100
CAPACITY_NAME_MAX = 32  # capacity lines are packed ~28 to a section; long names are cut
REASONS_MAX = 200
LINE_MAX = 600
BAR_CELLS = 10
BAR_FULL, BAR_EMPTY = "▓", "░"
QUEUE_COMMAND = "/casebot queue"


# ---------------------------------------------------------------------------------------------
# What the Home shows (bot/queries/home.py fills these; no ORM object, no note text)


@dataclass(frozen=True)
class QueueItem:
    case_id: int
    crn: str
    name: str
    tier: str
    sentence_type: str
    due_by: date
    restricted: bool
    custodial: bool


@dataclass(frozen=True)
class CapacityLine:
    name: str
    grade: str
    percent: float
    tier_mix: dict[str, int]
    ready_for_tiers: list[str]

    @property
    def over_capacity(self) -> bool:
        return self.percent > 100.0


@dataclass(frozen=True)
class ExceptionItem:
    case_id: int
    current: bool  # the allocation is still in force (so it can be reallocated from here)
    crn: str
    name: str
    tier: str
    restricted: bool
    practitioner_name: str
    grade: str
    allocated_by: str
    allocated_on: date  # in London
    reasons: list[str]
    reallocation: bool


@dataclass(frozen=True)
class TouchpointItem:
    crn: str  # "" when hidden
    name: str  # "" when hidden
    hidden: bool  # a limited-access case this reader may not see by name
    due_on: date
    priority: str
    practitioner_name: str
    practitioner_user_id: str
    spo_user_id: str


@dataclass(frozen=True)
class NewCaseItem:
    case_id: int
    crn: str  # "" when hidden
    name: str  # "" when hidden
    hidden: bool
    tier: str
    sentence_type: str
    allocated_on: date  # in London
    allocated_by: str


@dataclass(frozen=True)
class SpoSection:
    team_name: str
    terms: Terms
    queue: list[QueueItem]  # soonest due first, the first few
    queue_total: int
    queue_overdue: int
    capacity: list[CapacityLine]  # lowest workload first
    exceptions: list[ExceptionItem]  # newest first
    exceptions_total: int
    exception_days: int
    overdue_touchpoints: list[TouchpointItem]  # longest overdue first
    overdue_total: int
    capacity_sections_max: int = 8


@dataclass(frozen=True)
class PractitionerSection:
    team_name: str
    terms: Terms
    grade: str
    percent: float
    tier_mix: dict[str, int]
    ready_for_tiers: list[str]
    new_cases: list[NewCaseItem]  # newest first
    new_total: int
    new_days: int
    touchpoints: list[TouchpointItem]  # soonest first (overdue ones first of all)
    touchpoints_total: int

    @property
    def open_cases(self) -> int:
        return sum(self.tier_mix.values())


@dataclass(frozen=True)
class HomeData:
    user_id: str
    today: date
    updated_at: datetime  # London time, for the "updated" line
    spo: list[SpoSection] = field(default_factory=list)
    practitioner: list[PractitionerSection] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Small pieces


def workload_bar(percent: float) -> str:
    """`▓▓▓▓▓▓░░░░ 62%`: ten cells, full at 100% and over, with ⚠ when over capacity."""
    if math.isinf(percent) or math.isnan(percent):
        return BAR_FULL * BAR_CELLS + " no capacity :warning:"
    filled = max(0, min(BAR_CELLS, int(percent / 10 + 0.5)))
    over = percent > 100.0
    # 100.4% is over capacity (bot/domain/workload.py): do not let rounding show it as 100%.
    shown = f"{percent:.1f}%" if over and round(percent) <= 100 else f"{percent:.0f}%"
    return BAR_FULL * filled + BAR_EMPTY * (BAR_CELLS - filled) + f" {shown}" + (" :warning:" if over else "")


def mix_text(mix: dict[str, int]) -> str:
    """`A 2 · B 5 · C 9 · D 3`, the tier mix as the Allocate modal shows it."""
    return " · ".join(f"{letter} {int(mix.get(letter, 0))}" for letter in "ABCD")


def ready_text(letters: Sequence[str]) -> str:
    ready = [letter for letter in "ABCD" if letter in {str(x).strip().upper()[:1] for x in letters}]
    return "ready " + "".join(ready) if ready else "readiness not recorded"


def _day(day: date, today: date) -> str:
    return short_date(day) if day.year == today.year else long_date(day)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _section(text: str) -> Block:
    # Callers build `text` from pieces already escaped and cut to a budget; the cut is the
    # last guard, never the plan.
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text or " ", SECTION_TEXT_MAX)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, SECTION_TEXT_MAX)}]}


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": plain(text, HEADER_MAX)}}


def _divider() -> Block:
    return {"type": "divider"}


def packed(lines: Iterable[str], *, heading: str | None = None, max_sections: int | None = None) -> tuple[list[Block], int]:
    """Lines (each already safe) packed into as few sections as the 3,000-character limit
    allows, at most `max_sections`; returns the sections and how many lines did not fit."""
    blocks: list[Block] = []
    current = heading or ""
    left_out = 0
    full = False
    for raw in lines:
        if full:
            left_out += 1
            continue
        line = cut(raw, LINE_MAX)
        joined = f"{current}\n{line}" if current else line
        if len(joined) <= SECTION_TEXT_MAX:
            current = joined
            continue
        blocks.append(_section(current))
        if max_sections is not None and len(blocks) >= max_sections:
            full = True
            current = ""
            left_out += 1
            continue
        current = line
    if current:
        blocks.append(_section(current))
    return blocks, left_out


# ---------------------------------------------------------------------------------------------
# SPO: queue, capacity, exceptions, overdue touchpoints


def _due(due_by: date, today: date) -> str:
    if due_by < today:
        return f":warning: *Overdue*: was due {_day(due_by, today)}"
    if due_by == today:
        return "due *today*"
    return f"due {_day(due_by, today)}"


def queue_item_blocks(item: QueueItem, today: date) -> list[Block]:
    """One case waiting: a line of facts, then Allocate and Details (the channel card's own
    buttons, so the same listeners answer them)."""
    tags = [f"tier {mrkdwn_safe(item.tier, 5)}", mrkdwn_safe(item.sentence_type, 100)]
    if item.custodial:
        tags.append("custodial")
    if item.restricted:
        tags.append(":lock: limited access")
    text = f"*{mrkdwn_safe(item.crn, 10)}* {mrkdwn_safe(item.name, NAME_MAX)} · " + " · ".join(tags) + f"\n{_due(item.due_by, today)}"
    buttons: list[Block] = [
        {"type": "button", "action_id": Action.ALLOCATE, "text": {"type": "plain_text", "text": "Allocate"}, "style": "primary", "value": str(item.case_id)},
        {"type": "button", "action_id": Action.DETAILS, "text": {"type": "plain_text", "text": "Details"}, "value": str(item.case_id)},
    ]  # fmt: skip
    return [_section(text), {"type": "actions", "block_id": f"home_queue_{item.case_id}", "elements": buttons}]


def capacity_line(line: CapacityLine) -> str:
    return (
        f"{workload_bar(line.percent)} *{mrkdwn_safe(line.name, CAPACITY_NAME_MAX)}* ({mrkdwn_safe(line.grade, 6)})"
        f" · {mix_text(line.tier_mix)} · {ready_text(line.ready_for_tiers)}"
    )


def exception_line(item: ExceptionItem, today: date) -> str:
    case = f"*{mrkdwn_safe(item.crn, 10)}* {mrkdwn_safe(item.name, NAME_MAX)} (tier {mrkdwn_safe(item.tier, 5)})"
    if item.restricted:
        case += " :lock:"
    what = "reallocated" if item.reallocation else "allocated"
    reasons = "; ".join(item.reasons) or "confirmed by the SPO"
    return (
        f"• {_day(item.allocated_on, today)} · {case} {what} to {mrkdwn_safe(item.practitioner_name, NAME_MAX)} "
        f"({mrkdwn_safe(item.grade, 6)}) by {mention(item.allocated_by)}: {mrkdwn_safe(reasons, REASONS_MAX)}"
    )


def _touchpoint_case(item: TouchpointItem) -> str:
    if item.hidden:
        return ":lock: a limited-access case (details in your casebot messages)"
    return f"*{mrkdwn_safe(item.crn, 10)}* {mrkdwn_safe(item.name, NAME_MAX)}"


def _priority(priority: str) -> str:
    return " · *high priority*" if priority == "high" else ""


def overdue_touchpoint_line(item: TouchpointItem, today: date) -> str:
    days = (today - item.due_on).days
    return (
        f"• {_touchpoint_case(item)} with {mrkdwn_safe(item.practitioner_name, NAME_MAX)} {mention(item.practitioner_user_id)}"
        f" · :warning: due {_day(item.due_on, today)} ({_plural(days, 'day')} ago){_priority(item.priority)} · SPO {mention(item.spo_user_id)}"
    )


def _more(shown: int, total: int, hint: str) -> Block | None:
    if total <= shown:
        return None
    return _context(f"and {total - shown:,} more — {hint}")


def listed(lines: Sequence[str], total: int, *, heading: str, empty: str, hint: str, max_sections: int = 2) -> list[Block]:
    """A heading and its lines packed into sections, then "and N more" counting both the
    rows not read and the lines that did not fit."""
    if not lines:
        return [_section(f"{heading}\n{empty}")]
    blocks, left_out = packed(lines, heading=heading, max_sections=max_sections)
    if more := _more(len(lines) - left_out, max(total, len(lines)), hint):
        blocks.append(more)
    return blocks


EXCEPTIONS_WITH_BUTTONS = 5  # each is a block of its own; the rest are listed as lines


def exception_blocks(section: SpoSection, today: date) -> list[Block]:
    """Exceptions to policy: the newest each with a Reallocate button (issue 7: reallocate from
    App Home), the rest as lines."""
    heading = f"*Exceptions to policy, last {section.exception_days} days* ({section.exceptions_total:,})"
    hint = "`casebot audit` exports them all"
    if not section.exceptions:
        return [_section(f"{heading}\nNone: every allocation was within policy.")]
    blocks: list[Block] = [_section(heading)]
    with_buttons = section.exceptions[:EXCEPTIONS_WITH_BUTTONS]
    for item in with_buttons:
        block = _section(exception_line(item, today))
        if item.current:
            block["accessory"] = {
                "type": "button", "action_id": Action.REALLOCATE, "text": {"type": "plain_text", "text": "Reallocate"}, "value": str(item.case_id),
            }  # fmt: skip
        blocks.append(block)
    rest = [exception_line(item, today) for item in section.exceptions[EXCEPTIONS_WITH_BUTTONS:]]
    if rest:
        blocks += packed(rest, max_sections=1)[0]
    if more := _more(len(section.exceptions), section.exceptions_total, hint):
        blocks.append(more)
    return blocks


def spo_blocks(section: SpoSection, today: date) -> list[Block]:
    terms = section.terms
    blocks: list[Block] = [_header(f"{section.team_name}: waiting for allocation")]
    overdue = f", *{section.queue_overdue:,} overdue*" if section.queue_overdue else ""
    summary = f"{_plural(section.queue_total, 'unallocated case')}{overdue}, soonest due first."
    blocks.append(_section(summary if section.queue_total else "Nothing is waiting for allocation."))
    for item in section.queue:
        blocks += queue_item_blocks(item, today)
    if more := _more(len(section.queue), section.queue_total, f"use `{QUEUE_COMMAND}`"):
        blocks.append(more)

    blocks.append(_divider())
    over = sum(1 for line in section.capacity if line.over_capacity)
    heading = f"*Team capacity*: {_plural(len(section.capacity), terms.practitioner)}, most room first"
    if over:
        heading += f" · :warning: {over:,} over capacity"
    if section.capacity:
        sections, left_out = packed((capacity_line(line) for line in section.capacity), heading=heading, max_sections=section.capacity_sections_max)
        blocks += sections
        if left_out:
            blocks.append(_context(f"and {left_out:,} more — use `/casebot caseload @person`"))
    else:
        blocks.append(_section(f"*Team capacity*: no active {terms.practitioners}."))

    blocks.append(_divider())
    blocks += exception_blocks(section, today)
    blocks.append(_divider())
    blocks += listed(
        [overdue_touchpoint_line(item, today) for item in section.overdue_touchpoints], section.overdue_total,
        heading=f"*Touchpoints overdue* ({section.overdue_total:,})", empty="None overdue.",
        hint="use `/casebot case X123456` for each case",
    )  # fmt: skip
    return blocks


# ---------------------------------------------------------------------------------------------
# Practitioner: new cases, touchpoints, own workload


def new_case_line(item: NewCaseItem, today: date) -> str:
    when = f"allocated {_day(item.allocated_on, today)} by {mention(item.allocated_by)}"
    if item.hidden:
        return f"• :lock: a limited-access case · tier {mrkdwn_safe(item.tier, 5)} · {when} (details in your casebot messages)"
    return (
        f"• *{mrkdwn_safe(item.crn, 10)}* {mrkdwn_safe(item.name, NAME_MAX)} · tier {mrkdwn_safe(item.tier, 5)}"
        f" · {mrkdwn_safe(item.sentence_type, 100)} · {when}"
    )


def touchpoint_line(item: TouchpointItem, today: date) -> str:
    if item.due_on < today:
        when = f":warning: *overdue*: was due {_day(item.due_on, today)}"
    elif item.due_on == today:
        when = "*today*"
    else:
        when = _day(item.due_on, today)
    return f"• {when} · {_touchpoint_case(item)} with {mention(item.spo_user_id)}{_priority(item.priority)}"


def practitioner_blocks(section: PractitionerSection, today: date) -> list[Block]:
    terms = section.terms
    blocks: list[Block] = [_header(f"Your cases: {section.team_name}")]
    workload = (
        f"*Your workload*: {workload_bar(section.percent)} · {_plural(section.open_cases, 'open case')}"
        f" · {mix_text(section.tier_mix)} · {mrkdwn_safe(section.grade, 6)}, {ready_text(section.ready_for_tiers)}"
    )
    if section.percent > 100.0:
        workload += f"\nYou are over capacity: tell your {terms.manager} if that is not already known."
    blocks.append(_section(workload))

    blocks += listed(
        [new_case_line(item, today) for item in section.new_cases], section.new_total,
        heading=f"*New cases allocated to you, last {section.new_days} days* ({section.new_total:,})",
        empty="No new cases.", hint="use `/casebot caseload @you`",
    )  # fmt: skip
    blocks += listed(
        [touchpoint_line(item, today) for item in section.touchpoints], section.touchpoints_total,
        heading=f"*Your planned touchpoints* ({section.touchpoints_total:,})", empty="None planned.",
        hint="casebot reminds you of each before it is due",
    )  # fmt: skip
    return blocks


# ---------------------------------------------------------------------------------------------
# The view


NOT_IN_TEAM = (
    "You are not an SPO or a practitioner in any team casebot knows, so there is nothing to show you here yet. "
    "If you should be, please ask your casebot administrator to add you to the teams file."
)


def fit_blocks(blocks: list[Block], limit: int = HOME_BLOCKS_MAX) -> list[Block]:
    """At most `limit` blocks: the last guard (the sections are planned to fit, see bot/queries/home.py)."""
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    while kept and kept[-1].get("type") in ("divider", "header"):
        kept.pop()
    return [*kept, _context(f"Some of this was left out to fit Slack's limit; use `{QUEUE_COMMAND}` and `/casebot caseload @person`.")]


def home_view(data: HomeData) -> dict[str, Any]:
    """The Home tab for one person: their SPO sections, then their own cases."""
    blocks: list[Block] = []
    if not data.spo and not data.practitioner:
        blocks.append(_header("casebot"))
        blocks.append(_section(NOT_IN_TEAM))
    for n, section in enumerate(data.spo):
        if n:
            blocks.append(_divider())
        blocks += spo_blocks(section, data.today)
    for n, own in enumerate(data.practitioner):
        if n or data.spo:
            blocks.append(_divider())
        blocks += practitioner_blocks(own, data.today)
    footer = _context(f"Updated {data.updated_at:%H:%M} on {_day(data.today, data.today)} · `/casebot help` for more")
    blocks = fit_blocks(blocks, HOME_BLOCKS_MAX - 1)
    blocks.append(footer)
    return {"type": "home", "blocks": blocks}

