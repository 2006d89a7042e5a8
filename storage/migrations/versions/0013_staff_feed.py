"""The workforce source's figures and absences per practitioner (README, "The staff feed"); the
SPOs' staff codes and names per team; the system of record's event number of a case.

The feed's columns are separate from the teams file's (`caseload`, `*_hours`), so `casebot
teams load` never overwrites what the workforce source said, and the teams file's figures stay
the fallback for practitioners the feed has not reported.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("practitioners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feed_caseload_points", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("feed_caseload", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("feed_contracted_hours", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("feed_available_hours", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("feed_as_of", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("absences", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spo_staff", sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_number", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("event_number")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("spo_staff")
    with op.batch_alter_table("practitioners", schema=None) as batch_op:
        batch_op.drop_column("absences")
        batch_op.drop_column("feed_as_of")
        batch_op.drop_column("feed_available_hours")
        batch_op.drop_column("feed_contracted_hours")
        batch_op.drop_column("feed_caseload")
        batch_op.drop_column("feed_caseload_points")
