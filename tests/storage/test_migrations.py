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
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.orm import Session

from storage.db import sync_url
from storage.migrate import alembic_config, upgrade_to_head
from storage.models import Base, Team

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
        session.add(Team(code="N07T1", name="Sheffield North", channel_id="C0123456789", updated_at=datetime.now(timezone.utc)))
        session.commit()
    before = _schema(engine)

    upgrade_to_head(database_url)
    upgrade_to_head(database_url)

    assert _current_revision(engine) == _head(database_url)
    assert _schema(engine) == before
    with Session(engine) as session:
        assert session.scalars(select(Team.code)).all() == ["N07T1"]


def test_the_migrated_schema_equals_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)

    assert diff == [], f"the migrations and storage/models.py disagree; add a migration: {diff}"


def test_casebot_migrate_brings_a_new_empty_sqlite_file_to_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CASEBOT_"))}
    env["CASEBOT_DATABASE_URL"] = url
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))

    done = subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )

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
    command.upgrade(alembic_config(url), "0007")
    engine = create_engine(sync_url(url))
    now = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc).isoformat()
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
