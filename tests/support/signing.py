"""Moved to bot/demo/slack_requests.py (casebot demo uses it); kept importable for old paths."""

from bot.demo.slack_requests import *  # noqa: F401,F403
