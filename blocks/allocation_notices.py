"""What people are told once a case is allocated. Pure builders.

Who sees what (seeds/000, subject access; sensitive text never reaches a channel):
- the channel card and its thread: who took the case, by whom, when, the touchpoint date.
  Never the evidence or the hate crime notes, sensitive or not: the channel is not the record.
- the practitioner's DM: the case, the touchpoint, and the evidence and notes only when they
  are NOT sensitive.
- people to notify: that the case was allocated, to whom; no notes.
- the allocating SPO's private copy: everything, sensitive text marked as such (it stays within
  the SPO's control); they can switch copies off.
"""

from __future__ import annotations

from typing import Any

from blocks.case_card import case_card, summary_fields
from blocks.formats import london_time_text, long_date, when_text
from blocks.ids import Action
from blocks.kit import Block, Message, actions, button, context, fields_section, mention, message, section, text_message
from blocks.path_blocks import first_appointment_block
from blocks.text import FALLBACK_TEXT_MAX, SECTION_TEXT_MAX, cut, mrkdwn_safe
from bot.domain.case_path import PathFacts
from bot.domain.case_summary import CaseSummary
from bot.domain.channel_detail import DEFAULT_CHANNEL_DETAIL
from bot.domain.facts import AllocationFacts
from bot.domain.vocabulary import PROBATION, Terms

PRIORITY_WORDS = {"high": "high priority", "normal": "normal priority", "not_required": "not required"}


def thread_link(channel: str | None, ts: str | None) -> str | None:
    """A link to the case's thread; slack.com/archives redirects into the workspace."""
    if not channel or not ts:
        return None
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


def touchpoint_text(facts: AllocationFacts) -> str:
    if facts.touchpoint_priority == "not_required" or facts.touchpoint_date is None:
        return "Touchpoint: not required"
    return f"Touchpoint: {long_date(facts.touchpoint_date)} ({PRIORITY_WORDS[facts.touchpoint_priority]})"


def _allocated_line(facts: AllocationFacts) -> str:
    verb = "Reallocated" if facts.previous_user else "Allocated"
    was = f" (was {mention(facts.previous_user)})" if facts.previous_user else ""
    return f"{verb} to {mention(facts.practitioner_user)} by {mention(facts.spo_user)} on {when_text(facts.allocated_at)}{was}"


def allocated_card(case: CaseSummary, facts: AllocationFacts, *, team_name: str, record_url: str | None, detail: str = DEFAULT_CHANNEL_DETAIL) -> Message:
    """The channel card after allocation (at the same `detail` as posted): the Allocate button
    gives way to who took it."""
    card = case_card(case, team_name=team_name, record_url=record_url, detail=detail)
    head, fields, _context, buttons = card["blocks"]
    kept = [button(Action.REALLOCATE, "Reallocate", value=str(case.id)), *(e for e in buttons["elements"] if e["action_id"] != Action.ALLOCATE)]
    blocks = [head, fields, section("✅ " + _allocated_line(facts)), actions(kept, buttons["block_id"])]
    return message(mrkdwn_safe(f"{case.crn} allocated to {facts.practitioner_name}", FALLBACK_TEXT_MAX), blocks)


def _record_suffix(record_url: str | None) -> str:
    return f" <{record_url}|Open the case record>" if record_url else ""


def allocation_thread_reply(facts: AllocationFacts, *, record_url: str | None = None) -> Message:
    """The team's record in the thread. No evidence, no notes."""
    lines = [
        _allocated_line(facts) + f" ({mrkdwn_safe(facts.practitioner_name, 200)}, {facts.practitioner_grade}).",
        touchpoint_text(facts) + ".",
    ]
    if facts.reason:
        lines.append(f"Reason: {mrkdwn_safe(facts.reason, 200)}.")
    if facts.outside_policy:
        lines.append("Allocated outside policy, confirmed; the evidence is in the case record.")
    return text_message(cut("\n".join(lines), SECTION_TEXT_MAX - 300) + _record_suffix(record_url))


def _notes_for_practitioner(facts: AllocationFacts, terms: Terms) -> list[str]:
    """The notes that are not sensitive, quoted; the sensitive ones are only named here: they
    reach the practitioner in a separate private message (`sensitive_notes`)."""
    out = []
    if facts.evidence_sensitive:
        out.append(f"*Allocation evidence:* sensitive, in your {terms.manager}'s private note to you below.")
    else:
        out.append("*Allocation evidence:*\n" + mrkdwn_safe(facts.evidence, 2900))
    for label, concern in facts.concerns():
        if concern.sensitive:
            out.append(f"*{label}:* yes; the notes are sensitive, in the private note below.")
        else:
            out.append(f"*{label} notes:*\n" + mrkdwn_safe(concern.notes or "", 2900))
    return out


SENSITIVE_WARNING = (
    ":lock: *Sensitive: not to be disclosed.* Your {manager} marked these notes sensitive: they could cause harm "
    "or risk if the person on probation saw them through a subject access request. They are kept out of the "
    "team's channel, the thread and subject access exports; do not copy them anywhere the person could see."
)


def sensitive_notes(case: CaseSummary, facts: AllocationFacts, terms: Terms = PROBATION) -> Message:
    """The private message carrying what the SPO marked sensitive, to the allocated practitioner
    only, so the SPO can raise concerns without them reaching the person (seeds/000)."""
    blocks: list[Block] = [section(SENSITIVE_WARNING.format(manager=terms.manager)), context(f"Case {case.crn}")]
    if facts.evidence_sensitive:
        blocks.append(section("*Allocation evidence*\n" + mrkdwn_safe(facts.evidence, 2900)))
    for label, concern in facts.concerns():
        if concern.sensitive:
            blocks.append(section(f"*{label} notes*\n" + mrkdwn_safe(concern.notes or "", 2900)))
    return message(f"Sensitive notes for case {case.crn}: not to be disclosed", blocks)


