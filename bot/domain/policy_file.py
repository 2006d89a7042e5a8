"""The region's allocation policy file: its schema, its parser, and the `Policy` value object.

Policy is data: which grades hold each tier, what a PQiP counts as, readiness and ViSOR checks,
allocation targets, touchpoint timings, reallocation reasons, OMiC thresholds. The documents'
rules are the shipped default (`default_policy.yml`, every entry citing its source; see
docs/policy-sources.md); a region loads its own file with `casebot policy load FILE`.

Every field is required, so a region's file says everything it means and the shipped default is
the one place defaults live. Errors name the line and the field path (`tiers.C.within_policy[1]`)
in our own words. Pure: text in, a `Policy` or a `PolicyFileError` out (reading the packaged
default file is the one exception, done once and cached).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from bot.domain.errors import CasebotError
from bot.domain.teams_file import GRADES
from bot.domain.yaml_source import YamlSyntaxError, field_path, node_line, read_yaml, repeated_keys

TIER_LETTERS = ("A", "B", "C", "D")
SERVICES = ("probation", "prison")  # the teams file's `service`
REASON_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # kept on allocations.reason (40 characters)
REASON_LABEL_MAX = 75  # Slack's limit on an option's text in a select menu
DocumentGrade = Literal["PO", "PSO"]  # 004: "Probation Officer grade", "Probation Service Officer grade"
Check = Literal["exception", "note", "ignore"]  # not "off": YAML reads off as false


@dataclass(frozen=True)
class PolicyProblem:
    """One thing wrong with a policy file: where (1-based line, None when unknown) and what."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.field}: {self.message}" if self.line is not None else f"{self.field}: {self.message}"


