"""Scheduled work: touchpoint reminders, deadline chases, digests, the prison-notice check.

Issue 6. The plan lives in `scheduled_jobs` rows; APScheduler only calls `tick()` every few
seconds. A tick (1) claims due jobs and does their work in one transaction (bot/storage:
`JobRepository.claim_due`), so a restart resends what fell due while the bot was down, once,
and two schedulers never double a job; (2) in working hours, runs each team's morning chase
and digests once per day, guarded by a unique `daily_runs` key.

Messages toward people go out in working hours only (Europe/London, working days): a reminder
that falls due at night waits for the next working morning. The prison-notice alert does not
wait: its limit is the law's, not office hours (seeds/003 s1.15).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from blocks.formats import when_text
from blocks.touchpoint_blocks import (
    deadline_chase,
    deadline_digest,
    overdue_touchpoints_digest,
    prison_notice_late,
    reminder,
)
from bot.domain.calendar import working_days_between
from bot.domain.facts import TouchpointView
from bot.domain.clock import Clock, london_today
from bot.services.outbox import enqueue
from bot.adapters.replay import purge as purge_signatures
from bot.domain.working_hours import next_working_moment, within_working_hours
from storage.db import Database, UnitOfWork
from storage.models import Allocation, Case, ScheduledJob, Touchpoint

log = logging.getLogger("casebot.scheduler")

CLAIM_BATCH = 500


def touchpoint_view(tp: Touchpoint, allocation: Allocation) -> TouchpointView:
    assert tp.due_on is not None
    return TouchpointView(
        touchpoint_id=tp.id, due_on=tp.due_on, priority=tp.priority,
        practitioner_user=allocation.practitioner.slack_user_id, spo_user=allocation.allocated_by,
    )  # fmt: skip


@dataclass(frozen=True)
class Preloaded:
    """What a tick's jobs need, loaded in one query for the whole batch, not one per job."""

    touchpoints: dict[int, tuple[Touchpoint, Allocation, Case]]


def stale(when: str, due_on: date, today: date) -> bool:
    """A 'before' reminder on or after the day, or a 'day' reminder after it, would mislead."""
    return (when == "before" and today >= due_on) or (when == "day" and today > due_on)


