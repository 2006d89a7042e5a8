"""`casebot staff import FILE` (README, "The staff feed"): kept apart from bot/runtime/cli.py,
which only registers the parser and dispatches here.

Exit codes as every command: 0 stored, 2 bad input (a line or the header named), 1 failure.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.runtime.app import create_services
from bot.runtime.settings import Settings
from bot.services.staff_import import StaffFileError, import_staff
from storage.migrate import upgrade_to_head

OK, BAD_INPUT = 0, 2


def add_staff_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`casebot staff import FILE`."""
    staff = sub.add_parser("staff", help="workload and availability from the workforce source")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    staff_sub.add_parser("import", help="import caseloads, hours and absences (CSV or JSON lines)").add_argument("file", type=Path)


async def staff_import(settings: Settings, path: Path) -> int:
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    services = create_services(settings)
    try:
        report = await import_staff(services, path)
    except StaffFileError as exc:
        print(str(exc), file=sys.stderr)
        return BAD_INPUT
    finally:
        await services.db.dispose()
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(f"{path}: {report.updated} practitioners updated, {report.rejected} lines rejected")
    return BAD_INPUT if report.rejected else OK