class PolicyFileError(CasebotError):
    """The file cannot be used; `problems` lists every one found, in file order."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(day|week|month)s?\s*$")


class Duration(_Entry):
    """A length of time written as text: "12 weeks", "10 months", "7.5 months"."""

    amount: float = Field(gt=0, le=1200)
    unit: Literal["days", "weeks", "months"]

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        match = _LENGTH.match(value) if isinstance(value, str) else None
        if match is None:
            raise ValueError(f"{_shown(value)} is not a length of time: write it like '12 weeks', '10 months' or '7.5 months'")
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


class GradeRule(_Entry):
    counts_as: DocumentGrade
    described_as: str = Field(min_length=1, max_length=40)


class TierRule(_Entry):
    within_policy: tuple[DocumentGrade, ...] = Field(min_length=1)
    usual: DocumentGrade | None = None

    @model_validator(mode="after")
    def _usual_is_within(self) -> TierRule:
        if len(set(self.within_policy)) != len(self.within_policy):
            raise ValueError("within_policy names a grade twice")
        if self.usual is not None and self.usual not in self.within_policy:
            raise ValueError(f"usual grade {self.usual} must also be in within_policy")
        return self


class Checks(_Entry):
    readiness: Check
    visor_for_mappa: Check


class TargetDays(_Entry):
    probation: int = Field(ge=0, le=60)
    prison: int = Field(ge=0, le=60)


class ContactTypes(_Entry):
    """The system of record's contact type for the allocation evidence, by the team's service."""

    probation: str = Field(min_length=1, max_length=100)
    prison: str = Field(min_length=1, max_length=100)


class Reminders(_Entry):
    working_days_before: int = Field(ge=0, le=20)
    on_the_day: bool
    day_after_if_high_priority: bool


class TouchpointRule(_Entry):
    days_after_allocation: int = Field(ge=1, le=365)
    reason_after_days_off: int = Field(ge=0, le=365)
    reminders: Reminders


class ByResourcing(_Entry):
    enhanced: Duration
    normal: Duration


class Omic(_Entry):
    com_at_sentence: ByResourcing
    handover_before_release: ByResourcing
    lead_working_days_before_handover: int = Field(ge=0, le=120)


def _version_text(value: Any) -> Any:
    """YAML reads `version: 3` as a number and `version: 2025-01-15` as a date: both are kept as
    written. A decimal such as 1.10 would come back as 1.1, so it must be quoted."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        raise ValueError('put the version in quotes, like version: "2.10" (unquoted, YAML reads it as a number)')
    if isinstance(value, (int, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    return value.strip() if isinstance(value, str) else value


def _must_name_exactly(kind: str, given: dict[str, Any], expected: tuple[str, ...]) -> None:
    """Every expected key once, no other: an unknown key is reported at its own line."""
    unknown = [k for k in given if k not in expected]
    missing = [k for k in expected if k not in given]
    parts = []
    if unknown:
        parts.append(f"unknown {kind} {', '.join(map(repr, unknown))}")
    if missing:
        parts.append(f"missing {kind} {', '.join(missing)}")
    if parts:
        message = f"{'; '.join(parts)} (list each of {', '.join(expected)} once)"
        raise PydanticCustomError("policy_keys", "{message}", {"message": message, "key": unknown[0] if unknown else None})


class Policy(_Entry):
    """A region's allocation policy, validated. Helpers answer what the rules ask of it."""

    version: Annotated[str, BeforeValidator(_version_text), Field(min_length=1, max_length=100)]
    grades: dict[str, GradeRule]
    tiers: dict[str, TierRule]
    checks: Checks
    allocation_target_working_days: TargetDays
    touchpoint: TouchpointRule
    cade_min_chars: int | None = Field(ge=1, le=3000)
    evidence_contact_type: ContactTypes
    reallocation_reasons: dict[str, Annotated[str, Field(min_length=1, max_length=REASON_LABEL_MAX)]] = Field(min_length=1)
    omic: Omic

    @field_validator("grades")
    @classmethod
    def _every_grade(cls, value: dict[str, GradeRule]) -> dict[str, GradeRule]:
        _must_name_exactly("grade", value, GRADES)
        return value

    @field_validator("tiers")
    @classmethod
    def _every_tier(cls, value: dict[str, TierRule]) -> dict[str, TierRule]:
        _must_name_exactly("tier", value, TIER_LETTERS)
        return value

    @field_validator("reallocation_reasons")
    @classmethod
    def _reason_codes(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [code for code in value if not REASON_CODE.match(str(code))]
        if bad:
            raise ValueError(f"reason code {', '.join(map(repr, bad))}: use lower-case letters, digits and _, starting with a letter, at most 40 characters")
        return value

    # --- what the rules ask -------------------------------------------------------------------

    def grade(self, raw: str) -> str | None:
        """The teams file's spelling of a grade written any way (" pqip " -> "PQiP"), or None."""
        wanted = raw.strip().upper()
        return next((g for g in self.grades if g.upper() == wanted), None)

    def grades_within_policy(self, tier_letter: str) -> frozenset[str]:
        """The teams-file grades that hold a case of this risk letter within policy."""
        allowed = self.tiers[tier_letter.strip().upper()].within_policy
        return frozenset(g for g, rule in self.grades.items() if rule.counts_as in allowed)

    def grade_is_unusual(self, tier_letter: str, grade: str) -> bool:
        """True when `grade` is within policy for the tier but not its usual grade (a soft note)."""
        rule = self.tiers[tier_letter.strip().upper()]
        return rule.usual is not None and self.grades[grade].counts_as != rule.usual

    def allocation_target_days(self, service: str) -> int:
        """Working days a team of this service (the teams file's `service`) has to allocate."""
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}: one of {', '.join(SERVICES)}")
        return int(getattr(self.allocation_target_working_days, service))

    def evidence_contact(self, service: str) -> str:
        """The contact type the allocation evidence is written back as, for a team's service."""
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}: one of {', '.join(SERVICES)}")
        return str(getattr(self.evidence_contact_type, service))

    def touchpoint_needs_reason(self, default_day: date, chosen: date) -> bool:
        """True when the chosen touchpoint date is further from the default than the policy lets
        pass without a reason (000 Future considerations)."""
        return abs((chosen - default_day).days) > self.touchpoint.reason_after_days_off

    def evidence_too_short(self, evidence: str) -> bool:
        """True when the CADE text is shorter than the region's minimum (none by default)."""
        return self.cade_min_chars is not None and len(evidence.strip()) < self.cade_min_chars

    def reason_label(self, code: str) -> str:
        """The label of a reallocation reason; the code itself when this policy no longer has it
        (an allocation made under an earlier policy keeps its code)."""
        return self.reallocation_reasons.get(code, code)


# --- parsing --------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _our_words(error: Any) -> str:
    """The validation error, said our way (never the validation library's own phrasing)."""
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    simple = {
        "missing": "is missing: every setting must be given (see the shipped default with `casebot policy show`)",
        "extra_forbidden": "is not a policy setting: check its spelling and indentation",
        "int_type": "must be a whole number",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_type": "must be a number",
        "float_parsing": "must be a number",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "string_type": "must be text",
        "dict_type": "must be a set of named entries (name: value, one per line)",
        "model_type": "must be a set of named entries (name: value, one per line)",
        "model_attributes_type": "must be a set of named entries (name: value, one per line)",
        "list_type": "must be a list, like [PO, PSO]",
        "tuple_type": "must be a list, like [PO, PSO]",
        "string_too_short": "must not be empty",
    }
    if kind in simple:
        return simple[kind]
    if kind == "literal_error":
        choices = ctx.get("expected", "").replace(" or ", ", ")
        if isinstance(given, bool):  # `no`, `off`, `yes` and `on` are YAML's words for false and true
            return f"reads as {str(given).lower()} (YAML takes yes, no, on and off as true or false): use one of {choices}"
        return f"{_shown(given)} is not allowed here: use one of {choices}"
    if kind == "too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"needs at least {ctx.get('min_length')} entries"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    bounds = {"greater_than": "more than {}", "greater_than_equal": "{} or more", "less_than": "less than {}", "less_than_equal": "{} or less"}
    if kind in bounds:
        return f"must be {bounds[kind].format(next(iter(ctx.values())))}"
    if kind == "policy_keys":
        return str(ctx["message"])
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
    return f"{_shown(given)} is not a valid value here"


def parse_policy(text: str) -> Policy:
    """Validate the whole file or raise `PolicyFileError` listing every problem with its line."""
    try:
        root, data = read_yaml(text)
    except YamlSyntaxError as exc:
        raise PolicyFileError([PolicyProblem(exc.line, "(file)", f"this is not valid YAML: {exc.problem}")]) from None
    if data is None:
        raise PolicyFileError([PolicyProblem(None, "(file)", "the file is empty: start from the shipped default (`casebot policy show`)")])
    problems = [PolicyProblem(line, field_path(loc), "is written twice; keep one (YAML would silently use the last)") for line, loc in repeated_keys(root)]
    try:
        parsed = Policy.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            if error["type"] == "policy_keys" and error["ctx"]["key"] is not None:
                loc += (error["ctx"]["key"],)
            problems.append(PolicyProblem(node_line(root, loc, key_line=True), field_path(loc), _our_words(error)))
    else:
        if not problems:
            return parsed
    problems.sort(key=lambda p: (p.line or 0, p.field))
    raise PolicyFileError(problems)


def field_line(text: str, field: str) -> int | None:
    """The line of a top-level setting in a valid policy file (for problems found after parsing)."""
    return node_line(read_yaml(text)[0], (field,), key_line=True)


@lru_cache(maxsize=1)
def default_policy_text() -> str:
    """The shipped default file, as text (package data beside this module)."""
    return resources.files(__package__).joinpath("default_policy.yml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The shipped default policy: the documents' rules, used until a region loads its own."""
    return parse_policy(default_policy_text())
