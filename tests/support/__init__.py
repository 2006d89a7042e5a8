"""Test support: databases, the bot under test, signed Slack requests, factories."""
