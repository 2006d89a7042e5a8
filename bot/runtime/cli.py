"""The `casebot` command (README): serve, migrate, teams load, policy, import, staff import, sar, audit.

Exit codes: 0 success, 1 runtime failure, 2 bad input (the message names file, line and field).
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import getpass
import json
import logging
import sys
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.domain.errors import InvalidInput
from bot.domain.policy_file import Policy, PolicyFileError, field_line, parse_policy
from bot.domain.teams_file import TeamsFileError, parse_teams_file
from bot.queries.audit_export import allocation_rows, audit_filter, to_csv
from bot.queries.sar import NothingHeld, json_default, parse_crn, subject_access
from bot.runtime.app import create_services
from bot.runtime.logs import configure_logging
from bot.runtime.progress import terminal_progress
from bot.runtime.settings import Settings, SettingsError, load_settings
from bot.runtime.staff_cli import add_staff_parser, staff_import
from bot.services.importer import ImportFileError, import_file
from bot.services.policies import current_policy, load_policy
from bot.services.teams import load_teams
from storage.migrate import unmigrated, upgrade_to_head

OK, FAILURE, BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casebot", description="Probation case allocation in Slack.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="migrate the database, then run the bot")
    sub.add_parser("migrate", help="bring the database to the newest schema")
    sub.add_parser("demo", help="run the whole journey against an embedded fake Slack and print what people see")
    teams = sub.add_parser("teams", help="manage teams and staff")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True)
    load = teams_sub.add_parser("load", help="load teams and staff from a YAML file")
    load.add_argument("file", type=Path)
    policy = sub.add_parser("policy", help="the region's allocation policy (YAML)")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    policy_sub.add_parser("check", help="validate a policy file; stores nothing").add_argument("file", type=Path)
    policy_sub.add_parser("load", help="validate a policy file and put it in force").add_argument("file", type=Path)
    policy_sub.add_parser("show", help="print the policy in force (its version, then its YAML)")
    imp = sub.add_parser("import", help="import cases from a CSV or JSON file")
    imp.add_argument("file", type=Path)
    sar = sub.add_parser("sar", help="print the subject access export of one person (JSON), sensitive text withheld")
    sar.add_argument("crn", metavar="CRN")
    audit = sub.add_parser("audit", help="export allocation decisions for management review")
    audit.add_argument("--since", required=True, metavar="DATE", help="first London day (YYYY-MM-DD)")
    audit.add_argument("--until", metavar="DATE", help="last London day, inclusive (default: no end)")
    audit.add_argument("--team", metavar="CODE", help="one team's allocations only")
    audit.add_argument("--format", required=True, choices=("csv", "json"), dest="output_format")
    add_staff_parser(sub)
    return parser


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _read_text(path: Path) -> str | None:
    """The file's text, or None after saying on stderr why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        _err(f"{path}: cannot read: {exc.strerror}")
    except UnicodeDecodeError:
        _err(f"{path}: cannot read: the file is not UTF-8 text")
    return None


async def _teams_load(settings: Settings, path: Path) -> int:
    text = _read_text(path)
    if text is None:
        return BAD_INPUT
    try:
        parsed = parse_teams_file(text)
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


def _read_policy(path: Path) -> tuple[str, Policy] | None:
    """The file's text and policy, or None after printing 'FILE:LINE: field: message' lines."""
    text = _read_text(path)
    if text is None:
        return None
    try:
        return text, parse_policy(text)
    except PolicyFileError as exc:
        for p in exc.problems:
            _err(f"{path}:{p.line}: {p.field}: {p.message}" if p.line is not None else f"{path}: {p.field}: {p.message}")
    return None


def _operator() -> str:
    """Who ran the command, for the stored policy's `loaded_by` (the OS account name)."""
    try:
        return f"cli:{getpass.getuser()}"[:100]
    except (OSError, KeyError):  # no login name in a bare container
        return "cli"


async def _policy_show(settings: Settings) -> int:
    """The policy in force, version first: the shipped default until one is loaded."""
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    services = create_services(settings)
    try:
        shown = await current_policy(services.db.uow)
    finally:
        await services.db.dispose()
    if shown.loaded is None:
        origin = "the shipped default: no policy has been loaded"
    else:
        origin = f"loaded {shown.loaded[0]:%Y-%m-%d %H:%M} UTC by {shown.loaded[1]}"
    _emit(f"# policy {shown.version} ({origin})\n{shown.text}")
    return OK


