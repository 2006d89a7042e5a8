"""The tables. Plain typed SQLAlchemy 2 models; behaviour lives in `bot` services.

Every migration in storage/migrations must leave the schema equal to these models
(tests/storage/test_migrations.py checks it on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.domain.case_summary import CaseSummary
from storage.types import UTCDateTime


class Base(DeclarativeBase):
    """Declarative base; `type_annotation_map` keeps instants in UTC on every store."""

    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}


class Team(Base):
    """A probation team (or prison) whose SPOs allocate to its practitioners."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[str] = mapped_column(String(20))
    service: Mapped[str] = mapped_column(String(20), default="probation")
    spo_user_ids: Mapped[list[str]] = mapped_column(default=list)
    notify_user_ids: Mapped[list[str]] = mapped_column(default=list)
    # SPO Slack id -> {"staff_code", "name"} where the teams file gives them: the write-back and
    # the audit export name the SPO as the system of record knows them.
    spo_staff: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    # What the channel's case card shows (README, "What the channel may see"): minimal or standard.
    channel_detail: Mapped[str] = mapped_column(String(20), default="minimal", server_default="minimal")
    # Slack user id -> staff code (practitioners, and SPOs and notify people the file names).
    staff_codes: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    updated_at: Mapped[datetime]
    # Who gives the senior sign-off an exceptional public interest allocation needs (seeds/003 para 3.5).
    senior_approver_user_ids: Mapped[list[str]] = mapped_column(default=list, server_default=text("'[]'"))

    practitioners: Mapped[list[Practitioner]] = relationship(back_populates="team", order_by="Practitioner.name")


class Practitioner(Base):
    """Someone cases are allocated to: a PO, PQiP or PSO (or a POM in a prison team)."""

    __tablename__ = "practitioners"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    staff_code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    grade: Mapped[str] = mapped_column(String(10))
    slack_user_id: Mapped[str] = mapped_column(String(20), index=True)
    capacity_points: Mapped[int] = mapped_column(Integer, default=100)
    visor_vetted: Mapped[bool] = mapped_column(Boolean, default=False)
    ready_for_tiers: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Cases held outside casebot, by tier, as the system of record reports them ({"B2": 3}).
    # The server defaults are the ones migration 0002 gave rows that existed before it.
    caseload: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    contracted_hours: Mapped[float] = mapped_column(Float, default=37.0, server_default=text("37"))
    available_hours: Mapped[float] = mapped_column(Float, default=37.0, server_default=text("37"))
    # What the workforce source last said (PUT /api/v1/staff, `casebot staff import`); None: it
    # has not reported this person, and the teams file's figures above are the fallback.
    feed_caseload_points: Mapped[float | None] = mapped_column(Float)
    feed_caseload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    feed_contracted_hours: Mapped[float | None] = mapped_column(Float)
    feed_available_hours: Mapped[float | None] = mapped_column(Float)
    feed_as_of: Mapped[datetime | None]
    # [{"from": ISO date, "to": ISO date or None, "reason": category}], as the feed last sent them.
    absences: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # Contact details the prison notice gives for a community offender manager (seeds/003 para 1.15).
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))

    team: Mapped[Team] = relationship(back_populates="practitioners")


class Case(Base):
    """One sentence event awaiting (or past) allocation. `event_id` is the intake idempotency key."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_team_state_due", "team_id", "state", "due_by"),
        Index("ix_cases_state_allocatable", "state", "allocatable_from"),  # the scheduler's handover check
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), unique=True)
    crn: Mapped[str] = mapped_column(String(7), index=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    tier: Mapped[str] = mapped_column(String(2))
    sentence_type: Mapped[str] = mapped_column(String(100))
    sentence_date: Mapped[date] = mapped_column(Date)
    custodial: Mapped[bool] = mapped_column(Boolean, default=False)
    prison: Mapped[str | None] = mapped_column(String(200))
    rosh: Mapped[str | None] = mapped_column(String(20))
    rsr: Mapped[float | None] = mapped_column(Float)
    mappa_category: Mapped[int | None]
    mappa_level: Mapped[int | None]
    offence: Mapped[str | None] = mapped_column(Text)
    previous_practitioner: Mapped[str | None] = mapped_column(String(20))
    event_number: Mapped[str | None] = mapped_column(String(10))  # the system of record's event being allocated
    release_date: Mapped[date | None] = mapped_column(Date)  # people in prison (seeds/002)
    # The day the case reached the team: the team's allocation target counts from it (None: cases
    # stored before the field existed, which counted from sentence).
    arrived_on: Mapped[date | None] = mapped_column(Date)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded_practitioners: Mapped[list[str]] = mapped_column(default=list)
    # Only these staff may see or hold the case (nDelius restriction list), beside the exclusions.
    restricted_to: Mapped[list[str]] = mapped_column(default=list, server_default=text("'[]'"))
    # The allocator's picture as sent (bot/domain/case_picture.py `CasePicture` reads it typed).
    picture: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    state: Mapped[str] = mapped_column(String(20), default="unallocated")
    due_by: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime]
    slack_channel: Mapped[str | None] = mapped_column(String(20))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    # The case's path (bot/domain/resourcing.py, bot/domain/case_path.py). `resourcing` is the
    # outcome computed from the case's fields (None: stored before it was), `resourcing_given`
    # the source's own when it sent one. A POM-led custodial case waits in `awaiting_handover`
    # until `allocatable_from` (the handover date less the policy's lead time).
    resourcing: Mapped[str | None] = mapped_column(String(10))
    resourcing_reason: Mapped[str | None] = mapped_column(String(300))
    resourcing_given: Mapped[str | None] = mapped_column(String(10))
    foreign_national: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    deportation_recommended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    exceptional_public_interest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    sentence_months: Mapped[float | None] = mapped_column(Float)
    handover_date: Mapped[date | None] = mapped_column(Date)
    allocatable_from: Mapped[date | None] = mapped_column(Date)
    path_reason: Mapped[str | None] = mapped_column(String(300))
    first_appointment_date: Mapped[date | None] = mapped_column(Date)
    first_appointment_time: Mapped[str | None] = mapped_column(String(5))
    first_appointment_place: Mapped[str | None] = mapped_column(String(200))

    team: Mapped[Team] = relationship()

    def summary(self) -> CaseSummary:
        """The case's own facts as a plain value, for the Block Kit builders (bot/domain/case_summary.py)."""
        return CaseSummary(
            id=self.id, crn=self.crn, name=self.name, tier=self.tier, sentence_type=self.sentence_type, sentence_date=self.sentence_date,
            due_by=self.due_by, custodial=self.custodial, prison=self.prison, rosh=self.rosh, rsr=self.rsr, mappa_category=self.mappa_category,
            mappa_level=self.mappa_level, offence=self.offence, previous_practitioner=self.previous_practitioner, restricted=self.restricted,
            release_date=self.release_date, arrived_on=self.arrived_on, state=self.state, picture=dict(self.picture or {}),
        )  # fmt: skip


