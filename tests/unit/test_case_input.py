"""Validation of intake/import case fields by `parse_case` (bot/domain/case_input.py, README "Case fields")."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.domain.case_input import parse_case
from bot.domain.errors import InvalidInput
from bot.queries.sar import parse_crn
from tests.support.factories import case_fields

TODAY = date(2026, 3, 10)
TEAMS = frozenset({"N07T1", "N07T2"})
REQUIRED = ("event_id", "crn", "name", "team", "tier", "sentence_type", "sentence_date")


def valid(**changes: Any) -> dict[str, Any]:
    """A minimal valid case, with `changes` applied; a value of ... removes the key."""
    raw: dict[str, Any] = {
        "event_id": "evt-1",
        "crn": "X123456",
        "name": "Jo Bloggs",
        "team": "N07T1",
        "tier": "B2",
        "sentence_type": "Community Order",
        "sentence_date": "2026-03-09",
    }
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not ...}


def errors(raw: Any, *, today: date = TODAY) -> dict[str, str]:
    """field -> message of a rejected case (fails the test if it is accepted)."""
    with pytest.raises(InvalidInput) as excinfo:
        parse_case(raw, today=today, team_codes=TEAMS)
    found = excinfo.value.errors
    assert len({e.field for e in found}) == len(found), f"one error per field expected: {found}"
    return {e.field: e.message for e in found}


def test_valid_minimal_case_gets_defaults() -> None:
    case = parse_case(valid(), today=TODAY, team_codes=TEAMS)
    assert case.crn == "X123456"
    assert case.sentence_date == date(2026, 3, 9)
    assert case.custodial is False and case.restricted is False
    assert case.prison is None and case.rsr is None and case.mappa_category is None
    assert case.excluded_practitioners == []


# --- CRN -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("crn", "stored"), [("x123456", "X123456"), (" X654321 ", "X654321")])
def test_crn_is_upper_cased_and_stripped(crn: str, stored: str) -> None:
    assert parse_case(valid(crn=crn), today=TODAY, team_codes=TEAMS).crn == stored


@pytest.mark.parametrize("crn", ["X12345", "X1234567", "12345678", "XX12345", "X12 456", "X12345A", "ı123456", "ſ123456", "x١٢٣٤٥٦"])
def test_crn_must_be_one_letter_and_six_digits(crn: str) -> None:
    message = errors(valid(crn=crn))["crn"]
    assert "one letter and six digits" in message


@pytest.mark.parametrize("crn", ["ı123456", "ſ123456"])
def test_a_sar_crn_that_only_upper_casing_makes_ascii_is_refused(crn: str) -> None:
    """ "ı".upper() is "I": asked for `ı123456`, the export must not be of I123456."""
    with pytest.raises(InvalidInput):
        parse_crn(crn)


# --- tier ------------------------------------------------------------------------------------


def test_tier_is_upper_cased() -> None:
    assert parse_case(valid(tier="c1"), today=TODAY, team_codes=TEAMS).tier == "C1"


@pytest.mark.parametrize("tier", ["E1", "A4", "B", "B22", "2B"])
def test_tier_outside_a0_to_d3_is_rejected(tier: str) -> None:
    # seeds/004 Unified Tiering Model: A-D and 0-3.
    assert "A0 to D3" in errors(valid(tier=tier))["tier"]


# --- sentence date ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["09/03/2026", "2026-02-30", "yesterday", "2026-3-9x"])
def test_malformed_sentence_date(value: str) -> None:
    assert "YYYY-MM-DD" in errors(valid(sentence_date=value))["sentence_date"]


def test_sentence_date_after_today_is_rejected() -> None:
    assert errors(valid(sentence_date="2026-03-11"))["sentence_date"] == "must not be in the future"


def test_future_is_relative_to_the_today_passed_in() -> None:
    raw = valid(sentence_date="2026-03-11")
    assert parse_case(raw, today=date(2026, 3, 11), team_codes=TEAMS).sentence_date == date(2026, 3, 11)
    assert "sentence_date" in errors(raw, today=date(2026, 3, 10))


# --- custodial and prison --------------------------------------------------------------------


@pytest.mark.parametrize("custodial", [True, "true", "TRUE", "1", "yes"])
def test_custodial_needs_a_prison(custodial: Any) -> None:
    # seeds/003 s1.15: the receiving prison is notified of a custodial allocation.
    assert errors(valid(custodial=custodial))["prison"] == "is required when custodial is true"


def test_custodial_with_empty_prison_cell_needs_a_prison() -> None:
    assert "prison" in errors(valid(custodial="true", prison=""))


def test_custodial_with_prison_is_accepted() -> None:
    case = parse_case(valid(custodial="true", prison="HMP Leeds"), today=TODAY, team_codes=TEAMS)
    assert case.custodial is True and case.prison == "HMP Leeds"


def test_custodial_with_whitespace_only_prison_needs_a_prison() -> None:
    assert "prison" in errors(valid(custodial="true", prison="   "))


def test_non_custodial_needs_no_prison() -> None:
    assert parse_case(valid(custodial="false"), today=TODAY, team_codes=TEAMS).custodial is False


def test_custodial_not_a_boolean() -> None:
    assert errors(valid(custodial="perhaps"))["custodial"] == "must be true or false"


# --- RSR and MAPPA ---------------------------------------------------------------------------


@pytest.mark.parametrize(("rsr", "stored"), [("0", 0.0), ("12.5", 12.5), (100, 100.0)])
def test_rsr_in_range_is_accepted(rsr: Any, stored: float) -> None:
    assert parse_case(valid(rsr=rsr), today=TODAY, team_codes=TEAMS).rsr == stored


@pytest.mark.parametrize("rsr", ["-0.1", "100.01", 250, "nan", "inf"])
def test_rsr_outside_0_to_100_is_rejected(rsr: Any) -> None:
    assert errors(valid(rsr=rsr))["rsr"] == "must be a percentage from 0 to 100"


def test_rsr_not_a_number() -> None:
    assert errors(valid(rsr="high"))["rsr"] == "must be a number"


@pytest.mark.parametrize(("category", "level"), [("1", "1"), ("4", "3"), (2, 2)])
def test_mappa_in_range_is_accepted(category: Any, level: Any) -> None:
    case = parse_case(valid(mappa_category=category, mappa_level=level), today=TODAY, team_codes=TEAMS)
    assert (case.mappa_category, case.mappa_level) == (int(category), int(level))


@pytest.mark.parametrize("category", ["0", "5", -1])
def test_mappa_category_outside_1_to_4(category: Any) -> None:
    assert "1 to 4" in errors(valid(mappa_category=category))["mappa_category"]


@pytest.mark.parametrize("level", ["0", "4"])
def test_mappa_level_outside_1_to_3(level: Any) -> None:
    assert "1 to 3" in errors(valid(mappa_level=level))["mappa_level"]


def test_mappa_category_must_be_whole() -> None:
    assert errors(valid(mappa_category="2.5"))["mappa_category"] == "must be a whole number"


def test_mappa_category_boolean_is_rejected() -> None:
    assert "mappa_category" in errors(valid(mappa_category=True))


def test_rosh_must_be_a_known_level() -> None:
    message = errors(valid(rosh="Extreme"))["rosh"]
    assert message == "must be one of: Low, Medium, High, Very High"


# --- team ------------------------------------------------------------------------------------


def test_unknown_team_is_rejected_and_says_how_to_fix() -> None:
    message = errors(valid(team="Z99Z9"))["team"]
    assert "Z99Z9" in message and "casebot teams load" in message


# --- missing and blank fields ----------------------------------------------------------------


@pytest.mark.parametrize("field", REQUIRED)
def test_each_missing_required_field_is_named(field: str) -> None:
    assert errors(valid(**{field: ...})) == {field: "is required"}


@pytest.mark.parametrize("field", REQUIRED)
def test_empty_string_means_missing(field: str) -> None:
    assert errors(valid(**{field: ""})) == {field: "is required"}


def test_empty_body_names_every_required_field() -> None:
    assert errors({}) == dict.fromkeys(REQUIRED, "is required")


def test_whitespace_only_name_is_empty() -> None:
    assert errors(valid(name="   "))["name"] == "is required"  # blank means not given


def test_overlong_name_says_the_limit() -> None:
    assert errors(valid(name="x" * 201))["name"] == "must be at most 200 characters"


def test_empty_optional_cells_are_not_given() -> None:
    blank = dict.fromkeys(
        ("custodial", "prison", "rosh", "rsr", "mappa_category", "mappa_level", "offence", "previous_practitioner", "restricted", "excluded_practitioners"), ""
    )
    case = parse_case(valid(**blank), today=TODAY, team_codes=TEAMS)
    assert case.rsr is None and case.rosh is None and case.mappa_level is None
    assert case.custodial is False and case.restricted is False and case.excluded_practitioners == []


# --- several problems at once ----------------------------------------------------------------


def test_all_bad_fields_are_reported_together() -> None:
    raw = valid(
        crn="X12",
        tier="E9",
        team="NOPE",
        sentence_date="2026-04-01",
        custodial="true",
        rsr="101",
        mappa_level="7",
        name=...,
    )
    assert set(errors(raw)) == {"crn", "tier", "team", "sentence_date", "prison", "rsr", "mappa_level", "name"}


# --- CSV-style strings -----------------------------------------------------------------------


def test_csv_strings_are_read_as_their_types() -> None:
    raw = valid(
        custodial="true",
        prison="HMP Doncaster",
        restricted="false",
        rsr="12.5",
        mappa_category="2",
        mappa_level="1",
        rosh="Very High",
        excluded_practitioners="A1; B2;;",
    )
    case = parse_case(raw, today=TODAY, team_codes=TEAMS)
    assert case.custodial is True and case.restricted is False
    assert case.rsr == 12.5
    assert (case.mappa_category, case.mappa_level) == (2, 1)
    assert case.rosh == "Very High"
    assert case.excluded_practitioners == ["A1", "B2"]


def test_json_list_of_excluded_practitioners() -> None:
    case = parse_case(valid(excluded_practitioners=["A1", "B2"]), today=TODAY, team_codes=TEAMS)
    assert case.excluded_practitioners == ["A1", "B2"]


def test_excluded_practitioners_must_be_codes() -> None:
    assert "excluded_practitioners" in errors(valid(excluded_practitioners=[{"code": "A1"}]))


def test_null_means_missing() -> None:
    assert errors(valid(crn=None)) == {"crn": "is required"}


# --- body shape ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [[valid()], "X123456", 42])
def test_non_object_body(body: Any) -> None:
    message = errors(body)["body"]
    assert "JSON object" in message


def test_invalid_input_message_lists_fields() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        parse_case(valid(crn="bad", team="NOPE"), today=TODAY, team_codes=TEAMS)
    assert "crn: " in str(excinfo.value) and "team: " in str(excinfo.value)
    assert {d["field"] for d in (e.as_dict() for e in excinfo.value.errors)} == {"crn", "team"}


# --- a sentence of Custody is custodial -------------------------------------------------------


@pytest.mark.parametrize("sentence_type", ["Custody", "custody", " CUSTODY "])
def test_custody_without_a_custodial_field_is_custodial(sentence_type: str) -> None:
    case = parse_case(valid(sentence_type=sentence_type, prison="HMP Leeds"), today=TODAY, team_codes=TEAMS)
    assert case.custodial is True


def test_custody_with_a_blank_custodial_cell_is_custodial() -> None:
    case = parse_case(valid(sentence_type="Custody", custodial="", prison="HMP Leeds"), today=TODAY, team_codes=TEAMS)
    assert case.custodial is True


def test_custody_without_a_prison_says_why_a_prison_is_needed() -> None:
    assert errors(valid(sentence_type="Custody")) == {"prison": "is required when custodial is true (a sentence of Custody is custodial)"}


@pytest.mark.parametrize("custodial", [False, "false", "no", "0"])
def test_custody_said_not_custodial_is_refused_with_the_reason(custodial: Any) -> None:
    found = errors(valid(sentence_type="Custody", custodial=custodial, prison="HMP Leeds"))
    assert found == {"custodial": "must be true when sentence_type is Custody (the prison is notified); leave it out or set it true"}


def test_licence_is_supervision_after_release_so_it_is_not_custodial() -> None:
    # No prison holds a person on licence: nothing to notify, so no prison is asked for.
    case = parse_case(valid(sentence_type="Licence"), today=TODAY, team_codes=TEAMS)
    assert case.custodial is False and case.prison is None


def test_other_sentence_types_keep_the_custodial_field_as_given() -> None:
    case = parse_case(valid(sentence_type="Community Order", custodial="true", prison="HMP Hull"), today=TODAY, team_codes=TEAMS)
    assert case.custodial is True


# --- the allocator's picture (bot/domain/case_picture.py) ------------------------------------


def test_the_picture_reads_from_csv_cells() -> None:
    """CSV carries every picture field as text: numbers, dates, yes/no and `;`-separated lists."""
    case = parse_case(
        valid(
            date_of_birth="1990-01-02", ogrs="45.5", rsr_level="high", rsr_date="2026-03-01", rosh_children="High", rosh_staff="Low",
            registrations="Domestic abuse; ViSOR ;", alerts="Risk to females", other_offences="Theft;Criminal damage",
            requirements="Unpaid work, 150 hours;Curfew", sentence_length="2 Years 6 months", nomis_id=" a1234bc ", recall="false",
            psr_prepared="true", parole_eligibility_date="2030-01-01", last_oasys_type="Layer 3",
        ),
        today=TODAY, team_codes=TEAMS,
    )  # fmt: skip
    assert (case.ogrs, case.rsr_level, case.rosh_children, case.nomis_id) == (45.5, "High", "High", "A1234BC")
    assert case.registrations == ["Domestic abuse", "ViSOR"] and case.other_offences == ["Theft", "Criminal damage"]
    assert case.requirements == ["Unpaid work, 150 hours", "Curfew"] and case.sentence_length == "2 Years 6 months"
    assert (case.recall, case.psr_prepared, case.date_of_birth) == (False, True, date(1990, 1, 2))


def test_the_picture_is_optional_and_unknown_stays_unknown() -> None:
    case = parse_case(valid(), today=TODAY, team_codes=TEAMS)
    assert case.recall is None and case.psr_prepared is None and case.registrations == [] and case.rosh_children is None


def test_bad_picture_fields_are_each_named() -> None:
    found = errors(
        valid(
            date_of_birth="2026-03-09", ogrs=True, rsr_level="Severe", osp_c="Huge", rosh_public="high", rsr_date="2027-01-01",
            last_oasys_date="2027-01-01", registrations=["ok", "x" * 301], alerts=5, sentence_length="forever", nomis_id="A12345",
            gender="\x00",
        )
    )  # fmt: skip
    assert found == {
        "date_of_birth": "must be before the sentence date",
        "ogrs": "must be a number, not true or false",
        "rsr_level": "must be one of: Low, Medium, High",
        "osp_c": "must be one of: Low, Medium, High, Very High",
        "rosh_public": "must be one of: Low, Medium, High, Very High",
        "rsr_date": "must not be in the future",
        "last_oasys_date": "must not be in the future",
        "registrations": "must be at most 300 characters",
        "alerts": "must be a list of texts (`;`-separated in CSV)",
        "sentence_length": "must be a length such as '12 months' or '2 years 6 months'",
        "nomis_id": "must be a NOMIS prison number: a letter, four digits and two letters, e.g. A1234BC",
        "gender": "must not contain a NUL character",
    }


def test_a_restriction_list_makes_the_case_restricted() -> None:
    case = parse_case(valid(restricted_to="N07A001; N07S001"), today=TODAY, team_codes=TEAMS)
    assert case.restricted is True and case.restricted_to == ["N07A001", "N07S001"]
    assert errors(valid(restricted_to=["N07A001"], restricted="false")) == {
        "restricted": "must be true when restricted_to names staff (a restricted case); leave it out or set it true"
    }
    assert parse_case(valid(restricted_to=""), today=TODAY, team_codes=TEAMS).restricted is False


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"resourcing": "retained"}, "resourcing", "must be one of: enhanced, normal"),
        ({"first_appointment_time": "9am"}, "first_appointment_time", "must be a time of day as HH:MM, e.g. 09:30"),
        ({"sentence_months": True}, "sentence_months", "must be a number, not true or false"),
        ({"release_date": "2026-11-18"}, "release_date", "must not be before the sentence date"),
        ({"handover_date": "2026-01-01"}, "handover_date", "must not be before the sentence date"),
        ({"sentence_date": "0001-01-01", "arrived_on": None}, "sentence_date", "must not be before 1900-01-01"),
    ],
)
def test_path_fields_are_checked(fields: dict, field: str, message: str) -> None:
    body = case_fields(**fields)
    with pytest.raises(InvalidInput) as excinfo:
        parse_case(body, today=date(2026, 12, 3), team_codes={"N07T1"})
    assert [(e.field, e.message) for e in excinfo.value.errors] == [(field, message)]


def test_resourcing_is_read_in_any_case() -> None:
    case = parse_case(case_fields(resourcing="Enhanced", foreign_national="true"), today=date(2026, 12, 3), team_codes={"N07T1"})
    assert (case.resourcing, case.foreign_national) == ("enhanced", True)
