"""The App Home's SPO section, per team: the queue waiting for allocation, the team's
capacity, the exceptions to policy and the overdue touchpoints. Pure builders.

A team of 200 practitioners and 1,000 open cases does not fit as one block per item (a Home
view holds at most 100 blocks), so the queue shows the soonest cases with buttons and counts
the rest, and the capacity list packs many practitioners into each section.
"""

from __future__ import annotations

from datetime import date

from blocks.case_card import case_buttons
from blocks.formats import away_mark, day_text, due_text, long_date, plural, ready_text, source_mark, tier_mix_bars, workload_bar
from blocks.home_practitioner import priority_tag, touchpoint_case
from blocks.ids import Action
from blocks.kit import NAME_MAX, Block, actions, button, context, divider, header, listed, mention, more, packed, section
from blocks.text import mrkdwn_safe
from bot.domain.home_view import CapacityLine, ExceptionItem, HandoverItem, QueueItem, SpoSection, TouchpointItem

QUEUE_COMMAND = "/casebot queue"
CAPACITY_NAME_MAX = 32  # capacity lines are packed ~28 to a section; long names are cut
CAPACITY_MIX_CELLS = 4  # short tier bars, so 200 practitioners still fit the capacity sections
REASONS_MAX = 200
EXCEPTIONS_WITH_BUTTONS = 5  # each is a block of its own; the rest are listed as lines


def queue_item_blocks(item: QueueItem, today: date) -> list[Block]:
    """One case waiting: a line of facts, then Allocate and Details (the channel card's own
    buttons, so the same listeners answer them)."""
    tags = [f"tier {mrkdwn_safe(item.tier, 5)}", mrkdwn_safe(item.sentence_type, 100)]
    if item.custodial:
        tags.append("custodial")
    if item.restricted:
        tags.append(":lock: limited access")
    text = f"*{mrkdwn_safe(item.crn, 10)}* {mrkdwn_safe(item.name, NAME_MAX)} · " + " · ".join(tags) + f"\n{due_text(item.due_by, today)}"
    return [section(text), actions(case_buttons(item.case_id), f"home_queue_{item.case_id}")]


def handover_line(item: HandoverItem) -> str:
    """A POM-led case: when it passes to the community, and when the team is asked to allocate."""
    return (
        f"• *{mrkdwn_safe(item.crn, 10)}* {mrkdwn_safe(item.name, NAME_MAX)} · handover {long_date(item.handover_date)}"
        f" · to allocate from {long_date(item.allocatable_from)}"
    )


def handover_blocks(team: SpoSection) -> list[Block]:
    """POM-led cases (seeds/001 s2.3), soonest to allocate first: the first few with an Allocate
    early button (the modal asks why, and it is audited), the rest as lines."""
    if not team.awaiting_handover_total:
        return []
    heading = f"*Awaiting handover* ({team.awaiting_handover_total:,}): custodial, POM-led; they join the queue at the handover lead time"
    blocks: list[Block] = [section(heading)]
    for item in team.awaiting_handover[:EXCEPTIONS_WITH_BUTTONS]:
        block = section(handover_line(item))
        if not item.hidden:
            block["accessory"] = button(Action.ALLOCATE, "Allocate early", value=str(item.case_id))
        blocks.append(block)
    rest = [handover_line(item) for item in team.awaiting_handover[EXCEPTIONS_WITH_BUTTONS:]]
    if rest:
        blocks += packed(rest, max_sections=1)[0]
    if extra := more(len(team.awaiting_handover), team.awaiting_handover_total, "the rest join the queue in turn"):
        blocks.append(extra)
    return blocks


def capacity_line(line: CapacityLine) -> str:
    """Workload and tier mix as bars with their numbers, readiness, whether away today, and a
    mark on figures that are the teams file's fallback (docs/workload.md)."""
    away, source = away_mark(line.away), source_mark(line.from_feed)
    return (
        f"{workload_bar(line.percent)} *{mrkdwn_safe(line.name, CAPACITY_NAME_MAX)}* ({mrkdwn_safe(line.grade, 6)}){away}"
        f" · {tier_mix_bars(line.tier_mix, cells=CAPACITY_MIX_CELLS)} · {ready_text(line.ready_for_tiers)}{source}"
    )


