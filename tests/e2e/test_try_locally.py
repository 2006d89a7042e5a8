"""`make try` (scripts/try_locally.py): the README's no-workspace command really runs the bot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_try_locally_posts_and_prints_the_channel_card(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CASEBOT_"))}
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts/try_locally.py"), "--once", "--port", "0", "--database", str(tmp_path / "try.db")],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "POST /api/v1/cases -> 201" in done.stdout
    assert "New case: Sam <!channel> Smith" in done.stdout  # shown as typed, escaped in Slack
    assert "[Allocate]  [Details]  [Open record]" in done.stdout
