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
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.domain.case_input import CRN_PATTERN
from bot.domain.clock import Clock
from bot.domain.errors import CasebotError, FieldError, InvalidInput
from bot.domain.policy_file import Policy
from bot.queries.sar_rules import (
    ALLOCATION_FIELDS,
    AUDIT_DETAIL_CODES,
    AUDIT_DETAIL_KEYS,
    CASE_FIELDS,
    TOUCHPOINT_FIELDS,
    WITHHELD_AUDIT,
    WITHHELD_DISCRIMINATION_NOTES,
    WITHHELD_EVIDENCE,
    WITHHELD_HATE_NOTES,
    WITHHELD_OVERSIGHT,
    WITHHELD_QUOTING,
    withhold_reason,
)
from bot.queries.sar_text import CaseRecords, message_text, quotes_any, sensitive_needles
from storage.db import UnitOfWork
from storage.models import Allocation, AuditEvent, Case, OutboxMessage, ScheduledJob, Touchpoint


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
    reason = withhold_reason(row)
    text = None if reason else message_text(row)
    if text is not None and quotes_any(text, needles):
        reason, text = WITHHELD_QUOTING, None
    if reason:
        withheld.add(reason)
    else:
        out["text"] = text
    return out


def json_default(value: Any) -> str:
    """Dates and instants as ISO 8601 (README: dates ISO)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__}")
