"""The SPOs' decisions: allocations, touchpoints, the policy they were judged under, the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.models.cases import Case
from storage.models.people import Practitioner


class Allocation(Base):
    """An SPO's decision: this case to this practitioner, with the evidence (seeds/000).

    `current` is true for the allocation in force; a reallocation ends it and adds another.
    Evidence and hate crime notes carry their own sensitivity answers: sensitive text never
    leaves the SPO's control except flagged in the write-back (seeds/000, SAR).
    """

    __tablename__ = "allocations"
    # The caseload read (storage/repositories/allocations.py `current_tier_counts`) is answered
    # from this index alone: a team's allocations in force, by tier and date, no case rows.
    __table_args__ = (Index("ix_allocations_caseload", "practitioner_id", "current", "tier", "allocated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioners.id"))
    # The case's tier, copied when allocated (a case's tier never changes once stored), so the
    # caseload counts read the allocations alone instead of joining every case held.
    tier: Mapped[str] = mapped_column(String(2))
    allocated_by: Mapped[str] = mapped_column(String(20))
    allocated_at: Mapped[datetime]
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    evidence: Mapped[str] = mapped_column(Text)
    evidence_sensitive: Mapped[bool] = mapped_column(Boolean)
    hate_crime: Mapped[bool] = mapped_column(Boolean)
    hate_crime_notes: Mapped[str | None] = mapped_column(Text)
    hate_crime_sensitive: Mapped[bool | None] = mapped_column(Boolean)
    # Discrimination is its own question with its own notes and sensitivity (seeds/000 v2).
    discrimination: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    discrimination_notes: Mapped[str | None] = mapped_column(Text)
    discrimination_sensitive: Mapped[bool | None] = mapped_column(Boolean)
    outside_policy: Mapped[bool] = mapped_column(Boolean, default=False)
    policy_exceptions: Mapped[list[str]] = mapped_column(default=list)
    notify_user_ids: Mapped[list[str]] = mapped_column(default=list)
    reason: Mapped[str | None] = mapped_column(String(40))  # why a reallocation (None for the first)
    ended_at: Mapped[datetime | None]
    # The `version` of the policy the decision was judged under (None: made before policies were data).
    policy_version: Mapped[str | None] = mapped_column(String(100))
    # Why a POM-led case was allocated before its handover lead time (docs/policy-sources.md).
    early_reason: Mapped[str | None] = mapped_column(Text)
    # The senior sign-off of an exceptional public interest allocation (seeds/003 para 3.5).
    signed_off_by: Mapped[str | None] = mapped_column(String(20))
    signed_off_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship()
    practitioner: Mapped[Practitioner] = relationship()


class Touchpoint(Base):
    """The post-allocation touchpoint between SPO and PP (seeds/000: about 15 days after).

    priority: high | normal | not_required. state: planned | recorded | not_required | cancelled.
    """

    __tablename__ = "touchpoints"
    __table_args__ = (Index("ix_touchpoints_state_due", "state", "due_on"),)  # the overdue digest, App Home: planned and due

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(20))
    not_required_reason: Mapped[str | None] = mapped_column(Text)
    # Why the SPO chose a date far from the usual offset (seeds/000 future considerations).
    date_reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="planned")
    created_at: Mapped[datetime]
    notes: Mapped[str | None] = mapped_column(Text)  # the SPO's management oversight record
    notes_sensitive: Mapped[bool | None] = mapped_column(Boolean)
    outcome_by: Mapped[str | None] = mapped_column(String(20))
    outcome_at: Mapped[datetime | None]


class StoredPolicy(Base):
    """A region's allocation policy file as loaded (`casebot policy load`), kept whole.

    Rows are never rewritten: a version's text is fixed once stored (allocations name the version
    they were judged under), and loading another version only moves the `current` flag. With no
    row current, the shipped default policy applies.
    """

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(100), unique=True)
    text: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime]
    loaded_by: Mapped[str] = mapped_column(String(100))
    current: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class AuditEvent(Base):
    """An append-only record of a decision: who, when, what."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
