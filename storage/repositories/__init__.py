"""Queries, one small repository per aggregate, one module each. Repositories never commit (the
unit of work does). Import them from here: `from storage.repositories import CaseRepository`."""

from storage.repositories.allocations import AllocationRepository
from storage.repositories.audit import AuditRepository
from storage.repositories.base import Repository
from storage.repositories.cases import CaseRepository
from storage.repositories.jobs import JobRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.policies import PolicyRepository
from storage.repositories.preferences import PreferenceRepository
from storage.repositories.teams import TeamRepository

__all__ = [
    "AllocationRepository",
    "AuditRepository",
    "CaseRepository",
    "JobRepository",
    "OutboxRepository",
    "PolicyRepository",
    "PreferenceRepository",
    "Repository",
    "TeamRepository",
]
