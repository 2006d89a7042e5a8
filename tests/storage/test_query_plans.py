"""The intake finds people's cases by their keys on SQLite, not by an index on the case state.

SQLite plans without statistics (no ANALYZE has run on a bot's database): a state index read
beside a CRN filter covered every allocated case, a fixed cost on every intake batch that
grew with the region (0.2x raw inserts at 100,000 cases, benchmarks/scale.py). These tests read
SQLite's own plan for each statement the intake sent.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.demo.fake_slack import FakeSlack
from bot.domain.teams_file import parse_teams_file
from bot.runtime.app import create_services
from bot.services.teams import load_teams
from tests.support.bot import bot_settings
from tests.support.databases import sqlite_copy
from tests.support.factories import TEAMS_YAML, case_fields


def _plans(path: Path, statements: list[tuple[str, Any]]) -> list[str]:
    """SQLite's plan lines for each captured read of the cases table."""
    with sqlite3.connect(path) as conn:
        return [
            row[3]
            for statement, parameters in statements
            if statement.lstrip().upper().startswith("SELECT") and "FROM cases" in statement
            for row in conn.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        ]


async def test_intake_reads_cases_by_crn_or_event_id_never_by_state(tmp_path: Path, _sqlite_template: Path, fake_slack: FakeSlack) -> None:
    url = sqlite_copy(_sqlite_template, tmp_path)
    services = create_services(bot_settings(url, fake_slack))
    await load_teams(services.db.uow, parse_teams_file(TEAMS_YAML), clock=services.clock)
    await services.receive_cases([case_fields(event_id="evt-1", crn="X000001")], source="test")
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        sent.append((statement, parameters))

    event.listen(services.db.engine.sync_engine, "before_cursor_execute", capture)
    # A later event for the person already held and new people: all are looked up by CRN. A
    # batch of eight (as concurrent intake requests make): with more CRNs than open states in
    # the query, SQLite's planner had judged the state index the cheaper read.
    batch = [case_fields(event_id="evt-later", crn="X000001")] + [case_fields(event_id=f"evt-new-{n}", crn=f"X10000{n}") for n in range(7)]
    await services.receive_cases(batch, source="test")
    await services.db.dispose()

    plans = _plans(Path(url.split("///", 1)[1]), sent)
    cases_reads = [line for line in plans if " cases " in f"{line} "]
    assert cases_reads, plans
    assert not [line for line in cases_reads if "SCAN cases" in line or "ix_cases_state" in line], cases_reads
