"""The `casebot` command (README): serve, migrate, demo, teams load, policy, import, staff import, sar, audit.

One module per subcommand group, each adding its parser and running it; `main.py` dispatches.
Exit codes: 0 success, 1 runtime failure, 2 bad input (the message names file, line and field).
"""

from bot.runtime.cli.main import main

__all__ = ["main"]
