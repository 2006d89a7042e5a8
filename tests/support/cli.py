"""The `casebot` command as a subprocess, for CLI tests: a clean environment (nothing from the
outer shell's SLACK_*/CASEBOT_*), this checkout first on the path, output read as UTF-8."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def clean_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CASEBOT_"))}
    # The checkout under test, not whatever copy of the package happens to be installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["CASEBOT_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def start(cwd: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.cli", *args], cwd=cwd, env=env, encoding="utf-8", stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def finish(process: subprocess.Popen[str]) -> Run:
    stdout, stderr = process.communicate(timeout=300)  # bounds a hang; a busy machine is slower
    return Run(process.returncode, stdout, stderr)


@dataclass
class Cli:
    """The `casebot` command, run in `cwd` against `database_url`."""

    cwd: Path
    database_url: str

    def __call__(self, *args: str, **env: str) -> Run:
        return finish(start(self.cwd, clean_env(self.database_url, **env), *args))

    async def run(self, *args: str, **env: str) -> Run:
        """The command from an async test whose bot is running in this process: run in a thread,
        so the bot's event loop keeps going. A blocking call would freeze it mid-transaction,
        and the command, waiting on that transaction's row locks, would wait for good."""
        return await asyncio.to_thread(self, *args, **env)

    def parallel(self, *commands: tuple[str, ...], **env: str) -> list[Run]:
        """Independent commands that change nothing, run side by side to save wall time."""
        processes = [start(self.cwd, clean_env(self.database_url, **env), *args) for args in commands]
        return [finish(p) for p in processes]

    def write(self, name: str, content: str) -> str:
        (self.cwd / name).write_text(content, encoding="utf-8")
        return name
