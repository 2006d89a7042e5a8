"""Stored allocation policies: the one in force, by version, loading a new one."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select, update

from bot.domain.policy_file import Policy, default_policy, parse_policy
from storage.models import (
    StoredPolicy,
)
from storage.repositories.base import Repository


@lru_cache(maxsize=8)
def _parsed(text: str) -> Policy:
    """A stored policy's text was validated when loaded; parse it once per process, not per use."""
    return parse_policy(text)


class PolicyRepository(Repository[StoredPolicy]):
    model = StoredPolicy

    async def current_row(self) -> StoredPolicy | None:
        """The policy loaded last and in force; None when the shipped default applies. Should two
        loads ever race, the later one counts."""
        return await self.session.scalar(select(StoredPolicy).where(StoredPolicy.current.is_(True)).order_by(StoredPolicy.id.desc()).limit(1))

    async def current(self) -> Policy:
        """The policy in force: the one loaded, else the shipped default."""
        row = await self.current_row()
        return default_policy() if row is None else _parsed(row.text)

    async def by_version(self, version: str) -> StoredPolicy | None:
        return await self.session.scalar(select(StoredPolicy).where(StoredPolicy.version == version))

    async def make_current(self, row: StoredPolicy) -> None:
        """Put `row` in force and every other stored policy out of it (nothing else changes)."""
        await self.session.flush()
        await self.session.execute(
            update(StoredPolicy)
            .where(StoredPolicy.current.is_(True), StoredPolicy.id != row.id)
            .values(current=False)
            .execution_options(synchronize_session=False)
        )
        row.current = True
