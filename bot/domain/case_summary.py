"""A case's own facts as a plain value: what every Block Kit builder reads of a case (the card,
the notices, the modals, the /casebot case answer).

The stored row (storage/models.py `Case.summary()`) is copied into it before a builder runs, so
blocks/ never holds an ORM object and needs no mirror of one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


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
    # The allocator's picture as stored (bot/domain/case_picture.py `CasePicture` reads it typed).
    picture: Mapping[str, Any] = field(default_factory=dict)
