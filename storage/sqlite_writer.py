"""One SQLite writer at a time in this process, queued in asyncio instead of SQLite's busy handler.

SQLite lets one connection write at a time. A second writer that finds the write lock taken
waits in SQLite's busy handler, which sleeps and retries (1, 2, 5 ... 100 ms a turn) up to
`busy_timeout`: under concurrent intake most of a request's time went to those sleeps, and a
long wait ended in `database is locked` (a 500). Here a connection that is about to write first
takes an `asyncio.Lock` shared by every connection of the engine; the lock is handed on, first
come first served, the moment the holder's transaction ends (its connection goes back to the
pool), so writers queue without sleeping and SQLite's own wait is never reached within one
process. Reads take no lock (WAL lets them run beside the writer).

The lock is taken inside SQLAlchemy's cursor hook, which runs in the greenlet of an async
call, so it can await (`await_only`). A writer that cannot get it within the busy timeout
goes ahead anyway and meets SQLite's own busy handler, as before: a lost release can slow
writes down, never stop them.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

HOLDS = "casebot_sqlite_writer"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(WRITES)


class SqliteWriterGate:
    """The writer lock of one engine, and the hooks that take and hand it on."""

    def __init__(self, wait_seconds: float) -> None:
        self.lock = asyncio.Lock()
        self.wait_seconds = wait_seconds

    def install(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "before_cursor_execute", self._before_execute)
        pool = engine.sync_engine.pool
        for name in ("checkin", "invalidate", "close"):
            event.listen(pool, name, self._release_record)
        event.listen(pool, "reset", self._on_reset)

    async def _acquire(self) -> bool:
        try:
            await asyncio.wait_for(self.lock.acquire(), self.wait_seconds)
        except TimeoutError:
            return False
        return True

    def _before_execute(self, conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if info.get(HOLDS) or not _is_write(statement):
            return
        if await_only(self._acquire()):
            info[HOLDS] = True

    def _on_reset(self, dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
        self._release_record(dbapi_connection, record)

    def _release_record(self, _dbapi_connection: Any, record: Any, *_args: Any) -> None:
        """The transaction is over (committed, rolled back, or the connection is gone)."""
        info = getattr(record, "info", None)
        if info is not None and info.pop(HOLDS, False):
            self.lock.release()
