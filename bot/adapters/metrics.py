"""Prometheus metrics, in a registry per app (so tests can build many apps in one process)."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest


class Metrics:
    """The counters the issue names: cases received, messages sent, outbox backlog, failures."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.cases_received = Counter("casebot_cases_received", "Cases stored for the first time, by source", ["source"], registry=self.registry)
        self.events_joined = Counter("casebot_events_joined", "Later events that joined a person's waiting case, by source", ["source"], registry=self.registry)
        self.events_currently_managed = Counter(
            "casebot_events_currently_managed", "Later events kept by the practitioner of an allocated case, by source", ["source"], registry=self.registry
        )
        self.messages_sent = Counter("casebot_slack_messages_sent", "Slack calls delivered from the outbox", ["method"], registry=self.registry)
        self.delivery_failures = Counter(
            "casebot_delivery_failures", "Outbox delivery attempts that failed, by kind", ["method", "kind"], registry=self.registry
        )
        self.reconciled = Counter("casebot_outbox_reconciled", "Unknown-outcome sends found already delivered (a duplicate avoided)", registry=self.registry)
        self.outbox_backlog = Gauge("casebot_outbox_backlog", "Outbox rows by state", ["state"], registry=self.registry)
        self.cases = Gauge("casebot_cases", "Stored cases by state", ["state"], registry=self.registry)

    def count_received(self, source: str, count: int) -> None:
        self.cases_received.labels(source).inc(count)

    def count_later_events(self, source: str, *, joined: int, currently_managed: int) -> None:
        """Later events of a person's open case: not new cases, so counted apart."""
        self.events_joined.labels(source).inc(joined)
        self.events_currently_managed.labels(source).inc(currently_managed)

    def set_counts(self, outbox: Mapping[str, int], cases: Mapping[str, int]) -> None:
        """The database-derived gauges, set just before a scrape."""
        for state in ("pending", "sending", "sent", "failed"):
            self.outbox_backlog.labels(state).set(outbox.get(state, 0))
        for state, count in cases.items():
            self.cases.labels(state).set(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