class Scheduler:
    """One `tick()` does everything due; safe to run in several processes at once."""

    def __init__(self, db: Database, clock: Clock, *, nudge: Callable[[], None] = lambda: None) -> None:
        self.db = db
        self.clock = clock
        self.nudge = nudge
        self._handlers: dict[str, Callable[[UnitOfWork, ScheduledJob, datetime, Preloaded], Awaitable[bool]]] = {
            "touchpoint_reminder": self._touchpoint_reminder,
            "prison_check": self._prison_check,
        }

    async def tick(self) -> int:
        """Run what is due now; returns how many jobs and morning runs did work."""
        now = self.clock.now()
        done = await self._run_due_jobs(now)
        if within_working_hours(now):
            done += await self._morning_runs(now)
        if done:
            self.nudge()
        return done

    async def _run_due_jobs(self, now: datetime) -> int:
        async with self.db.uow() as uow:
            await purge_signatures(uow, now)
            jobs = await uow.jobs.claim_due(now, uuid.uuid4().hex, CLAIM_BATCH)
            preloaded = Preloaded(touchpoints=await uow.allocations.touchpoints({j.touchpoint_id for j in jobs if j.touchpoint_id}))
            sent = 0
            for job in jobs:
                handler = self._handlers.get(job.kind)
                finished = await handler(uow, job, now, preloaded) if handler else True
                if finished:
                    job.state, job.done_at = "done", now
                    sent += 1
                else:
                    job.state = "planned"  # deferred: `_defer` moved due_at
                job.claim = None
            await uow.commit()
        return sent

    @staticmethod
    def _defer(job: ScheduledJob, now: datetime) -> bool:
        job.due_at = next_working_moment(now)
        return False

    async def _touchpoint_reminder(self, uow: UnitOfWork, job: ScheduledJob, now: datetime, preloaded: Preloaded) -> bool:
        found = preloaded.touchpoints.get(job.touchpoint_id or 0)
        if found is None:
            return True
        tp, allocation, case = found
        if tp.state != "planned" or not allocation.current or tp.due_on is None:
            return True  # settled or moved on since the plan: nothing to say
        if not within_working_hours(now):
            return self._defer(job, now)
        when = str(job.detail.get("when", "day"))
        if stale(when, tp.due_on, london_today(self.clock)):
            return True  # sent late (the bot was down): a later reminder or the digest says it right
        message = reminder(case, touchpoint_view(tp, allocation), when=when)
        enqueue(
            uow, method="chat.postMessage", payload={"channel": job.recipient, **message}, purpose="touchpoint_reminder",
            ordering_key=f"touchpoint:{tp.id}", now=now, case_id=case.id,
        )  # fmt: skip
        return True

    async def _prison_check(self, uow: UnitOfWork, job: ScheduledJob, now: datetime, preloaded: Preloaded) -> bool:
        case = await uow.cases.with_team(job.case_id or 0)
        if case is None:
            return True
        notices = await uow.outbox.with_key(f"prison:{case.id}", "prison_notice")
        if notices and all(n.state == "sent" for n in notices):
            return True
        allocated = datetime.fromisoformat(str(job.detail["allocated_at"]))
        for spo in case.team.spo_user_ids:
            enqueue(
                uow, method="chat.postMessage", payload={"channel": spo, **prison_notice_late(case, when_text(allocated))},
                purpose="prison_alert", ordering_key=f"case:{case.id}", now=now, case_id=case.id,
            )  # fmt: skip
        return True

    async def _morning_runs(self, now: datetime) -> int:
        today = london_today(self.clock)
        async with self.db.uow() as uow:
            teams = list((await uow.teams.by_code()).values())
        done = 0
        for team in teams:
            for kind, run in (("deadline_chase", self._chase_deadlines), ("touchpoint_digest", self._touchpoint_digest)):
                try:
                    async with self.db.uow() as uow:
                        if not await uow.jobs.first_run_today(kind, team.code, today, now):
                            continue
                        done += await run(uow, team.id, now)
                        await uow.commit()
                except IntegrityError:
                    log.info("morning run already taken by another scheduler", extra={"kind": kind, "team": team.code})
        return done

    async def _chase_deadlines(self, uow: UnitOfWork, team_id: int, now: datetime) -> int:
        """Each unallocated case due today or overdue is chased in its thread, naming the SPOs;
        the team gets one digest, soonest first (seeds/003 s1.9, s2.2)."""
        today = london_today(self.clock)
        cases = await uow.cases.awaiting_allocation(team_id, today)
        if not cases:
            return 0
        team = (await uow.cases.with_team(cases[0].id)).team  # type: ignore[union-attr]
        rows: list[tuple[Case, int]] = []
        for case in cases:
            overdue = working_days_between(case.due_by, today)
            rows.append((case, overdue))
            await self._chase_one(uow, case, overdue, team.spo_user_ids, now)
        enqueue(
            uow, method="chat.postMessage", payload={"channel": team.channel_id, **deadline_digest(team.name, rows)},
            purpose="deadline_digest", ordering_key=f"team:{team.code}", now=now,
        )  # fmt: skip
        return len(rows)

    async def _chase_one(self, uow: UnitOfWork, case: Case, overdue: int, spos: list[str], now: datetime) -> None:
        message = deadline_chase(case, overdue_days=overdue, spos=spos)
        if case.restricted:
            targets: list[tuple[dict[str, Any], Any]] = [({"channel": spo, **message}, None) for spo in spos]
        else:
            card = await uow.cases.card_row(case.id)
            targets = [(dict(message), card)] if card is not None else []
        for payload, reply_to in targets:
            enqueue(
                uow, method="chat.postMessage", payload=payload, purpose="deadline_chase",
                ordering_key=f"case:{case.id}", now=now, case_id=case.id, reply_to=reply_to,
            )  # fmt: skip

    async def _touchpoint_digest(self, uow: UnitOfWork, team_id: int, now: datetime) -> int:
        overdue = await uow.allocations.overdue_touchpoints(team_id, london_today(self.clock))
        by_spo: dict[str, list[tuple[Case, TouchpointView]]] = {}
        for tp, allocation, case in overdue:
            by_spo.setdefault(allocation.allocated_by, []).append((case, touchpoint_view(tp, allocation)))
        for spo, rows in by_spo.items():
            enqueue(
                uow, method="chat.postMessage", payload={"channel": spo, **overdue_touchpoints_digest(rows)},
                purpose="touchpoint_digest", ordering_key=f"digest:{spo}", now=now,
            )  # fmt: skip
        return len(by_spo)
