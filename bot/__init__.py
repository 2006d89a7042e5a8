"""casebot: probation case allocation in Slack.

`bot` holds the application: settings, the app factory, domain rules and services, the
outbox worker, the intake API and the CLI. See ../README.md and docs/architecture.md.
"""
