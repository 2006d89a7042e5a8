"""Parsing and error reporting of the teams and staff YAML file (bot/domain/teams_file.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.domain.teams_file import TeamsFileError, parse_teams_file

# The README's teams file example, with a second practitioner.
VALID = textwrap.dedent(
    """\
    teams:
      - code: N07T1
        name: Sheffield North
        channel: C0123456789          # Slack channel id for new cases
        spos: [U0SPO0001]
        notify: [U0ADMIN01]
        practitioners:
          - staff_code: N07A001
            name: Ada Lovelace
            grade: PO
            slack_user: U0PP00001
            capacity_points: 100
            visor_vetted: true
            ready_for_tiers: [A, B, C, D]
          - staff_code: N07A002
            name: Grace Hopper
            grade: PSO
            slack_user: U0PP00002
    """
)


def problems(text: str) -> list[str]:
    with pytest.raises(TeamsFileError) as excinfo:
        parse_teams_file(text)
    assert str(excinfo.value) == "\n".join(excinfo.value.problems)
    return excinfo.value.problems


def line_of(text: str, needle: str) -> int:
    """1-based line number of the first line containing `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_valid_file_parses() -> None:
    parsed = parse_teams_file(VALID)
    (team,) = parsed.teams
    assert (team.code, team.name, team.channel) == ("N07T1", "Sheffield North", "C0123456789")
    assert team.spo_user_ids == ["U0SPO0001"] and team.notify == ["U0ADMIN01"]
    ada, grace = team.practitioners
    assert (ada.staff_code, ada.grade, ada.slack_user, ada.visor_vetted) == ("N07A001", "PO", "U0PP00001", True)
    assert ada.ready_for_tiers == ["A", "B", "C", "D"]
    # Defaults for the optional keys.
    assert (grace.capacity_points, grace.visor_vetted, grace.ready_for_tiers) == (100, False, [])
    assert team.service == "probation"


def test_contact_details_and_senior_approvers_are_read() -> None:
    text = VALID.replace("    notify: [U0ADMIN01]\n", "    notify: [U0ADMIN01]\n    senior_approvers: [U0DD00001]\n").replace(
        "        capacity_points: 100\n", "        capacity_points: 100\n        email: ada@probation.example\n        phone: 0114 496 0001\n"
    )
    (team,) = parse_teams_file(text).teams
    assert team.senior_approvers == ["U0DD00001"]
    assert (team.practitioners[0].email, team.practitioners[0].phone) == ("ada@probation.example", "0114 496 0001")
    bad = problems(text.replace("senior_approvers: [U0DD00001]", "senior_approvers: [deputy]"))
    assert bad == [f"line {line_of(text, 'senior_approvers')}: teams[0].senior_approvers: 'deputy' is not a Slack user id (like U0123ABCD)"]


@pytest.mark.parametrize("grade", ["PO", "PQiP", "PSO"])
def test_each_practitioner_grade_is_accepted(grade: str) -> None:
    # seeds/004: Probation Officer, trainee PO, Probation Services Officer.
    text = VALID.replace("grade: PO", f"grade: {grade}")
    assert parse_teams_file(text).teams[0].practitioners[0].grade == grade


@pytest.mark.parametrize("grade", ["SPO", "po", "Officer"])
def test_unknown_grade_names_path_line_and_choices(grade: str) -> None:
    text = VALID.replace("grade: PO", f"grade: {grade}")
    (problem,) = problems(text)
    assert problem.startswith(f"line {line_of(text, f'grade: {grade}')}: teams[0].practitioners[0].grade: ")
    assert repr(grade) in problem and "PO, PQiP, PSO" in problem


def test_malformed_yaml_reports_a_line() -> None:
    text = VALID.replace("spos: [U0SPO0001]", "spos: [U0SPO0001")
    (problem,) = problems(text)
    assert problem.startswith("line ") and "malformed YAML" in problem


def test_malformed_yaml_line_points_at_the_problem() -> None:
    text = "teams:\n  - code: N07T1\n    name: [unclosed\n    channel: C0123456789\n"
    (problem,) = problems(text)
    line = int(problem.split(":")[0].removeprefix("line "))
    assert 3 <= line <= 5  # where the scanner notices the unclosed flow sequence


@pytest.mark.parametrize(
    "replacement",
    ["staff_code: N07A001", "staff_code: ' N07A001 '"],  # the second is equal once stripped
)
def test_duplicate_staff_codes_are_reported(replacement: str) -> None:
    text = VALID.replace("staff_code: N07A002", replacement)
    (problem,) = problems(text)
    assert "each staff code must appear once" in problem and "N07A001" in problem


def test_a_repeated_staff_code_names_both_of_its_lines() -> None:
    text = VALID.replace("staff_code: N07A002", "staff_code: N07A001")
    first, second = (i for i, line in enumerate(text.splitlines(), start=1) if "staff_code: N07A001" in line)
    (problem,) = problems(text)
    assert problem == (
        f"line {second}: teams[0].practitioners[1].staff_code: staff code 'N07A001' is already used at line {first} "
        "(teams[0].practitioners[0]); each staff code must appear once"
    )


def test_duplicate_staff_codes_across_teams_are_reported() -> None:
    second_team = VALID.split("\n", 1)[1].replace("code: N07T1", "code: N07T2").replace("N07A002", "N07B002")
    (problem,) = problems(VALID + second_team)
    assert "staff code must appear once" in problem and "N07A001" in problem and "N07B002" not in problem


def test_duplicate_team_codes_are_reported() -> None:
    second_team = VALID.split("\n", 1)[1].replace("N07A00", "N07B00")
    (problem,) = problems(VALID + second_team)
    assert "team code must appear once" in problem and "N07T1" in problem


@pytest.mark.parametrize(
    ("original", "replacement", "path"),
    [
        ("slack_user: U0PP00001", "slack_user: ada.lovelace", "teams[0].practitioners[0].slack_user"),
        ("slack_user: U0PP00001", "slack_user: C0PP00001", "teams[0].practitioners[0].slack_user"),
        # The list validators report the list, not the item.
        ("spos: [U0SPO0001]", "spos: [U0SPO0001, '@spo']", "teams[0].spos[1].slack_user"),
        ("notify: [U0ADMIN01]", "notify: [u0admin01]", "teams[0].notify"),
    ],
)
def test_bad_slack_user_ids(original: str, replacement: str, path: str) -> None:
    text = VALID.replace(original, replacement)
    (problem,) = problems(text)
    assert problem.startswith(f"line {line_of(text, replacement)}: {path}: ")
    assert "is not a Slack user id" in problem


def test_bad_channel_id() -> None:
    text = VALID.replace("channel: C0123456789", "channel: general")
    (problem,) = problems(text)
    assert problem.startswith(f"line {line_of(text, 'channel: general')}: teams[0].channel: ")
    assert "not a Slack channel id" in problem


@pytest.mark.parametrize(
    ("after", "extra", "path"),
    [
        ("ready_for_tiers: [A, B, C, D]", "colour: red", "teams[0].practitioners[0].colour"),
        ("notify: [U0ADMIN01]", "region: Yorkshire", "teams[0].region"),
    ],
)
def test_unknown_keys_are_rejected(after: str, extra: str, path: str) -> None:
    """A key inserted after `after`, at its indentation, is refused with its path and line."""
    lines = VALID.splitlines()
    at = line_of(VALID, after)
    indent = lines[at - 1][: len(lines[at - 1]) - len(lines[at - 1].lstrip(" -"))].replace("-", " ")
    lines.insert(at, indent + extra.strip())
    text = "\n".join(lines) + "\n"
    (problem,) = problems(text)
    assert problem.startswith(f"line {at + 1}: {path}: ")
    assert "is not a known key; the known ones are " in problem


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("capacity_point: 90", "capacity_points"), ("visor_vetting: true", "visor_vetted"), ("ready_for_tier: [A]", "ready_for_tiers")],
)
def test_a_misspelt_key_is_answered_with_the_nearest_known_one(typo: str, meant: str) -> None:
    text = VALID.replace("        slack_user: U0PP00002\n", f"        slack_user: U0PP00002\n        {typo}\n")
    (problem,) = problems(text)
    key = typo.split(":")[0]
    assert problem == f"line {line_of(text, typo)}: teams[0].practitioners[1].{key}: is not a known key: did you mean '{meant}'?"


@pytest.mark.parametrize(
    ("original", "replacement", "message"),
    [
        ("capacity_points: 100", "capacity_points: 0", "capacity_points: must be a number above 0"),
        ("capacity_points: 100", "capacity_points: lots", "capacity_points: must be a whole number"),
        ("capacity_points: 100", "capacity_points: 20000", "capacity_points: must be 10000 or less"),
        ("visor_vetted: true", "visor_vetted: maybe", "visor_vetted: must be true or false"),
        ("ready_for_tiers: [A, B, C, D]", "ready_for_tiers: [A, E]", "ready_for_tiers[1]: must be one of 'A', 'B', 'C' or 'D'"),
        ("ready_for_tiers: [A, B, C, D]", "caseload: 5", "caseload: must be a mapping of keys to values (key: value)"),
        ("name: Ada Lovelace", "name: ''", "name: must not be empty"),
        ("capacity_points: 100", "email: ada-at-probation", "email: 'ada-at-probation' is not an email address (like name@probation.example)"),
        ("capacity_points: 100", "phone: call me", "phone: must be a phone number: digits, spaces, +, ( ) and -"),
    ],
)
def test_field_problems_are_in_our_words(original: str, replacement: str, message: str) -> None:
    text = VALID.replace(original, replacement)
    (problem,) = problems(text)
    assert problem == f"line {line_of(text, replacement)}: teams[0].practitioners[0].{message}"


def test_a_missing_key_is_reported_at_its_entry() -> None:
    text = VALID.replace("        slack_user: U0PP00002\n", "")
    (problem,) = problems(text)
    assert problem == f"line {line_of(text, 'staff_code: N07A002')}: teams[0].practitioners[1].slack_user: is required"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "(file): is empty: list the teams under `teams:` (see docs/example-teams.yml)"),
        ("- N07T1\n", "line 1: (file): must be a mapping that starts with `teams:` (see docs/example-teams.yml)"),
        ("teams: []", "line 1: teams: must have at least 1 entry"),
        ("teams: nope\n", "line 1: teams: must be a list"),
        ("teams:\n  - N07T1\n", "line 2: teams[0]: must be a mapping of keys to values (key: value)"),
    ],
)
def test_wrong_shapes_are_explained(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_problems_come_in_line_order_without_parser_words() -> None:
    text = (
        VALID.replace("channel: C0123456789", "channel: 42")
        .replace("capacity_points: 100", "capacity_points: -1")
        .replace("grade: PSO", "grade: [PSO]")
        .replace("staff_code: N07A002", "staff_code: N07A001")
        + "version: 2\n"
    )
    found = problems(text)
    lines = [int(p.split(":")[0].removeprefix("line ")) for p in found]
    assert lines == sorted(lines) and len(found) == 5
    for problem in found:
        assert not any(words in problem for words in ("Input should", "instance of", "Value error", "type=")), problem


def test_unknown_top_level_key_is_rejected() -> None:
    (problem,) = problems(VALID + "version: 2\n")
    assert "version" in problem


@pytest.mark.parametrize("text", ["", "teams: []", "- N07T1\n", "teams: nope\n"])
def test_empty_or_wrong_shape_files_are_rejected(text: str) -> None:
    assert problems(text)


def test_multiple_problems_are_all_reported() -> None:
    text = (
        VALID.replace("grade: PSO", "grade: SPO")
        .replace("slack_user: U0PP00001", "slack_user: ada")
        .replace("channel: C0123456789", "channel: general")
        .replace("capacity_points: 100", "capacity_points: -5")
    )
    found = problems(text)
    assert len(found) == 4
    expected = [
        ("teams[0].channel", "channel: general"),
        ("teams[0].practitioners[0].slack_user", "slack_user: ada"),
        ("teams[0].practitioners[0].capacity_points", "capacity_points: -5"),
        ("teams[0].practitioners[1].grade", "grade: SPO"),
    ]
    for path, needle in expected:
        assert any(p.startswith(f"line {line_of(text, needle)}: {path}: ") for p in found), (path, found)


def test_duplicate_codes_are_reported_alongside_field_problems() -> None:
    text = VALID.replace("staff_code: N07A002", "staff_code: N07A001").replace("grade: PSO", "grade: SPO")
    found = problems(text)
    assert any("grade" in p for p in found)
    assert any("staff code must appear once" in p for p in found)


def test_the_readme_example_is_what_the_example_file_gives() -> None:
    """README, "The teams and staff file": the problems shown are the parser's, line for line."""
    root = Path(__file__).resolve().parents[2]
    example = (root / "docs" / "example-teams.yml").read_text(encoding="utf-8")
    broken = example.replace("        capacity_points: 100\n        visor_vetted: false", "        capacity_points: 0\n        visor_vetting: false")
    broken += "      - staff_code: N07A001\n        name: Alan Turing\n        grade: PQiP\n        slack_user: U0PP00003\n"
    section = (root / "README.md").read_text(encoding="utf-8").split("## The teams and staff file", 1)[1]
    shown = section.split("```\n", 1)[1].split("\n```", 1)[0].splitlines()
    assert [f"teams.yml: {p}" for p in problems(broken)] == shown[:-1]


def test_an_spo_may_be_given_with_staff_code_and_name() -> None:
    """A Slack id alone stays valid; the long form names the SPO for the write-back."""
    text = VALID.replace("spos: [U0SPO0001]", "spos: [{slack_user: U0SPO0001, staff_code: N07S001, name: Sue Price}, U0SPO0002]")
    team = parse_teams_file(text).teams[0]
    assert team.spo_user_ids == ["U0SPO0001", "U0SPO0002"]
    assert team.spo_staff == {"U0SPO0001": {"staff_code": "N07S001", "name": "Sue Price"}}


def test_an_spo_entry_with_an_unknown_key_names_the_known_ones() -> None:
    text = VALID.replace("spos: [U0SPO0001]", "spos: [{slack_user: U0SPO0001, staff: N07S001}]")
    (problem,) = problems(text)
    assert "teams[0].spos[0].staff: is not a known key: did you mean 'staff_code'?" in problem


def test_channel_detail_is_minimal_unless_the_team_says_standard() -> None:
    base = "teams:\n  - code: T1\n    name: T\n    channel: C0123456789\n"
    assert parse_teams_file(base).teams[0].channel_detail == "minimal"
    assert parse_teams_file(base + "    channel_detail: standard\n").teams[0].channel_detail == "standard"
    with pytest.raises(TeamsFileError) as refused:
        parse_teams_file(base + "    channel_detail: everything\n")
    assert refused.value.problems[0].startswith("line 5: teams[0].channel_detail: ")


def test_staff_codes_are_by_slack_user() -> None:
    base = "teams:\n  - code: T1\n    name: T\n    channel: C0123456789\n"
    assert parse_teams_file(base + "    staff_codes: {U0SPO0001: N07S001}\n").teams[0].staff_codes == {"U0SPO0001": "N07S001"}
    with pytest.raises(TeamsFileError) as refused:
        parse_teams_file(base + "    staff_codes: {someone: N07S001}\n")
    assert "is not a Slack user id" in refused.value.problems[0]
