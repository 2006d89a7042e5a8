"""The answers to `/casebot`, shown only to the caller: help, usage and the polite
refusals, and the case line the queue and caseload answers share. Pure builders.

Each subcommand's answer has its own module: blocks/queue_answer.py, blocks/case_answer.py,
blocks/caseload_answer.py. Every outside string (names, offences, notes, team names, policy
reasons, the caller's own words) goes through `blocks.text`; mentions are only made from ids
that look like Slack ids (`blocks.kit.mention`). What a reader may see is decided before these
builders run (bot/queries/commands.py): they show what they are given.
"""

from __future__ import annotations

from collections.abc import Sequence

from blocks.kit import NAME_MAX, Message, mention, message, section, text_message
from blocks.text import mrkdwn_safe
from bot.domain.command_views import QueueCase

USAGE_LINES = (
    "`/casebot queue`: your team's unallocated cases, soonest due first, then those awaiting handover",
    "`/casebot case X123456`: a case's summary and history (a CRN is one letter and six digits)",
    "`/casebot caseload @person`: a practitioner's open cases and workload now",
    "`/casebot help`: this message",
)


def case_line(case: QueueCase, tail: str) -> str:
    """'• *X123456* Jo Bloggs · tier B2 · {tail}', marked when restricted."""
    restricted = " · :lock: restricted" if case.restricted else ""
    return f"• *{mrkdwn_safe(case.crn, 10)}* {mrkdwn_safe(case.name, NAME_MAX)} · tier {mrkdwn_safe(case.tier, 5)} · {tail}{restricted}"


def usage_message(problem: str | None = None) -> Message:
    """Usage; with `problem` (plain text, may quote the caller) saying first what was wrong."""
    blocks = [section(":warning: " + mrkdwn_safe(problem, 500))] if problem else []
    blocks.append(section("*How to use /casebot*\n" + "\n".join(f"• {line}" for line in USAGE_LINES)))
    text = ("/casebot: " + mrkdwn_safe(problem, 500)) if problem else "/casebot: queue | case X123456 | caseload @person | help"
    return message(text, blocks)


def not_in_team_message() -> Message:
    return text_message(
        "You are not an SPO or a practitioner in any team casebot knows, so there is nothing to show you here. "
        "If you should be, please ask your casebot administrator to add you to the teams file."
    )


def case_not_visible_message(crn: str) -> Message:
    return text_message(
        f"I can't show you case {mrkdwn_safe(crn, 10)}: casebot holds no case with that CRN for your team, "
        "or it is a limited-access case that only the team's SPOs can see."
    )


def unknown_person_message(user_id: str) -> Message:
    problem = f"{mention(user_id)} is not a practitioner in any team casebot knows, so there is no caseload to show."
    return message(problem, [section(":warning: " + problem), *usage_message()["blocks"]])


def not_allowed_message(user_id: str, team_names: Sequence[str]) -> Message:
    teams = ", ".join(mrkdwn_safe(name, NAME_MAX) for name in list(dict.fromkeys(team_names))[:5])
    return text_message(f"Only the SPOs of {teams} and {mention(user_id)} themselves can see {mention(user_id)}'s caseload.")


def failure_message(reference: str) -> Message:
    return text_message(
        "Sorry, something went wrong answering that. Please try again in a minute; if it keeps happening, "
        f"tell your casebot administrator (reference `{mrkdwn_safe(reference, 40)}`)."
    )