class CaseEvent(Base):
    """One sentence event received for a case: the one that created it, and later events for the
    same person that joined it (still unallocated) or stayed with the practitioner holding it
    (`currently_managed`, seeds/001 s3.3). `event_id` is the intake idempotency key of the later
    events; `outcome` is the state the intake answered, so a repeat answers the same."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(200), unique=True)
    sentence_type: Mapped[str] = mapped_column(String(100))
    sentence_date: Mapped[date] = mapped_column(Date)
    custodial: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]


class Allocation(Base):
    """An SPO's decision: this case to this practitioner, with the evidence (seeds/000).

    `current` is true for the allocation in force; a reallocation ends it and adds another.
    Evidence and hate crime notes carry their own sensitivity answers: sensitive text never
    leaves the SPO's control except flagged in the write-back (seeds/000, SAR).
    """

    __tablename__ = "allocations"
    __table_args__ = (Index("ix_allocations_practitioner_current", "practitioner_id", "current"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioners.id"))
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


class ScheduledJob(Base):
    """Work due at a time: a reminder, a deadline check. APScheduler only drives the ticks;
    the plan lives here, so a restart loses nothing.

    state: planned -> done | cancelled. A tick claims due rows with a conditional update and
    does their work in the same transaction, so a crash leaves them planned, never half done.
    """

    __tablename__ = "scheduled_jobs"
    __table_args__ = (Index("ix_jobs_due", "state", "due_at"), Index("ix_jobs_touchpoint", "touchpoint_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id"))
    recipient: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="planned")
    claim: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class DailyRun(Base):
    """A once-per-working-morning job that has run: the unique key makes 'once' hold across
    restarts and replicas (the second insert of the same key is refused)."""

    __tablename__ = "daily_runs"
    __table_args__ = (UniqueConstraint("kind", "scope", "day", name="uq_daily_runs"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime]


class SeenSignature(Base):
    """Signed Slack requests already taken, so a replay within Slack's 5-minute window is
    refused on every replica (the primary key makes the second insert fail)."""

    __tablename__ = "seen_signatures"

    signature: Mapped[str] = mapped_column(String(80), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class UserPreference(Base):
    """Per-person choices, e.g. an SPO switching off private copies of their allocations."""

    __tablename__ = "user_preferences"

    user_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    spo_copies: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime]


class OutboxMessage(Base):
    """A side effect toward Slack, stored in the same transaction as the change that caused it.

    States: pending -> sending -> sent | failed. A row left in `sending` past `lease_until`
    crashed mid-send, and a row whose send timed out has `outcome_unknown`: either way Slack may
    already hold the message, so it is looked for (by the outbox id in its metadata) before
    any retry.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_order", "ordering_key", "state", "id"),
        Index("ix_outbox_case_purpose", "case_id", "purpose"),  # a case's card, chases, write-backs
        Index("ix_outbox_lane", "state", "lane", "id"),  # the claim: each ready lane's first rows
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ordering_key: Mapped[str] = mapped_column(String(100))
    # What one rate limit covers (bot/services/outbox.py `lane_for`); '' on rows sent before lanes.
    lane: Mapped[str] = mapped_column(String(120), default="", server_default=text("''"))
    method: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]]
    purpose: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome_unknown: Mapped[bool] = mapped_column(Boolean, default=False)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    first_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class AuditEvent(Base):
    """An append-only record of a decision: who, when, what."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
