"""`make try`: the real bot against a local fake Slack, no workspace needed.

Starts the embedded fake Slack, runs the bot (HTTP mode, SQLite file `casebot-try.db`, recreated),
loads docs/example-teams.yml, sends one case through the intake API and prints the channel card
as the team reads it (the README's "What the team sees" is this card). The case is sentenced
today, so its due date is two working days ahead, as a new case's would be; people and channels
are printed by name, not Slack id. Then it says what to try next and keeps serving until Ctrl-C
so more cases can be sent with curl; `--once` stops after the first card. The scheduler is off:
nothing falls due while trying, and `make demo` shows the reminders.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import sys
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiohttp

from blocks.render_text import render
from bot.demo.fake_slack import FakeSlack
from bot.domain.clock import Clock, SystemClock, london_today
from bot.domain.errors import CasebotError
from bot.domain.teams_file import TeamsFile, parse_teams_file
from bot.runtime.app import create_runtime
from bot.runtime.logs import configure_logging
from bot.runtime.serve import bound_port, start
from bot.runtime.settings import Settings
from bot.services.teams import load_teams
from storage.migrate import upgrade_to_head

ROOT = Path(__file__).resolve().parents[2]
TEAMS_FILE = ROOT / "docs" / "example-teams.yml"
TOKEN = "try-intake-token"
RECORD_CASE_URL = "https://records.example/case/{crn}"
EXAMPLE_CASE = {
    "event_id": "try-0001",
    "crn": "X123456",
    "name": "Sam Smith",
    "team": "N07T1",
    "tier": "B2",
    "sentence_type": "Community Order",
    "rosh": "Medium",
    "mappa_category": 2,
    "mappa_level": 1,
    "offence": "Burglary (dwelling)",
}


class PortInUse(CasebotError):
    """The chosen port is taken; the message says what to do."""


def people_and_places(teams: TeamsFile) -> tuple[dict[str, str], dict[str, str]]:
    """(Slack user id -> name, channel id -> "Team's channel") from the teams file, so what is
    printed names people as Slack would show them rather than as ids."""
    names: dict[str, str] = {}
    channels: dict[str, str] = {}
    for team in teams.teams:
        channels[team.channel] = f"{team.name}'s channel"
        names.update({spo.slack_user: spo.name or f"{team.name} SPO" for spo in team.spos})
        names.update({p.slack_user: p.name for p in team.practitioners})
    return names, channels


def _where(channel: str, names: dict[str, str], channels: dict[str, str]) -> str:
    if channel in channels:
        return channels[channel]
    return f"a direct message to {names.get(channel, 'someone')}"


def next_steps(url: str, case: dict[str, Any], *, serving: bool) -> str:
    """What to do after the first card: the whole journey, a real workspace, another case."""
    another = {
        "event_id": "try-0002", "crn": "X654321", "name": "Alex Morgan", "team": case["team"], "tier": "C1",
        "sentence_type": "Suspended Sentence Order", "sentence_date": case["sentence_date"],
    }  # fmt: skip
    lines = [
        "",
        "What next:",
        "  make demo    the whole journey: the SPO allocates, the practitioner is told, the touchpoint, App Home",
        "  README.md, 'Slack app setup'    connect a real workspace (manifest.yml), then `make run`",
    ]
    if serving:
        lines += [
            "  Send another case while this runs:",
            f"    curl -X POST {url}/api/v1/cases -H 'Authorization: Bearer {TOKEN}' -H 'Content-Type: application/json' \\",
            f"         -d '{json.dumps(another)}'",
            "Ctrl-C to stop.",
        ]
    return "\n".join(lines)


async def _start(runtime: Any, stack: AsyncExitStack, port: int) -> str:
    try:
        runner = await start(runtime, stack)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(
                f"make try: port {port} is already in use (another casebot or `make try`?); stop it, or choose another: make try PORT=3001"
            ) from None
        raise
    return f"http://127.0.0.1:{bound_port(runner)}"


async def main(once: bool, port: int, database: Path, clock: Clock | None = None) -> None:
    """Run the try-out; `clock` fixes 'today' (the README's card is printed on a fixed day)."""
    clock = clock or SystemClock()
    database.unlink(missing_ok=True)
    teams = parse_teams_file(TEAMS_FILE.read_text(encoding="utf-8"))
    names, channels = people_and_places(teams)
    case = {**EXAMPLE_CASE, "sentence_date": london_today(clock).isoformat()}
    with FakeSlack() as fake:
        settings = Settings(
            _env_file=None, slack_bot_token="xoxb-local-try", slack_signing_secret="local-try-secret", slack_api_url=fake.api_url,
            database_url=f"sqlite:///{database}", intake_token=TOKEN, port=port, record_case_url=RECORD_CASE_URL,
            scheduler_enabled=False,  # nothing falls due in a try-out; `make demo` shows the reminders
        )  # fmt: skip
        upgrade_to_head(settings.database_url)
        async with AsyncExitStack() as stack:
            runtime = create_runtime(settings, clock=clock)
            url = await _start(runtime, stack, port)
            await load_teams(runtime.db.uow, teams, clock=clock)
            async with aiohttp.ClientSession() as http:
                async with http.post(f"{url}/api/v1/cases", json=case, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
                    print(f"The system of record sends a new case: POST /api/v1/cases -> {response.status}")
            [post] = await fake.wait_for_async("chat.postMessage", timeout=10)
            print(f"\nThe bot posts it to {_where(post.args['channel'], names, channels)}:\n")
            print(render(post.args, names))
            print(next_steps(url, case, serving=not once))
            if once:
                return
            seen = 1
            while True:
                await asyncio.sleep(0.5)
                posts = fake.calls_to("chat.postMessage")
                for new in posts[seen:]:
                    print(f"\nThe bot posts to {_where(new.args['channel'], names, channels)}:\n\n" + render(new.args, names))
                seen = len(posts)


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--once", action="store_true", help="stop after the first card")
    parser.add_argument("--port", type=int, default=3000, help="where the bot listens (0 picks a free port)")
    parser.add_argument("--database", type=Path, default=Path("casebot-try.db"), help="SQLite file (recreated)")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    try:
        asyncio.run(main(args.once, args.port, args.database))
    except PortInUse as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(run())
