"""Engines, sessions and the unit of work.

Operators give one URL (README: `sqlite:///casebot.db`, `postgresql+psycopg://...`).
The running bot needs the async drivers and Alembic the sync ones, so the URL is translated
here and nowhere else.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.case_paths import CasePathRepository
from storage.repositories import (
    AllocationRepository,
    AuditRepository,
    CaseRepository,
    JobRepository,
    OutboxRepository,
    PolicyRepository,
    PreferenceRepository,
    TeamRepository,
)
from storage.sqlite_writer import SqliteWriterGate

SQLITE_BUSY_TIMEOUT_MS = 15_000


def sync_url(url: str) -> URL:
    """The URL for Alembic and other synchronous tools."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite")
    return parsed.set(drivername="postgresql+psycopg")


def async_url(url: str) -> URL:
    """The URL for the running bot's async engine."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    return parsed.set(drivername="postgresql+psycopg")


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the writer; busy_timeout makes writers queue, not fail."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    """An async engine for `url`, tuned for the store behind it."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        engine = create_async_engine(target)
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        SqliteWriterGate(SQLITE_BUSY_TIMEOUT_MS / 1000).install(engine)
        return engine
    return create_async_engine(target, pool_size=10, max_overflow=10, pool_pre_ping=True)


class UnitOfWork:
    """One transaction. Rolls back unless `commit()` was called (cosmicpython's pattern).

    Services and repositories never commit; the caller that owns the unit of work does, once.
    """

    session: AsyncSession
    teams: TeamRepository
    cases: CaseRepository
    audit: AuditRepository
    outbox: OutboxRepository
    allocations: AllocationRepository
    preferences: PreferenceRepository
    jobs: JobRepository
    policies: PolicyRepository
    paths: CasePathRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.teams = TeamRepository(self.session)
        self.cases = CaseRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.allocations = AllocationRepository(self.session)
        self.preferences = PreferenceRepository(self.session)
        self.jobs = JobRepository(self.session)
        self.policies = PolicyRepository(self.session)
        self.paths = CasePathRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the objects without
        # expiring them, so what a service returns stays readable after the unit of work ends.
        await self.session.close()

    async def flush(self) -> None:
        """Write what was added so far, so the database fills in the new rows' ids."""
        await self.session.flush()

    async def commit(self) -> None:
        await self.session.commit()


class Database:
    """The engine and its session factory, built once from settings by the app factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    async def dispose(self) -> None:
        await self.engine.dispose()
