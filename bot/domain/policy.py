"""Allocation policy: how well one practitioner fits one case. Pure rules, no Slack, no SQL.

Where each rule comes from (seeds/004 is the Mixed Caseloads Staff FAQ, October 2021):

- Grade for the tier: seeds/004, Q "What does mixed caseloads mean?", the paragraph
  "Mixed caseloads refers to ...": Tier A and B cases are managed by "any Probation Officer
  grade staff"; Tier C by "a mix of any Probation Officer grade staff and any Probation Service
  Officer grade staff"; "the majority of Tier D cases" by "any Probation Service Officer grade
  staff". Our reading:
    * A and B need PO grade. A PQiP (Professional Qualification in Probation) is a trainee,
      not yet a qualified Probation Officer, so a PQiP does NOT meet "Probation Officer grade"
      for A or B: the allocation is an exception the SPO must confirm. This is our choice, the
      cautious reading of the seed; a region that lets experienced PQiPs hold B cases confirms
      the exception and writes its CADE.
    * C is within policy for PO, PQiP or PSO.
    * D "mostly" goes to PSO grade. "The majority of" is not "only", so D to a PO or PQiP is
      within policy and only carries a soft note.
  Note the tension with seeds/000 ("Evidencing and auditing an allocation decision", 2023,
  Background), whose example of an allocation outside guidelines is "a tier C case is
  allocated to a Probation Services Officer, PSO instead of a Probation Officer, PO". We follow
  seeds/004 and DESIGN.md (glossary: "C to PO or PSO"); the stricter reading would only change
  `_GRADES_WITHIN_POLICY["C"]`.
- Readiness: seeds/004, Q "What will change by mixing caseloads through new case allocations?":
  allocation in line with the tiering model "should only take place after staff complete the
  required learning and development activity and their readiness has been assessed and
  confirmed by a Senior Probation Officer". We hold that confirmation as the tier letters in
  `ready_for_tiers`.
- ViSOR: seeds/004, Q "Will I need to undertake ViSOR vetting?" (ViSOR supports MAPPA) and Q
  "I have not yet undertaken ViSOR vetting – will I be able to hold MAPPA cases in the
  interim?": non-vetted staff may hold MAPPA cases only under transitional mitigations (access
  through a vetted colleague). So a MAPPA case to someone not ViSOR vetted is an exception the
  SPO confirms, not a hard stop.
- Previous practitioner: seeds/002 ("HOMD allocate a POM journey 1", "Choose a POM": "Include
  previously allocated POM details in the table"; "Review the case": "details of any POMs ...
  that have worked with the individual before"). It is a note and a ranking preference.
- Exclusions: CONTRACT.md case field `excluded_practitioners` ("staff codes who must not be
  offered this (restricted) case"). Not an exception to confirm: such a practitioner is never
  offered at all (`offerable`).

The texts in `PolicyFit` are plain sentences for an SPO's eyes (the allocation modal and the
audit record). They carry a practitioner's name, which is user-supplied: whoever puts them in
mrkdwn escapes them (DESIGN.md principles). They name no sensitive note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.domain.tiers import Tier


class CaseFacts(Protocol):
    """What the policy needs to know about a case. `storage.models.Case` satisfies it."""

    @property
    def tier(self) -> str: ...  # "B2": Unified Tiering Model letter and digit (bot/domain/tiers.py)

    @property
    def mappa_category(self) -> int | None: ...  # 1-4, None when not a MAPPA case

    @property
    def previous_practitioner(self) -> str | None: ...  # a staff code

    @property
    def excluded_practitioners(self) -> Sequence[str]: ...  # staff codes never to offer


class StaffFacts(Protocol):
    """What the policy needs to know about a practitioner. `storage.models.Practitioner` satisfies it."""

    @property
    def staff_code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def grade(self) -> str: ...  # PO, PQiP or PSO (bot/domain/teams_file.py GRADES)

    @property
    def visor_vetted(self) -> bool: ...

    @property
    def ready_for_tiers(self) -> Sequence[str]: ...  # tier letters confirmed by an SPO

    @property
    def capacity_points(self) -> float: ...


@dataclass(frozen=True)
class CaseSnapshot:
    """A plain `CaseFacts`, for tests and for callers that must not hold an ORM row."""

    tier: str
    mappa_category: int | None = None
    previous_practitioner: str | None = None
    excluded_practitioners: tuple[str, ...] = ()


@dataclass(frozen=True)
class StaffSnapshot:
    """A plain `StaffFacts`, for tests and for callers that must not hold an ORM row."""

    staff_code: str
    name: str
    grade: str
    visor_vetted: bool = False
    ready_for_tiers: tuple[str, ...] = ()
    capacity_points: float = 100


@dataclass(frozen=True)
class PolicyFit:
    """How one practitioner fits one case.

    `exceptions` make the allocation outside policy: it is allowed only with the SPO's explicit
    confirmation and is marked as an exception in the audit record (issue 5). `notes` are soft:
    shown, never blocking.
    """

    exceptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    is_previous: bool = False

    @property
    def within_policy(self) -> bool:
        return not self.exceptions


# Grades, spelt as bot/domain/teams_file.py GRADES spells them.
PO, PQIP, PSO = "PO", "PQiP", "PSO"
_CANONICAL_GRADE = {g.upper(): g for g in (PO, PQIP, PSO)}

# seeds/004, "Mixed caseloads refers to ...": which grades hold each risk letter within policy.
_GRADES_WITHIN_POLICY: dict[str, frozenset[str]] = {
    "A": frozenset({PO}),  # "any Probation Officer grade staff"; a PQiP is not yet PO grade
    "B": frozenset({PO}),
    "C": frozenset({PO, PQIP, PSO}),  # "a mix of ... Probation Officer ... and ... Probation Service Officer"
    "D": frozenset({PO, PQIP, PSO}),  # "the majority of Tier D cases" to PSO: mostly, not only
}
# Within policy, but worth a soft note (seeds/004: D "majority" to PSO grade).
_GRADES_NOTED: dict[str, frozenset[str]] = {"D": frozenset({PO, PQIP})}

_GRADE_WORDS = {PO: "PO", PQIP: "a PQiP (trainee PO)", PSO: "PSO"}


def _same_code(a: str, b: str) -> bool:
    """Staff codes compare ignoring case and surrounding spaces: an exclusion must never miss."""
    return a.strip().upper() == b.strip().upper()


def offerable(case: CaseFacts, staff: StaffFacts) -> bool:
    """False when the practitioner is on the case's exclusion list (CONTRACT.md
    `excluded_practitioners`, restricted cases): they are never offered, not even as an
    exception, so a restricted case cannot reach someone it must be kept from."""
    return not any(_same_code(staff.staff_code, code) for code in case.excluded_practitioners)


def is_previous_practitioner(case: CaseFacts, staff: StaffFacts) -> bool:
    """True when this practitioner held the case before (seeds/002, "previous POM")."""
    return case.previous_practitioner is not None and _same_code(staff.staff_code, case.previous_practitioner)


def _grade_findings(tier: Tier, staff: StaffFacts) -> tuple[list[str], list[str]]:
    """Exceptions and notes from the grade rule (seeds/004, "Mixed caseloads refers to ...")."""
    grade = _CANONICAL_GRADE.get(staff.grade.strip().upper())
    if grade is None:
        return [f"{staff.name}'s grade {staff.grade!r} is not one the allocation policy knows (PO, PQiP, PSO)"], []
    if grade not in _GRADES_WITHIN_POLICY[tier.risk]:
        return [f"Tier {tier.risk} needs PO grade; {staff.name} is {_GRADE_WORDS[grade]}"], []
    if grade in _GRADES_NOTED.get(tier.risk, frozenset()):
        return [], [f"Tier D cases mostly go to PSO grade; {staff.name} is {_GRADE_WORDS[grade]}"]
    return [], []


def _readiness_exception(tier: Tier, staff: StaffFacts) -> str | None:
    """seeds/004, Q "What will change by mixing caseloads through new case allocations?":
    readiness "assessed and confirmed by a Senior Probation Officer"."""
    ready = {letter.strip().upper() for letter in staff.ready_for_tiers}
    if tier.risk in ready:
        return None
    return f"{staff.name} has not been confirmed ready for tier {tier.risk} cases"


def _visor_exception(case: CaseFacts, staff: StaffFacts) -> str | None:
    """seeds/004, Q "Will I need to undertake ViSOR vetting?" and the interim-MAPPA Q."""
    if case.mappa_category is None or staff.visor_vetted:
        return None
    return f"MAPPA category {case.mappa_category} case needs ViSOR vetting; {staff.name} is not ViSOR vetted"


def policy_fit(case: CaseFacts, staff: StaffFacts) -> PolicyFit:
    """Every reason this allocation would be outside policy, and the soft notes, in a fixed
    order (grade, readiness, ViSOR; then notes), so the SPO sees all of them at once.

    Exclusion is not judged here: call `offerable` first and never show an excluded
    practitioner. Raises ValueError if the case's tier is not A0-D3 (intake validates it).
    """
    tier = Tier.parse(case.tier)
    exceptions, notes = _grade_findings(tier, staff)
    for finding in (_readiness_exception(tier, staff), _visor_exception(case, staff)):
        if finding is not None:
            exceptions.append(finding)
    previous = is_previous_practitioner(case, staff)
    if previous:
        notes.insert(0, f"{staff.name} held this case before")
    return PolicyFit(exceptions=exceptions, notes=notes, is_previous=previous)
