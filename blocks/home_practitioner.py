"""The App Home's practitioner section: their own workload, the cases newly allocated to them
and their planned touchpoints. Pure builders.

A case the reader may not see by name arrives with its name and CRN blanked (`hidden`); it is
shown as "a limited-access case", never by what it might be.
"""

from __future__ import annotations

from datetime import date

from blocks.formats import day_text, due_text, plural, ready_text, tier_mix_bars, workload_bar
from blocks.kit import NAME_MAX, Block, header, listed, mention, section
from blocks.text import mrkdwn_safe
from bot.domain.home_view import NewCaseItem, PractitionerSection, TouchpointItem


def touchpoint_case(item: TouchpointItem) -> str:
    """The case a touchpoint is about, or a lock when the reader may not see it by name."""
    if item.hidden:
        return ":lock: a limited-access case (details in your casebot messages)"
    return f"*{mrkdwn_safe(item.crn, 10)}* {mrkdwn_safe(item.name, NAME_MAX)}"


def priority_tag(priority: str) -> str:
    return " · *high priority*" if priority == "high" else ""


def new_case_line(item: NewCaseItem, today: date) -> str:
    when = f"allocated {day_text(item.allocated_on, today)} by {mention(item.allocated_by)}"
    if item.hidden:
        return f"• :lock: a limited-access case · tier {mrkdwn_safe(item.tier, 5)} · {when} (details in your casebot messages)"
    return (
        f"• *{mrkdwn_safe(item.crn, 10)}* {mrkdwn_safe(item.name, NAME_MAX)} · tier {mrkdwn_safe(item.tier, 5)}"
        f" · {mrkdwn_safe(item.sentence_type, 100)} · {when}"
    )


def touchpoint_line(item: TouchpointItem, today: date) -> str:
    return f"• {due_text(item.due_on, today)} · {touchpoint_case(item)} with {mention(item.spo_user_id)}{priority_tag(item.priority)}"


def workload_line(own: PractitionerSection) -> str:
    """'*Your workload*: ▓▓▓▓▓▓░░░░ 62% · 19 open cases · PO, ready ABCD', then the tier mix bars."""
    line = (
        f"*Your workload*: {workload_bar(own.percent)} · {plural(own.open_cases, 'open case')}"
        f" · {mrkdwn_safe(own.grade, 6)}, {ready_text(own.ready_for_tiers)}\nTier mix: {tier_mix_bars(own.tier_mix)}"
    )
    if own.over_capacity:
        line += f"\nYou are over capacity: tell your {own.terms.manager} if that is not already known."
    return line


def practitioner_blocks(own: PractitionerSection, today: date) -> list[Block]:
    blocks: list[Block] = [header(f"Your cases: {own.team_name}"), section(workload_line(own))]
    blocks += listed(
        [new_case_line(item, today) for item in own.new_cases], own.new_total,
        heading=f"*New cases allocated to you, last {own.new_days} days* ({own.new_total:,})",
        empty="No new cases.", hint="use `/casebot caseload @you`",
    )  # fmt: skip
    blocks += listed(
        [touchpoint_line(item, today) for item in own.touchpoints], own.touchpoints_total,
        heading=f"*Your planned touchpoints* ({own.touchpoints_total:,})", empty="None planned.",
        hint="casebot reminds you of each before it is due",
    )  # fmt: skip
    return blocks