def _summary(case: CaseSummary, record_url: str | None) -> list[Block]:
    return [section(f"*{mrkdwn_safe(case.name, 200)}* · {case.crn}"), fields_section(summary_fields(case, record_url, waiting=False))]


def practitioner_notice(
    case: CaseSummary, facts: AllocationFacts, *, record_url: str | None, link: str | None, terms: Terms = PROBATION, path: PathFacts | None = None
) -> Message:
    """The DM to the practitioner who now holds the case; the court's first appointment, when
    there is one, right under the opening line (it is often within days: seeds/001 s3.1-3.3)."""
    intro = f"{mention(facts.spo_user)} has allocated you a new case. {touchpoint_text(facts)}"
    if facts.touchpoint_date is not None and facts.touchpoint_priority != "not_required":
        intro += f", with {mention(facts.spo_user)}."
    blocks = [section(intro), *first_appointment_block(path), *_summary(case, record_url), *(section(note) for note in _notes_for_practitioner(facts, terms))]
    if link:
        blocks.append(context(f"<{link}|The team's thread for this case>"))
    return message(mrkdwn_safe(f"New case allocated to you: {case.crn} ({case.name})", FALLBACK_TEXT_MAX), blocks)


def notify_notice(case: CaseSummary, facts: AllocationFacts, *, link: str | None, record_url: str | None = None) -> Message:
    """For the people the SPO chose to tell (seeds/002, "Notify people about the allocation")."""
    subject = "A limited-access case" if case.restricted else f"{mrkdwn_safe(case.name, 200)} ({case.crn})"
    text = f"{subject} was allocated to {mention(facts.practitioner_user)} by {mention(facts.spo_user)}."
    if link and not case.restricted:
        text += f" <{link}|Thread>"
    return text_message(text + _record_suffix(record_url))


def _flag(sensitive: bool | None) -> str:
    return " _(sensitive: kept out of subject access)_" if sensitive else ""


RECORD_PENDING = (
    "Not yet written back to the case record: no system of record is configured for casebot. "
    "The write-back is queued and will be sent once it is; until then, record it by hand if it is needed now."
)


def spo_copy(case: CaseSummary, facts: AllocationFacts, *, record_url: str | None, record_configured: bool = True) -> Message:
    """The allocating SPO's private copy of the whole record, sensitive text included."""
    lines = [
        f"*Your allocation of {case.crn}*: " + _allocated_line(facts) + ".",
        touchpoint_text(facts) + (f" Reason: {mrkdwn_safe(facts.touchpoint_reason, 1000)}" if facts.touchpoint_reason else ""),
    ]
    if facts.outside_policy:
        lines.append("*Outside policy, confirmed:* " + "; ".join(mrkdwn_safe(e, 300) for e in facts.policy_exceptions))
    blocks: list[Block] = [
        section("\n".join(lines)),
        *_summary(case, record_url),
        section("*Evidence (CADE)*" + _flag(facts.evidence_sensitive) + "\n" + mrkdwn_safe(facts.evidence, 2900)),
    ]
    for label, concern in facts.concerns():
        blocks.append(section(f"*{label} notes*" + _flag(concern.sensitive) + "\n" + mrkdwn_safe(concern.notes or "", 2900)))
    if not record_configured:
        blocks.append(context("⏳ " + RECORD_PENDING))
    blocks.append(actions([button(Action.STOP_SPO_COPIES, "Stop sending me copies", value="off")]))
    return message(mrkdwn_safe(f"Your allocation record for {case.crn}", FALLBACK_TEXT_MAX), blocks)


def prison_notice(case: CaseSummary, facts: AllocationFacts, *, team_name: str) -> dict[str, str]:
    """Plain text for the receiving prison (seeds/003 s1.15 'notification of allocation')."""
    subject = f"Notification of allocation: {case.crn} {case.name}"[:200]
    text = "\n".join(
        [
            f"Case: {case.crn} {case.name}",
            f"Sentence: {case.sentence_type}, sentenced {long_date(case.sentence_date)}",
            f"Community offender manager: {facts.practitioner_name} ({facts.practitioner_grade}), {team_name}",
            f"Email: {facts.practitioner_email or 'not recorded'} · Phone: {facts.practitioner_phone or 'not recorded'}",
            f"Allocated on: {london_time_text(facts.allocated_at)}",
            "This notice is sent under PI 05/2014 s1.15.",
        ]
    )
    return {"subject": subject, "text": text}


def delivery_label(row: Any) -> str:
    """What an outbox row was, in words (never its text): 'Case allocation decision evidencing contact'."""
    if row.method == "prison.notify":
        return "prison notification"
    if row.method == "record.allocation":
        return "allocation write-back"
    kind = ((row.payload or {}).get("body") or {}).get("type") or "contact"
    return f"{kind} contact write-back"


def delivery_failed_notice(crn: str, what: str, reason: str) -> Message:
    """To the team's SPOs when a write-back or prison notice cannot be delivered."""
    return text_message(
        f"⚠ The {mrkdwn_safe(what, 200)} for {crn} could not be delivered ({mrkdwn_safe(reason, 200)}). "
        "Please record it by hand in the case record; casebot will not retry it."
    )


def handed_over_notice(case: CaseSummary, facts: AllocationFacts) -> Message:
    """To the practitioner who no longer holds the case."""
    text = f"{mrkdwn_safe(case.name, 200)} ({case.crn}) has been reallocated to {mention(facts.practitioner_user)} by {mention(facts.spo_user)}."
    if facts.reason:
        text += f" Reason: {mrkdwn_safe(facts.reason, 200)}."
    return text_message(text)
