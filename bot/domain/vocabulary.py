"""The words each service uses for the same journey (docs/architecture.md: configurable vocabulary;
seeds/002 "HOMD allocate a POM"): one table of terms per service type, passed to builders,
instead of branches in every builder."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Terms:
    manager: str  # who allocates
    managers: str
    practitioner: str  # who holds the case
    practitioners: str
    person: str  # whom the case is about


PROBATION = Terms(manager="SPO", managers="SPOs", practitioner="practitioner", practitioners="practitioners", person="person on probation")
PRISON = Terms(manager="HOMD", managers="HOMDs", practitioner="POM", practitioners="POMs", person="person in prison")
TERMS = {"probation": PROBATION, "prison": PRISON}


def terms_for(service: str) -> Terms:
    """The terms of a team's service type (`service:` in the teams file); probation by default."""
    return TERMS.get(service, PROBATION)
