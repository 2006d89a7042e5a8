"""`casebot sar CRN`: the subject access export of one person, as UTF-8 JSON on stdout
(bot/queries/sar.py decides what is withheld)."""

from __future__ import annotations

import argparse
import json

from bot.domain.errors import InvalidInput
from bot.queries.sar import NothingHeld, json_default, parse_crn, subject_access
from bot.runtime.cli.output import BAD_INPUT, FAILURE, OK, bad_input, emit, err, services_for, unready
from bot.runtime.settings import Settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sar = sub.add_parser("sar", help="print the subject access export of one person (JSON), sensitive text withheld")
    sar.add_argument("crn", metavar="CRN")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Read-only: no migration, no commit. Bad or unknown CRN is bad input (exit 2)."""
    try:
        crn = parse_crn(args.crn)
    except InvalidInput as exc:
        return bad_input("sar", exc)
    if await unready("sar", settings):
        return FAILURE
    async with services_for(settings, migrate=False) as services:
        try:
            export = await subject_access(services.db.uow, crn, clock=services.clock)
        except NothingHeld:
            err(f"casebot sar: CRN {crn}: nothing is held about this person")
            return BAD_INPUT
    emit(json.dumps(export, indent=2, ensure_ascii=False, default=json_default) + "\n")
    return OK
