"""Subject access: everything casebot holds about one person, except text flagged sensitive.

README `casebot sar CRN`. Why text is withheld:
seeds/000 ("Evidencing and auditing an allocation decision"): an SPO's allocation notes "are
sometimes used to raise informal concerns around risk to the PP" that the SPO "may not wish for
a PoP to see ... via a subject access request (SAR)", hence the sensitivity answer on the CADE
evidence, on the hate crime notes and on the touchpoint's oversight notes (docs/architecture.md glossary,
"Sensitive"). The export says which kinds of record were withheld and how many, never what
they said.

Everything is chosen by allow-list, so a column or message kind added later stays out until
someone decides it may go to the person:
- case, allocation and touchpoint fields are named one by one; sensitive text only when its
  flag is exactly False (a missing answer counts as sensitive);
- audit event details keep only keys known to carry ids, codes and flags;
- message text only for purposes known to be safe; the allocating SPO's private copy and a
  write-back of a sensitive contact are withheld whole (they quote the sensitive text);
- as a backstop, any message text or audit value that quotes a sensitive note of the case is
  withheld too, so a new message kind that copies a note cannot leak it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.domain.case_input import CRN_PATTERN
from bot.domain.clock import Clock
from bot.domain.enums import OutboxPurpose
from bot.domain.errors import CasebotError, FieldError, InvalidInput
from bot.domain.policy_file import REASON_CODE, Policy
from bot.domain.slack_text import escape
from storage.db import UnitOfWork
from storage.models import Allocation, AuditEvent, Case, CaseEvent, OutboxMessage, ScheduledJob, Touchpoint

# Every column of the three tables is accounted for here: exported as stored, exported by hand
# (sensitive text behind its flag, ids turned into names), or left out as an internal pointer.
# tests/e2e/test_sar_and_audit.py fails when a column is added without a decision.
CASE_FIELDS = (
    "event_id", "crn", "name", "tier", "sentence_type", "sentence_date", "custodial", "prison", "release_date",
    "rosh", "rsr", "mappa_category", "mappa_level", "offence", "previous_practitioner", "restricted",
    "excluded_practitioners", "state", "due_by", "received_at", "arrived_on",
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
ALLOCATION_LEFT_OUT = frozenset({"id", "case_id"})
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
        OutboxPurpose.CASE_CARD, OutboxPurpose.RESTRICTED_CASE_DM, OutboxPurpose.CARD_ALLOCATED,
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


class NothingHeld(CasebotError):
    """No case with this CRN: casebot holds nothing about the person."""

    def __init__(self, crn: str) -> None:
        super().__init__(crn)
        self.crn = crn


def parse_crn(raw: str) -> str:
    """The CRN upper-cased, as intake stores it; `InvalidInput` naming the expected format."""
    crn = raw.strip().upper() if raw.isascii() else raw
    if not CRN_PATTERN.match(crn):
        raise InvalidInput([FieldError("CRN", f"'{raw[:20]}' is not a CRN: expected one letter and six digits, e.g. X123456")])
    return crn


class Withheld:
    """Counts what was left out, by kind, so the person is told what exists but not what it says."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def add(self, kind: str, count: int = 1) -> None:
        if count:
            self._counts[kind] += count

    def as_list(self) -> list[dict[str, Any]]:
        return [{"kind": kind, "count": count} for kind, count in sorted(self._counts.items())]


@dataclass(frozen=True)
class CaseRecords:
    """One case and every row that hangs off it."""

    case: Case
    allocations: Sequence[Allocation]
    touchpoints: Sequence[Touchpoint]
    audit: Sequence[AuditEvent]
    messages: Sequence[OutboxMessage]
    jobs: Sequence[ScheduledJob]
    events: Sequence[CaseEvent] = ()  # later sentence events that joined the case or stayed with it


async def subject_access(uow_factory: Callable[[], UnitOfWork], crn: str, *, clock: Clock) -> dict[str, Any]:
    """The export for `crn` (already parsed), as JSON-ready data; raises `NothingHeld`."""
    async with uow_factory() as uow:
        held = await _load(uow, crn)
        policy = await uow.policies.current()
    if not held:
        raise NothingHeld(crn)
    withheld = Withheld()
    needles = frozenset().union(*(sensitive_needles(records) for records in held))  # one person: any case's notes
    cases = [_export_case(records, needles, withheld, policy) for records in held]
    return {"crn": crn, "generated_at": clock.now(), "cases": cases, "withheld": withheld.as_list()}


async def _load(uow: UnitOfWork, crn: str) -> list[CaseRecords]:
    cases = (await uow.session.scalars(select(Case).where(Case.crn == crn).options(selectinload(Case.team)).order_by(Case.id))).all()
    return [await _records(uow, case) for case in cases]


