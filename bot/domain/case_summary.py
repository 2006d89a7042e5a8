"""A case's own facts as a plain value: what every Block Kit builder reads of a case (the card,
the notices, the modals, the /casebot case answer).

The stored row (storage/models.py `Case.summary()`) is copied into it before a builder runs, so
blocks/ never holds an ORM object and needs no mirror of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CaseSummary:
    """The case's own facts, as intake stored them (no notes: a case has none), and its state."""

    id: int
    crn: str
    name: str
    tier: str
    sentence_type: str
    sentence_date: date
    due_by: date
    custodial: bool
    prison: str | None
    rosh: str | None
    rsr: float | None
    mappa_category: int | None
    mappa_level: int | None
    offence: str | None
    previous_practitioner: str | None
    restricted: bool
    release_date: date | None
    arrived_on: date | None
    state: str
