"""The region's policy file (bot/domain/policy_file.py): the shipped default, every field's
checks, and errors that name the line and the field in our own words."""

from __future__ import annotations

import re
from datetime import date

import pytest
import yaml

from bot.domain.policy_file import Duration, PolicyFileError, PolicyProblem, default_policy, default_policy_text, parse_policy

DEFAULT = default_policy_text()
SOURCE = re.compile(r"#.*(\b00[0-4]\b|the documents are silent: region's choice)")


def edited(*replacements: tuple[str, str]) -> str:
    text = DEFAULT
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def problems(text: str) -> list[PolicyProblem]:
    with pytest.raises(PolicyFileError) as excinfo:
        parse_policy(text)
    assert str(excinfo.value) == "\n".join(map(str, excinfo.value.problems))
    return excinfo.value.problems


def only_problem(text: str) -> PolicyProblem:
    [problem] = problems(text)
    return problem


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


# --- the shipped default ------------------------------------------------------------------


def test_the_shipped_default_loads_with_the_documents_values() -> None:
    policy = default_policy()
    assert policy.version == "casebot-default-1"
    assert {letter: policy.grades_within_policy(letter) for letter in "ABCD"} == {
        "A": {"PO"},
        "B": {"PO"},
        "C": {"PO", "PQiP", "PSO"},
        "D": {"PO", "PQiP", "PSO"},
    }
    assert policy.grade_is_unusual("D", "PO") and not policy.grade_is_unusual("D", "PSO")
    assert policy.touchpoint.days_after_allocation == 15
    assert (policy.allocation_target_days("probation"), policy.allocation_target_days("prison")) == (2, 2)
    assert policy.cade_min_chars is None
    omic = policy.omic
    assert [str(d) for d in (omic.com_at_sentence.enhanced, omic.com_at_sentence.normal)] == ["10 months", "12 weeks"]
    assert [str(d) for d in (omic.handover_before_release.enhanced, omic.handover_before_release.normal)] == ["7.5 months", "12 weeks"]


def test_the_default_keeps_every_reallocation_reason_code_already_stored() -> None:
    # Allocations made before policies were data carry these codes; their labels must not change.
    reasons = default_policy().reallocation_reasons
    assert reasons["error_user"] == "Allocated in error - user"
    assert reasons["error_technical"] == "Allocated in error - technical"
    assert reasons["absence"] == "Practitioner leaving, absent or on long-term leave"
    assert reasons["workload"] == "Workload balancing"
    assert reasons["tiering"] == "Tier, risk or needs changed (Unified Tiering Model)"
    assert reasons["other"] == "Other (say why in the evidence)"
    assert {"conflict_of_interest", "practitioner_request"} <= set(reasons)


def _leaf_lines(node: yaml.Node) -> list[int]:
    """The line of every setting that holds a value (not a heading over nested settings)."""
    if isinstance(node, yaml.MappingNode):
        lines = []
        for key, value in node.value:
            lines += [key.start_mark.line + 1] if isinstance(value, (yaml.ScalarNode, yaml.SequenceNode)) else _leaf_lines(value)
        return lines
    return []


def test_every_entry_of_the_default_names_its_source_or_says_the_documents_are_silent() -> None:
    lines = DEFAULT.splitlines()
    leaves = _leaf_lines(yaml.compose(DEFAULT, Loader=yaml.SafeLoader))
    assert len(leaves) > 30
    uncited = [lines[n - 1] for n in leaves if not SOURCE.search(lines[n - 1])]
    assert uncited == []


def test_a_region_file_is_its_own_policy() -> None:
    policy = parse_policy(edited(("version: casebot-default-1", "version: yorkshire-2025-03"), ("probation: 2", "probation: 3")))
    assert policy.version == "yorkshire-2025-03"
    assert policy.allocation_target_days("probation") == 3


# --- helpers the rules use ------------------------------------------------------------------


def test_grades_are_read_whatever_their_case_and_spaces() -> None:
    policy = default_policy()
    assert [policy.grade(g) for g in (" pqip ", "po", "PSO", "SPO")] == ["PQiP", "PO", "PSO", None]


def test_a_touchpoint_date_far_from_the_default_needs_a_reason() -> None:
    policy = default_policy()  # 5 days either side pass without one
    day = date(2026, 3, 16)
    assert not policy.touchpoint_needs_reason(day, date(2026, 3, 21))
    assert not policy.touchpoint_needs_reason(day, date(2026, 3, 11))
    assert policy.touchpoint_needs_reason(day, date(2026, 3, 22))
    assert policy.touchpoint_needs_reason(day, date(2026, 3, 10))


