"""Pure rules and values: no I/O, no Slack, no SQL. Imports nothing from the repo but itself."""
