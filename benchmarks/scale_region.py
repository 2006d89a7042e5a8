"""The generated region benchmarks/scale.py measures: the teams file of a region, the shape of
its data, and the untimed generator that writes it (SQLAlchemy Core `insert()` in batches) into
a migrated database. Kept apart from the measurements so each reads as one thing; the module
docstring of benchmarks/scale.py says what the region holds.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text

from bot.domain.calendar import allocation_due_by, is_working_day, subtract_working_days, working_day_on_or_after
from bot.domain.clock import LONDON, FixedClock
from bot.domain.teams_file import parse_teams_file
from bot.domain.working_hours import morning_of
from bot.domain.workload import ALL_TIERS
from bot.runtime.app import create_services
from bot.runtime.settings import Settings
from bot.services.teams import load_teams
from storage.db import sync_url
from storage.migrate import upgrade_to_head
from storage.models import (
    Allocation,
    AuditEvent,
    Case,
    OutboxMessage,
    Practitioner,
    ScheduledJob,
    Team,
    Touchpoint,
)
from tests.support.factories import big_team_yaml

BIG = "RBIG"
CLICK_CASES = 20
BATCH = 5000
TIER_WEIGHTS = [1, 2, 3, 3, 3, 5, 6, 6, 6, 8, 9, 8, 6, 6, 5, 4]  # fewer A, more B-C


def last_working_ten_am(today: date) -> datetime:
    """10:00 London on `today` if a working day, else on the last working day before it."""
    day = today
    while not is_working_day(day):
        day -= timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=LONDON).astimezone(UTC)


T0 = last_working_ten_am(datetime.now(LONDON).date())
TODAY = T0.astimezone(LONDON).date()
TOUCHPOINT_DAY = working_day_on_or_after(TODAY + timedelta(days=14))


def settings(url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, slack_bot_token="xoxb-bench", slack_signing_secret="s", slack_api_url="http://127.0.0.1:9/api/",
        database_url=url, intake_token="bench-token", port=0, log_level="WARNING",
    )  # fmt: skip


def region_teams_yaml(small_teams: int, per_team: int, big_team: int) -> str:
    """The big team (big_team_yaml) and `small_teams` teams of `per_team` practitioners."""
    lines = [big_team_yaml(big_team, code=BIG).rstrip("\n")]
    for t in range(small_teams):
        lines += [
            f"  - code: R{t:03d}",
            f"    name: Region Team {t}",
            f"    channel: C0R{t:06d}",
            f"    spos: [U0SPR{t:04d}]",
            "    practitioners:",
        ]
        for p in range(per_team):
            lines += [
                f"      - staff_code: R{t:03d}P{p:03d}",
                f"        name: Region {t} Practitioner {p}",
                f"        grade: {('PO', 'PSO', 'PQiP')[p % 3]}",
                f"        slack_user: UR{t:03d}P{p:03d}",
                "        ready_for_tiers: [A, B, C, D]",
                f"        visor_vetted: {'true' if p % 2 else 'false'}",
            ]
    return "\n".join(lines) + "\n"


@dataclass
class Shape:
    cases: int = 100_000
    small_teams: int = 90
    per_team: int = 20
    big_team: int = 200
    big_team_cases: int = 10_000
    due: int = 500
    recent_share: float = 0.02
    unallocated_share: float = 0.01
    reallocated_share: float = 0.05


@dataclass
class Generated:
    click_case_ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class _Rows:
    cases: list[dict[str, Any]] = field(default_factory=list)
    allocations: list[dict[str, Any]] = field(default_factory=list)
    touchpoints: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)


class _Ids:
    """Explicit ids, after whatever the tables already hold (the teams loader audits)."""

    def __init__(self, start: dict[str, int]) -> None:
        self.next = {kind: start.get(kind, 0) + 1 for kind in ID_TABLES}

    def take(self, kind: str) -> int:
        value = self.next[kind]
        self.next[kind] = value + 1
        return value


ID_TABLES = {"case": Case, "allocation": Allocation, "touchpoint": Touchpoint, "job": ScheduledJob, "outbox": OutboxMessage, "audit": AuditEvent}


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


class Generator:
    """Writes the region (or the empty baseline) with explicit ids, table by table in batches."""

    def __init__(self, shape: Shape, teams: dict[str, tuple[int, str, list[str]]], staff: dict[int, list[tuple[int, str]]], max_ids: dict[str, int]) -> None:
        self.shape = shape
        self.teams = teams  # code -> (id, channel, spos)
        self.staff = staff  # team id -> [(practitioner id, slack user)]
        self.rng = random.Random(8)
        self.ids = _Ids(max_ids)
        self.rows = _Rows()
        self.click_case_ids: list[int] = []
        self.due_left = shape.due

    # -- one case and everything that hangs off it ------------------------------------------

    def case(self, team_code: str, *, state: str, sentence: date, kind: str) -> int:
        team_id, channel, spos = self.teams[team_code]
        case_id = self.ids.take("case")
        received = _at(sentence, 15)
        self.rows.cases.append({
            "id": case_id, "event_id": f"region-{case_id}", "crn": f"R{case_id % 1_000_000:06d}", "name": f"Person {case_id}",
            "team_id": team_id, "tier": self.rng.choices(ALL_TIERS, TIER_WEIGHTS)[0], "sentence_type": "Community Order",
            "sentence_date": sentence, "custodial": False, "prison": None, "rosh": "Medium", "rsr": None, "mappa_category": None,
            "mappa_level": None, "offence": "Theft", "previous_practitioner": None, "release_date": None, "restricted": False,
            "excluded_practitioners": [], "state": state, "due_by": allocation_due_by(sentence, 2), "received_at": received,
            "slack_channel": channel, "slack_ts": f"{received.timestamp():.6f}",
        })  # fmt: skip
        self._outbox(case_id, "case_card", f"case:{case_id}", {"channel": channel, "text": f"New case {case_id}"}, received, channel)
        self._audit(case_id, "case_received", received, {"team": team_code})
        if state == "allocated":
            self._allocate(case_id, team_id, spos[0], received, self.rows.cases[-1]["tier"], recent=kind == "recent")
        return case_id

    def _allocate(self, case_id: int, team_id: int, spo: str, received: datetime, tier: str, *, recent: bool) -> None:
        staff = self.staff[team_id]
        holder_id, holder_user = staff[self.rng.randrange(len(staff))]
        allocated_at = (T0 - timedelta(days=self.rng.randint(1, 6), hours=2)) if recent else received + timedelta(days=1)
        if not recent and self.rng.random() < self.shape.reallocated_share:
            before_id, _ = staff[self.rng.randrange(len(staff))]
            self.rows.allocations.append(self._allocation(self.ids.take("allocation"), case_id, before_id, spo, allocated_at, tier, current=False))
            allocated_at += timedelta(days=30)
        allocation_id = self.ids.take("allocation")
        self.rows.allocations.append(self._allocation(allocation_id, case_id, holder_id, spo, allocated_at, tier, current=True))
        self._outbox(case_id, "allocation_notice", f"case:{case_id}", {"channel": holder_user, "text": "Allocated"}, allocated_at, "D" + holder_user[1:])
        self._audit(case_id, "allocated", allocated_at, {"allocation_id": allocation_id})
        touchpoint_id = self.ids.take("touchpoint")
        tp_day = TOUCHPOINT_DAY if recent else (allocated_at + timedelta(days=15)).date()
        self.rows.touchpoints.append({
            "id": touchpoint_id, "case_id": case_id, "allocation_id": allocation_id, "due_on": tp_day,
            "priority": ("high", "normal")[case_id % 2], "not_required_reason": None,
            "state": "planned" if recent else "recorded", "created_at": allocated_at,
            "notes": None if recent else "Touchpoint held.", "notes_sensitive": None if recent else False,
            "outcome_by": None if recent else spo, "outcome_at": None if recent else _at(tp_day, 14),
        })  # fmt: skip
        before = morning_of(subtract_working_days(tp_day, 2))
        for when, recipient, due_at in (("before", holder_user, before), ("day", spo, morning_of(tp_day))):
            if recent and when == "before" and self.due_left > 0:
                due_at = T0 - timedelta(minutes=60) + timedelta(seconds=self.due_left % 60)
                self.due_left -= 1
            self.rows.jobs.append({
                "id": self.ids.take("job"), "kind": "touchpoint_reminder", "case_id": case_id, "touchpoint_id": touchpoint_id,
                "recipient": recipient, "due_at": due_at, "state": "planned" if recent else "done", "claim": None,
                "detail": {"when": when}, "created_at": allocated_at, "done_at": None if recent else due_at,
            })  # fmt: skip

    @staticmethod
    def _allocation(allocation_id: int, case_id: int, practitioner_id: int, spo: str, at: datetime, tier: str, *, current: bool) -> dict[str, Any]:
        return {
            "id": allocation_id, "case_id": case_id, "practitioner_id": practitioner_id, "tier": tier, "allocated_by": spo, "allocated_at": at,
            "current": current, "evidence": "Experienced with this kind of case and has capacity this month.",
            "evidence_sensitive": False, "hate_crime": False, "hate_crime_notes": None, "hate_crime_sensitive": None,
            "outside_policy": False, "policy_exceptions": [], "notify_user_ids": [],
            "reason": None, "ended_at": None if current else at + timedelta(days=30),
        }  # fmt: skip

    def _outbox(self, case_id: int, purpose: str, key: str, payload: dict[str, Any], at: datetime, channel: str) -> None:
        self.rows.outbox.append({
            "id": self.ids.take("outbox"), "ordering_key": key, "method": "chat.postMessage", "payload": payload,
            "purpose": purpose, "case_id": case_id, "reply_to_id": None, "state": "sent", "attempts": 1,
            "outcome_unknown": False, "next_attempt_at": at, "lease_until": None, "first_attempt_at": at,
            "last_error": None, "result": {"channel": channel, "ts": f"{at.timestamp():.6f}"}, "created_at": at,
            "sent_at": at + timedelta(seconds=1),
        })  # fmt: skip

    def _audit(self, case_id: int, action: str, at: datetime, detail: dict[str, Any]) -> None:
        self.rows.audit.append({"id": self.ids.take("audit"), "at": at, "actor": "bench", "action": action, "case_id": case_id, "detail": detail})

    # -- the two databases -------------------------------------------------------------------

    def click_cases(self) -> None:
        for _ in range(CLICK_CASES):
            self.click_case_ids.append(self.case(BIG, state="unallocated", sentence=TODAY - timedelta(days=1), kind="click"))

    def region(self) -> None:
        shape = self.shape
        self.click_cases()
        small = [code for code in self.teams if code != BIG]
        per_small = (shape.cases - shape.big_team_cases) // max(1, len(small))
        plan = [BIG] * (shape.big_team_cases - CLICK_CASES) + [code for code in small for _ in range(per_small)]
        self.rng.shuffle(plan)
        recent_every = max(1, round(1 / shape.recent_share)) if shape.recent_share else 0
        for n, code in enumerate(plan):
            if self.rng.random() < shape.unallocated_share:
                self.case(code, state="unallocated", sentence=TODAY - timedelta(days=self.rng.randint(0, 4)), kind="waiting")
            elif recent_every and n % recent_every == 0:
                self.case(code, state="allocated", sentence=TODAY - timedelta(days=self.rng.randint(8, 12)), kind="recent")
            else:
                self.case(code, state="allocated", sentence=TODAY - timedelta(days=self.rng.randint(40, 900)), kind="old")
        if self.due_left:
            raise ValueError(f"only {shape.due - self.due_left} recent allocations for {shape.due} due reminders: raise --cases")

    def empty(self) -> None:
        self.click_cases()
        small = [code for code in self.teams if code != BIG]
        for n in range(self.shape.due):
            self.case(small[n % len(small)], state="allocated", sentence=TODAY - timedelta(days=10), kind="recent")

    def write(self, url: str) -> dict[str, int]:
        engine = create_engine(sync_url(url))
        counts: dict[str, int] = {}
        tables = (
            (Case, self.rows.cases), (Allocation, self.rows.allocations), (Touchpoint, self.rows.touchpoints),
            (ScheduledJob, self.rows.jobs), (OutboxMessage, self.rows.outbox), (AuditEvent, self.rows.audit),
        )  # fmt: skip
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
            for model, rows in tables:
                for start in range(0, len(rows), BATCH):
                    conn.execute(insert(model), rows[start : start + BATCH])
                counts[model.__tablename__] = len(rows)
            if engine.dialect.name == "postgresql":
                for model, _ in tables:
                    table = model.__tablename__
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql("VACUUM ANALYZE")  # autovacuum would do both soon after a bulk load
                # The load's dirty pages written now, not by a checkpoint during a timed figure
                # (a region's database is not fresh from a million-row load).
                conn.exec_driver_sql("CHECKPOINT")
        engine.dispose()
        return counts


async def populate(url: str, shape: Shape, *, region: bool) -> Generated:
    """Migrate, load the teams, then write the region (or the empty baseline). Untimed set-up."""
    started = time.perf_counter()
    upgrade_to_head(url)
    services = create_services(settings(url), clock=FixedClock(T0))
    try:
        await load_teams(services.db.uow, parse_teams_file(region_teams_yaml(shape.small_teams, shape.per_team, shape.big_team)), clock=services.clock)
        async with services.db.engine.connect() as conn:
            teams = {
                code: (tid, channel, list(spos))
                for tid, code, channel, spos in (await conn.execute(select(Team.id, Team.code, Team.channel_id, Team.spo_user_ids))).all()
            }
            staff: dict[int, list[tuple[int, str]]] = {}
            for pid, team_id, user in (
                await conn.execute(select(Practitioner.id, Practitioner.team_id, Practitioner.slack_user_id).order_by(Practitioner.id))
            ).all():
                staff.setdefault(team_id, []).append((pid, user))
            max_ids = {kind: int((await conn.execute(select(func.coalesce(func.max(model.id), 0)))).scalar_one()) for kind, model in ID_TABLES.items()}
    finally:
        await services.db.dispose()
    generator = Generator(shape, teams, staff, max_ids)
    if region:
        generator.region()
    else:
        generator.empty()
    counts = await asyncio.to_thread(generator.write, url)
    counts["practitioners"] = sum(len(v) for v in staff.values())
    counts["teams"] = len(teams)
    return Generated(generator.click_case_ids, counts, time.perf_counter() - started)


# ---- figures ----------------------------------------------------------------------------------
