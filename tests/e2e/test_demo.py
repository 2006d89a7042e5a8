"""`casebot demo` (README): runs the journey with no workspace and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_the_whole_journey_and_prints_what_people_see(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CASEBOT_"))}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "bot.runtime.cli", "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr
    out = done.stdout
    for seen in (
        "New case: S.S.",  # the channel card: initials only (channel_detail minimal)
        "RoSH by who is at risk: Children Low · Public Medium · Known adult High",  # the risk picture in the Allocate modal
        "Domestic abuse perpetrator",
        "Practitioners, best fit first",  # the Allocate modal
        "Allocated to @Ada Lovelace by @Sam Shaw",  # the card after allocation
        "has allocated you a new case",  # Ada's DM
        "Post-allocation touchpoint today",  # the reminder
        "Recorded by @Sam Shaw",  # after recording it
        "POM-led until handover on",  # the custodial case under OMiC, not offered for allocation yet
        "state 'currently_managed'",  # a new event for an allocated person stays with Ada
        "The case is current, so it stays with @Ada Lovelace",  # the thread reply
        "Team capacity",  # the SPO's App Home
        "Awaiting handover",  # the SPO's App Home lists the POM-led case
        "Your workload",  # the practitioner's App Home
    ):
        assert seen in out, seen
    assert '"blocks"' not in out and "<!date" not in out  # rendered for people, not raw JSON or tokens
    assert list(tmp_path.iterdir()) == []  # a throwaway database, nothing left behind
