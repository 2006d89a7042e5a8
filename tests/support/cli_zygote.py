"""A process that has imported `casebot`'s CLI once and forks a child for each command.

The suite runs the CLI a few hundred times; a fresh interpreter spends most of each run importing
SQLAlchemy, Alembic and the services (over a second of CPU on this machine). A child forked from
here starts with those imports done, and is otherwise the real thing: its own process, the
environment and working directory the test gives it, stdout and stderr to their own files, and
`main` deciding the exit status. Tests that are about start-up itself (settings errors, `serve`,
a terminal) still start a fresh interpreter (`tests.support.cli.start`).

Protocol: one JSON request per line on stdin (`id`, `argv`, `env`, `cwd`, `stdout`, `stderr`
paths); one JSON line `{"id", "code"}` on stdout when that child has exited. Single-threaded, so
forking is safe: a SIGCHLD wakes the loop through a self-pipe.
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import sys
import traceback
from typing import Any, NoReturn

from bot.runtime.cli.main import main


def _child(request: dict[str, Any]) -> NoReturn:
    """Become the command: its directory, its environment, its own output files; exit as `main` says."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    code: int = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - lives until _exit
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        try:
            code = main(request["argv"])
        except SystemExit as exc:  # argparse's usage errors, as the interpreter would report them
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_write)
    running: dict[int, Any] = {}
    pending = b""
    while True:
        try:
            ready, _, _ = select.select([0, wake_read], [], [])
        except InterruptedError:
            ready = []
        if wake_read in ready:
            os.read(wake_read, 4096)
        if 0 in ready:
            chunk = os.read(0, 65536)
            if not chunk:
                return
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _child(request)
                running[pid] = request["id"]
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            reply = json.dumps({"id": running.pop(pid), "code": os.waitstatus_to_exitcode(status)}) + "\n"
            os.write(1, reply.encode())


if __name__ == "__main__":
    serve()
