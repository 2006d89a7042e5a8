"""The staff feed's validator (bot/domain/staff_input.py): one for the API and the import."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.availability import Absence
from bot.domain.errors import InvalidInput
from bot.domain.staff_input import parse_staff


def fields(raw: object, **kwargs: str) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse_staff(raw, **kwargs)
    return {e.field: e.message for e in caught.value.errors}


def test_csv_text_and_json_read_alike() -> None:
    csv = parse_staff({"staff_code": "N07A001", "caseload": "b2:3; C1:5", "absences": "2026-12-07..2026-12-14 annual_leave;2027-01-04.. sickness"})
    json = parse_staff(
        {
            "caseload": {"B2": 3, "C1": 5},
            "absences": [{"from": "2026-12-07", "to": "2026-12-14", "reason": "annual_leave"}, {"from": "2027-01-04", "reason": "sickness"}],
        },
        staff_code="N07A001",
    )
    assert csv == json
    assert csv.caseload == {"B2": 3, "C1": 5}
    assert csv.absence_values() == [Absence(date(2026, 12, 7), date(2026, 12, 14), "annual_leave"), Absence(date(2027, 1, 4), None, "sickness")]


def test_blank_cells_are_not_given() -> None:
    record = parse_staff({"staff_code": "N07A001", "caseload_points": "", "caseload": "", "absences": ""})
    assert (record.caseload_points, record.caseload, record.absences) == (None, None, [])


def test_every_bad_field_is_named() -> None:
    problems = fields(
        {
            "caseload_points": -1,
            "caseload": "B2=3",
            "contracted_hours": 0,
            "absences": [{"from": "2026-12-07", "to": "2026-12-01"}, "x"],
            "as_of": "2026-12-01T09:00",
        },
        staff_code="N07A001",
    )
    assert set(problems) == {"caseload_points", "caseload", "contracted_hours", "absences[0]", "absences[1]", "as_of"}
    assert problems["caseload"].startswith("must be tier:count pairs")
    assert problems["absences[0]"] == "'to' must not be before 'from'"
    assert fields({"staff_code": "N07A001", "available_hours": 40, "contracted_hours": 30}) == {"available_hours": "cannot be more than contracted_hours"}


def test_the_body_may_repeat_the_addressed_staff_code_but_not_contradict_it() -> None:
    assert parse_staff({"staff_code": "N07A001"}, staff_code="N07A001").staff_code == "N07A001"
    assert "differs" in fields({"staff_code": "N07A002"}, staff_code="N07A001")["staff_code"]
    assert fields(["not", "an", "object"]) == {"body": "must be a JSON object with the staff fields"}
    assert fields({"caseload": {"B2": True}}, staff_code="N07A001") == {"caseload": "B2: the count must be a whole number from 0 to 10000"}
