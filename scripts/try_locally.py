"""`make try`: the bot against a local fake Slack, no workspace needed.

Starts the fake Slack Web API the tests use, runs the real bot (HTTP mode, SQLite file
`casebot-try.db`), loads docs/example-teams.yml, sends one case through the intake API and
prints the channel message as a person would read it. Keeps serving until Ctrl-C, so you can
send more cases with curl (the command is printed); `--once` stops after the first card.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from blocks.render_text import render  # noqa: E402
from bot.runtime.app import create_runtime  # noqa: E402
from bot.runtime.logs import configure_logging  # noqa: E402
from bot.runtime.serve import bound_port, start  # noqa: E402
from bot.runtime.settings import Settings  # noqa: E402
from bot.services.teams import load_teams  # noqa: E402
from bot.domain.teams_file import parse_teams_file  # noqa: E402
from storage.migrate import upgrade_to_head  # noqa: E402
from bot.demo.fake_slack import FakeSlack  # noqa: E402

TOKEN = "try-intake-token"
EXAMPLE_CASE = {
    "event_id": "try-0001",
    "crn": "X123456",
    "name": "Sam <!channel> Smith",
    "team": "N07T1",
    "tier": "B2",
    "sentence_type": "Community Order",
    "sentence_date": "2026-04-02",
    "rosh": "Medium",
    "mappa_category": 2,
    "mappa_level": 1,
    "offence": "Burglary (dwelling)",
}


async def main(once: bool, port: int, database: Path) -> None:
    configure_logging("WARNING")
    database.unlink(missing_ok=True)
    with FakeSlack() as fake:
        settings = Settings(
            _env_file=None,
            slack_bot_token="xoxb-local-try",
            slack_signing_secret="local-try-secret",
            slack_api_url=fake.api_url,
            database_url=f"sqlite:///{database}",
            intake_token=TOKEN,
            port=port,
            record_case_url="https://records.example/case/{crn}",
        )
        upgrade_to_head(settings.database_url)
        async with AsyncExitStack() as stack:
            runtime = create_runtime(settings)
            runner = await start(runtime, stack)
            url = f"http://127.0.0.1:{bound_port(runner)}"
            teams = parse_teams_file((ROOT / "docs/example-teams.yml").read_text())
            await load_teams(runtime.db.uow, teams, clock=runtime.clock)
            async with aiohttp.ClientSession() as http:
                async with http.post(f"{url}/api/v1/cases", json=EXAMPLE_CASE, headers={"Authorization": f"Bearer {TOKEN}"}) as response:
                    print(f"POST /api/v1/cases -> {response.status}")
            [post] = await fake.wait_for_async("chat.postMessage", timeout=10)
            print(f"\nThe bot posted to channel {post.args['channel']}:\n")
            print(render(post.args))
            if once:
                return
            print(f"\nThe bot is serving on {url} (fake Slack at {fake.api_url}). Send another case:")
            print(f"  curl -X POST {url}/api/v1/cases -H 'Authorization: Bearer {TOKEN}' -H 'Content-Type: application/json' \\")
            print(f"       -d '{json.dumps({**EXAMPLE_CASE, 'event_id': 'try-0002', 'crn': 'X654321'})}'")
            print("Ctrl-C to stop.")
            seen = 1
            while True:
                await asyncio.sleep(0.5)
                posts = fake.calls_to("chat.postMessage")
                for new in posts[seen:]:
                    print("\n" + render(new.args))
                seen = len(posts)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="stop after the first card")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--database", type=Path, default=ROOT / "casebot-try.db", help="SQLite file (recreated)")
    args = parser.parse_args()
    try:
        asyncio.run(main(args.once, args.port, args.database))
    except KeyboardInterrupt:
        pass
