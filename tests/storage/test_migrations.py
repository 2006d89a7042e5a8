"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL.

`storage/models.py` promises that every migration leaves the schema equal to the models; these
tests hold it to that, check that migrating a database already at head changes nothing, and
that `casebot migrate` brings a brand-new SQLite file to head.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, insert, inspect, select, text
from sqlalchemy.orm import Session

from storage.db import sync_url
from storage.migrate import alembic_config, same_server_default, upgrade_to_head
from storage.models import Base, Case, Practitioner, Team
from tests.support.databases import postgres_available, postgres_database

REPO_ROOT = Path(__file__).resolve().parents[2]


def _head(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(sync_url(database_url))
    yield engine
    engine.dispose()


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _schema(engine: Engine) -> dict[str, object]:
    """Tables with their columns, indexes, unique and foreign keys, as the database reports them."""
    inspector = inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted((i["name"] or "", tuple(i["column_names"])) for i in inspector.get_indexes(table)),
            sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
            sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in inspector.get_foreign_keys(table)),
        )
        for table in sorted(inspector.get_table_names())
    }


def test_the_fixture_database_is_at_head(database_url: str, engine: Engine) -> None:
    assert _current_revision(engine) == _head(database_url)


def test_upgrading_a_database_at_head_again_changes_nothing(database_url: str, engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Team(code="N07T1", name="Sheffield North", channel_id="C0123456789", updated_at=datetime.now(UTC)))
        session.commit()
    before = _schema(engine)

    upgrade_to_head(database_url)
    upgrade_to_head(database_url)

    assert _current_revision(engine) == _head(database_url)
    assert _schema(engine) == before
    with Session(engine) as session:
        assert session.scalars(select(Team.code)).all() == ["N07T1"]


def _drift(engine: Engine) -> list[object]:
    """What autogenerate would write: types and server defaults compared too."""
    opts = {"compare_type": True, "compare_server_default": same_server_default}
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection, opts=opts), Base.metadata))


def test_the_migrated_schema_equals_the_models(engine: Engine) -> None:
    diff = _drift(engine)

    assert diff == [], f"the migrations and storage/models.py disagree; add a migration: {diff}"


def test_a_server_default_the_migrations_do_not_have_is_drift(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a model default changed without a migration shows as drift."""
    column = Base.metadata.tables["practitioners"].c
    monkeypatch.setattr(column.contracted_hours.server_default, "arg", text("38"))
    monkeypatch.setattr(column.caseload.server_default, "arg", text("'[]'"))

    assert sorted(d[0][3] for d in _drift(engine)) == ["caseload", "contracted_hours"]  # type: ignore[index]


def _migrate_together(urls: list[str], tmp_path: Path, processes: int = 2) -> list[subprocess.CompletedProcess[str]]:
    """`processes` processes migrate each of `urls` in turn, starting each one at one moment:
    imported and ready, they wait for that round's go file."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_ON_GO, str(tmp_path), str(n), *urls],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for n in range(processes)
    ]  # fmt: skip
    for round_ in range(len(urls)):
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"ready-{round_}-{n}").exists() for n in range(processes)):
            if time.monotonic() > deadline or any(run.poll() is not None for run in runs):
                break
            time.sleep(0.01)
        (tmp_path / f"go-{round_}").touch()
    return [subprocess.CompletedProcess(run.args, run.wait(timeout=120), *run.communicate()) for run in runs]


MIGRATE_ON_GO = """
import pathlib, sys, time
from storage.migrate import upgrade_to_head
folder, me, urls = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
for round_, url in enumerate(urls):
    (folder / f"ready-{round_}-{me}").touch()
    deadline = time.monotonic() + 60
    while not (folder / f"go-{round_}").exists() and time.monotonic() < deadline:
        time.sleep(0.002)
    upgrade_to_head(url)
"""


def _assert_all_at_head(url: str, runs: list[subprocess.CompletedProcess[str]]) -> None:
    assert [run.returncode for run in runs] == [0] * len(runs), [run.stderr[-2000:] for run in runs]
    engine = create_engine(sync_url(url))
    try:
        assert _current_revision(engine) == _head(url)
        assert _drift(engine) == []
    finally:
        engine.dispose()


def test_replicas_migrating_an_empty_postgresql_database_together_all_succeed(tmp_path: Path) -> None:
    """`serve` migrates at start; replicas starting together must not fail each other. Three
    rounds: without the lock one of two processes failed about three times in five."""
    if not postgres_available():
        if os.environ.get("CASEBOT_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (CASEBOT_TEST_REQUIRE_POSTGRES=1) but not reachable")
        pytest.skip("PostgreSQL not reachable")
    with postgres_database(migrated=False) as one, postgres_database(migrated=False) as two, postgres_database(migrated=False) as three:
        urls = [one, two, three]
        runs = _migrate_together(urls, tmp_path)
        for url in urls:
            _assert_all_at_head(url, runs)


