"""`casebot staff import FILE` (README, "The staff feed"): caseloads, hours and absences from
the workforce source, CSV or JSON lines; rejected lines are named on stderr and make the exit
code 2."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.runtime.cli.output import BAD_INPUT, OK, err, services_for
from bot.runtime.settings import Settings
from bot.services.staff_import import StaffFileError, import_staff


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = sub.add_parser("staff", help="workload and availability from the workforce source")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    staff_sub.add_parser("import", help="import caseloads, hours and absences (CSV or JSON lines)").add_argument("file", type=Path)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file
    async with services_for(settings, migrate=True) as services:
        try:
            report = await import_staff(services, path)
        except StaffFileError as exc:
            err(str(exc))
            return BAD_INPUT
    for problem in report.problems:
        err(problem)
    print(f"{path}: {report.updated} practitioners updated, {report.rejected} lines rejected")
    return BAD_INPUT if report.rejected else OK