async def _records(uow: UnitOfWork, case: Case) -> CaseRecords:
    allocations = await uow.session.scalars(
        select(Allocation).where(Allocation.case_id == case.id).options(selectinload(Allocation.practitioner)).order_by(Allocation.id)
    )
    touchpoints = await uow.session.scalars(select(Touchpoint).where(Touchpoint.case_id == case.id).order_by(Touchpoint.id))
    jobs = await uow.session.scalars(select(ScheduledJob).where(ScheduledJob.case_id == case.id).order_by(ScheduledJob.id))
    return CaseRecords(
        case=case, allocations=allocations.all(), touchpoints=touchpoints.all(),
        audit=await uow.audit.for_case(case.id), messages=await uow.outbox.for_case(case.id), jobs=jobs.all(),
        events=await uow.paths.events_for(case.id),
    )  # fmt: skip


def _export_case(records: CaseRecords, needles: frozenset[str], withheld: Withheld, policy: Policy) -> dict[str, Any]:
    """One case with everything that hangs off it, each part filtered by its own rule."""
    case = records.case
    out: dict[str, Any] = {name: getattr(case, name) for name in CASE_FIELDS}
    out["team"] = {"code": case.team.code, "name": case.team.name}
    out["allocations"] = [_allocation(a, withheld, policy) for a in records.allocations]
    out["touchpoints"] = [_touchpoint(t, withheld) for t in records.touchpoints]
    out["audit_events"] = [_audit_event(e, needles, withheld) for e in records.audit]
    out["messages"] = [_message(m, needles, withheld) for m in records.messages]
    out["scheduled"] = [{"kind": j.kind, "due_at": j.due_at, "state": j.state, "done_at": j.done_at} for j in records.jobs]
    out["later_events"] = [
        {
            "event_id": e.event_id,
            "sentence_type": e.sentence_type,
            "sentence_date": e.sentence_date,
            "custodial": e.custodial,
            "outcome": e.outcome,
            "received_at": e.received_at,
        }
        for e in records.events
    ]
    return out


def _allocation(allocation: Allocation, withheld: Withheld, policy: Policy) -> dict[str, Any]:
    """The decision, with the evidence and hate crime notes only when the SPO said they are not
    sensitive (seeds/000); a reallocation (which copies the hate crime notes) shows its reason."""
    person = allocation.practitioner
    out: dict[str, Any] = {"practitioner": {"staff_code": person.staff_code, "name": person.name, "grade": person.grade}}
    out.update({name: getattr(allocation, name) for name in ALLOCATION_FIELDS})
    out["notified"] = list(allocation.notify_user_ids)
    if allocation.reason:
        out["reallocation_reason"] = policy.reason_label(allocation.reason)
    if allocation.evidence_sensitive is False:
        out["evidence"] = allocation.evidence
    else:
        withheld.add(WITHHELD_EVIDENCE)
    for name, notes, sensitive, kind in (
        ("hate_crime_notes", allocation.hate_crime_notes, allocation.hate_crime_sensitive, WITHHELD_HATE_NOTES),
        ("discrimination_notes", allocation.discrimination_notes, allocation.discrimination_sensitive, WITHHELD_DISCRIMINATION_NOTES),
    ):
        if notes and sensitive is False:
            out[name] = notes
        elif notes:
            withheld.add(kind)
    return out


def _touchpoint(touchpoint: Touchpoint, withheld: Withheld) -> dict[str, Any]:
    """The touchpoint and its outcome; the oversight notes only when not sensitive (seeds/000)."""
    out: dict[str, Any] = {name: getattr(touchpoint, name) for name in TOUCHPOINT_FIELDS}
    if touchpoint.notes:
        if touchpoint.notes_sensitive is False:
            out["notes"] = touchpoint.notes
        else:
            withheld.add(WITHHELD_OVERSIGHT)
    return out


def _audit_event(event: AuditEvent, needles: frozenset[str], withheld: Withheld) -> dict[str, Any]:
    """Who, when, what; the detail cut to the allow-list of id and code keys."""
    kept: dict[str, Any] = {}
    dropped = 0
    for key, value in (event.detail or {}).items():
        if _cleared(key, value) and not quotes_any(_flat(value), needles):
            kept[key] = value
        else:
            dropped += 1
    withheld.add(WITHHELD_AUDIT, dropped)
    return {"action": event.action, "at": event.at, "actor": event.actor, "detail": kept}


