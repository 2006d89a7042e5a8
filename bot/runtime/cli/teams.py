"""`casebot teams load FILE`: teams and staff from a YAML file (README "Teams file")."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.domain.teams_file import TeamsFileError, parse_teams_file
from bot.runtime.cli.output import BAD_INPUT, OK, err, read_text, services_for
from bot.runtime.settings import Settings
from bot.services.teams import load_teams


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    teams = sub.add_parser("teams", help="manage teams and staff")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True)
    load = teams_sub.add_parser("load", help="load teams and staff from a YAML file")
    load.add_argument("file", type=Path)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file
    text = read_text(path)
    if text is None:
        return BAD_INPUT
    try:
        parsed = parse_teams_file(text)
    except TeamsFileError as exc:
        for problem in exc.problems:
            err(f"{path}: {problem}")
        err(f"{path}: nothing loaded; the teams already loaded are unchanged")
        return BAD_INPUT
    async with services_for(settings, migrate=True) as services:
        summary = await load_teams(services.db.uow, parsed, clock=services.clock)
    print(f"{path}: {summary}")
    return OK
