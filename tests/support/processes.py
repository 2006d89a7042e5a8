"""`casebot serve` as a real process, for crash, replica and soak tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.demo.slack_requests import SIGNING_SECRET
from tests.support.bot import INTAKE_TOKEN

ROOT = Path(__file__).resolve().parents[2]


def serve_env(database_url: str, slack_api_url: str, **extra: str) -> dict[str, str]:
    """A clean environment for `casebot serve`: nothing leaks in from the outer shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CASEBOT_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        CASEBOT_SLACK_API_URL=slack_api_url,
        CASEBOT_DATABASE_URL=database_url,
        CASEBOT_INTAKE_TOKEN=INTAKE_TOKEN,
        CASEBOT_PORT="0",
        CASEBOT_OUTBOX_LEASE_SECONDS="2",
        CASEBOT_OUTBOX_POLL_SECONDS="0.1",
        CASEBOT_OUTBOX_MAX_BACKOFF_SECONDS="1",
        CASEBOT_SLACK_TIMEOUT_SECONDS="3",
        CASEBOT_SLACK_CHANNEL_INTERVAL_SECONDS="0",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@dataclass
class ServeProcess:
    """A running `casebot serve`; `port` is read from its 'listening' log line."""

    process: subprocess.Popen[str]
    port: int | None = None
    log: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM and its exit code; a process that does not stop is killed, not left behind."""
        self.process.terminate()
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("casebot serve did not stop within 60 s of SIGTERM:\n" + "".join(self.log[-20:])) from None


def start_serve(env: dict[str, str], timeout: float = 120.0) -> ServeProcess:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.cli", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    served = ServeProcess(process)
    ready = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            served.log.append(line)
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("msg") == "listening":
                served.port = int(entry["port"])
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.05):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError("casebot serve did not start:\n" + "".join(served.log[-20:]))
    return served
