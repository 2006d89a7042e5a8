"""A person's settings (SPO copies)."""

from __future__ import annotations

from datetime import datetime

from storage.models import (
    UserPreference,
)
from storage.repositories.base import Repository


class PreferenceRepository(Repository[UserPreference]):
    model = UserPreference

    async def spo_copies(self, user_id: str) -> bool:
        pref = await self.session.get(UserPreference, user_id)
        return True if pref is None else pref.spo_copies

    async def set_spo_copies(self, user_id: str, on: bool, now: datetime) -> None:
        pref = await self.session.get(UserPreference, user_id)
        if pref is None:
            self.session.add(UserPreference(user_id=user_id, spo_copies=on, updated_at=now))
        else:
            pref.spo_copies = on
            pref.updated_at = now
