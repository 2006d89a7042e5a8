"""The embedded fake Slack behind `casebot demo` and `make try`: a feature for trying the bot with no workspace, never the production path."""
