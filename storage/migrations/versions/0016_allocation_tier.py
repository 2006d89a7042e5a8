"""The case's tier on each allocation, and an index the caseload counts are read from alone.

The Allocate modal counts each practitioner's allocations in force by tier
(storage/repositories/allocations.py `current_tier_counts`). Joined to the cases, that read
fetched one case row per allocation held: at 100,000 cases, tens of milliseconds for a team of
200. A case's tier never changes once stored, so the allocation keeps a copy, written when it
is made, and the index (practitioner, in force, tier, date) answers the counts without a table
row. Existing allocations take their case's tier here.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("allocations", sa.Column("tier", sa.String(length=2), nullable=True))
    op.execute("UPDATE allocations SET tier = (SELECT cases.tier FROM cases WHERE cases.id = allocations.case_id)")
    with op.batch_alter_table("allocations") as batch:
        batch.alter_column("tier", existing_type=sa.String(length=2), nullable=False)
    op.drop_index("ix_allocations_practitioner_current", table_name="allocations")
    op.create_index("ix_allocations_caseload", "allocations", ["practitioner_id", "current", "tier", "allocated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_allocations_caseload", table_name="allocations")
    op.create_index("ix_allocations_practitioner_current", "allocations", ["practitioner_id", "current"], unique=False)
    with op.batch_alter_table("allocations") as batch:
        batch.drop_column("tier")
