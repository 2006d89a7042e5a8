"""Loading the region's allocation policy (`casebot policy load`) and reading the one in force.

A version names one text for ever: allocations record the version they were judged under, so a
second, different text under a stored version (or under the shipped default's) is refused, and
loading never rewrites a stored policy or a past allocation, it only moves the `current` flag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.clock import Clock
from bot.domain.errors import FieldError, InvalidInput
from bot.domain.policy_file import Policy, default_policy, default_policy_text
from bot.services.outbox import audit
from storage.db import UnitOfWork
from storage.models import StoredPolicy


@dataclass(frozen=True)
class CurrentPolicy:
    """The policy in force and its file text; `loaded` is None for the shipped default, else
    when and by whom it was loaded."""

    version: str
    text: str
    loaded: tuple[datetime, str] | None


def _version_taken(version: str) -> InvalidInput:
    return InvalidInput([FieldError("version", f"{version!r} is already stored with different content: give this file a new version")])


async def load_policy(uow_factory: Callable[[], UnitOfWork], text: str, policy: Policy, *, clock: Clock, actor: str) -> str:
    """Store `text` (already parsed into `policy`) as the policy in force; say what happened.

    The same text again changes nothing; an earlier version loaded again is put back in force.
    Raises InvalidInput when the version is already used by a different text.
    """
    if policy.version == default_policy().version and text != default_policy_text():
        raise _version_taken(policy.version)
    now = clock.now()
    async with uow_factory() as uow:
        row = await uow.policies.by_version(policy.version)
        current = await uow.policies.current_row()
        if row is not None and row.text != text:
            raise _version_taken(policy.version)
        if row is not None and current is not None and current.id == row.id:
            return f"policy {policy.version} is already the one in force; nothing changed"
        outcome = "put back in force" if row is not None else "loaded and in force"
        if row is None:
            row = uow.policies.add(StoredPolicy(version=policy.version, text=text, loaded_at=now, loaded_by=actor, current=False))
        await uow.policies.make_current(row)
        audit(uow, actor=actor, action="policy_loaded", now=now, version=policy.version)
        await uow.commit()
    return f"policy {policy.version} {outcome}; allocations already made keep the version they were judged under"


async def current_policy(uow_factory: Callable[[], UnitOfWork]) -> CurrentPolicy:
    """The policy in force with its text: the stored one, else the shipped default."""
    async with uow_factory() as uow:
        row = await uow.policies.current_row()
    if row is None:
        return CurrentPolicy(version=default_policy().version, text=default_policy_text(), loaded=None)
    return CurrentPolicy(version=row.version, text=row.text, loaded=(row.loaded_at, row.loaded_by))