def test_evidence_length_follows_cade_min_chars() -> None:
    assert not default_policy().evidence_too_short("x")
    strict = parse_policy(edited(("cade_min_chars: null", "cade_min_chars: 20")))
    assert strict.evidence_too_short("  short, padded      ")
    assert not strict.evidence_too_short("Ada has held six MAPPA cases")


def test_a_reason_dropped_from_the_policy_shows_its_code() -> None:
    assert default_policy().reason_label("workload") == "Workload balancing"
    assert default_policy().reason_label("retired_code") == "retired_code"


def test_an_unknown_service_is_refused() -> None:
    with pytest.raises(ValueError, match="probation, prison"):
        default_policy().allocation_target_days("court")


@pytest.mark.parametrize(
    ("length", "release", "handover"),
    [
        ("7.5 months", date(2027, 3, 31), date(2026, 8, 16)),  # 7 months to 31 Aug, then 15 days
        ("10 months", date(2026, 12, 31), date(2026, 2, 28)),  # clamped to February's end
        ("12 weeks", date(2026, 12, 31), date(2026, 10, 8)),
        ("3 days", date(2026, 1, 2), date(2025, 12, 30)),
        ("1 month", date(2026, 1, 15), date(2025, 12, 15)),
    ],
)
def test_durations_count_back_from_a_date(length: str, release: date, handover: date) -> None:
    assert Duration.model_validate(length).before(release) == handover


# --- errors: line, field, our words -----------------------------------------------------------


def test_malformed_yaml_names_its_line() -> None:
    text = edited(("  prison: 2 ", "  prison: [2 "))
    problem = only_problem(text)
    assert problem.field == "(file)" and "not valid YAML" in problem.message
    assert problem.line is not None and problem.line >= line_of(text, "prison: [2")


def test_an_empty_file_says_where_to_start() -> None:
    assert only_problem("") == PolicyProblem(None, "(file)", "the file is empty: start from the shipped default (`casebot policy show`)")
    assert "named entries" in only_problem("- just a list\n").message


FIELD_CASES = [
    # (what to change, field path, words the message must contain)
    (("version: casebot-default-1", "version: 1.10"), "version", "quotes"),
    (("version: casebot-default-1", 'version: ""'), "version", "must not be empty"),
    (("  PQiP:\n", "  PQIP:\n"), "grades.PQIP", "unknown grade 'PQIP'; missing grade PQiP"),
    (
        ("counts_as: PSO             # the documents are silent", "counts_as: SPO # the documents are silent"),
        "grades.PQiP.counts_as",
        "'SPO' is not allowed here: use one of 'PO', 'PSO'",
    ),
    (("described_as: a PQiP (trainee PO)", "described_as: ''"), "grades.PQiP.described_as", "must not be empty"),
    (("  D:\n", "  E:\n"), "tiers.E", "unknown tier 'E'; missing tier D"),
    (("within_policy: [PO, PSO]", "within_policy: [PO, XX]"), "tiers.C.within_policy[1]", "'XX' is not allowed here"),
    (("within_policy: [PO, PSO]", "within_policy: []"), "tiers.C.within_policy", "must not be empty"),
    (("within_policy: [PO, PSO]", "within_policy: [PO, PO]"), "tiers.C", "names a grade twice"),
    (("within_policy: [PO, PSO]", "within_policy: PO"), "tiers.C.within_policy", "must be a list"),
    (("    usual: PSO ", "    usual: XX "), "tiers.D.usual", "'XX' is not allowed here"),
    (("within_policy: [PSO, PO]", "within_policy: [PO]"), "tiers.D", "usual grade PSO must also be in within_policy"),
    (("readiness: exception", "readiness: maybe"), "checks.readiness", "use one of 'exception', 'note', 'ignore'"),
    (("visor_for_mappa: exception", "visor_for_mappa: off"), "checks.visor_for_mappa", "reads as false"),
    (("probation: 2", "probation: -1"), "allocation_target_working_days.probation", "must be 0 or more"),
    (("prison: 2 ", "prison: two "), "allocation_target_working_days.prison", "must be a whole number"),
    (("prison: 2 ", "prison: 61 "), "allocation_target_working_days.prison", "must be 60 or less"),
    (("days_after_allocation: 15", "days_after_allocation: 0"), "touchpoint.days_after_allocation", "must be 1 or more"),
    (("days_after_allocation: 15", "days_after_allocation: 14.5"), "touchpoint.days_after_allocation", "must be a whole number"),
    (("reason_after_days_off: 5", "reason_after_days_off: -2"), "touchpoint.reason_after_days_off", "must be 0 or more"),
    (("working_days_before: 2", "working_days_before: 21"), "touchpoint.reminders.working_days_before", "must be 20 or less"),
    (("on_the_day: true", "on_the_day: sometimes"), "touchpoint.reminders.on_the_day", "must be true or false"),
    (("day_after_if_high_priority: true", "day_after_if_high_priority: 3"), "touchpoint.reminders.day_after_if_high_priority", "must be true or false"),
    (("cade_min_chars: null", "cade_min_chars: 0"), "cade_min_chars", "must be 1 or more"),
    (("cade_min_chars: null", "cade_min_chars: lots"), "cade_min_chars", "must be a whole number"),
    (("  workload: Workload balancing", "  Work Load: Workload balancing"), "reallocation_reasons", "reason code 'Work Load'"),
    (("  other: Other (say why in the evidence)", "  other: ''"), "reallocation_reasons.other", "must not be empty"),
    (("  other: Other (say why in the evidence)", "  other: " + "x" * 76), "reallocation_reasons.other", "at most 75 characters"),
    (("enhanced: 10 months", "enhanced: ten months"), "omic.com_at_sentence.enhanced", "not a length of time"),
    (("normal: 12 weeks           # 001", "normal: 12 fortnights # 001"), "omic.com_at_sentence.normal", "'12 weeks'"),
    (("enhanced: 7.5 months", "enhanced: 0 months"), "omic.handover_before_release.enhanced.amount", "must be more than 0"),
    (("lead_working_days_before_handover: 10", "lead_working_days_before_handover: -1"), "omic.lead_working_days_before_handover", "must be 0 or more"),
]


