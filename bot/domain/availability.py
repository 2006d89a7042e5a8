"""Who is away today, and until when: the absences the workforce source sends. Pure.

seeds/004, Q "What mixed caseload lessons were learnt from Wales?": allocating well needs "an
awareness of training commitments" and "information on whereabouts". An absence covering
today (a London date) makes the practitioner "away until <the last day away>", and away staff
are offered last (bot/domain/ranking.py). Back-to-back absences count as one stretch, also
across a weekend or bank holiday between them: someone on leave Monday to Friday and again the
next Monday to Friday is away until the second Friday.

The reason category is kept (the source's own record) but never shown: sickness is personal
data the team's channel and modal do not need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.domain.calendar import working_day_on_or_after

REASONS = ("annual_leave", "sickness", "training", "parental_leave", "other")


@dataclass(frozen=True)
class Absence:
    starts_on: date
    ends_on: date | None  # the last day away; None: no return date known
    reason: str

    def as_json(self) -> dict[str, Any]:
        """As stored and answered: {"from", "to", "reason"}."""
        return {"from": self.starts_on.isoformat(), "to": self.ends_on.isoformat() if self.ends_on else None, "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Absence:
        ends = data.get("to")
        return cls(date.fromisoformat(str(data["from"])), date.fromisoformat(str(ends)) if ends else None, str(data.get("reason", "other")))


@dataclass(frozen=True)
class Away:
    """Away today; `until` is the last day of the stretch (None: no return date)."""

    until: date | None


def away_on(absences: Iterable[Absence], today: date) -> Away | None:
    """Away today and until when, or None when no absence covers `today`."""
    ordered = sorted(absences, key=lambda a: a.starts_on)
    current: date | None = None
    covering = False
    for absence in ordered:
        if not covering:
            if absence.starts_on <= today and (absence.ends_on is None or absence.ends_on >= today):
                covering, current = True, absence.ends_on
                if current is None:
                    return Away(None)
            continue
        assert current is not None
        if absence.starts_on <= working_day_on_or_after(current + timedelta(days=1)):
            if absence.ends_on is None:
                return Away(None)
            current = max(current, absence.ends_on)
    return Away(current) if covering else None


def stored_absences(rows: Iterable[Mapping[str, Any]] | None) -> list[Absence]:
    """The absences as the practitioner row stores them (JSON)."""
    return [Absence.from_json(row) for row in rows or []]
