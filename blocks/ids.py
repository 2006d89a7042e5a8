"""Action, block and callback ids shared by the builders and the listeners that match them."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    ALLOCATE = "case_allocate"
    REALLOCATE = "case_reallocate"
    DETAILS = "case_details"
    OPEN_RECORD = "case_open_record"
    PRACTITIONER_SEARCH = "alloc_practitioner_search"  # external select when a team has > 100
    STOP_SPO_COPIES = "spo_copies_off"
    SIGN_OFF = "allocation_sign_off"  # a senior approver signs off an exceptional public interest allocation
    TOUCHPOINT_RECORD = "touchpoint_record"
    TOUCHPOINT_RESCHEDULE = "touchpoint_reschedule"
    TOUCHPOINT_NOT_REQUIRED = "touchpoint_not_required"
    TOUCHPOINT_SNOOZE = "touchpoint_snooze"


class Callback(StrEnum):
    CASE_DETAILS = "case_details_modal"
    ALLOCATE = "allocate_modal"
    REALLOCATE = "reallocate_modal"
    TOUCHPOINT_RECORD = "touchpoint_record_modal"
    TOUCHPOINT_RESCHEDULE = "touchpoint_reschedule_modal"
    TOUCHPOINT_NOT_REQUIRED = "touchpoint_not_required_modal"


class AllocateBlock(StrEnum):
    """Input blocks of the Allocate modal; inline errors (response_action "errors") are keyed by these."""

    PRACTITIONER = "alloc_practitioner"
    EVIDENCE = "alloc_evidence"
    EVIDENCE_SENSITIVE = "alloc_evidence_sensitive"
    HATE_CRIME = "alloc_hate_crime"
    HATE_NOTES = "alloc_hate_notes"
    HATE_NOTES_SENSITIVE = "alloc_hate_notes_sensitive"
    DISCRIMINATION = "alloc_discrimination"
    DISCRIMINATION_NOTES = "alloc_discrimination_notes"
    DISCRIMINATION_NOTES_SENSITIVE = "alloc_discrimination_notes_sensitive"
    TOUCHPOINT_PLAN = "alloc_touchpoint_plan"
    TOUCHPOINT_DATE = "alloc_touchpoint_date"
    TOUCHPOINT_REASON = "alloc_touchpoint_reason"
    NOTIFY = "alloc_notify"
    CONFIRM_EXCEPTION = "alloc_confirm_exception"
    REASON = "alloc_reason"  # reallocation only
    KEEP_TOUCHPOINT = "alloc_keep_touchpoint"  # reallocation only
    EARLY_REASON = "alloc_early_reason"  # a POM-led case allocated before its handover lead time


INPUT_ACTION = "value"  # every input element's action_id: the block id already says which


class TouchpointBlock(StrEnum):
    """Input blocks of the touchpoint modals."""

    NOTES = "tp_notes"
    NOTES_SENSITIVE = "tp_notes_sensitive"
    DATE = "tp_date"
    REASON = "tp_reason"
