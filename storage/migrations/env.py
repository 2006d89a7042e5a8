"""Alembic environment: runs migrations with a synchronous engine from the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import Connection

from storage.migrate import same_server_default
from storage.models import Base

config = context.config


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=same_server_default,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """On the connection `upgrade_to_head` holds the migration lock on, else on a new one."""
    shared = config.attributes.get("connection")
    if shared is not None:
        run_migrations(shared)
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no sqlalchemy.url in the alembic config: migrate with `casebot migrate`, which sets it from CASEBOT_DATABASE_URL")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        run_migrations(connection)
    engine.dispose()


run_migrations_online()
