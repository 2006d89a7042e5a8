"""The `casebot` command as a subprocess, for CLI tests: a clean environment (nothing from the
outer shell's SLACK_*/CASEBOT_*), this checkout first on the path, output read as UTF-8.

`Cli` runs each command in a child forked from a process that has already imported the CLI
(`tests.support.cli_zygote`): the same `main`, process, environment and files, without a second
of imports per command. `start` runs a fresh interpreter, for tests about start-up itself."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future
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


class _Zygote:
    """This test process's handle on its `cli_zygote`: started on first use, shared by threads."""

    def __init__(self) -> None:
        env = {k: v for k, v in clean_env("").items() if k != "CASEBOT_DATABASE_URL"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.cli_zygote"], cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.ids = itertools.count()
        self.lock = threading.Lock()
        self.waiting: dict[int, Future[int]] = {}
        threading.Thread(target=self._read_exits, daemon=True).start()

    def _read_exits(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            reply = json.loads(line)
            with self.lock:
                self.waiting.pop(reply["id"]).set_result(reply["code"])
        with self.lock:  # the zygote died: nobody waits for good
            for future in self.waiting.values():
                future.set_exception(RuntimeError(f"cli_zygote exited with {self.process.wait()}"))
            self.waiting.clear()

    def start(self, cwd: Path, env: dict[str, str], args: tuple[str, ...]) -> Future[Run]:
        out = tempfile.NamedTemporaryFile(prefix="casebot-out-", delete=False)  # noqa: SIM115 - read back, then removed
        err = tempfile.NamedTemporaryFile(prefix="casebot-err-", delete=False)  # noqa: SIM115
        out.close()
        err.close()
        exited: Future[int] = Future()
        request = {"argv": list(args), "env": env, "cwd": str(cwd), "stdout": out.name, "stderr": err.name}
        with self.lock:
            request["id"] = key = next(self.ids)
            self.waiting[key] = exited
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
        run: Future[Run] = Future()

        def collect(done: Future[int]) -> None:
            try:
                paths = (Path(out.name), Path(err.name))
                text = [p.read_text(encoding="utf-8") for p in paths]
                run.set_result(Run(done.result(), *text))
            except BaseException as exc:
                run.set_exception(exc)
            finally:
                for p in (out.name, err.name):
                    os.unlink(p)

        exited.add_done_callback(collect)
        return run


_zygote: _Zygote | None = None
_zygote_lock = threading.Lock()


def forked(cwd: Path, env: dict[str, str], *args: str) -> Future[Run]:
    """`casebot <args>` in a child of this process's zygote (started on first use)."""
    global _zygote
    with _zygote_lock:
        if _zygote is None or _zygote.process.poll() is not None:
            _zygote = _Zygote()
        zygote = _zygote
    return zygote.start(cwd, env, args)


@dataclass
class Cli:
    """The `casebot` command, run in `cwd` against `database_url`."""

    cwd: Path
    database_url: str

    def __call__(self, *args: str, **env: str) -> Run:
        return forked(self.cwd, clean_env(self.database_url, **env), *args).result(timeout=300)  # bounds a hang

    async def run(self, *args: str, **env: str) -> Run:
        """The command from an async test whose bot is running in this process: run in a thread,
        so the bot's event loop keeps going. A blocking call would freeze it mid-transaction,
        and the command, waiting on that transaction's row locks, would wait for good."""
        return await asyncio.to_thread(self, *args, **env)

    def parallel(self, *commands: tuple[str, ...], **env: str) -> list[Run]:
        """Independent commands that change nothing, run side by side to save wall time."""
        runs = [forked(self.cwd, clean_env(self.database_url, **env), *args) for args in commands]
        return [run.result(timeout=300) for run in runs]

    def write(self, name: str, content: str) -> str:
        (self.cwd / name).write_text(content, encoding="utf-8")
        return name
