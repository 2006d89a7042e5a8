"""What every subcommand shares: exit codes, reading the operator's file, opening the use cases
over the database, and writing to the terminal (errors on stderr; exports on stdout as UTF-8
whatever the locale)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.domain.errors import InvalidInput
from bot.runtime.services_factory import create_services
from bot.runtime.settings import Settings
from bot.services.facade import Services
from storage.migrate import unmigrated, upgrade_to_head

OK, FAILURE, BAD_INPUT = 0, 1, 2


def err(message: str) -> None:
    print(message, file=sys.stderr)


def read_text(path: Path) -> str | None:
    """The file's text, or None after saying on stderr why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        err(f"{path}: cannot read: {exc.strerror}")
    except UnicodeDecodeError:
        err(f"{path}: cannot read: the file is not UTF-8 text")
    return None


def emit(text: str) -> None:
    """Write `text` to stdout as UTF-8 whatever the locale says (README: SAR is UTF-8 JSON)."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (captured output)
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8"))
    (buffer or sys.stdout).flush()


def bad_input(command: str, exc: InvalidInput) -> int:
    for error in exc.errors:
        err(f"casebot {command}: {error.field}: {error.message}")
    return BAD_INPUT


async def unready(command: str, settings: Settings) -> bool:
    """A read-only command migrates nothing and creates nothing: on a database not at the
    newest schema (or a SQLite file not there) it says so, with the fix, and stops."""
    problem = await asyncio.to_thread(unmigrated, settings.database_url)
    if problem is not None:
        err(f"casebot {command}: {problem}")
    return problem is not None


@asynccontextmanager
async def services_for(settings: Settings, *, migrate: bool) -> AsyncIterator[Services]:
    """The use cases over the configured database, its connections closed when the command is
    done. `migrate`: first bring the database to the newest schema (the commands that write)."""
    if migrate:
        await asyncio.to_thread(upgrade_to_head, settings.database_url)
    services = create_services(settings)
    try:
        yield services
    finally:
        await services.db.dispose()
