"""The bot's own machinery: scheduled work, once-a-morning runs, replay guard, the outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


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


class OutboxMessage(Base):
    """A side effect toward Slack, stored in the same transaction as the change that caused it.

    States: pending -> sending -> sent | failed. A row left in `sending` past `lease_until`
    crashed or stalled mid-send, and goes back to pending with `outcome_unknown`, as a row whose
    send timed out does: either way Slack may already hold the message, so it is looked for (by
    the outbox id in its metadata) before any retry.
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
