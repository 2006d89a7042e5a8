"""`casebot import FILE`: cases from a CSV or JSON file (README "Importing cases"), each line
checked on its own; rejected lines are named on stderr and make the exit code 2."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.runtime.app import create_services
from bot.runtime.cli.output import BAD_INPUT, OK, err
from bot.runtime.progress import terminal_progress
from bot.runtime.settings import Settings
from bot.services.importer import ImportFileError, import_file
from storage.migrate import upgrade_to_head


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser("import", help="import cases from a CSV or JSON file")
    imp.add_argument("file", type=Path)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    services = create_services(settings)
    try:
        report = await import_file(services, path, progress=terminal_progress(sys.stderr, f"{path}: importing"))
    except ImportFileError as exc:
        err(str(exc))
        return BAD_INPUT
    finally:
        await services.db.dispose()
    for problem in report.problems:
        err(problem)
    print(f"{path}: {report.created} stored and queued for Slack (`casebot serve` posts them), {report.repeated} already held, {report.rejected} rejected")
    return BAD_INPUT if report.rejected else OK
