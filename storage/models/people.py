"""The teams, their practitioners and per-person choices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base


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


class UserPreference(Base):
    """Per-person choices, e.g. an SPO switching off private copies of their allocations."""

    __tablename__ = "user_preferences"

    user_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    spo_copies: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime]
