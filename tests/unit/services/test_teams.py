"""Loading teams and staff, against the fake unit of work (bot/services/teams.py)."""

from __future__ import annotations

from bot.domain.clock import FixedClock
from bot.domain.teams_file import parse_teams_file
from bot.services.teams import load_teams
from storage.models import Practitioner, Team
from tests.support.factories import TEAMS_YAML
from tests.unit.services.fakes import FakeStore


async def test_loading_creates_the_teams_and_their_staff(store: FakeStore, clock: FixedClock) -> None:
    summary = await load_teams(store.factory, parse_teams_file(TEAMS_YAML), clock=clock)
    assert (summary.teams_created, summary.staff_created, summary.teams_updated, summary.staff_updated) == (2, 2, 0, 0)
    north = next(team for team in store.rows(Team) if team.code == "N07T1")
    assert north.spo_user_ids == ["U0SPO0001", "U0SPO0002"] and north.channel_id == "C0123456789"
    assert sorted(p.name for p in north.practitioners) == ["Ada Lovelace", "Grace Hopper"]
    assert store.commits == 1


async def test_loading_again_updates_and_marks_the_unlisted_inactive(store: FakeStore, clock: FixedClock) -> None:
    await load_teams(store.factory, parse_teams_file(TEAMS_YAML), clock=clock)
    without_grace = TEAMS_YAML.replace("name: Sheffield North", "name: Sheffield North East")
    without_grace = without_grace[: without_grace.index("      - staff_code: N07A002")] + without_grace[without_grace.index("  - code: N07T2") :]

    summary = await load_teams(store.factory, parse_teams_file(without_grace), clock=clock)

    assert (summary.teams_created, summary.teams_updated, summary.staff_created, summary.staff_updated, summary.staff_deactivated) == (0, 2, 0, 1, 1)
    assert len(store.rows(Team)) == 2 and len(store.rows(Practitioner)) == 2
    assert {p.staff_code: p.active for p in store.rows(Practitioner)} == {"N07A001": True, "N07A002": False}
    assert store.rows(Team)[0].name == "Sheffield North East"
