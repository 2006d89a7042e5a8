"""The `casebot` command (CONTRACT.md): serve, migrate, teams load, import.

Exit codes: 0 success, 1 runtime failure, 2 bad input (the message names file, line and field).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.app import create_services
from bot.importer import ImportFileError, import_file
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.teams import load_teams
from bot.teams_file import TeamsFileError, parse_teams_file
from storage.migrate import upgrade_to_head

OK, FAILURE, BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casebot", description="Probation case allocation in Slack.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="migrate the database, then run the bot")
    sub.add_parser("migrate", help="bring the database to the newest schema")
    teams = sub.add_parser("teams", help="manage teams and staff")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True)
    load = teams_sub.add_parser("load", help="load teams and staff from a YAML file")
    load.add_argument("file", type=Path)
    imp = sub.add_parser("import", help="import cases from a CSV or JSON file")
    imp.add_argument("file", type=Path)
    return parser


def _err(message: str) -> None:
    print(message, file=sys.stderr)


async def _teams_load(settings: Settings, path: Path) -> int:
    try:
        parsed = parse_teams_file(path.read_text(encoding="utf-8"))
    except OSError as exc:
        _err(f"{path}: cannot read: {exc.strerror}")
        return BAD_INPUT
    except UnicodeDecodeError:
        _err(f"{path}: cannot read: the file is not UTF-8 text")
        return BAD_INPUT
    except TeamsFileError as exc:
        for problem in exc.problems:
            _err(f"{path}: {problem}")
        _err(f"{path}: nothing loaded; the teams already loaded are unchanged")
        return BAD_INPUT
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    services = create_services(settings)
    try:
        summary = await load_teams(services.db.uow, parsed, clock=services.clock)
    finally:
        await services.db.dispose()
    print(f"{path}: {summary}")
    return OK


async def _import(settings: Settings, path: Path) -> int:
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    services = create_services(settings)
    try:
        report = await import_file(services, path)
    except ImportFileError as exc:
        _err(str(exc))
        return BAD_INPUT
    finally:
        await services.db.dispose()
    for problem in report.problems:
        _err(problem)
    print(f"{path}: {report.created} stored and queued for Slack (`casebot serve` posts them), {report.repeated} already held, {report.rejected} rejected")
    return BAD_INPUT if report.rejected else OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        if args.command == "serve":
            settings.require_for_serve()
            from bot.serve import serve

            asyncio.run(serve(settings))
            return OK
        if args.command == "migrate":
            upgrade_to_head(settings.database_url)
            print("database is at the newest schema")
            return OK
        if args.command == "teams":
            return asyncio.run(_teams_load(settings, args.file))
        if args.command == "import":
            return asyncio.run(_import(settings, args.file))
    except SettingsError as exc:
        _err(f"casebot: {exc}")
        return BAD_INPUT
    except KeyboardInterrupt:
        return OK
    except Exception as exc:  # one line for the operator; the JSON log has the traceback
        logging.getLogger("casebot.cli").exception("command failed")
        _err(f"casebot: {args.command} failed: {type(exc).__name__}; see the log above")
        return FAILURE
    return FAILURE


if __name__ == "__main__":
    sys.exit(main())
