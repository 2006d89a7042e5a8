"""An exceptional public interest allocation held for its senior sign-off (seeds/003 para 3.5):
the card while it waits, the thread's record, and the request to the senior approvers. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from blocks.case_card import case_card
from blocks.formats import when_text
from blocks.ids import Action
from blocks.kit import Message, actions, button, context, fields_section, mention, message, section, text_message
from blocks.text import FALLBACK_TEXT_MAX, mrkdwn_safe
from bot.domain.case_summary import CaseSummary
from bot.domain.channel_detail import DEFAULT_CHANNEL_DETAIL
from bot.domain.facts import AllocationFacts

WHY = "exceptional public interest: PI 05/2014 para 3.5 asks for a senior sign-off"


def _waiting_line(facts: AllocationFacts, approvers: Sequence[str]) -> str:
    who = " or ".join(mention(u) for u in approvers)
    return (
        f"⏳ Allocated to {mention(facts.practitioner_user)} by {mention(facts.spo_user)} on {when_text(facts.allocated_at)}: "
        f"*awaiting senior sign-off* by {who} ({WHY})."
    )


def held_card(
    case: CaseSummary, facts: AllocationFacts, approvers: Sequence[str], *, team_name: str, record_url: str | None, detail: str = DEFAULT_CHANNEL_DETAIL
) -> Message:
    """The channel card, at the team's `detail`, while the allocation waits: no Allocate button,
    who must sign off."""
    card = case_card(case, team_name=team_name, record_url=record_url, detail=detail)
    head, fields, *_, buttons = card["blocks"]
    kept = [e for e in buttons["elements"] if e["action_id"] != Action.ALLOCATE]
    blocks = [head, fields, section(_waiting_line(facts, approvers)), actions(kept, buttons["block_id"])]
    return message(mrkdwn_safe(f"{case.crn} allocated to {facts.practitioner_name}, awaiting senior sign-off", FALLBACK_TEXT_MAX), blocks)


def held_thread_reply(facts: AllocationFacts, approvers: Sequence[str]) -> Message:
    """The team's record in the thread. No evidence, no notes."""
    return text_message(_waiting_line(facts, approvers) + " Nobody else is told until it is signed off.")


def sign_off_request(case: CaseSummary, facts: AllocationFacts, *, record_url: str | None) -> Message:
    """To each senior approver: the case, the allocation, the evidence unless it is sensitive
    (then only the SPOs and the practitioner read it), and the Sign off button."""
    evidence = "_marked sensitive: ask the SPO_" if facts.evidence_sensitive else mrkdwn_safe(facts.evidence, 1500)
    link = f" <{record_url}|Open the case record>" if record_url else ""
    blocks = [
        section(
            f"{mention(facts.spo_user)} allocated {mrkdwn_safe(case.name, 200)} ({case.crn}) to {mention(facts.practitioner_user)} "
            f"({mrkdwn_safe(facts.practitioner_name, 200)}, {facts.practitioner_grade}). It is final only once you sign it off ({WHY}).{link}"
        ),
        fields_section([{"type": "mrkdwn", "text": f"*Tier*\n{case.tier}"}, {"type": "mrkdwn", "text": f"*Sentence*\n{mrkdwn_safe(case.sentence_type, 100)}"}]),
        section("*Evidence:* " + evidence),
        actions([button(Action.SIGN_OFF, "Sign off", value=str(case.id), style="primary")], f"sign_off_{case.id}"),
        context("Sign-off is recorded in the audit trail with your name and the time."),
    ]
    return message(mrkdwn_safe(f"Sign-off needed: {case.crn} allocation (exceptional public interest)", FALLBACK_TEXT_MAX), blocks)


def signed_off_reply(crn: str, practitioner_name: str) -> str:
    """To the approver who signed off."""
    return f"Signed off: {crn} is now allocated to {mrkdwn_safe(practitioner_name, 200)}; the practitioner and the prison (if any) are told."
