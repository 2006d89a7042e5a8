"""One JSON object per log line (README, CASEBOT_LOG_LEVEL).

Log calls pass ids and codes in `extra`, never message text: case notes must not reach logs.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from bot.domain.errors import where

# Libraries that log payloads: slack_sdk whole request bodies at DEBUG (its Socket Mode client
# Bolt's answers at INFO), Bolt a refused request's body at INFO, aiosqlite and SQLAlchemy every
# statement with its parameters (case notes included). Held above that whatever
# CASEBOT_LOG_LEVEL says; the canary tests run at DEBUG to prove it.
QUIET_LOGGERS = {
    "slack_sdk": logging.INFO,
    "slack_sdk.socket_mode": logging.WARNING,
    "slack_bolt": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "psycopg": logging.WARNING,
    "alembic": logging.WARNING,  # narrates every run at INFO; only its warnings matter
}

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class WithoutDetail(logging.Filter):
    """Bolt puts what it was given in parentheses after its sentence: "Invalid request
    signature detected (signature: ..., body: payload=...)", "Failed to run listener function
    (error: ...)". Keep the sentence, drop the rest. Set on the logger Bolt is given, which Bolt
    copies onto each logger it makes, whatever their level."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "(" in message:
            record.msg, record.args = message.split("(", 1)[0].rstrip(), ()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record. Exceptions are logged as type and frames, never message."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error_type"] = type(error).__name__
            entry["where"] = where(error)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    """Route every logger (ours, Bolt's, aiohttp's) through one JSON handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))
