"""`/casebot queue`: each of the caller's teams, unallocated cases soonest due first. Pure.

Long lists are packed into sections under Slack's 3,000 characters, and the answer never
carries more than 50 blocks (`blocks.kit.message`).
"""

from __future__ import annotations

from blocks.command_blocks import case_line
from blocks.formats import due_text, plural
from blocks.kit import NAME_MAX, Block, Message, context, header, message, packed, section
from blocks.text import mrkdwn_safe
from bot.domain.command_views import QueueAnswer
from bot.domain.vocabulary import terms_for


def queue_message(answer: QueueAnswer) -> Message:
    """Each of the caller's teams: unallocated cases soonest due first, overdue marked."""
    blocks: list[Block] = [header("Waiting for allocation")]
    summary = []
    for team in answer.teams:
        name = mrkdwn_safe(team.team_name, NAME_MAX)
        overdue = f", {team.overdue:,} overdue" if team.overdue else ""
        heading = f"*{name}*: {plural(team.total, 'unallocated case')}{overdue}"
        summary.append(f"{name} {team.total:,}")
        if not team.cases:
            blocks.append(section(f"{heading}\nNothing is waiting for allocation."))
            continue
        blocks += packed((case_line(case, due_text(case.due_by, answer.today)) for case in team.cases), heading=heading)[0]
        notes = []
        if team.total > len(team.cases):
            notes.append(f"and {team.total - len(team.cases):,} more")
        if not team.viewer_is_spo:
            notes.append(f"limited-access cases are listed only for the team's {terms_for(team.service).managers}")
        if notes:
            blocks.append(context(" · ".join(notes)))
    return message("Waiting for allocation: " + ", ".join(summary), blocks)
