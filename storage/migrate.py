"""Alembic, driven from code so `casebot migrate` needs no alembic.ini on disk."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, Column, Connection, Engine, create_engine, event, func, select
from sqlalchemy.pool import NullPool

from storage.db import SQLITE_BUSY_TIMEOUT_MS, sync_url

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 0x636173_65626F74  # "casebot": one lock for every replica's migration


def same_server_default(
    context: object,
    inspected_column: object,
    metadata_column: Column[Any],
    inspected_default: str | None,
    metadata_default: object,
    rendered_metadata_default: str | None,
) -> bool | None:
    """Whether a column's server default differs between database and models, for alembic's
    `compare_server_default`. JSON has no `=` on PostgreSQL, so alembic's own check (a SELECT
    comparing the two) fails there: JSON defaults are compared as text, less PostgreSQL's cast.
    None leaves every other column to alembic."""
    if not isinstance(metadata_column.type, JSON):
        return None
    bare = [None if d is None else re.sub(r"::jsonb?$", "", d.strip()).strip("()") for d in (inspected_default, rendered_metadata_default)]
    return bare[0] != bare[1]


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(database_url).render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade_to_head(database_url: str) -> None:
    """Bring any database to the newest schema; a no-op when it is already there.

    Replicas may start together on an empty database: each migrates in one transaction that
    first takes a lock (a PostgreSQL advisory lock; on SQLite, its write lock, by BEGIN
    IMMEDIATE), so the second waits, then finds the schema at head and does nothing.
    """
    engine = _locking_engine(database_url)
    config = alembic_config(database_url)
    try:
        with engine.connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
            config.attributes["connection"] = connection  # env.py migrates on it, inside this transaction
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def _locking_engine(database_url: str) -> Engine:
    """A one-connection engine whose transactions take the migration lock on SQLite."""
    url = sync_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, poolclass=NullPool)
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _own_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite begins nothing itself; we BEGIN below

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, held to COMMIT

    return engine


def unmigrated(database_url: str) -> str | None:
    """Why a read-only command cannot run on this database yet, with the fix; None if at head.

    Creates nothing: a SQLite file that does not exist is reported, not made (opening one would
    leave an empty file behind)."""
    url = sync_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" and not Path(url.database).exists():
        return f"the database file {url.database} does not exist: run `casebot migrate` (or fix CASEBOT_DATABASE_URL)"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    if current is None:
        return "the database has no tables: run `casebot migrate`"
    if current != ScriptDirectory.from_config(alembic_config(database_url)).get_current_head():
        return "the database schema is older than this casebot: run `casebot migrate`"
    return None
