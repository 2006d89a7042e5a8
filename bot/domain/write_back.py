"""The bodies casebot writes back to the system of record (docs/write-back.md). Pure.

One definition of each body, so the allocation service, the reallocation service and the
touchpoint service send the same shape, and docs/write-back.md's examples are checked
against what a fake system of record receives (tests/e2e/test_write_back_shapes.py).

What nDelius's allocation needs: the practitioner's staff code, the team code, the event
(number) being allocated, the allocating SPO's staff code, the reason (initial allocation or
the reallocation reason) and the created time. Slack ids are kept beside the staff codes
(`allocated_by`, `recorded_by`) because casebot's own audit reads them; a receiver keys on the
staff codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

INITIAL_ALLOCATION = "initial_allocation"  # the reason code of a first allocation
INITIAL_ALLOCATION_LABEL = "Initial allocation"


class ContactKind(StrEnum):
    """Which contact casebot writes; `type_key` in the body, so a gateway can map it to its own
    code whatever the type's name (docs/write-back.md, "Contact types")."""

    CADE = "cade"  # seeds/000 Version one: 'Case allocation decision evidencing', every allocation
    SPO_OVERSIGHT = "spo_oversight"  # seeds/000 Background + Research insights; seeds/004 management oversight entry
    HATE_CRIME = "hate_crime"  # seeds/000 Business needs, Version two: its own question and notes
    DISCRIMINATION = "discrimination"  # seeds/000 Version two
    TOUCHPOINT = "touchpoint_oversight"  # seeds/000 Research insights: the touchpoint's management oversight


# The contact type names, by kind. CADE's is the policy's `evidence_contact_type` for the team's
# service (a prison records its own type), so it is not here.
CONTACT_TYPE_NAMES: Mapping[ContactKind, str] = {
    ContactKind.SPO_OVERSIGHT: "Case allocation SPO oversight",  # seeds/000 Research insights: "a case allocation SPO oversight contact"
    ContactKind.HATE_CRIME: "Hate crime",
    ContactKind.DISCRIMINATION: "Discrimination",
    ContactKind.TOUCHPOINT: "Management oversight",  # seeds/000 Research insights: "A management oversight contact is typically put on following an initial touchpoint"
}


@dataclass(frozen=True)
class RecordContext:
    """Who and what every body names: the case's event and team, the practitioner, the SPO."""

    team_code: str
    event_number: str | None  # None when the intake did not say: the receiver takes the case's current event
    staff_code: str  # the practitioner the case is (or was) allocated to
    by_user: str  # the SPO's Slack id
    by_staff_code: str | None  # the SPO's staff code from the teams file (None: not given there)
    at: datetime


def spo_staff_code(spo_staff: Mapping[str, Any], user: str) -> str | None:
    """The SPO's staff code as the teams file gives it (`spos: [{slack_user, staff_code, name}]`)."""
    entry = spo_staff.get(user)
    code = entry.get("staff_code") if isinstance(entry, Mapping) else None
    return str(code) if code else None


def allocation_body(ctx: RecordContext, *, outside_policy: bool, reason_code: str | None, reason: str | None, policy_version: str) -> dict[str, Any]:
    """`POST {base}/cases/{crn}/allocations`: an allocation or a reallocation."""
    return {
        "staff_code": ctx.staff_code,
        "team_code": ctx.team_code,
        "event_number": ctx.event_number,
        "allocated_by": ctx.by_user,
        "allocated_by_staff_code": ctx.by_staff_code,
        "allocated_at": ctx.at.isoformat(),
        "created_at": ctx.at.isoformat(),
        "outside_policy": outside_policy,
        "reason_code": reason_code or INITIAL_ALLOCATION,
        "reason": reason or INITIAL_ALLOCATION_LABEL,
        "policy_version": policy_version,
    }


def contact_body(ctx: RecordContext, kind: ContactKind, type_name: str, text: str, *, sensitive: bool) -> dict[str, Any]:
    """`POST {base}/cases/{crn}/contacts`: one contact, flagged sensitive or not (seeds/000: text
    flagged sensitive is withheld from a subject access request)."""
    return {
        "type": type_name,
        "type_key": kind.value,
        "text": text,
        "sensitive": sensitive,
        "staff_code": ctx.staff_code,
        "team_code": ctx.team_code,
        "event_number": ctx.event_number,
        "recorded_by": ctx.by_user,
        "recorded_by_staff_code": ctx.by_staff_code,
        "recorded_at": ctx.at.isoformat(),
    }


def oversight_text(exceptions: list[str]) -> str:
    """The SPO oversight contact of an allocation outside policy: what was confirmed. The
    reasons are the SPO's evidence, in the evidence contact (which carries its own flag)."""
    listed = "; ".join(exceptions) or "outside the allocation policy"
    return f"Allocated outside policy, confirmed by the SPO: {listed}. The rationale is in this allocation's decision evidence contact."