def _cleared(key: str, value: Any) -> bool:
    if key in AUDIT_DETAIL_CODES:
        return isinstance(value, str) and AUDIT_DETAIL_CODES[key].fullmatch(value) is not None
    return key in AUDIT_DETAIL_KEYS and _plain(value)


def _plain(value: Any) -> bool:
    """A scalar or a list of scalars: nothing that could nest a whole payload."""
    scalar = (str, int, float, bool, type(None))
    return isinstance(value, scalar) or (isinstance(value, list) and all(isinstance(v, scalar) for v in value))


def _flat(value: Any) -> str:
    return "\n".join(map(str, value)) if isinstance(value, list) else str(value)


def _message(row: OutboxMessage, needles: frozenset[str], withheld: Withheld) -> dict[str, Any]:
    """A message casebot sent (or will send) about the case; its text unless withheld."""
    out: dict[str, Any] = {"purpose": row.purpose, "method": row.method, "state": row.state, "created_at": row.created_at, "sent_at": row.sent_at}
    reason = _withhold_reason(row)
    text = None if reason else message_text(row)
    if text is not None and quotes_any(text, needles):
        reason, text = WITHHELD_QUOTING, None
    if reason:
        withheld.add(reason)
    else:
        out["text"] = text
    return out


def _withhold_reason(row: OutboxMessage) -> str | None:
    """Why this row's text may not go to the person, by what it is (seeds/000)."""
    if row.purpose == SPO_COPY:
        return WITHHELD_SPO_COPY
    if row.purpose == OutboxPurpose.SENSITIVE_NOTES:
        return WITHHELD_SENSITIVE_NOTES
    if row.purpose == WRITE_BACK:
        body = _body(row)
        return WITHHELD_WRITE_BACK if "text" in body and body.get("sensitive") is not False else None
    return None if row.purpose in SAFE_MESSAGE_PURPOSES else WITHHELD_UNCLEARED


def _body(row: OutboxMessage) -> dict[str, Any]:
    body = (row.payload or {}).get("body")
    return body if isinstance(body, dict) else {}


def message_text(row: OutboxMessage) -> str | None:
    """What the message said, as readable text: a contact's text, a prison notice's subject and
    text, or a Slack message's fallback text and the text of its blocks (buttons left out)."""
    payload = row.payload or {}
    if row.method.startswith("record."):
        parts = [_body(row).get("type"), _body(row).get("text")]
    elif row.method == "prison.notify":
        parts = [payload.get("subject"), payload.get("text")]
    else:
        parts = [payload.get("text"), *block_texts(payload.get("blocks") or [])]
    lines = [p for p in parts if isinstance(p, str) and p]
    return "\n".join(dict.fromkeys(lines)) or None


def block_texts(node: Any) -> list[str]:
    """Every text object's text in Block Kit, skipping buttons and inputs (labels, not content)."""
    if isinstance(node, list):
        return [text for item in node for text in block_texts(item)]
    if not isinstance(node, dict) or node.get("type") in ("actions", "input", "button"):
        return []
    if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
        return [node["text"]]
    return [text for value in node.values() if isinstance(value, (dict, list)) for text in block_texts(value)]


def sensitive_needles(records: CaseRecords) -> frozenset[str]:
    """Stretches of every sensitive note of the case, as stored and as escaped for mrkdwn: what
    the backstop looks for in messages and audit details. Consecutive stretches, so a whole copy,
    a copy cut short (blocks/text.py `cut`) or any 80 characters of it still contain one."""
    texts: list[str] = [a.evidence for a in records.allocations if a.evidence_sensitive is not False]
    texts += [a.hate_crime_notes for a in records.allocations if a.hate_crime_notes and a.hate_crime_sensitive is not False]
    texts += [a.discrimination_notes for a in records.allocations if a.discrimination_notes and a.discrimination_sensitive is not False]
    texts += [t.notes for t in records.touchpoints if t.notes and t.notes_sensitive is not False]
    texts += [str(_body(m).get("text")) for m in records.messages if m.purpose == WRITE_BACK and _withhold_reason(m)]
    return frozenset(_needles(texts))


def _needles(texts: Iterable[str]) -> Iterable[str]:
    for text in texts:
        for form in {text.strip(), escape(text.strip())}:
            for start in range(0, len(form), NEEDLE_CHARS):
                stretch = form[start : start + NEEDLE_CHARS]
                if len(stretch) >= MIN_NEEDLE_CHARS:
                    yield stretch


def quotes_any(text: str, needles: frozenset[str]) -> bool:
    """True when `text` contains a stretch of a sensitive note."""
    return any(needle in text for needle in needles)


def json_default(value: Any) -> str:
    """Dates and instants as ISO 8601 (README: dates ISO)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__}")
