"""The `Policy` value object: a whole policy file, validated (bot/domain/policy_file.py parses
the text), and the helpers that answer what the rules ask of it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator
from pydantic_core import PydanticCustomError

from bot.domain.policy_sections import (
    REASON_CODE,
    REASON_LABEL_MAX,
    SERVICES,
    TIER_LETTERS,
    Checks,
    ContactTypes,
    Entry,
    ExceptionalPublicInterest,
    GradeRule,
    Omic,
    TargetDays,
    TierRule,
    TouchpointRule,
)
from bot.domain.teams_file import GRADES


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


class Policy(Entry):
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
    # A policy stored before this setting existed reads as the cautious choice (sign off again).
    exceptional_public_interest: ExceptionalPublicInterest = ExceptionalPublicInterest(sign_off_on_reallocation=True)

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
