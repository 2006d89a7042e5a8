"""The cases and the sentence events that joined them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, String, Text, text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.case_summary import CaseSummary
from storage.models.base import Base
from storage.models.people import Team


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
        return summary_of({name: getattr(self, name) for name in SUMMARY_FIELDS})


# Every field of CaseSummary is a column of `cases` of the same name: a bulk read (a scheduler
# tick's hundreds of cases) selects these with Core and skips building ORM rows.
SUMMARY_FIELDS = tuple(f.name for f in fields(CaseSummary))


def summary_columns() -> list[Any]:
    """The `cases` columns a CaseSummary is made of, in SUMMARY_FIELDS order, for a Core select."""
    return [Case.__table__.c[name] for name in SUMMARY_FIELDS]


def summary_of(values: Mapping[str, Any]) -> CaseSummary:
    """A CaseSummary from the columns named in SUMMARY_FIELDS (an ORM row's or a Core row's)."""
    return CaseSummary(**{**{name: values[name] for name in SUMMARY_FIELDS}, "picture": dict(values["picture"] or {})})


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
