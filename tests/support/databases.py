"""Real databases for tests: a migrated SQLite file per test, and a PostgreSQL database per run.

Each pytest run creates its own PostgreSQL database (`casebot_test_<random>`) on the machine's
server and drops it at the end, so parallel runs cannot collide; tests truncate between them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text

from storage.db import sync_url
from storage.migrate import upgrade_to_head
from storage.models import Base

POSTGRES_ADMIN_URL = os.environ.get("CASEBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_available() -> bool:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@contextmanager
def postgres_database(*, migrated: bool = True) -> Iterator[str]:
    """A fresh database for this run (migrated unless told not to); yields its SQLAlchemy URL."""
    name = f"casebot_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(POSTGRES_ADMIN_URL)
    user = info.get("user", "postgres")
    host = info.get("host", "127.0.0.1")
    port = info.get("port", "5432")
    url = f"postgresql+psycopg://{user}@{host}:{port}/{name}"
    try:
        if migrated:
            upgrade_to_head(url)
        yield url
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def truncate_all(url: str) -> None:
    """Empty every table (keeping the schema and alembic_version) between tests."""
    engine = create_engine(sync_url(url))
    tables = ", ".join(f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def sqlite_template(directory: Path) -> Path:
    """A migrated SQLite file, made once per run and copied per test (migrating costs more)."""
    path = directory / "template.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "casebot.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"
