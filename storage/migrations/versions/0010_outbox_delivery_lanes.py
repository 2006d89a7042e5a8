"""Outbox: a delivery lane per row (what one Slack rate limit covers) and the claim's index.

The worker claims each ready lane's first rows, so one busy channel cannot fill the claim and
hold up the others. Rows not yet sent get their lane here; sent rows keep '' (never claimed).
The backfill applies the rule as it stood when this migration was written (a migration is a
snapshot: later changes to bot/services/outbox.py `lane_for` must not rewrite history).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _lane(method: str, payload: Any, parent_lane: str | None) -> str:
    family = method.split(".", 1)[0]
    if isinstance(payload, str):
        payload = json.loads(payload)
    channel = str((payload or {}).get("channel") or "") if family == "chat" else ""
    if not channel:
        return parent_lane or family
    return f"dm:{channel}" if channel[:1] in ("U", "W") else f"ch:{channel}"


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lane", sa.String(length=120), server_default="", nullable=False))
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer),
        sa.column("method", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("reply_to_id", sa.Integer),
        sa.column("state", sa.String),
        sa.column("lane", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(outbox.c.id, outbox.c.method, outbox.c.payload, outbox.c.reply_to_id, outbox.c.state).order_by(outbox.c.id)).all()
    lanes: dict[int, str] = {}
    for row in rows:  # in id order, so a parent's lane is known before its replies'
        lanes[row.id] = _lane(row.method, row.payload, lanes.get(row.reply_to_id) if row.reply_to_id else None)
        if row.state in ("pending", "sending"):
            bind.execute(sa.update(outbox).where(outbox.c.id == row.id).values(lane=lanes[row.id]))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_lane", ["state", "lane", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_lane")
        batch_op.drop_column("lane")
