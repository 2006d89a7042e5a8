"""The audit trail of a case."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from storage.models import (
    AuditEvent,
)
from storage.repositories.base import Repository


class AuditRepository(Repository[AuditEvent]):
    model = AuditEvent

    async def for_case(self, case_id: int) -> Sequence[AuditEvent]:
        return (await self.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id))).all()
