"""What a subject access export may show (bot/queries/sar.py): the allow-lists of fields, audit
detail keys and message kinds, the kinds of record withheld, and why a message's text is withheld."""

from __future__ import annotations

from typing import Any

from bot.domain.enums import OutboxPurpose
from bot.domain.policy_file import REASON_CODE
from storage.models import OutboxMessage

# Every column of the three tables is accounted for here: exported as stored, exported by hand
# (sensitive text behind its flag, ids turned into names), or left out as an internal pointer.
# tests/e2e/test_sar_and_audit.py fails when a column is added without a decision.
CASE_FIELDS = (
    "event_id", "crn", "name", "tier", "sentence_type", "sentence_date", "custodial", "prison", "release_date",
    "rosh", "rsr", "mappa_category", "mappa_level", "offence", "previous_practitioner", "restricted",
    "excluded_practitioners", "state", "due_by", "received_at", "arrived_on", "event_number", "restricted_to", "picture",
    # The case's path (bot/services/case_path.py).
    "resourcing", "resourcing_reason", "resourcing_given", "foreign_national", "deportation_recommended",
    "exceptional_public_interest", "sentence_months", "handover_date", "allocatable_from", "path_reason",
    "first_appointment_date", "first_appointment_time", "first_appointment_place",
)  # fmt: skip
CASE_BY_HAND = frozenset({"team_id"})
CASE_LEFT_OUT = frozenset({"id", "slack_channel", "slack_ts"})
ALLOCATION_FIELDS = (
    "allocated_by",
    "allocated_at",
    "current",
    "ended_at",
    "outside_policy",
    "policy_exceptions",
    "policy_version",
    "hate_crime",
    "discrimination",
    "early_reason",
    "signed_off_by",
    "signed_off_at",
)
ALLOCATION_BY_HAND = frozenset(
    {
        "practitioner_id",
        "evidence",
        "evidence_sensitive",
        "hate_crime_notes",
        "hate_crime_sensitive",
        "discrimination_notes",
        "discrimination_sensitive",
        "notify_user_ids",
        "reason",
    }
)
ALLOCATION_LEFT_OUT = frozenset({"id", "case_id", "tier"})  # tier: a copy of the case's, exported with the case
TOUCHPOINT_FIELDS = ("due_on", "priority", "state", "created_at", "outcome_by", "outcome_at", "not_required_reason", "date_reason")
TOUCHPOINT_BY_HAND = frozenset({"notes", "notes_sensitive"})
TOUCHPOINT_LEFT_OUT = frozenset({"id", "case_id", "allocation_id"})

# Audit detail keys that carry ids, codes, flags and fixed labels only (bot/services/allocate.py,
# bot/services/reallocate.py, bot/services/intake.py, bot/services/touchpoints.py, bot/services/facade.py). Anything else is
# dropped and counted. A key that is free text elsewhere is kept only with a known code.
AUDIT_DETAIL_KEYS = frozenset(
    {
        "event_id", "team", "allocation_id", "staff_code", "from_staff_code", "grade", "tier", "outside_policy",
        "policy_exceptions", "kept_touchpoint", "touchpoint_id", "due_on", "sensitive", "outbox_id", "what", "policy_version",
    }
)  # fmt: skip
# A reallocation reason is a code (lower-case letters, digits, underscores), never free text.
AUDIT_DETAIL_CODES = {"reason": REASON_CODE}

# Outbox purposes whose text never quotes a sensitive note (blocks/allocation_notices.py,
# blocks/touchpoint_blocks.py: the practitioner's notice quotes notes only when they are not
# sensitive; the sensitive ones travel in their own message, "sensitive_notes", never shown).
# "write_back" is decided per row (the contact's own flag); "spo_copy" is never shown.
SAFE_MESSAGE_PURPOSES = frozenset(
    {
        OutboxPurpose.CASE_CARD, OutboxPurpose.RESTRICTED_CASE_DM, OutboxPurpose.RESTRICTED_ELSEWHERE, OutboxPurpose.CARD_ALLOCATED,
        OutboxPurpose.RESTRICTED_CASE_ALLOCATED, OutboxPurpose.ALLOCATION_THREAD, OutboxPurpose.PRACTITIONER_NOTICE,
        OutboxPurpose.NOTIFY_NOTICE, OutboxPurpose.PRISON_NOTICE, OutboxPurpose.PRISON_ALERT, OutboxPurpose.DEADLINE_CHASE,
        OutboxPurpose.FAILURE_NOTICE, OutboxPurpose.TOUCHPOINT_REMINDER, OutboxPurpose.TOUCHPOINT_SETTLED,
        OutboxPurpose.TOUCHPOINT_RESCHEDULED, OutboxPurpose.HANDED_OVER_NOTICE,
        # The case's path (blocks/path_blocks.py, blocks/sign_off_blocks.py): no notes; the
        # approvers' request quotes the evidence only when it is not sensitive.
        OutboxPurpose.CARD_EVENTS, OutboxPurpose.CURRENTLY_MANAGED_THREAD, OutboxPurpose.CURRENTLY_MANAGED_NOTICE,
        OutboxPurpose.CARD_HANDOVER, OutboxPurpose.HANDOVER_THREAD, OutboxPurpose.CARD_SIGN_OFF, OutboxPurpose.SIGN_OFF_THREAD,
        OutboxPurpose.SIGN_OFF_REQUEST,
    }
)  # fmt: skip

SPO_COPY = OutboxPurpose.SPO_COPY
WRITE_BACK = OutboxPurpose.WRITE_BACK
NEEDLE_CHARS = 40  # the backstop looks for every 40-character stretch of a sensitive note
MIN_NEEDLE_CHARS = 12  # shorter stretches ("ok") would match innocent text; the flags alone guard them

WITHHELD_EVIDENCE = "allocation evidence (sensitive)"
WITHHELD_HATE_NOTES = "hate crime notes (sensitive)"
WITHHELD_DISCRIMINATION_NOTES = "discrimination notes (sensitive)"
WITHHELD_SENSITIVE_NOTES = "text of the allocated practitioner's private copy of the sensitive notes"
WITHHELD_OVERSIGHT = "touchpoint oversight notes (sensitive)"
WITHHELD_SPO_COPY = "text of the allocating SPO's private copy (quotes sensitive notes)"
WITHHELD_WRITE_BACK = "text of a sensitive contact written back to the case record"
WITHHELD_QUOTING = "message text quoting a sensitive note"
WITHHELD_UNCLEARED = "message text of a kind not cleared for subject access"
WITHHELD_AUDIT = "audit event details not cleared for subject access"


def withhold_reason(row: OutboxMessage) -> str | None:
    """Why this row's text may not go to the person, by what it is (seeds/000)."""
    if row.purpose == SPO_COPY:
        return WITHHELD_SPO_COPY
    if row.purpose == OutboxPurpose.SENSITIVE_NOTES:
        return WITHHELD_SENSITIVE_NOTES
    if row.purpose == WRITE_BACK:
        body = message_body(row)
        return WITHHELD_WRITE_BACK if "text" in body and body.get("sensitive") is not False else None
    return None if row.purpose in SAFE_MESSAGE_PURPOSES else WITHHELD_UNCLEARED


def message_body(row: OutboxMessage) -> dict[str, Any]:
    body = (row.payload or {}).get("body")
    return body if isinstance(body, dict) else {}
