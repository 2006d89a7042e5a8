"""Writing side effects into the outbox, inside the caller's transaction.

Every message toward Slack is stored first and sent by the worker
(bot/adapters/outbox_worker.py), so a crash, a restart or a Slack outage loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain.lanes import lane_for
from storage.db import UnitOfWork
from storage.models import AuditEvent, OutboxMessage


def outbox_values(
    *,
    method: str,
    payload: dict[str, Any],
    purpose: str,
    ordering_key: str,
    now: datetime,
    case_id: int | None = None,
    reply_to_id: int | None = None,
    parent_lane: str | None = None,
) -> dict[str, Any]:
    """The column values of one pending Slack call."""
    return {
        "lane": lane_for(method, payload, parent_lane=parent_lane),
        "ordering_key": ordering_key,
        "method": method,
        "payload": payload,
        "purpose": purpose,
        "case_id": case_id,
        "reply_to_id": reply_to_id,
        "state": "pending",
        "attempts": 0,
        "outcome_unknown": False,
        "next_attempt_at": now,
        "created_at": now,
    }


def enqueue(
    uow: UnitOfWork,
    *,
    method: str,
    payload: dict[str, Any],
    purpose: str,
    ordering_key: str,
    now: datetime,
    case_id: int | None = None,
    reply_to: OutboxMessage | None = None,
) -> OutboxMessage:
    """Store one Slack call to make. `reply_to`: an earlier row whose message this one threads
    under (chat.postMessage) or edits (chat.update); its ts is filled in at send time."""
    values = outbox_values(
        method=method,
        payload=payload,
        purpose=purpose,
        ordering_key=ordering_key,
        now=now,
        case_id=case_id,
        reply_to_id=reply_to.id if reply_to else None,
        parent_lane=reply_to.lane if reply_to else None,
    )
    return uow.outbox.add(OutboxMessage(**values))


def audit_values(*, actor: str, action: str, now: datetime, case_id: int | None = None, **detail: Any) -> dict[str, Any]:
    return {"at": now, "actor": actor, "action": action, "case_id": case_id, "detail": detail}


def audit(uow: UnitOfWork, *, actor: str, action: str, now: datetime, case_id: int | None = None, **detail: Any) -> AuditEvent:
    """Append a decision to the audit trail (never updated, never deleted)."""
    return uow.audit.add(AuditEvent(**audit_values(actor=actor, action=action, now=now, case_id=case_id, **detail)))


async def insert_bulk(uow: UnitOfWork, outbox_rows: Sequence[dict[str, Any]], audit_rows: Sequence[dict[str, Any]]) -> None:
    """Many outbox and audit rows in one executemany each, for batch intake."""
    await uow.outbox.insert_many(outbox_rows)
    await uow.audit.insert_many(audit_rows)
