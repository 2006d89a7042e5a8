"""The sections of a region's policy file, each a validated value (bot/domain/policy_file.py):
lengths of time, grade and tier rules, checks, allocation targets, contact types, touchpoint
timings, OMiC thresholds, the exceptional public interest sign-off. `Policy` (bot/domain/policy_schema.py) is made of them."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

TIER_LETTERS = ("A", "B", "C", "D")
SERVICES = ("probation", "prison")  # the teams file's `service`
REASON_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # kept on allocations.reason (40 characters)
REASON_LABEL_MAX = 75  # Slack's limit on an option's text in a select menu
DocumentGrade = Literal["PO", "PSO"]  # 004: "Probation Officer grade", "Probation Service Officer grade"
Check = Literal["exception", "note", "ignore"]  # not "off": YAML reads off as false


class Entry(BaseModel):
    """A section refuses keys it does not know (a misspelt setting is an error, not ignored) and is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(day|week|month)s?\s*$")


class Duration(Entry):
    """A length of time written as text: "12 weeks", "10 months", "7.5 months"."""

    amount: float = Field(gt=0, le=1200)
    unit: Literal["days", "weeks", "months"]

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        match = _LENGTH.match(value) if isinstance(value, str) else None
        if match is None:
            raise ValueError(f"{shown(value)} is not a length of time: write it like '12 weeks', '10 months' or '7.5 months'")
        return {"amount": float(match[1]), "unit": f"{match[2]}s"}

    def before(self, day: date) -> date:
        """`day` less this length. Months are calendar months (clamped to the month's end); a
        fraction of a month counts as that fraction of 30 days, so 7.5 months is 7 months and 15 days."""
        if self.unit == "days":
            return day - timedelta(days=self.amount)
        if self.unit == "weeks":
            return day - timedelta(weeks=self.amount)
        whole = int(self.amount)
        month_index = day.year * 12 + day.month - 1 - whole
        year, month = divmod(month_index, 12)
        shifted = date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
        return shifted - timedelta(days=round((self.amount - whole) * 30))

    def __str__(self) -> str:
        return f"{self.amount:g} {self.unit}"


class GradeRule(Entry):
    counts_as: DocumentGrade
    described_as: str = Field(min_length=1, max_length=40)


class TierRule(Entry):
    within_policy: tuple[DocumentGrade, ...] = Field(min_length=1)
    usual: DocumentGrade | None = None

    @model_validator(mode="after")
    def _usual_is_within(self) -> TierRule:
        if len(set(self.within_policy)) != len(self.within_policy):
            raise ValueError("within_policy names a grade twice")
        if self.usual is not None and self.usual not in self.within_policy:
            raise ValueError(f"usual grade {self.usual} must also be in within_policy")
        return self


class Checks(Entry):
    readiness: Check
    visor_for_mappa: Check


class TargetDays(Entry):
    probation: int = Field(ge=0, le=60)
    prison: int = Field(ge=0, le=60)


class ContactTypes(Entry):
    """The system of record's contact type for the allocation evidence, by the team's service."""

    probation: str = Field(min_length=1, max_length=100)
    prison: str = Field(min_length=1, max_length=100)


class Reminders(Entry):
    working_days_before: int = Field(ge=0, le=20)
    on_the_day: bool
    day_after_if_high_priority: bool


class TouchpointRule(Entry):
    days_after_allocation: int = Field(ge=1, le=365)
    reason_after_days_off: int = Field(ge=0, le=365)
    reminders: Reminders


class ExceptionalPublicInterest(Entry):
    """What the senior sign-off of seeds/003 para 3.5 covers beyond the first allocation."""

    sign_off_on_reallocation: bool


class ByResourcing(Entry):
    enhanced: Duration
    normal: Duration


class Omic(Entry):
    com_at_sentence: ByResourcing
    handover_before_release: ByResourcing
    lead_working_days_before_handover: int = Field(ge=0, le=120)


def shown(value: Any) -> str:
    """A value as an error message quotes it, cut short."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
