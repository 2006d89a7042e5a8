"""Allocation policy: how well one practitioner fits one case. Pure rules, no Slack, no SQL.

The rules are mechanisms; what they enforce is the region's `Policy` (bot/domain/policy_schema.py),
by default the shipped `default_policy.yml`. docs/policy-sources.md quotes the documents behind
each rule and names the points they leave to the region. In short:

- Grade for the tier (seed 004, Q "What does mixed caseloads mean?"): each grade of the teams
  file counts as PO or PSO grade (`grades`); a tier's letter lists the grades within policy and
  may name a usual grade (`tiers`). Outside the list is an exception the SPO confirms; within
  it but not the usual grade is a soft note. A PQiP is not named by any document: the default
  counts a PQiP as PSO grade, so A and B to a PQiP are exceptions.
- Readiness (seed 004, readiness "assessed and confirmed by a Senior Probation Officer"): held
  as the tier letters in `ready_for_tiers`; `checks.readiness` makes a gap an exception, a note
  or nothing (`ignore`).
- ViSOR (seed 004, the two ViSOR questions): a MAPPA case to someone not ViSOR vetted is allowed
  only with a mitigation, so by default an exception, not a hard stop (`checks.visor_for_mappa`).
- Previous practitioner (seed 002, "previously allocated POM details"): a note and a ranking
  preference, whatever the policy.
- Exclusions and restrictions (the case's `excluded_practitioners` and `restricted_to`): not an exception to
  confirm: such a practitioner is never offered at all (`offerable`), whatever the policy.

The texts in `PolicyFit` are plain sentences for an SPO's eyes (the allocation modal and the
audit record). They carry a practitioner's name, which is user-supplied: whoever puts them in
mrkdwn escapes them. They name no sensitive note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.domain.access import open_to, same_code
from bot.domain.policy_file import Check, Policy, default_policy
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

    @property
    def restricted_to(self) -> Sequence[str]: ...  # when set, the only staff codes to offer


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
    restricted_to: tuple[str, ...] = ()


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
    confirmation and is marked as an exception in the audit record. `notes` are soft:
    shown, never blocking.
    """

    exceptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    is_previous: bool = False

    @property
    def within_policy(self) -> bool:
        return not self.exceptions


def offerable(case: CaseFacts, staff: StaffFacts) -> bool:
    """False when the practitioner is on the case's exclusion list (`excluded_practitioners`)
    or the case has a restriction list (`restricted_to`) without them: they are never offered,
    not even as an exception, so a restricted case cannot reach someone it must be kept from
    (bot/domain/access.py `open_to`). No policy can relax this, so it takes none."""
    return open_to(case, [staff.staff_code])


def is_previous_practitioner(case: CaseFacts, staff: StaffFacts) -> bool:
    """True when this practitioner held the case before (seed 002, "previous POM")."""
    return case.previous_practitioner is not None and same_code(staff.staff_code, case.previous_practitioner)


class _Findings:
    """Exceptions and notes gathered in the order the SPO reads them."""

    def __init__(self) -> None:
        self.exceptions: list[str] = []
        self.notes: list[str] = []

    def add(self, check: Check, text: str) -> None:
        if check == "exception":
            self.exceptions.append(text)
        elif check == "note":
            self.notes.append(text)


def _grade_findings(tier: Tier, staff: StaffFacts, policy: Policy, found: _Findings) -> None:
    """The grade rule: `grades` says what the practitioner's grade counts as, `tiers` which
    grades hold the tier's letter within policy and which one is usual."""
    grade = policy.grade(staff.grade)
    if grade is None:
        known = ", ".join(policy.grades)
        found.add("exception", f"{staff.name}'s grade {staff.grade!r} is not one the allocation policy knows ({known})")
        return
    described = policy.grades[grade].described_as
    rule = policy.tiers[tier.risk]
    if grade not in policy.grades_within_policy(tier.risk):
        found.add("exception", f"Tier {tier.risk} needs {' or '.join(rule.within_policy)} grade; {staff.name} is {described}")
    elif policy.grade_is_unusual(tier.risk, grade):
        found.add("note", f"Tier {tier.risk} cases mostly go to {rule.usual} grade; {staff.name} is {described}")


def _readiness_finding(tier: Tier, staff: StaffFacts, policy: Policy, found: _Findings) -> None:
    """Seed 004: readiness "assessed and confirmed by a Senior Probation Officer"."""
    if tier.risk not in {letter.strip().upper() for letter in staff.ready_for_tiers}:
        found.add(policy.checks.readiness, f"{staff.name} has not been confirmed ready for tier {tier.risk} cases")


def _visor_finding(case: CaseFacts, staff: StaffFacts, policy: Policy, found: _Findings) -> None:
    """Seed 004, the ViSOR questions: MAPPA cases to the unvetted only with a mitigation."""
    if case.mappa_category is not None and not staff.visor_vetted:
        found.add(
            policy.checks.visor_for_mappa,
            f"MAPPA category {case.mappa_category} case needs ViSOR vetting; {staff.name} is not ViSOR vetted",
        )


def policy_fit(case: CaseFacts, staff: StaffFacts, *, policy: Policy | None = None) -> PolicyFit:
    """Every reason this allocation would be outside `policy` (the shipped default when None),
    and the soft notes, in a fixed order (grade, readiness, ViSOR; the previous practitioner's
    note first), so the SPO sees all of them at once.

    Exclusion is not judged here: call `offerable` first and never show an excluded
    practitioner. Raises ValueError if the case's tier is not A0-D3 (intake validates it).
    """
    policy = policy or default_policy()
    tier = Tier.parse(case.tier)
    found = _Findings()
    _grade_findings(tier, staff, policy, found)
    _readiness_finding(tier, staff, policy, found)
    _visor_finding(case, staff, policy, found)
    previous = is_previous_practitioner(case, staff)
    if previous:
        found.notes.insert(0, f"{staff.name} held this case before")
    return PolicyFit(exceptions=found.exceptions, notes=found.notes, is_previous=previous)
