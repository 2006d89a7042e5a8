"""One practitioner's workload and availability from the workforce source (README, "The staff
feed"): the body of `PUT /api/v1/staff/{staff_code}` and a line of `casebot staff import`.

One validator serves both doors, as bot/domain/case_input.py does for cases, so a line the CLI
rejects is a body the API rejects, with the same field names and messages. CSV carries the two
structured fields as text: `caseload` as `B2:3;C1:5`, `absences` as
`2026-12-07..2026-12-14 annual_leave;2027-01-04.. sickness` (no end: no return date known).
Pure: no I/O; the caller says which staff codes exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from bot.domain.availability import REASONS, Absence
from bot.domain.errors import FieldError, InvalidInput
from bot.domain.input_messages import plain_message
from bot.domain.tiers import Tier

FIELDS = ("staff_code", "caseload_points", "caseload", "contracted_hours", "available_hours", "absences", "as_of")
MAX_ABSENCES = 50

Reason = Literal["annual_leave", "sickness", "training", "parental_leave", "other"]


class AbsenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    starts_on: date = Field(alias="from")
    ends_on: date | None = Field(default=None, alias="to")
    reason: Reason = "other"

    @field_validator("starts_on", "ends_on", mode="before")
    @classmethod
    def _iso_day(cls, value: Any) -> Any:
        """ISO dates only: pydantic would also read a number as a timestamp."""
        if value is None or value == "":
            return None
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError("must be an ISO date (YYYY-MM-DD)") from None

    @model_validator(mode="after")
    def _order(self) -> AbsenceIn:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("'to' must not be before 'from'")
        return self


class StaffIn(BaseModel):
    """A validated feed record. A figure left out is not known to the source: the teams file's
    figure is used for it (docs/workload.md)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    staff_code: str = Field(min_length=1, max_length=20)
    caseload_points: float | None = Field(default=None, ge=0, le=100_000)
    caseload: dict[str, int] | None = None
    contracted_hours: float | None = Field(default=None, gt=0, le=80)
    available_hours: float | None = Field(default=None, ge=0, le=80)
    absences: list[AbsenceIn] = Field(default_factory=list, max_length=MAX_ABSENCES)
    as_of: datetime | None = None  # when the source's figures were true; the time of receipt when absent

    @field_validator("caseload", mode="before")
    @classmethod
    def _caseload(cls, value: Any) -> Any:
        """`B2:3;C1:5` (CSV) or {"B2": 3} (JSON) -> {"B2": 3, "C1": 5}, tiers checked."""
        if isinstance(value, str):
            pairs = [part.split(":", 1) for part in value.split(";") if part.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError("must be tier:count pairs separated by ';', e.g. B2:3;C1:5")
            value = {tier.strip(): count.strip() for tier, count in pairs}
        if not isinstance(value, Mapping):
            raise ValueError('must map tiers to case counts, e.g. {"B2": 3, "C1": 5}')
        counts: dict[str, int] = {}
        for tier, count in value.items():
            key = str(Tier.parse(str(tier)))
            if isinstance(count, bool) or not str(count).strip().isdigit() or int(str(count).strip()) > 10_000:
                raise ValueError(f"{key}: the count must be a whole number from 0 to 10000")
            counts[key] = counts.get(key, 0) + int(str(count).strip())
        return counts

    @field_validator("absences", mode="before")
    @classmethod
    def _absences(cls, value: Any) -> Any:
        """CSV: `FROM..TO reason;...`; JSON: a list of {"from", "to", "reason"}."""
        if not isinstance(value, str):
            return value
        out = []
        for part in (p.strip() for p in value.split(";")):
            if not part:
                continue
            span, _, reason = part.partition(" ")
            start, dots, end = span.partition("..")
            if not dots:
                raise ValueError(f"'{part[:40]}' must be FROM..TO reason, e.g. 2026-12-07..2026-12-14 annual_leave")
            out.append({"from": start, "to": end or None, "reason": reason.strip() or "other"})
        return out

    @field_validator("as_of")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must be an ISO date and time with its offset, e.g. 2026-12-03T07:00:00+00:00")
        return value

    @field_validator("available_hours")
    @classmethod
    def _hours(cls, value: float | None, info: ValidationInfo) -> float | None:
        contracted = info.data.get("contracted_hours")
        if value is not None and contracted is not None and value > contracted:
            raise ValueError("cannot be more than contracted_hours")
        return value

    def absence_values(self) -> list[Absence]:
        return [Absence(a.starts_on, a.ends_on, a.reason) for a in self.absences]


def _field_error(error: Mapping[str, Any]) -> FieldError:
    loc = [str(part) for part in error.get("loc") or ()]
    if loc[:1] == ["absences"] and len(loc) > 1:
        names = {"starts_on": "from", "ends_on": "to"}
        field = f"absences[{loc[1]}]" + (f".{names.get(loc[2], loc[2])}" if len(loc) > 2 else "")
    else:
        field = loc[0] if loc else "body"
    message = plain_message(error)
    if error.get("type") == "literal_error" and loc[-1:] == ["reason"]:
        message = "must be one of: " + ", ".join(REASONS)
    if error.get("type") == "model_type" and loc[:1] == ["absences"]:
        message = "must be an object with from, to and reason"
    return FieldError(field, message)


def parse_staff(raw: Any, *, staff_code: str | None = None) -> StaffIn:
    """Validate one record; raise `InvalidInput` naming every bad field. `staff_code`: the
    code from the URL, which the body may repeat but not contradict."""
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError("body", "must be a JSON object with the staff fields")])
    clean = {k: v for k, v in raw.items() if v is not None and not (isinstance(v, str) and not v.strip())}
    if staff_code is not None:
        given = str(clean.get("staff_code", staff_code)).strip()
        if given != staff_code:
            raise InvalidInput([FieldError("staff_code", f"'{given[:20]}' differs from the staff code in the address '{staff_code[:20]}'")])
        clean["staff_code"] = staff_code
    try:
        return StaffIn.model_validate(clean)
    except ValidationError as exc:
        raise InvalidInput(_dedupe([_field_error(e) for e in exc.errors()])) from None


def _dedupe(errors: list[FieldError]) -> list[FieldError]:
    unique: list[FieldError] = []
    for error in errors:
        if all((e.field, e.message) != (error.field, error.message) for e in unique):
            unique.append(error)
    return unique