def exception_line(item: ExceptionItem, today: date) -> str:
    case = f"*{mrkdwn_safe(item.crn, 10)}* {mrkdwn_safe(item.name, NAME_MAX)} (tier {mrkdwn_safe(item.tier, 5)})"
    if item.restricted:
        case += " :lock:"
    what = "reallocated" if item.reallocation else "allocated"
    reasons = "; ".join(item.reasons) or "confirmed by the SPO"
    return (
        f"• {day_text(item.allocated_on, today)} · {case} {what} to {mrkdwn_safe(item.practitioner_name, NAME_MAX)} "
        f"({mrkdwn_safe(item.grade, 6)}) by {mention(item.allocated_by)}: {mrkdwn_safe(reasons, REASONS_MAX)}"
    )


def overdue_touchpoint_line(item: TouchpointItem, today: date) -> str:
    return (
        f"• {touchpoint_case(item)} with {mrkdwn_safe(item.practitioner_name, NAME_MAX)} {mention(item.practitioner_user_id)}"
        f" · {due_text(item.due_on, today)}{priority_tag(item.priority)} · SPO {mention(item.spo_user_id)}"
    )


def exception_blocks(team: SpoSection, today: date) -> list[Block]:
    """Exceptions to policy: the newest each with a Reallocate button (an SPO
    reallocates from the App Home), the rest as lines."""
    heading = f"*Exceptions to policy, last {team.exception_days} days* ({team.exceptions_total:,})"
    if not team.exceptions:
        return [section(f"{heading}\nNone: every allocation was within policy.")]
    blocks: list[Block] = [section(heading)]
    for item in team.exceptions[:EXCEPTIONS_WITH_BUTTONS]:
        block = section(exception_line(item, today))
        if item.current:
            block["accessory"] = button(Action.REALLOCATE, "Reallocate", value=str(item.case_id))
        blocks.append(block)
    rest = [exception_line(item, today) for item in team.exceptions[EXCEPTIONS_WITH_BUTTONS:]]
    if rest:
        blocks += packed(rest, max_sections=1)[0]
    if extra := more(len(team.exceptions), team.exceptions_total, "`casebot audit` exports them all"):
        blocks.append(extra)
    return blocks


def _capacity_blocks(team: SpoSection) -> list[Block]:
    terms = team.terms
    if not team.capacity:
        return [section(f"*Team capacity*: no active {terms.practitioners}.")]
    over = sum(1 for line in team.capacity if line.over_capacity)
    heading = f"*Team capacity*: {plural(len(team.capacity), terms.practitioner)}, most room first"
    if over:
        heading += f" · :warning: {over:,} over capacity"
    blocks, left_out = packed((capacity_line(line) for line in team.capacity), heading=heading, max_sections=team.capacity_sections_max)
    if left_out:
        blocks.append(context(f"and {left_out:,} more — use `/casebot caseload @person`"))
    return blocks


def spo_blocks(team: SpoSection, today: date) -> list[Block]:
    blocks: list[Block] = [header(f"{team.team_name}: waiting for allocation")]
    overdue = f", *{team.queue_overdue:,} overdue*" if team.queue_overdue else ""
    summary = f"{plural(team.queue_total, 'unallocated case')}{overdue}, soonest due first."
    blocks.append(section(summary if team.queue_total else "Nothing is waiting for allocation."))
    for item in team.queue:
        blocks += queue_item_blocks(item, today)
    if extra := more(len(team.queue), team.queue_total, f"use `{QUEUE_COMMAND}`"):
        blocks.append(extra)
    blocks += handover_blocks(team)
    blocks += [divider(), *_capacity_blocks(team), divider(), *exception_blocks(team, today), divider()]
    blocks += listed(
        [overdue_touchpoint_line(item, today) for item in team.overdue_touchpoints], team.overdue_total,
        heading=f"*Touchpoints overdue* ({team.overdue_total:,})", empty="None overdue.",
        hint="use `/casebot case X123456` for each case",
    )  # fmt: skip
    return blocks