async def _policy(settings: Settings, args: argparse.Namespace) -> int:
    """check validates only, touching no database; load validates, then puts the file in force."""
    if args.policy_command == "show":
        return await _policy_show(settings)
    read = _read_policy(args.file)
    if read is None:
        if args.policy_command == "load":
            _err(f"{args.file}: nothing loaded; the policy in force is unchanged")
        return BAD_INPUT
    text, parsed = read
    if args.policy_command == "check":
        print(f"{args.file}: policy {parsed.version} is valid (nothing stored)")
        return OK
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    services = create_services(settings)
    try:
        outcome = await load_policy(services.db.uow, text, parsed, clock=services.clock, actor=_operator())
    except InvalidInput as exc:
        for error in exc.errors:
            _err(f"{args.file}:{field_line(text, error.field)}: {error.field}: {error.message}")
        _err(f"{args.file}: nothing loaded; the policy in force is unchanged")
        return BAD_INPUT
    finally:
        await services.db.dispose()
    print(f"{args.file}: {outcome}")
    return OK


async def _import(settings: Settings, path: Path) -> int:
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    services = create_services(settings)
    try:
        report = await import_file(services, path, progress=terminal_progress(sys.stderr, f"{path}: importing"))
    except ImportFileError as exc:
        _err(str(exc))
        return BAD_INPUT
    finally:
        await services.db.dispose()
    for problem in report.problems:
        _err(problem)
    print(f"{path}: {report.created} stored and queued for Slack (`casebot serve` posts them), {report.repeated} already held, {report.rejected} rejected")
    return BAD_INPUT if report.rejected else OK


def _emit(text: str) -> None:
    """Write `text` to stdout as UTF-8 whatever the locale says (README: SAR is UTF-8 JSON)."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (captured output)
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8"))
    (buffer or sys.stdout).flush()


def _bad_input(command: str, exc: InvalidInput) -> int:
    for error in exc.errors:
        _err(f"casebot {command}: {error.field}: {error.message}")
    return BAD_INPUT


async def _unready(command: str, settings: Settings) -> bool:
    """A read-only command migrates nothing and creates nothing: on a database not at the
    newest schema (or a SQLite file not there) it says so, with the fix, and stops."""
    problem = await asyncio.to_thread(unmigrated, settings.database_url)
    if problem is not None:
        _err(f"casebot {command}: {problem}")
    return problem is not None


async def _sar(settings: Settings, raw_crn: str) -> int:
    """Read-only: no migration, no commit. Bad or unknown CRN is bad input (exit 2)."""
    try:
        crn = parse_crn(raw_crn)
    except InvalidInput as exc:
        return _bad_input("sar", exc)
    if await _unready("sar", settings):
        return FAILURE
    services = create_services(settings)
    try:
        export = await subject_access(services.db.uow, crn, clock=services.clock)
    except NothingHeld:
        _err(f"casebot sar: CRN {crn}: nothing is held about this person")
        return BAD_INPUT
    finally:
        await services.db.dispose()
    _emit(json.dumps(export, indent=2, ensure_ascii=False, default=json_default) + "\n")
    return OK


async def _audit(settings: Settings, args: argparse.Namespace) -> int:
    """Read-only export of allocation decisions; bad dates and unknown teams are bad input."""
    try:
        flt = audit_filter(args.since, args.until, args.team)
    except InvalidInput as exc:
        return _bad_input("audit", exc)
    if await _unready("audit", settings):
        return FAILURE
    services = create_services(settings)
    try:
        rows = await allocation_rows(services.db.uow, flt)
    except InvalidInput as exc:
        return _bad_input("audit", exc)
    finally:
        await services.db.dispose()
    _emit(to_csv(rows) if args.output_format == "csv" else json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    return OK


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
            return demo()
        if args.command == "migrate":
            upgrade_to_head(settings.database_url)
            print("database is at the newest schema")
            return OK
        if args.command == "teams":
            return asyncio.run(_teams_load(settings, args.file))
        if args.command == "policy":
            return asyncio.run(_policy(settings, args))
        if args.command == "import":
            return asyncio.run(_import(settings, args.file))
        if args.command == "staff":
            return asyncio.run(staff_import(settings, args.file))
        if args.command == "sar":
            return asyncio.run(_sar(settings, args.crn))
        if args.command == "audit":
            return asyncio.run(_audit(settings, args))
    except SettingsError as exc:
        _err(f"casebot: {exc}")
        return BAD_INPUT
    except KeyboardInterrupt:
        return OK
    except Exception as exc:  # one line for the operator: the cause and its fix, or the log's traceback
        cause = _cause(exc, args.command, settings)
        if cause is not None:
            _err(f"casebot {args.command}: {cause}")
            return FAILURE
        logging.getLogger("casebot.cli").exception("command failed")
        _err(f"casebot: {args.command} failed: {type(exc).__name__}; see the log above")
        return FAILURE
    return FAILURE


if __name__ == "__main__":
    sys.exit(main())
