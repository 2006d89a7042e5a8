"""Writing side effects into the outbox, inside the caller's transaction.

DESIGN.md principles: every message toward Slack is stored first and sent by the worker
(bot/outbox_worker.py), so a crash, a restart or a Slack outage loses nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.db import UnitOfWork
from storage.models import AuditEvent, OutboxMessage


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
    row = OutboxMessage(
        ordering_key=ordering_key,
        method=method,
        payload=payload,
        purpose=purpose,
        case_id=case_id,
        reply_to_id=reply_to.id if reply_to else None,
        state="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    return uow.outbox.add(row)


def audit(uow: UnitOfWork, *, actor: str, action: str, now: datetime, case_id: int | None = None, **detail: Any) -> AuditEvent:
    """Append a decision to the audit trail (never updated, never deleted)."""
    return uow.audit.add(AuditEvent(at=now, actor=actor, action=action, case_id=case_id, detail=detail))
