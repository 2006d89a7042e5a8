"""Enhanced or normal resourcing, as the automated Case Allocation System computes it.

seeds/003 para 1.12 and Annex A list the cases "retained by the NPS" (today: enhanced
resources); every other case is normal resources (legacy CRC). seeds/001 s2.1: the CAS "has
now been automated and will calculate the allocation outcome (Retained/Enhanced Resources or
Allocated/Normal Resources)". National criteria, so constants here, not policy settings
(docs/policy-sources.md, "Enhanced or normal resourcing"). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

RSR_THRESHOLD = 6.9  # seeds/003 para 3.16(c): "an RSR score of 6.9% or above"
FOREIGN_NATIONAL_CUSTODY_MONTHS = 12  # seeds/003 para 1.12: "an immediate prison sentence of 12 months and above"
HIGH_ROSH = ("High", "Very High")  # seeds/003 para 1.12: "at least a high RoSH"


class Resourcing(StrEnum):
    ENHANCED = "enhanced"
    NORMAL = "normal"


@dataclass(frozen=True)
class ResourcingInputs:
    """The case's own fields the criteria read."""

    mappa_category: int | None = None
    rosh: str | None = None
    rsr: float | None = None
    exceptional_public_interest: bool = False
    sentence_type: str = ""
    custodial: bool = False
    foreign_national: bool = False
    sentence_months: float | None = None
    deportation_recommended: bool = False


@dataclass(frozen=True)
class ResourcingOutcome:
    """The outcome and the first criterion that decided it, in words for the card."""

    resourcing: Resourcing
    reason: str

    @property
    def enhanced(self) -> bool:
        return self.resourcing == Resourcing.ENHANCED

    def label(self) -> str:
        """'Enhanced resources: MAPPA category 2', as the card and the modal show it."""
        return f"{self.resourcing.value.capitalize()} resources: {self.reason}"


def _criteria(case: ResourcingInputs) -> list[str]:
    """Every enhanced-resources criterion the case meets, in seeds/003 para 1.12's order."""
    met = []
    if case.mappa_category is not None:
        met.append(f"MAPPA category {case.mappa_category}")
    if case.rosh in HIGH_ROSH:
        met.append(f"RoSH {case.rosh}")
    if case.exceptional_public_interest:
        met.append("exceptional public interest")
    if case.rsr is not None and case.rsr >= RSR_THRESHOLD:
        met.append(f"RSR {case.rsr:g}% (at or above {RSR_THRESHOLD:g}%)")
    if "deferred" in case.sentence_type.lower():
        met.append("deferred sentence")
    if case.foreign_national and case.custodial and (case.sentence_months or 0) >= FOREIGN_NATIONAL_CUSTODY_MONTHS:
        met.append(f"foreign national, {FOREIGN_NATIONAL_CUSTODY_MONTHS} months or more in custody")
    if case.foreign_national and case.deportation_recommended:
        met.append("foreign national recommended for deportation")
    return met


def assess(case: ResourcingInputs) -> ResourcingOutcome:
    """Enhanced when any criterion holds (the reason names each), otherwise normal."""
    met = _criteria(case)
    if met:
        return ResourcingOutcome(Resourcing.ENHANCED, "; ".join(met))
    return ResourcingOutcome(Resourcing.NORMAL, "no enhanced-resources criterion met")
