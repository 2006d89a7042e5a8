"""The tables. Plain typed SQLAlchemy 2 models, one module per aggregate; behaviour lives in `bot`
services. Import them from here (`from storage.models import Case`): importing this package
registers every table on `Base.metadata`, which Alembic's env compares against.

Every migration in storage/migrations must leave the schema equal to these models
(tests/storage/test_migrations.py checks it on SQLite and PostgreSQL).
"""

from storage.models.base import Base
from storage.models.cases import Case, CaseEvent
from storage.models.decisions import Allocation, AuditEvent, StoredPolicy, Touchpoint
from storage.models.machinery import DailyRun, OutboxMessage, ScheduledJob, SeenSignature
from storage.models.people import Practitioner, Team, UserPreference

__all__ = [
    "Allocation",
    "AuditEvent",
    "Base",
    "Case",
    "CaseEvent",
    "DailyRun",
    "OutboxMessage",
    "Practitioner",
    "ScheduledJob",
    "SeenSignature",
    "StoredPolicy",
    "Team",
    "Touchpoint",
    "UserPreference",
]
