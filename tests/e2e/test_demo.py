"""`casebot demo` (README "What `make demo` prints"): the story runs with no workspace, shows
each person's view as they would read it, and prints what the README says it prints."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README_BLOCK = re.compile(r"<!-- demo-output:start -->\n```\n(.*?)```\n<!-- demo-output:end -->", re.S)
THREAD_TS = re.compile(r"/p\d+")  # the fake Slack's message timestamps change with the wall clock


def test_the_demo_tells_the_allocation_as_people_see_it_and_as_the_readme_shows(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CASEBOT_"))}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "demo", "--step", "--date", "2026-12-03"],
        cwd=tmp_path, env=env, input="\n" * 10, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    out = done.stdout
    for seen in (
        "New case: D.R.",  # the channel card: initials only at the minimal channel detail
        "Custody, POM-led: J.B.",  # custody under OMiC: not offered yet
        "Practitioners, best fit first",  # the Allocate modal
        "⛔ away until",  # the workforce source's absence
        "Is the offence linked to discrimination?: Yes",  # the whole form, as answered
        "Allocated to @Ada Lovelace by @Sam Shaw",  # the card after allocation
        "has allocated you a new case",  # Ada's DM
        "Sensitive: not to be disclosed",  # the sensitive notes, apart and private
        "New cases allocated to you, last 14 days (1)",  # Ada's Home straight after: consistent with the moment
        "state 'currently_managed'",  # a later event stays with Ada
        "Post-allocation touchpoint today",  # the reminder
        "Recorded by @Sam Shaw",  # after recording it
        "Awaiting handover (1)",  # the SPO's Home
        "In short: Sam Shaw (SPO) allocated Daniel Reid",
    ):
        assert seen in out, seen
    assert out.count("[Enter for the next scene]") == 5  # --step: a pause between each scene
    assert '"blocks"' not in out and "<!date" not in out and re.search(r":[a-z_]+:", out) is None  # read by people, not raw markup
    sensitive = "treated him unfairly because of his ethnicity"
    channel_views = [part for part in out.split("\n--- ") if part.startswith(("#sheffield-north", "The admin hub"))]
    assert channel_views and not any(sensitive in view for view in channel_views)  # never in the channel, thread or hub
    [readme] = README_BLOCK.findall((ROOT / "README.md").read_text())
    assert THREAD_TS.sub("/p…", readme) in THREAD_TS.sub("/p…", out)  # the README shows what the command prints
    assert list(tmp_path.iterdir()) == []  # a throwaway database, nothing left behind
