"""Moved to bot/slack_requests.py (casebot demo uses it); kept importable for old paths."""

from bot.slack_requests import *  # noqa: F401,F403
