"""Which way a new case goes: to a community practitioner now, or POM-led until handover.

seeds/001 s2.3: "Community Offender Managers are only to be allocated immediately where a
custodial case, meeting legacy-CRC allocation criteria, has 12-weeks or less left to serve at
the point of sentence, or for legacy-NPS allocation criteria the individual has 10-months or
less left to serve"; otherwise the case is "the responsibility of a Prison/Probation POM until
the handover date is reached". seeds/004 (Q "Are there any offender management in custody
(OMiC) implications ...") places the handover 7.5 months (enhanced) or 12 weeks (normal) before
release. The thresholds, the handover points and the lead time before handover are the
policy file's `omic` settings. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.calendar import subtract_working_days
from bot.domain.policy_sections import Omic
from bot.domain.resourcing import Resourcing


@dataclass(frozen=True)
class CasePath:
    """`pom_led`: not offered for allocation until `allocatable_from` (the handover date less
    the policy's lead time); `reason` says why, in words for the card and the modal."""

    pom_led: bool
    reason: str
    handover_date: date | None = None
    allocatable_from: date | None = None


@dataclass(frozen=True)
class Custody:
    """What the path reads of a case."""

    custodial: bool
    sentence_date: date
    release_date: date | None
    handover_date: date | None  # from the source, when it has computed it


def decide_path(case: Custody, resourcing: Resourcing, omic: Omic, *, today: date) -> CasePath:
    """Allocate now or POM-led until handover (seeds/001 s2.3; seeds/004 OMiC answers)."""
    if not case.custodial:
        return CasePath(False, "")
    threshold = getattr(omic.com_at_sentence, resourcing.value)
    if case.release_date is not None and threshold.before(case.release_date) <= case.sentence_date:
        return CasePath(False, f"{threshold} or less to serve at sentence, {resourcing.value} resources: a community offender manager now")
    handover = case.handover_date
    if handover is None and case.release_date is not None:
        handover = getattr(omic.handover_before_release, resourcing.value).before(case.release_date)
    if handover is None:
        return CasePath(False, "no expected release date or handover date: a community offender manager now")
    allocatable_from = subtract_working_days(handover, omic.lead_working_days_before_handover)
    if allocatable_from <= today:
        return CasePath(False, "handover is near: a community offender manager now", handover, None)
    why = f"more than {threshold} to serve at sentence, {resourcing.value} resources" if case.release_date else "the source gave its handover date"
    return CasePath(True, why, handover, allocatable_from)


@dataclass(frozen=True)
class EventLine:
    """One sentence event of a case, as the card lists it."""

    sentence_type: str
    sentence_date: date


@dataclass(frozen=True)
class FirstAppointment:
    """The first appointment the court gave (seeds/001 s2.1, s3.1-3.3): often within days."""

    on: date
    time: str | None
    place: str | None


@dataclass(frozen=True)
class PathFacts:
    """What the card, the Details modal and the practitioner's notice show of the case's path."""

    resourcing: str | None = None  # "enhanced" or "normal" (bot/domain/resourcing.py)
    resourcing_reason: str | None = None  # "MAPPA category 2"
    resourcing_given: str | None = None  # the source's outcome, only when it disagrees
    pom_led: bool = False
    path_reason: str | None = None
    handover_date: date | None = None
    allocatable_from: date | None = None
    events: tuple[EventLine, ...] = ()  # every event, the first first; shown when more than one
    first_appointment: FirstAppointment | None = None
    senior_sign_off: bool = False  # exceptional public interest (seeds/003 para 3.5)

    @property
    def resourcing_outcome(self) -> str | None:
        """'Enhanced resources': what a channel card may say (the reason is risk detail)."""
        return f"{self.resourcing.capitalize()} resources" if self.resourcing else None

    @property
    def resourcing_label(self) -> str | None:
        """'Enhanced resources: MAPPA category 2', as Details and the Allocate modal show it."""
        if self.resourcing_outcome is None:
            return None
        return f"{self.resourcing_outcome}: {self.resourcing_reason}" if self.resourcing_reason else self.resourcing_outcome
