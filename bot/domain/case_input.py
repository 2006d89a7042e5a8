"""The case fields of the intake API and the CSV/JSON import (README, "The intake API").

One validator serves both doors, so a line the CLI rejects is a body the API rejects too, with
the same field names and messages. Pure: today's date and the known team codes are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.domain.case_field_rules import cross_field_errors, custody_rule, restriction_rule
from bot.domain.case_path_input import PATH_FIELDS, AppointmentTime, Resourcing, SentenceMonths
from bot.domain.case_picture import (
    PICTURE_FIELDS,
    NomisId,
    Percent,
    RiskLevel,
    RsrLevel,
    SentenceLength,
    ShortText,
    StaffCodes,
    TextList,
)
from bot.domain.errors import FieldError, InvalidInput
from bot.domain.input_messages import plain_message
from bot.domain.tiers import Tier

CRN_PATTERN = re.compile(r"^[A-Z][0-9]{6}\Z")  # \Z: `$` would also let a trailing newline through
ROSH_LEVELS = ("Low", "Medium", "High", "Very High")
Rosh = RiskLevel
FIELDS = (
    "event_id",
    "crn",
    "name",
    "team",
    "tier",
    "sentence_type",
    "sentence_date",
    "custodial",
    "prison",
    "rosh",
    "rsr",
    "mappa_category",
    "mappa_level",
    "offence",
    "previous_practitioner",
    "release_date",
    "restricted",
    "excluded_practitioners",
    "arrived_on",
    "event_number",
    # The allocator's picture (bot/domain/case_picture.py) and the restriction list.
    *PICTURE_FIELDS,
    "restricted_to",
    # The case's path (README, "The intake API"): resourcing inputs, OMiC handover, first appointment.
    *PATH_FIELDS,
)

# Where the case fields say more than the shared wording (bot/domain/input_messages.py).
_MESSAGES = {
    "list_type": "must be a list of staff codes",
    "literal_error": "must be one of: " + ", ".join(ROSH_LEVELS),
}


class CaseIn(BaseModel):
    """A validated case as received. Strings are stripped; CRN and tier are upper-cased."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", strict=False)

    event_id: str = Field(min_length=1, max_length=200)
    crn: str
    name: str = Field(min_length=1, max_length=200)
    team: str = Field(min_length=1, max_length=20)
    tier: str
    sentence_type: str = Field(min_length=1, max_length=100)
    sentence_date: date
    custodial: bool = False
    prison: str | None = Field(default=None, max_length=200)
    rosh: Rosh | None = None
    rsr: float | None = None
    mappa_category: int | None = None
    mappa_level: int | None = None
    offence: str | None = Field(default=None, max_length=2000)
    previous_practitioner: str | None = Field(default=None, max_length=20)
    release_date: date | None = None
    arrived_on: date | None = None  # the day the case reached the team; the day of receipt when absent
    # The case's path: resourcing inputs (seeds/003 para 1.12), OMiC handover, first appointment.
    resourcing: Resourcing | None = None  # the source's own outcome, when it has computed one
    foreign_national: bool = False
    deportation_recommended: bool = False
    exceptional_public_interest: bool = False
    sentence_months: SentenceMonths | None = None
    handover_date: date | None = None
    first_appointment_date: date | None = None
    first_appointment_time: AppointmentTime | None = None
    first_appointment_place: str | None = Field(default=None, max_length=200)
    restricted: bool = False
    excluded_practitioners: list[str] = Field(default_factory=list)
    event_number: str | None = None  # the system of record's event being allocated (docs/write-back.md)
    # The allocator's picture (bot/domain/case_picture.py; seeds/002 "Review the case", 001
    # s3.1-3.2, 003 s3.17), stored as one JSON value; then the restriction list.
    date_of_birth: date | None = None
    gender: ShortText | None = None
    nomis_id: NomisId = None
    ogrs: Percent | None = None
    rsr_level: RsrLevel = None
    rsr_date: date | None = None
    osp_c: RiskLevel | None = None
    osp_i: RiskLevel | None = None
    rosh_children: RiskLevel | None = None
    rosh_public: RiskLevel | None = None
    rosh_known_adult: RiskLevel | None = None
    rosh_staff: RiskLevel | None = None
    rosh_prisoners: RiskLevel | None = None
    registrations: TextList = Field(default_factory=list)
    alerts: TextList = Field(default_factory=list)
    last_oasys_date: date | None = None
    last_oasys_type: ShortText | None = None
    other_offences: TextList = Field(default_factory=list)
    sentence_length: SentenceLength = None
    requirements: TextList = Field(default_factory=list)
    recall: bool | None = None
    parole_eligibility_date: date | None = None
    psr_prepared: bool | None = None
    restricted_to: StaffCodes = Field(default_factory=list)  # only these staff may see or hold the case

    @field_validator("event_id", "name", "team", "sentence_type", "prison", "offence", "previous_practitioner", "first_appointment_place")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        """PostgreSQL cannot store NUL in text; refuse it here rather than fail on insert."""
        if value is not None and "\x00" in value:
            raise ValueError("must not contain a NUL character")
        return value

    @field_validator("crn")
    @classmethod
    def _crn(cls, value: str) -> str:
        crn = value.upper() if value.isascii() else value  # "ı".upper() is "I": check before casing
        if not CRN_PATTERN.match(crn):
            raise ValueError("must be one letter and six digits, e.g. X123456")
        return crn

    @field_validator("tier")
    @classmethod
    def _tier(cls, value: str) -> str:
        return str(Tier.parse(value))

    @field_validator("event_number", mode="before")
    @classmethod
    def _event_number(cls, value: Any) -> Any:
        """nDelius numbers a person's events 1, 2, ...: digits only (JSON may send a number)."""
        text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else None
        if text is None or not text.isdigit() or not 1 <= len(text) <= 10:
            raise ValueError("must be the record's event number: 1 to 10 digits, e.g. 1")
        return text

    @field_validator("rsr")
    @classmethod
    def _rsr(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= 100:
            raise ValueError("must be a percentage from 0 to 100")
        return value

    @field_validator("mappa_category")
    @classmethod
    def _mappa_category(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 4:
            raise ValueError("must be a MAPPA category from 1 to 4")
        return value

    @field_validator("mappa_level")
    @classmethod
    def _mappa_level(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 3:
            raise ValueError("must be a MAPPA level from 1 to 3")
        return value

    @field_validator("rsr", "mappa_category", "mappa_level", "ogrs", "sentence_months", mode="before")
    @classmethod
    def _no_booleans(cls, value: Any) -> Any:
        """JSON true is not MAPPA category 1: refuse booleans where numbers are meant."""
        if isinstance(value, bool):
            raise ValueError("must be a number, not true or false")
        return value

    @field_validator("excluded_practitioners", mode="before")
    @classmethod
    def _split_codes(cls, value: Any) -> Any:
        """CSV carries the list as `A1;B2`; JSON as a list."""
        if isinstance(value, str):
            return [code.strip() for code in value.split(";") if code.strip()]
        return value


def _blank_to_missing(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Empty CSV cells, JSON nulls and blank strings mean 'not given'."""
    return {key: value for key, value in raw.items() if value is not None and not (isinstance(value, str) and not value.strip())}


def _field_error(error: Mapping[str, Any]) -> FieldError:
    loc = error.get("loc") or ()
    field = ".".join(str(part) for part in loc[:1]) or "body"
    if error.get("type") == "list_type" and field in PICTURE_FIELDS:
        return FieldError(field, "must be a list of texts (`;`-separated in CSV)")
    message = _MESSAGES.get(str(error.get("type")), "") or plain_message(error)
    return FieldError(field, message)


def parse_case(raw: Mapping[str, Any], *, today: date, team_codes: Container[str]) -> CaseIn:
    """Validate one case; raise `InvalidInput` naming every bad field.

    The sentence date may not be after `today` (a sentence cannot be in the future) and the
    team must already be known from `casebot teams load`. A sentence of Custody is custodial
    (bot/domain/case_field_rules.py `custody_rule`).
    """
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError("body", "must be a JSON object with the case fields")])
    clean = _blank_to_missing(raw)
    custodial_given = "custodial" in clean
    errors = [refusal for refusal in (custody_rule(clean), restriction_rule(clean)) if refusal]
    try:
        case = CaseIn.model_validate(clean)
    except ValidationError as exc:
        errors += [_field_error(e) for e in exc.errors()]
        case = None
    failed = {e.field for e in errors}
    errors += cross_field_errors(clean, failed=failed, today=today, team_codes=team_codes, custodial_given=custodial_given)
    if errors or case is None:
        raise InvalidInput(_dedupe(errors))
    return case


def _dedupe(errors: list[FieldError]) -> list[FieldError]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for error in errors:
        if (error.field, error.message) not in seen:
            seen.add((error.field, error.message))
            unique.append(error)
    return unique
