"""Scheduled work: touchpoint reminders, deadline chases, digests, the prison-notice check,
POM-led cases reaching their handover lead time (bot/services/handover.py).

The plan lives in `scheduled_jobs` rows; APScheduler only calls `tick()` every few
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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.domain.calendar import working_days_between
from bot.domain.clock import Clock, london_today
from bot.domain.enums import OutboxPurpose, TouchpointState
from bot.domain.facts import DueTouchpoint, WaitingCase
from bot.domain.working_hours import next_working_moment, within_working_hours
from bot.services import notices
from bot.services.handover import handovers_due
from bot.services.slices import in_slices
from storage.db import Database, UnitOfWork
from storage.models import Allocation, Case, OutboxMessage, Team, Touchpoint
from storage.repositories.jobs import ClaimedJob

log = logging.getLogger("casebot.scheduler")

CLAIM_BATCH = 500
MORNING_RUNS = ("deadline_chase", "touchpoint_digest")


@dataclass(frozen=True)
class Preloaded:
    """What a tick's jobs need, loaded in one query for the whole batch, not one per job, and
    the outbox rows they queue, inserted in one statement once every job has run."""

    touchpoints: dict[int, DueTouchpoint]
    cases: dict[int, Case]  # the prison checks' cases, with their teams
    prison_rows: dict[str, list[OutboxMessage]]  # their prison notices, by ordering key
    outbox: list[dict[str, Any]] = field(default_factory=list)


def stale(when: str, due_on: date, today: date) -> bool:
    """A 'before' reminder on or after the day, or a 'day' reminder after it, would mislead."""
    return (when == "before" and today >= due_on) or (when == "day" and today > due_on)


class Scheduler:
    """One `tick()` does everything due; safe to run in several processes at once."""

    def __init__(self, db: Database, clock: Clock, *, nudge: Callable[[], None] = lambda: None, record_case_url: str | None = None) -> None:
        self.db = db
        self.clock = clock
        self.nudge = nudge
        self.record_case_url = record_case_url
        self._handlers: dict[str, Callable[[UnitOfWork, ClaimedJob, datetime, Preloaded], Awaitable[bool]]] = {
            "touchpoint_reminder": self._touchpoint_reminder,
            "prison_check": self._prison_check,
        }

    async def tick(self) -> int:
        """Run what is due now; returns how many jobs and morning runs did work."""
        now = self.clock.now()
        done = await self._run_due_jobs(now)
        done += await handovers_due(self.db, now, london_today(self.clock), self.record_case_url)
        if within_working_hours(now):
            done += await self._morning_runs(now)
        if done:
            self.nudge()
        return done

    async def _run_due_jobs(self, now: datetime) -> int:
        async with self.db.uow() as uow:
            token = uuid.uuid4().hex
            jobs = await uow.jobs.claim_due(now, token, CLAIM_BATCH)
            if not jobs:
                return 0  # most ticks: the claim's one statement, nothing to commit
            checked = {job.case_id for job in jobs if job.kind == "prison_check" and job.case_id}
            preloaded = Preloaded(
                touchpoints=await uow.allocations.due_touchpoints({j.touchpoint_id for j in jobs if j.touchpoint_id}),
                cases=await uow.cases.with_teams(checked),
                prison_rows=await uow.outbox.with_keys((f"prison:{case_id}" for case_id in checked), OutboxPurpose.PRISON_NOTICE),
            )
            deferred: list[int] = []
            async for job in in_slices(jobs):
                handler = self._handlers.get(job.kind)
                if handler and not await handler(uow, job, now, preloaded):
                    deferred.append(job.id)
            await uow.outbox.insert_many(preloaded.outbox)
            await uow.jobs.settle(token, now, deferred, next_working_moment(now))
            await uow.commit()
        return len(jobs) - len(deferred)

    async def _touchpoint_reminder(self, uow: UnitOfWork, job: ClaimedJob, now: datetime, preloaded: Preloaded) -> bool:
        due = preloaded.touchpoints.get(job.touchpoint_id or 0)
        if due is None:
            return True
        if due.state != TouchpointState.PLANNED or not due.current or due.due_on is None:
            return True  # settled or moved on since the plan: nothing to say
        if not within_working_hours(now):
            return False  # deferred to the next working moment (`settle`)
        when = str(job.detail.get("when", "day"))
        if stale(when, due.due_on, london_today(self.clock)):
            return True  # sent late (the bot was down): a later reminder or the digest says it right
        preloaded.outbox.append(notices.touchpoint_reminder(due, str(job.recipient), when, now))
        return True

    async def _prison_check(self, uow: UnitOfWork, job: ClaimedJob, now: datetime, preloaded: Preloaded) -> bool:
        case = preloaded.cases.get(job.case_id or 0)
        if case is None:
            return True
        prison_rows = preloaded.prison_rows.get(f"prison:{case.id}", [])
        if prison_rows and all(row.state == "sent" for row in prison_rows):
            return True
        notices.prison_notice_overdue(uow, case, datetime.fromisoformat(str(job.detail["allocated_at"])), now)
        return True

    async def _morning_runs(self, now: datetime) -> int:
        """Every team's chase and digest not yet run today, in one transaction: one insert
        claims the runs (a replica's claim leaves those out), then one query per kind of work
        for all the teams, not one transaction and a few queries per team and kind."""
        today = london_today(self.clock)
        async with self.db.uow() as uow:
            if not await uow.jobs.teams_not_run(today, MORNING_RUNS):
                return 0  # after the morning, every tick stops here
            teams = await uow.teams.plain()
            taken = await uow.jobs.runs_on(today)
        wanted = [(kind, team.code) for team in teams for kind in MORNING_RUNS if (kind, team.code) not in taken]
        if not wanted:
            return 0
        async with self.db.uow() as uow:
            won = await uow.jobs.claim_runs(wanted, today, now)
            for kind, code in wanted:
                if (kind, code) not in won:
                    log.info("morning run already taken by another scheduler", extra={"kind": kind, "team": code})
            chase = [team for team in teams if ("deadline_chase", team.code) in won]
            digest = [team for team in teams if ("touchpoint_digest", team.code) in won]
            done = await self._chase_deadlines(uow, chase, now) + await self._touchpoint_digests(uow, digest, now)
            await uow.commit()
        return done

    async def _chase_deadlines(self, uow: UnitOfWork, teams: Sequence[Team], now: datetime) -> int:
        """Each unallocated case due today or overdue is chased in its thread, naming the SPOs;
        each team gets one digest, soonest first (seeds/003 s1.9, s2.2)."""
        today = london_today(self.clock)
        by_team: dict[int, list[tuple[WaitingCase, int]]] = {}
        async for waiting in in_slices(await uow.cases.awaiting_allocation([team.id for team in teams], today)):
            by_team.setdefault(waiting.team_id, []).append((waiting, working_days_between(waiting.case.due_by, today)))
        chased = [(team, by_team[team.id]) for team in teams if team.id in by_team]
        if chased:
            await notices.deadline_chases(uow, chased, now)
        return sum(len(rows) for _, rows in chased)

    async def _touchpoint_digests(self, uow: UnitOfWork, teams: Sequence[Team], now: datetime) -> int:
        """Each team's SPOs get one digest each of the touchpoints they are overdue on."""
        overdue = await uow.allocations.overdue_touchpoints([team.id for team in teams], london_today(self.clock))
        by_team: dict[int, dict[str, list[tuple[Case, Touchpoint, Allocation]]]] = {}
        for tp, allocation, case in overdue:
            by_team.setdefault(case.team_id, {}).setdefault(allocation.allocated_by, []).append((case, tp, allocation))
        for team in teams:
            for spo, rows in by_team.get(team.id, {}).items():
                notices.overdue_touchpoints(uow, spo, rows, now)
        return sum(len(by_spo) for by_spo in by_team.values())
