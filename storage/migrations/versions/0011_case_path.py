"""The case's path through probation: resourcing, custody under OMiC (POM-led until handover),
the events of a currently managed or still unallocated case, the first appointment, the
community offender manager's contact details, and the senior sign-off of an exceptional public
interest allocation.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_CASE_COLUMNS = (
    ("resourcing", sa.String(10)),
    ("resourcing_reason", sa.String(300)),
    ("resourcing_given", sa.String(10)),
    ("sentence_months", sa.Float()),
    ("handover_date", sa.Date()),
    ("allocatable_from", sa.Date()),
    ("path_reason", sa.String(300)),
    ("first_appointment_date", sa.Date()),
    ("first_appointment_time", sa.String(5)),
    ("first_appointment_place", sa.String(200)),
)
_CASE_FLAGS = ("foreign_national", "deportation_recommended", "exceptional_public_interest")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, kind in _CASE_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        for name in _CASE_FLAGS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index("ix_cases_state_allocatable", ["state", "allocatable_from"], unique=False)
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("senior_approver_user_ids", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    with op.batch_alter_table("practitioners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(40), nullable=True))
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("early_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("signed_off_by", sa.String(20), nullable=True))
        batch_op.add_column(sa.Column("signed_off_at", storage.types.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("sentence_type", sa.String(100), nullable=False),
        sa.Column("sentence_date", sa.Date(), nullable=False),
        sa.Column("custodial", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_events_case_id"), table_name="case_events")
    op.drop_table("case_events")
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        for name in ("signed_off_at", "signed_off_by", "early_reason"):
            batch_op.drop_column(name)
    with op.batch_alter_table("practitioners", schema=None) as batch_op:
        batch_op.drop_column("phone")
        batch_op.drop_column("email")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("senior_approver_user_ids")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_state_allocatable")
        for name in reversed(_CASE_FLAGS):
            batch_op.drop_column(name)
        for name, _ in reversed(_CASE_COLUMNS):
            batch_op.drop_column(name)
