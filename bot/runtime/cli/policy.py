"""`casebot policy check|load FILE` and `casebot policy show`: the region's allocation policy
(docs/policy-sources.md). check validates only, touching no database; load validates, then puts
the file in force; show prints the policy in force."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from bot.domain.errors import InvalidInput
from bot.domain.policy_file import Policy, PolicyFileError, field_line, parse_policy
from bot.runtime.cli.output import BAD_INPUT, OK, emit, err, read_text, services_for
from bot.runtime.settings import Settings
from bot.services.policies import current_policy, load_policy


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    policy = sub.add_parser("policy", help="the region's allocation policy (YAML)")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    policy_sub.add_parser("check", help="validate a policy file; stores nothing").add_argument("file", type=Path)
    policy_sub.add_parser("load", help="validate a policy file and put it in force").add_argument("file", type=Path)
    policy_sub.add_parser("show", help="print the policy in force (its version, then its YAML)")


def _read_policy(path: Path) -> tuple[str, Policy] | None:
    """The file's text and policy, or None after printing 'FILE:LINE: field: message' lines."""
    text = read_text(path)
    if text is None:
        return None
    try:
        return text, parse_policy(text)
    except PolicyFileError as exc:
        for p in exc.problems:
            err(f"{path}:{p.line}: {p.field}: {p.message}" if p.line is not None else f"{path}: {p.field}: {p.message}")
    return None


def _operator() -> str:
    """Who ran the command, for the stored policy's `loaded_by` (the OS account name)."""
    try:
        return f"cli:{getpass.getuser()}"[:100]
    except (OSError, KeyError):  # no login name in a bare container
        return "cli"


async def _show(settings: Settings) -> int:
    """The policy in force, version first: the shipped default until one is loaded."""
    async with services_for(settings, migrate=True) as services:
        shown = await current_policy(services.db.uow)
    if shown.loaded is None:
        origin = "the shipped default: no policy has been loaded"
    else:
        origin = f"loaded {shown.loaded[0]:%Y-%m-%d %H:%M} UTC by {shown.loaded[1]}"
    emit(f"# policy {shown.version} ({origin})\n{shown.text}")
    return OK


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """check validates only, touching no database; load validates, then puts the file in force."""
    if args.policy_command == "show":
        return await _show(settings)
    read = _read_policy(args.file)
    if read is None:
        if args.policy_command == "load":
            err(f"{args.file}: nothing loaded; the policy in force is unchanged")
        return BAD_INPUT
    text, parsed = read
    if args.policy_command == "check":
        print(f"{args.file}: policy {parsed.version} is valid (nothing stored)")
        return OK
    async with services_for(settings, migrate=True) as services:
        try:
            outcome = await load_policy(services.db.uow, text, parsed, clock=services.clock, actor=_operator())
        except InvalidInput as exc:
            for error in exc.errors:
                err(f"{args.file}:{field_line(text, error.field)}: {error.field}: {error.message}")
            err(f"{args.file}: nothing loaded; the policy in force is unchanged")
            return BAD_INPUT
    print(f"{args.file}: {outcome}")
    return OK
