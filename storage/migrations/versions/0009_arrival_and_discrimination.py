"""The day a case reached its team (the team's allocation target counts from it); discrimination
as its own question beside hate crime; the reason for a touchpoint date far from the usual.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrived_on", sa.Date(), nullable=True))
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("discrimination", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("discrimination_notes", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("discrimination_sensitive", sa.Boolean(), nullable=True))
    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("touchpoints", schema=None) as batch_op:
        batch_op.drop_column("date_reason")
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.drop_column("discrimination_sensitive")
        batch_op.drop_column("discrimination_notes")
        batch_op.drop_column("discrimination")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("arrived_on")
