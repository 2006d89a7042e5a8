"""`/casebot caseload @person`: per team the person works in, whether they are away today and
until when, their workload now (marked when it is the teams file's fallback, as the Allocate
modal marks it), tier mix, and the cases casebot allocated them. Pure.

The workload figure is the one every surface shows (`blocks.formats.percent_text`), so the
Allocate modal, the App Home and this answer agree for the same person.
"""

from __future__ import annotations

from collections.abc import Sequence

from blocks.command_blocks import case_line
from blocks.formats import away_mark, percent_text, plural, source_mark, tier_mix_bars, when_text
from blocks.kit import NAME_MAX, Block, Message, context, mention, message, packed
from blocks.text import mrkdwn_safe
from bot.domain.command_views import CaseloadView
from bot.domain.vocabulary import terms_for


def caseload_message(views: Sequence[CaseloadView]) -> Message:
    """Per team the person works in: away today, workload now, tier mix, and the cases casebot allocated them."""
    blocks: list[Block] = []
    for view in views:
        load = view.workload
        over = " :warning: over capacity" if load.over_capacity else ""
        outside = f" · including {plural(load.held_outside, 'case')} held outside casebot" if load.held_outside else ""
        inactive = " · inactive" if not view.active else ""
        heading = (
            f"*{mrkdwn_safe(view.name, NAME_MAX)}* ({mrkdwn_safe(view.grade, 10)}, {mrkdwn_safe(view.staff_code, 20)}) "
            f"{mention(view.user_id)} · {mrkdwn_safe(view.team_name, NAME_MAX)}{inactive}{away_mark(view.away)}\n"
            f"Workload now: *{percent_text(load.percent)}*{over}{outside}{source_mark(load.from_feed)}\n"
            f"Tier mix: {tier_mix_bars(load.tier_mix)}\n"
            f"*Open cases allocated through casebot:* {view.listed_total + view.restricted_hidden:,}"
        )
        lines = [case_line(held.case, f"allocated {when_text(held.allocated_at)}") for held in view.cases]
        blocks += packed(lines, heading=heading)[0]
        notes = []
        if view.listed_total > len(view.cases):
            notes.append(f"and {view.listed_total - len(view.cases):,} more")
        if view.restricted_hidden:
            managers = terms_for(view.service).managers
            notes.append(f"{plural(view.restricted_hidden, 'limited-access case')} not listed (only the team's {managers} see those)")
        if notes:
            blocks.append(context(" · ".join(notes)))
    first = views[0]
    return message(f"Caseload of {mrkdwn_safe(first.name, NAME_MAX)}: workload {percent_text(first.workload.percent)}", blocks)