@pytest.mark.parametrize(("change", "field", "words"), FIELD_CASES, ids=[f"{c[1]}:{c[0][1][:20]}" for c in FIELD_CASES])
def test_each_field_is_checked_at_its_line(change: tuple[str, str], field: str, words: str) -> None:
    text = edited(change)
    problem = only_problem(text)
    assert problem.field == field
    assert words in problem.message
    changed_line = DEFAULT[: DEFAULT.index(change[0])].count("\n") + 1
    assert problem.line is not None and problem.line <= changed_line, "at the changed line or the heading it sits under"
    assert problem.line >= changed_line - 3


def test_a_missing_tier_is_reported_at_the_tiers_heading() -> None:
    start, end = DEFAULT.index("  B:\n"), DEFAULT.index("  C:\n")
    text = DEFAULT[:start] + DEFAULT[end:]
    assert only_problem(text) == PolicyProblem(line_of(text, "tiers:"), "tiers", "missing tier B (list each of A, B, C, D once)")


def test_a_missing_setting_is_reported_at_its_parent_heading() -> None:
    text = edited(("  reason_after_days_off: 5 ", "  # reason_after_days_off: 5 "))
    assert only_problem(text) == PolicyProblem(
        line_of(text, "touchpoint:"),
        "touchpoint.reason_after_days_off",
        "is missing: every setting must be given (see the shipped default with `casebot policy show`)",
    )


def test_an_unknown_setting_and_a_key_written_twice_are_named() -> None:
    text = edited(("cade_min_chars: null", "cade_min_chars: null\ncade_minimum: 3\ncade_min_chars: 4"))
    assert [(p.line, p.field) for p in problems(text)] == [
        (line_of(text, "cade_minimum"), "cade_minimum"),
        (line_of(text, "cade_min_chars: 4"), "cade_min_chars"),
    ]
    assert "not a policy setting" in problems(text)[0].message
    assert "written twice" in problems(text)[1].message


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    text = edited(("probation: 2", "probation: x"), ("readiness: exception", "readiness: x"), ("enhanced: 10 months", "enhanced: x"))
    assert [p.field for p in problems(text)] == [
        "checks.readiness",
        "allocation_target_working_days.probation",
        "omic.com_at_sentence.enhanced",
    ]


def test_no_message_uses_the_validation_library_s_own_phrasing() -> None:
    texts = [edited(change) for change, _, _ in FIELD_CASES] + ["version: x\n", "- a\n"]
    messages = [p.message for text in texts for p in problems(text)]
    for phrase in ("Input should", "Field required", "Extra inputs", "Value error", "validation error"):
        assert not any(phrase in m for m in messages), phrase


def test_reallocating_an_exceptional_public_interest_case_asks_the_sign_off_again_unless_the_region_says_not() -> None:
    assert default_policy().exceptional_public_interest.sign_off_on_reallocation is True
    relaxed = edited(("sign_off_on_reallocation: true", "sign_off_on_reallocation: false"))
    assert parse_policy(relaxed).exceptional_public_interest.sign_off_on_reallocation is False
    older = default_policy_text().split("\n# Exceptional public interest cases")[0]  # a file stored before the setting existed
    assert parse_policy(older).exceptional_public_interest.sign_off_on_reallocation is True
    assert problems(edited(("sign_off_on_reallocation: true", "sign_off_on_reallocation: sometimes")))
