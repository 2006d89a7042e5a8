"""`casebot import FILE`: cases from a CSV or JSON file (README "Importing cases"), each line
checked on its own; rejected lines are named on stderr and make the exit code 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.runtime.cli.output import BAD_INPUT, OK, err, services_for
from bot.runtime.progress import terminal_progress
from bot.runtime.settings import Settings
from bot.services.importer import ImportFileError, import_file


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser("import", help="import cases from a CSV or JSON file")
    imp.add_argument("file", type=Path)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file
    async with services_for(settings, migrate=True) as services:
        try:
            report = await import_file(services, path, progress=terminal_progress(sys.stderr, f"{path}: importing"))
        except ImportFileError as exc:
            err(str(exc))
            return BAD_INPUT
    for problem in report.problems:
        err(problem)
    print(
        f"{path}: {report.created} stored and queued for Slack (`casebot serve` posts them), "
        f"joined {report.joined}, currently managed {report.currently_managed}, {report.repeated} already held, {report.rejected} rejected"
    )
    return BAD_INPUT if report.rejected else OK
