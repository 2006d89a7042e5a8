"""Allocations, touchpoints and user preferences; practitioners' outside caseload and hours.

Existing practitioners get an empty outside caseload and full-time hours (37 of 37).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_preferences",
        sa.Column("user_id", sa.String(length=20), nullable=False),
        sa.Column("spo_copies", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("allocated_by", sa.String(length=20), nullable=False),
        sa.Column("allocated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("evidence_sensitive", sa.Boolean(), nullable=False),
        sa.Column("hate_crime", sa.Boolean(), nullable=False),
        sa.Column("hate_crime_notes", sa.Text(), nullable=True),
        sa.Column("hate_crime_sensitive", sa.Boolean(), nullable=True),
        sa.Column("outside_policy", sa.Boolean(), nullable=False),
        sa.Column("policy_exceptions", sa.JSON(), nullable=False),
        sa.Column("notify_user_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocations_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_allocations_practitioner_current", ["practitioner_id", "current"], unique=False)

    op.create_table(
        "touchpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("allocation_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("not_required_reason", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["allocation_id"],
            ["allocations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_touchpoints_allocation_id"), ["allocation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_touchpoints_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("practitioners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("caseload", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column("contracted_hours", sa.Float(), nullable=False, server_default=sa.text("37")))
        batch_op.add_column(sa.Column("available_hours", sa.Float(), nullable=False, server_default=sa.text("37")))


def downgrade() -> None:
    with op.batch_alter_table("practitioners", schema=None) as batch_op:
        batch_op.drop_column("available_hours")
        batch_op.drop_column("contracted_hours")
        batch_op.drop_column("caseload")

    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_touchpoints_case_id"))
        batch_op.drop_index(batch_op.f("ix_touchpoints_allocation_id"))

    op.drop_table("touchpoints")
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.drop_index("ix_allocations_practitioner_current")
        batch_op.drop_index(batch_op.f("ix_allocations_case_id"))

    op.drop_table("allocations")
    op.drop_table("user_preferences")
