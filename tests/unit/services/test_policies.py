"""Loading the region's policy, against the fake unit of work (bot/services/policies.py)."""

from __future__ import annotations

import pytest

from bot.domain.clock import FixedClock
from bot.domain.errors import InvalidInput
from bot.domain.policy_file import default_policy_text, parse_policy
from bot.services.policies import current_policy, load_policy
from storage.models import AuditEvent, StoredPolicy
from tests.unit.services.fakes import FakeStore

REGION = default_policy_text().replace("version: casebot-default-1", "version: region-1")
REGION_2 = REGION.replace("version: region-1", "version: region-2").replace("cade_min_chars: null", "cade_min_chars: 40")


async def load(store: FakeStore, text: str, clock: FixedClock) -> str:
    return await load_policy(store.factory, text, parse_policy(text), clock=clock, actor="cli")


async def test_loading_the_same_text_twice_changes_nothing(store: FakeStore, clock: FixedClock) -> None:
    assert "loaded and in force" in await load(store, REGION, clock)
    assert "nothing changed" in await load(store, REGION, clock)
    [row] = store.rows(StoredPolicy)
    assert row.current and row.version == "region-1"
    assert [event.action for event in store.rows(AuditEvent)] == ["policy_loaded"]
    assert store.commits == 1
    assert (await current_policy(store.factory)).version == "region-1"


async def test_a_stored_version_with_other_text_is_refused(store: FakeStore, clock: FixedClock) -> None:
    await load(store, REGION, clock)
    changed = REGION.replace("cade_min_chars: null", "cade_min_chars: 40")
    with pytest.raises(InvalidInput, match="already stored with different content"):
        await load(store, changed, clock)
    with pytest.raises(InvalidInput):  # nor may a region reuse the shipped default's version
        await load(store, default_policy_text().replace("cade_min_chars: null", "cade_min_chars: 40"), clock)
    [row] = store.rows(StoredPolicy)
    assert row.text == REGION


async def test_an_earlier_version_loaded_again_is_put_back_in_force(store: FakeStore, clock: FixedClock) -> None:
    await load(store, REGION, clock)
    await load(store, REGION_2, clock)
    assert "put back in force" in await load(store, REGION, clock)
    assert {row.version: row.current for row in store.rows(StoredPolicy)} == {"region-1": True, "region-2": False}
