"""`casebot audit --since DATE --format csv|json`: allocation decisions for management review."""

from __future__ import annotations

import argparse
import json

from bot.domain.errors import InvalidInput
from bot.queries.audit_export import allocation_rows, audit_filter, to_csv
from bot.runtime.cli.output import FAILURE, OK, bad_input, emit, services_for, unready
from bot.runtime.settings import Settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="export allocation decisions for management review")
    audit.add_argument("--since", required=True, metavar="DATE", help="first London day (YYYY-MM-DD)")
    audit.add_argument("--until", metavar="DATE", help="last London day, inclusive (default: no end)")
    audit.add_argument("--team", metavar="CODE", help="one team's allocations only")
    audit.add_argument("--format", required=True, choices=("csv", "json"), dest="output_format")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Read-only export of allocation decisions; bad dates and unknown teams are bad input."""
    try:
        flt = audit_filter(args.since, args.until, args.team)
    except InvalidInput as exc:
        return bad_input("audit", exc)
    if await unready("audit", settings):
        return FAILURE
    async with services_for(settings, migrate=False) as services:
        try:
            rows = await allocation_rows(services.db.uow, flt)
        except InvalidInput as exc:
            return bad_input("audit", exc)
    emit(to_csv(rows) if args.output_format == "csv" else json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    return OK
