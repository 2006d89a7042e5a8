"""`/casebot queue`: each of the caller's teams, unallocated cases soonest due first, then the
POM-led custodial cases awaiting handover, soonest to join the queue first. Pure.

Long lists are packed into sections under Slack's 3,000 characters, and the answer never
carries more than 50 blocks (`blocks.kit.message`).
"""

from __future__ import annotations

from blocks.command_blocks import case_line
from blocks.formats import due_text, long_date, plural
from blocks.kit import NAME_MAX, Block, Message, context, header, message, more, packed, section
from blocks.text import mrkdwn_safe
from bot.domain.command_views import AwaitingCase, QueueAnswer, TeamQueue
from bot.domain.vocabulary import terms_for


def awaiting_tail(item: AwaitingCase) -> str:
    """'handover 22 June 2027 · joins the queue 8 June 2027', each part only when known."""
    parts = [
        f"handover {long_date(item.handover_date)}" if item.handover_date else "",
        f"joins the queue {long_date(item.allocatable_from)}" if item.allocatable_from else "",
    ]
    return " · ".join(part for part in parts if part) or "handover date not given"


def awaiting_blocks(team: TeamQueue, name: str) -> list[Block]:
    """The team's POM-led custodial cases (seeds/001 s2.3) under their own heading: nothing when
    there are none, so a community team's answer is unchanged. `name`: the team's, already safe."""
    if not team.awaiting_total:
        return []
    heading = f"*Awaiting handover in {name}*: {plural(team.awaiting_total, 'custodial case')}, POM-led until the handover lead time"
    blocks = packed((case_line(item.case, awaiting_tail(item)) for item in team.awaiting), heading=heading)[0]
    if extra := more(len(team.awaiting), team.awaiting_total, "they join the queue in turn"):
        blocks.append(extra)
    return blocks


def queue_notes(team: TeamQueue) -> str:
    """Under a listed queue: how many more there are, and that limited-access cases are listed
    only for the team's SPOs (for anyone else)."""
    notes = []
    if team.total > len(team.cases):
        notes.append(f"and {team.total - len(team.cases):,} more")
    if not team.viewer_is_spo:
        notes.append(f"limited-access cases are listed only for the team's {terms_for(team.service).managers}")
    return " · ".join(notes)


def queue_message(answer: QueueAnswer) -> Message:
    """Each of the caller's teams: unallocated cases soonest due first, overdue marked; then
    the cases awaiting handover."""
    blocks: list[Block] = [header("Waiting for allocation")]
    summary = []
    for team in answer.teams:
        name = mrkdwn_safe(team.team_name, NAME_MAX)
        overdue = f", {team.overdue:,} overdue" if team.overdue else ""
        heading = f"*{name}*: {plural(team.total, 'unallocated case')}{overdue}"
        summary.append(f"{name} {team.total:,}")
        if not team.cases:
            blocks.append(section(f"{heading}\nNothing is waiting for allocation."))
        else:
            blocks += packed((case_line(case, due_text(case.due_by, answer.today)) for case in team.cases), heading=heading)[0]
            if notes := queue_notes(team):
                blocks.append(context(notes))
        blocks += awaiting_blocks(team, name)
    return message("Waiting for allocation: " + ", ".join(summary), blocks)
