"""The allocator's picture of a case (one JSON value), its restriction list, and what the
team's channel may see of a case card (`channel_detail`, minimal unless the team says so);
the staff code of each of a team's people, for the exclusion and restriction lists.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("restricted_to", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column("picture", sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_detail", sa.String(length=20), server_default="minimal", nullable=False))
        batch_op.add_column(sa.Column("staff_codes", sa.JSON(), server_default=sa.text("'{}'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("staff_codes")
        batch_op.drop_column("channel_detail")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("picture")
        batch_op.drop_column("restricted_to")
