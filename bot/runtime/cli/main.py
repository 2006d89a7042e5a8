"""`casebot`'s entry point: the parser, the dispatch to each subcommand group, and the one line
an operator reads when a command fails."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
from datetime import date
from types import ModuleType

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.runtime.cli import audit, cases, policy, sar, staff, teams
from bot.runtime.cli.output import BAD_INPUT, FAILURE, OK, err
from bot.runtime.logs import configure_logging
from bot.runtime.settings import Settings, SettingsError, load_settings
from storage.migrate import upgrade_to_head

# Each subcommand group: a module with `add_parser(sub)` and `async run(settings, args) -> int`.
GROUPS: dict[str, ModuleType] = {"teams": teams, "policy": policy, "import": cases, "staff": staff, "sar": sar, "audit": audit}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casebot", description="Probation case allocation in Slack.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="migrate the database, then run the bot")
    sub.add_parser("migrate", help="bring the database to the newest schema")
    demo = sub.add_parser("demo", help="run the whole journey against an embedded fake Slack and print what people see")
    demo.add_argument("--step", action="store_true", help="wait for Enter between scenes (for a live audience)")
    demo.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD", help="tell the story as of this day (default: today)")
    for group in GROUPS.values():
        group.add_parser(sub)
    return parser


def _cause(exc: BaseException, command: str, settings: Settings | None) -> str | None:
    """What an operator can fix, and how, in one line; None when the cause is not one of these.
    Built from settings, not from the error's text (which can quote statement parameters)."""
    if isinstance(exc, OSError) and command == "serve" and settings is not None:
        if exc.errno == errno.EADDRINUSE:
            return f"port {settings.port} is in use: set CASEBOT_PORT to a free port, or stop what holds it"
        if exc.errno == errno.EACCES:
            return f"port {settings.port} needs privileges: set CASEBOT_PORT to 1024 or above"
        if exc.errno == errno.EADDRNOTAVAIL:
            return f"{settings.host} is not an address of this machine: set CASEBOT_HOST"
    if not isinstance(exc, DBAPIError) or settings is None:
        return None
    problem = str(exc.orig).lower()
    url = make_url(settings.database_url)
    if "no such table" in problem or isinstance(exc.orig, psycopg.errors.UndefinedTable):
        return "the database has no tables: run `casebot migrate`"
    if "unable to open database file" in problem:
        return f"cannot open the SQLite file {url.database}: create its folder, or fix CASEBOT_DATABASE_URL"
    if url.get_backend_name() == "postgresql" and isinstance(exc, OperationalError):
        if f'database "{(url.database or "").lower()}" does not exist' in problem:
            return f"PostgreSQL has no database {url.database}: create it (createdb {url.database}), or fix CASEBOT_DATABASE_URL"
        return f"cannot connect to PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}: start it, or fix CASEBOT_DATABASE_URL"
    return None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings: Settings | None = None
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        if args.command == "serve":
            settings.require_for_serve()
            from bot.runtime.serve import serve

            asyncio.run(serve(settings))
            return OK
        if args.command == "demo":
            from bot.demo.story import main as demo

            configure_logging("WARNING")
            return demo(today=args.date, step=args.step)
        if args.command == "migrate":
            upgrade_to_head(settings.database_url)
            print("database is at the newest schema")
            return OK
        if args.command in GROUPS:
            result: int = asyncio.run(GROUPS[args.command].run(settings, args))
            return result
    except SettingsError as exc:
        err(f"casebot: {exc}")
        return BAD_INPUT
    except KeyboardInterrupt:
        return OK
    except Exception as exc:  # one line for the operator: the cause and its fix, or the log's traceback
        cause = _cause(exc, args.command, settings)
        if cause is not None:
            err(f"casebot {args.command}: {cause}")
            return FAILURE
        logging.getLogger("casebot.cli").exception("command failed")
        err(f"casebot: {args.command} failed: {type(exc).__name__}; see the log above")
        return FAILURE
    return FAILURE
