"""The fixed vocabularies stored in the database, defined once.

Each is a `StrEnum`, so a member is stored and compared as its plain string: rows written
before these enums existed read back unchanged. The subject access export's allow-list reads
`OutboxPurpose`, so a misspelt purpose is a failed import, not a silently withheld (or
silently exported) message.
"""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    UNALLOCATED = "unallocated"
    ALLOCATED = "allocated"
    AWAITING_HANDOVER = "awaiting_handover"  # custodial, POM-led until handover (seeds/001 s2.3)
    AWAITING_SIGN_OFF = "awaiting_sign_off"  # exceptional public interest, senior sign-off due (seeds/003 para 3.5)
    CURRENTLY_MANAGED = "currently_managed"  # intake's answer only: a new event stays with the practitioner (seeds/001 s3.3)


class TouchpointState(StrEnum):
    PLANNED = "planned"
    RECORDED = "recorded"
    NOT_REQUIRED = "not_required"
    CANCELLED = "cancelled"


class Priority(StrEnum):
    """The SPO's judgement of the post-allocation touchpoint (docs/policy-sources.md)."""

    HIGH = "high"
    NORMAL = "normal"
    NOT_REQUIRED = "not_required"


class OutboxPurpose(StrEnum):
    """Why an outbox row exists: what the message is, for the SAR export, metrics and tests."""

    CASE_CARD = "case_card"
    RESTRICTED_CASE_DM = "restricted_case_dm"
    RESTRICTED_ELSEWHERE = "restricted_elsewhere"  # a restricted case whose lists allow none of the team's SPOs
    CARD_ALLOCATED = "card_allocated"
    RESTRICTED_CASE_ALLOCATED = "restricted_case_allocated"
    ALLOCATION_THREAD = "allocation_thread"
    PRACTITIONER_NOTICE = "practitioner_notice"
    SENSITIVE_NOTES = "sensitive_notes"  # the allocated practitioner's private copy of what is sensitive
    NOTIFY_NOTICE = "notify_notice"
    SPO_COPY = "spo_copy"
    HANDED_OVER_NOTICE = "handed_over_notice"
    PRISON_NOTICE = "prison_notice"
    PRISON_ALERT = "prison_alert"
    WRITE_BACK = "write_back"
    FAILURE_NOTICE = "failure_notice"
    DEADLINE_CHASE = "deadline_chase"
    DEADLINE_DIGEST = "deadline_digest"
    TOUCHPOINT_REMINDER = "touchpoint_reminder"
    TOUCHPOINT_SETTLED = "touchpoint_settled"
    TOUCHPOINT_RESCHEDULED = "touchpoint_rescheduled"
    TOUCHPOINT_DIGEST = "touchpoint_digest"
    HOME_REFRESH = "home_refresh"
    CARD_EVENTS = "card_events"  # the card updated to list a new event that joined the case
    CURRENTLY_MANAGED_THREAD = "currently_managed_thread"
    CURRENTLY_MANAGED_NOTICE = "currently_managed_notice"
    CARD_HANDOVER = "card_handover"  # a POM-led case's card, now to allocate
    HANDOVER_THREAD = "handover_thread"
    CARD_SIGN_OFF = "card_sign_off"  # the card while an exceptional public interest allocation waits
    SIGN_OFF_THREAD = "sign_off_thread"
    SIGN_OFF_REQUEST = "sign_off_request"  # to the senior approvers (may quote non-sensitive evidence)


# The outbox method of a Home refresh: not a Slack Web API method, but routed by the outbox
# worker to the port that builds the person's Home at send time and publishes it.
HOME_PUBLISH = "home.publish"


class MetadataEvent(StrEnum):
    """Slack message metadata event types the bot writes: each message carries its outbox id,
    so a send whose outcome is unknown can be found in the conversation before any retry."""

    OUTBOX = "casebot_outbox"