def test_replicas_migrating_a_new_sqlite_file_together_all_succeed(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / f'new-{n}.db'}" for n in range(3)]
    runs = _migrate_together(urls, tmp_path)
    for url in urls:
        _assert_all_at_head(url, runs)


def test_casebot_migrate_brings_a_new_empty_sqlite_file_to_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CASEBOT_"))}
    env["CASEBOT_DATABASE_URL"] = url
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))

    done = subprocess.run([sys.executable, "-m", "bot.runtime.cli", "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "new.db").exists()
    engine = create_engine(sync_url(url))
    try:
        assert _current_revision(engine) == _head(url)
        assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()


def test_the_lanes_migration_gives_each_unsent_row_its_lane(tmp_path: Path) -> None:
    """Rows queued before lanes existed are claimable after the upgrade: each unsent row gets
    the lane it would get today (a reply the lane of its parent); sent rows are left ''."""
    url = f"sqlite:///{tmp_path / 'before_lanes.db'}"
    command.upgrade(alembic_config(url), "0009")
    engine = create_engine(sync_url(url))
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC).isoformat()
    rows = [
        (1, "chat.postMessage", {"channel": "C0123456789"}, None, "sent"),
        (2, "chat.postMessage", {"channel": "C0123456789"}, None, "pending"),
        (3, "chat.update", {"text": "allocated"}, 2, "pending"),
        (4, "chat.postMessage", {"channel": "U0PP00001"}, None, "sending"),
        (5, "home.publish", {"user_id": "U0SPO0001"}, None, "pending"),
    ]
    try:
        with engine.begin() as connection:
            for id_, method, payload, reply_to, state in rows:
                connection.execute(
                    text(
                        "INSERT INTO outbox (id, ordering_key, method, payload, purpose, reply_to_id, state, attempts,"
                        " outcome_unknown, next_attempt_at, created_at) VALUES (:id, 'k', :method, :payload, 'p', :reply_to,"
                        " :state, 0, false, :now, :now)"
                    ),
                    {"id": id_, "method": method, "payload": json.dumps(payload), "reply_to": reply_to, "state": state, "now": now},
                )
        upgrade_to_head(url)
        with engine.connect() as connection:
            lanes = dict(connection.execute(text("SELECT id, lane FROM outbox")).all())
    finally:
        engine.dispose()

    assert lanes == {1: "", 2: "ch:C0123456789", 3: "ch:C0123456789", 4: "dm:U0PP00001", 5: "home"}


def test_the_allocation_tier_migration_copies_each_cases_tier(tmp_path: Path) -> None:
    """Allocations made before the tier was stored on them take their case's tier, so the
    caseload counts read from the allocations alone stay what they were."""
    url = f"sqlite:///{tmp_path / 'before_tier.db'}"
    command.upgrade(alembic_config(url), "0014")
    engine = create_engine(sync_url(url))
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    try:
        with engine.begin() as connection:
            connection.execute(insert(Team), [{"id": 1, "code": "N07T1", "name": "Team", "channel_id": "C0TEAM", "spo_user_ids": [], "updated_at": at}])
            connection.execute(
                insert(Practitioner), [{"id": 1, "team_id": 1, "staff_code": "N07A001", "name": "Ada", "grade": "PO", "slack_user_id": "U0PP00001"}]
            )
            connection.execute(
                insert(Case),
                [
                    {"id": case_id, "event_id": f"e{case_id}", "crn": f"X00000{case_id}", "name": "Person", "team_id": 1, "tier": tier,
                     "sentence_type": "Community Order", "sentence_date": date(2026, 11, 20), "state": "allocated",
                     "due_by": date(2026, 11, 24), "received_at": at}
                    for case_id, tier in ((1, "B2"), (2, "D0"))
                ],
            )  # fmt: skip
            for allocation_id, case_id, current in ((1, 1, False), (2, 1, True), (3, 2, True)):
                connection.execute(
                    text(
                        "INSERT INTO allocations (id, case_id, practitioner_id, allocated_by, allocated_at, current, evidence,"
                        " evidence_sensitive, hate_crime, outside_policy, policy_exceptions, notify_user_ids)"
                        " VALUES (:id, :case_id, 1, 'U0SPO0001', :now, :current, 'Evidence', false, false, false, '[]', '[]')"
                    ),
                    {"id": allocation_id, "case_id": case_id, "current": current, "now": at.isoformat()},
                )
        upgrade_to_head(url)
        with engine.connect() as connection:
            tiers = {id_: tier for id_, tier in connection.execute(text("SELECT id, tier FROM allocations"))}
    finally:
        engine.dispose()

    assert tiers == {1: "B2", 2: "B2", 3: "D0"}
