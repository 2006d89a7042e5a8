"""`make try` (bot/demo/try_out.py): the README's no-workspace command runs the real bot, prints
the README's card, names people rather than ids, and says what to do next."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from bot.demo.try_out import main
from bot.domain.clock import LONDON, FixedClock
from tests.support.cli import REPO_ROOT, clean_env

SLACK_ID = re.compile(r"\b[UWCG]0[A-Z0-9]{6,}\b")


def try_out(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot.demo.try_out", "--database", str(tmp_path / "try.db"), *args]
    env = clean_env(f"sqlite:///{tmp_path / 'unused.db'}")
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


def card_of(output: str) -> str:
    """The channel card in the try-out's output."""
    return output.split("posts it to Sheffield North's channel:\n\n", 1)[1].split("\n\nWhat next:", 1)[0]


def readme_card() -> str:
    """The card in the README's "What the team sees"."""
    section = (REPO_ROOT / "README.md").read_text(encoding="utf-8").split("## What the team sees", 1)[1]
    return section.split("```\n", 1)[1].split("\n```", 1)[0]


def test_make_try_prints_todays_case_by_name_and_what_to_do_next(tmp_path: Path) -> None:
    done = try_out(tmp_path, "--once", "--port", "0")

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    today = datetime.now(LONDON)
    assert f"reached the team {today:%a} {today.day} {today:%b %Y}" in done.stdout  # it arrives today: due ahead, not overdue
    assert "Overdue" not in done.stdout
    assert "New case: S.S.\n" in done.stdout  # the example team's channel_detail is minimal: initials, no name
    assert "[Allocate]  [Details]  [Open record]" in done.stdout
    assert not SLACK_ID.findall(done.stdout), "people and channels are printed by name"
    assert "make demo" in done.stdout and "Slack app setup" in done.stdout


def test_the_readme_shows_the_card_make_try_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The README's example was sentenced on Thu 24 Dec 2026: Christmas and the Boxing Day substitute are skipped.
    asyncio.run(main(once=True, port=0, database=tmp_path / "try.db", clock=FixedClock(datetime(2026, 12, 24, 10, tzinfo=LONDON))))
    assert card_of(capsys.readouterr().out) == readme_card()


def test_a_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = try_out(tmp_path, "--once", "--port", str(port))

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"make try: port {port} is already in use (another casebot or `make try`?); stop it, or choose another: make try PORT=3001"
    ]
