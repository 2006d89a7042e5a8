"""The intake fields of the case's path (README, "The intake API"): the resourcing inputs
(seeds/003 para 1.12), the OMiC handover and the first appointment, as typed field values for
`bot/domain/case_input.py`'s `CaseIn`, the way `bot/domain/case_picture.py` types the picture's.

Kept apart so the path's wording and formats live in one place beside the rules that read them
(bot/domain/resourcing.py, bot/domain/case_path.py). Pure.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

RESOURCING = ("enhanced", "normal")  # bot/domain/resourcing.py
APPOINTMENT_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]\Z")

# The path's fields in the order the README lists them.
PATH_FIELDS = (
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


def _resourcing(value: str) -> str:
    """The source's own outcome, when it has computed one: either word, in any case."""
    if value.lower() not in RESOURCING:
        raise ValueError("must be one of: " + ", ".join(RESOURCING))
    return value.lower()


def _time(value: str) -> str:
    if not APPOINTMENT_TIME.match(value):
        raise ValueError("must be a time of day as HH:MM, e.g. 09:30")
    return value


Resourcing = Annotated[str, AfterValidator(_resourcing)]
AppointmentTime = Annotated[str, AfterValidator(_time)]
SentenceMonths = Annotated[float, Field(ge=0, le=1200)]
