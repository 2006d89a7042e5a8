"""The allocator's picture of a case: the optional intake fields an SPO needs to decide from
chat without opening the system of record (README, "The intake API").

seeds/002 "Review the case" asks for identity (date of birth, NOMIS id), risks and alerts that
affect allocation, the breakdown of risk "what is the risk level and who is the risk against",
the date and type of the last OASys assessment, previous and concurrent offences, recall or
parole eligibility; seeds/001 s3.1-3.2 name what the court team completes (OGRS, RSR and OSP,
the RoSH level, whether a PSR was prepared); seeds/003 s3.17 lists the paperwork passed on (the
sentence "including any requirements", the RoSH analysis, the PSR "if prepared").

The fields arrive flat (one CSV column each, lists `;`-separated) and are validated by
`bot/domain/case_input.py`'s `CaseIn`; they are stored together as one JSON value and read back
through `CasePicture`, so every reader gets typed values, never the raw JSON. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from bot.domain.errors import FieldError

RiskLevel = Literal["Low", "Medium", "High", "Very High"]  # RoSH, and OSP's levels
RSR_LEVELS = ("Low", "Medium", "High")  # seeds/003 s3.15-3.16: under 3%, 3-6.89%, 6.9% or above
# Who is at risk (the OASys RoSH summary's groups): field suffix and the words a reader sees.
RISK_GROUPS = (("children", "Children"), ("public", "Public"), ("known_adult", "Known adult"), ("staff", "Staff"), ("prisoners", "Prisoners"))
NOMIS_ID = re.compile(r"^[A-Z][0-9]{4}[A-Z]{2}\Z")  # the prison number, e.g. A1234BC
SENTENCE_LENGTH = re.compile(r"^(?:\d{1,4} ?(?:day|week|month|year)s?(?:,? (?:and )?)?)+\Z", re.IGNORECASE)
LIST_MAX = 30  # items in one list field (registrations, alerts, offences, requirements)
ITEM_MAX = 300  # characters of one item


def split_list(value: Any) -> Any:
    """CSV carries a list as `a;b;c`, JSON as a list; blank items are dropped."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(";") if item.strip()]
    return value


def _no_nul(value: str) -> str:
    """PostgreSQL cannot store NUL in text; refuse it here rather than fail on insert."""
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


Item = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ITEM_MAX), BeforeValidator(lambda v: _no_nul(v) if isinstance(v, str) else v)
]
TextList = Annotated[list[Item], Field(max_length=LIST_MAX), BeforeValidator(split_list)]
StaffCodes = Annotated[
    list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]], Field(max_length=200), BeforeValidator(split_list)
]
Percent = Annotated[float, Field(ge=0, le=100)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=100), BeforeValidator(lambda v: _no_nul(v) if isinstance(v, str) else v)]


def _rsr_level(value: Any) -> Any:
    """'high' reads as 'High'; anything else is refused with the levels named."""
    if value is None:
        return None
    wanted = str(value).strip().casefold()
    for level in RSR_LEVELS:
        if level.casefold() == wanted:
            return level
    raise ValueError("must be one of: " + ", ".join(RSR_LEVELS))


def _nomis_id(value: Any) -> Any:
    if value is None:
        return None
    text = str(value).strip().upper()
    if not NOMIS_ID.match(text):
        raise ValueError("must be a NOMIS prison number: a letter, four digits and two letters, e.g. A1234BC")
    return text


def _sentence_length(value: Any) -> Any:
    if value is None:
        return None
    text = " ".join(str(value).split())
    if len(text) > 60 or not SENTENCE_LENGTH.match(text):
        raise ValueError("must be a length such as '12 months' or '2 years 6 months'")
    return text


RsrLevel = Annotated[str | None, BeforeValidator(_rsr_level)]
NomisId = Annotated[str | None, BeforeValidator(_nomis_id)]
SentenceLength = Annotated[str | None, BeforeValidator(_sentence_length)]


@dataclass(frozen=True)
class CasePicture:
    """The stored picture, typed. Every field may be None (or empty): the source did not send it."""

    date_of_birth: date | None = None
    gender: str | None = None
    nomis_id: str | None = None
    ogrs: float | None = None
    rsr_level: str | None = None
    rsr_date: date | None = None
    osp_c: str | None = None
    osp_i: str | None = None
    rosh_children: str | None = None
    rosh_public: str | None = None
    rosh_known_adult: str | None = None
    rosh_staff: str | None = None
    rosh_prisoners: str | None = None
    registrations: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    last_oasys_date: date | None = None
    last_oasys_type: str | None = None
    other_offences: tuple[str, ...] = ()
    sentence_length: str | None = None
    requirements: tuple[str, ...] = ()
    recall: bool | None = None
    parole_eligibility_date: date | None = None
    psr_prepared: bool | None = None

    def rosh_by_group(self) -> list[tuple[str, str | None]]:
        """(who, level) for each group, in the OASys order."""
        return [(label, getattr(self, f"rosh_{key}")) for key, label in RISK_GROUPS]

    def to_stored(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO text, lists as lists, nothing for what was not sent."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == ():
                continue
            out[f.name] = value.isoformat() if isinstance(value, date) else list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any] | None) -> CasePicture:
        """The picture from its stored JSON; unknown keys (a later version's) are ignored."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = (stored or {}).get(f.name)
            if value is None:
                continue
            if f.name in _DATES:
                value = date.fromisoformat(str(value))
            elif f.name in _LISTS:
                value = tuple(str(item) for item in value)
            values[f.name] = value
        return cls(**values)


PICTURE_FIELDS = tuple(f.name for f in fields(CasePicture))
_DATES = frozenset(f.name for f in fields(CasePicture) if f.type == "date | None")  # annotations are text here
_LISTS = frozenset(f.name for f in fields(CasePicture) if f.type == "tuple[str, ...]")


def picture_of(values: Mapping[str, Any]) -> CasePicture:
    """The picture from validated case values (`CaseIn.model_dump()`)."""
    given: dict[str, Any] = {name: tuple(values[name]) if isinstance(values.get(name), list) else values.get(name) for name in PICTURE_FIELDS}
    return CasePicture(**given)


def picture_date_errors(dates: Mapping[str, date | None], *, today: date, sentence: date | None) -> list[FieldError]:
    """Dates that cannot be right: a birth, an RSR or an OASys assessment in the future, a
    birth after the sentence. The parole eligibility date is a future date by nature."""
    errors = [
        FieldError(name, "must not be in the future") for name in ("date_of_birth", "rsr_date", "last_oasys_date") if (d := dates.get(name)) and d > today
    ]
    born = dates.get("date_of_birth")
    if born and born <= today and sentence is not None and born >= sentence:
        errors.append(FieldError("date_of_birth", "must be before the sentence date"))
    return errors
