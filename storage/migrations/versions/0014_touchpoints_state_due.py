"""An index on touchpoints (state, due_on): the morning's overdue-touchpoint digest and App Home
look for planned touchpoints due before a day; without it a region-wide digest walks every case
of every team (storage/repositories/allocations.py `overdue_touchpoints`).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_touchpoints_state_due", "touchpoints", ["state", "due_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_touchpoints_state_due", table_name="touchpoints")
