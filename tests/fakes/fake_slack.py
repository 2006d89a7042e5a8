"""Moved to bot/fake_slack.py (casebot demo embeds it); kept importable for old paths."""

from bot.fake_slack import *  # noqa: F401,F403
from bot.fake_slack import _poll, _poll_async  # noqa: F401
