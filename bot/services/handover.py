"""A POM-led custodial case reaches its handover lead time: it joins the team's queue to allocate.

seeds/001 s2.3: the case is "the responsibility of a Prison/Probation POM until the handover date
is reached"; seeds/004 (Q "OMiC cases are currently reflected differently ..."): the OMiC service
emails "at the appropriate time to trigger COM allocation". casebot does this itself: the
policy's `omic.lead_working_days_before_handover` before the handover date, the case becomes
unallocated, its card gains the Allocate button, and the team's clock (counted from that day at
intake: `due_by`) runs. Safe with several schedulers: the move is a conditional update.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.services import notices
from bot.services.case_path import path_facts
from bot.services.home_refresh import queue_home_refresh
from bot.services.outbox import audit
from storage.db import Database

SCHEDULER_ACTOR = "scheduler"


async def handovers_due(db: Database, now: datetime, today: date, record_case_url: str | None) -> int:
    """Move every POM-led case whose lead time has come; returns how many moved."""
    moved = 0
    async with db.uow() as uow:
        for case in await uow.paths.handover_due(today):
            if not await uow.paths.mark_allocatable(case.id):
                continue  # another scheduler, or an early allocation, moved it first
            case.state = "unallocated"
            await notices.handover_due(uow, case, path_facts(case, await uow.paths.events_for(case.id)), record_case_url, now)
            audit(
                uow,
                actor=SCHEDULER_ACTOR,
                action="handover_lead_time",
                now=now,
                case_id=case.id,
                handover_date=str(case.handover_date),
                due_by=str(case.due_by),
            )
            await queue_home_refresh(uow, case.team.spo_user_ids, now)
            moved += 1
        await uow.commit()
    return moved
