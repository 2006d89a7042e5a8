"""The case fields of the intake API and the CSV/JSON import (README, "The intake API").

One validator serves both doors, so a line the CLI rejects is a body the API rejects too, with
the same field names and messages. Pure: today's date and the known team codes are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

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
    picture_date_errors,
    split_list,
)
from bot.domain.errors import FieldError, InvalidInput
from bot.domain.input_messages import plain_message
from bot.domain.tiers import Tier

CRN_PATTERN = re.compile(r"^[A-Z][0-9]{6}\Z")  # \Z: `$` would also let a trailing newline through
ROSH_LEVELS = ("Low", "Medium", "High", "Very High")
Rosh = RiskLevel
APPOINTMENT_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]\Z")
RESOURCING = ("enhanced", "normal")  # bot/domain/resourcing.py
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
    "resourcing",
    "foreign_national",
    "deportation_recommended",
    "exceptional_public_interest",
    "sentence_months",
    "handover_date",
    "first_appointment_date",
    "first_appointment_time",
    "first_appointment_place",
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
    resourcing: str | None = None  # the source's own outcome, when it has computed one
    foreign_national: bool = False
    deportation_recommended: bool = False
    exceptional_public_interest: bool = False
    sentence_months: float | None = Field(default=None, ge=0, le=1200)
    handover_date: date | None = None
    first_appointment_date: date | None = None
    first_appointment_time: str | None = None
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

    @field_validator("resourcing")
    @classmethod
    def _resourcing(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in RESOURCING:
            raise ValueError("must be one of: " + ", ".join(RESOURCING))
        return value.lower() if value is not None else None

    @field_validator("first_appointment_time")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is not None and not APPOINTMENT_TIME.match(value):
            raise ValueError("must be a time of day as HH:MM, e.g. 09:30")
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


CUSTODY = "custody"
EARLIEST_SENTENCE = date(
    1900, 1, 1
)  # dates before it are typing slips, and the OMiC path counts months back from them  # the `sentence_type` that means the person is in prison (README, "Case fields")


def _custody_rule(clean: dict[str, Any]) -> FieldError | None:
    """Fill in or check `custodial` from a `sentence_type` of Custody.

    `custodial` means the prison notification applies (PI 05/2014 s1.15: a custodial allocation
    is notified to the receiving prison). A sentence of Custody puts the person in prison, so
    a row that leaves `custodial` out is custodial, and one that says Custody but custodial
    false contradicts itself and is refused rather than guessed. Licence is not derived: it is
    supervision in the community after release, there is no prison holding the person to
    notify, so it keeps the default (false) unless the source says otherwise. Other sentence
    types are left to the `custodial` field. Changes `clean` in place; returns the refusal.
    """
    if str(clean.get("sentence_type", "")).strip().lower() != CUSTODY:
        return None
    if "custodial" not in clean:
        clean["custodial"] = True
        return None
    if _parsed(bool, clean["custodial"]) is False:
        return FieldError("custodial", "must be true when sentence_type is Custody (the prison is notified); leave it out or set it true")
    return None


def _restriction_rule(clean: dict[str, Any]) -> FieldError | None:
    """A restriction list makes the case limited-access: `restricted` left out becomes true, and
    `restricted` false beside a list contradicts itself and is refused rather than guessed (the
    list would be ignored in the channel otherwise). Changes `clean` in place."""
    codes = split_list(clean.get("restricted_to"))
    if not (isinstance(codes, list) and codes):
        return None
    if "restricted" not in clean:
        clean["restricted"] = True
        return None
    if _parsed(bool, clean["restricted"]) is False:
        return FieldError("restricted", "must be true when restricted_to names staff (a restricted case); leave it out or set it true")
    return None


def parse_case(raw: Mapping[str, Any], *, today: date, team_codes: Container[str]) -> CaseIn:
    """Validate one case; raise `InvalidInput` naming every bad field.

    The sentence date may not be after `today` (a sentence cannot be in the future) and the
    team must already be known from `casebot teams load`. A sentence of Custody is custodial
    (`_custody_rule`).
    """
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError("body", "must be a JSON object with the case fields")])
    clean = _blank_to_missing(raw)
    custodial_given = "custodial" in clean
    errors = [refusal for refusal in (_custody_rule(clean), _restriction_rule(clean)) if refusal]
    try:
        case = CaseIn.model_validate(clean)
    except ValidationError as exc:
        errors += [_field_error(e) for e in exc.errors()]
        case = None
    failed = {e.field for e in errors}
    team = str(clean.get("team", "")).strip()
    if "team" not in failed and team and team not in team_codes:
        errors.append(FieldError("team", f"unknown team code '{team[:20]}': load it first with `casebot teams load`"))
    sentence = _parsed(date, clean.get("sentence_date"))
    if "sentence_date" not in failed and sentence is not None and sentence > today:
        errors.append(FieldError("sentence_date", "must not be in the future"))
    if "sentence_date" not in failed and sentence is not None and sentence < EARLIEST_SENTENCE:
        errors.append(FieldError("sentence_date", f"must not be before {EARLIEST_SENTENCE.isoformat()}"))
    for name in ("release_date", "handover_date"):  # the OMiC path counts back from them (bot/domain/case_path.py)
        later = _parsed(date, clean.get(name))
        if name not in failed and later is not None and sentence is not None and later < sentence:
            errors.append(FieldError(name, "must not be before the sentence date"))
    arrived = _parsed(date, clean.get("arrived_on"))
    if "arrived_on" not in failed and arrived is not None:
        if arrived > today:
            errors.append(FieldError("arrived_on", "must not be in the future"))
        elif sentence is not None and arrived < sentence:
            errors.append(FieldError("arrived_on", "must not be before the sentence date"))
    picture_dates = {name: _parsed(date, clean.get(name)) for name in ("date_of_birth", "rsr_date", "last_oasys_date") if name not in failed}
    errors += picture_date_errors(picture_dates, today=today, sentence=sentence)
    if "custodial" not in failed and _parsed(bool, clean.get("custodial")) and "prison" not in clean:
        # seeds/003 s1.15: a custodial allocation is notified to the receiving prison.
        why = "" if custodial_given else " (a sentence of Custody is custodial)"
        errors.append(FieldError("prison", f"is required when custodial is true{why}"))
    if errors or case is None:
        raise InvalidInput(_dedupe(errors))
    return case


def _parsed(kind: type, value: Any) -> Any:
    """`value` read as `kind` the way the model reads it, or None when it does not parse."""
    if value is None:
        return None
    try:
        return TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return None


def _dedupe(errors: list[FieldError]) -> list[FieldError]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for error in errors:
        if (error.field, error.message) not in seen:
            seen.add((error.field, error.message))
            unique.append(error)
    return unique
