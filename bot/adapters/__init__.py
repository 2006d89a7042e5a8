"""The outside world: Slack delivery and reconciliation, system of record, prison notifier, scheduler, replay guard."""
