"""Loading teams and staff into the store: re-running updates, never duplicates (README, "The teams and staff file").

The whole file is applied in one transaction, after it has been validated in full, so a bad
file leaves the previously loaded teams untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.teams_file import TeamsFile
from bot.services.outbox import audit
from storage.db import UnitOfWork
from storage.models import Practitioner, Team


@dataclass
class LoadSummary:
    teams_created: int = 0
    teams_updated: int = 0
    staff_created: int = 0
    staff_updated: int = 0
    staff_deactivated: int = 0

    def __str__(self) -> str:
        return (
            f"teams: {self.teams_created} created, {self.teams_updated} updated; "
            f"practitioners: {self.staff_created} created, {self.staff_updated} updated, "
            f"{self.staff_deactivated} no longer listed (kept, marked inactive)"
        )


async def load_teams(uow_factory: Callable[[], UnitOfWork], teams_file: TeamsFile, *, clock: Clock, actor: str = "cli") -> LoadSummary:
    summary = LoadSummary()
    now = clock.now()
    async with uow_factory() as uow:
        existing = await uow.teams.by_code()
        staff = await uow.teams.practitioners_by_code(p.staff_code for t in teams_file.teams for p in t.practitioners)
        for spec in teams_file.teams:
            team = existing.get(spec.code)
            if team is None:
                team = uow.teams.add(Team(code=spec.code, name=spec.name, channel_id=spec.channel, updated_at=now, practitioners=[]))
                summary.teams_created += 1
            else:
                summary.teams_updated += 1
            team.name = spec.name
            team.channel_id = spec.channel
            team.service = spec.service
            team.channel_detail = spec.channel_detail
            team.spo_user_ids = spec.spo_user_ids
            team.spo_staff = spec.spo_staff
            # Who is who for a case's exclusion and restriction lists (bot/domain/access.py):
            # practitioners, SPOs given with their code, and the file's `staff_codes`.
            spo_codes = {spo.slack_user: spo.staff_code for spo in spec.spos if spo.staff_code}
            team.staff_codes = {**{p.slack_user: p.staff_code for p in spec.practitioners}, **spo_codes, **spec.staff_codes}
            team.notify_user_ids = list(spec.notify)
            team.senior_approver_user_ids = list(spec.senior_approvers)
            team.updated_at = now
            listed = {p.staff_code for p in spec.practitioners}
            for member in team.practitioners:
                if member.staff_code not in listed and member.active:
                    member.active = False
                    summary.staff_deactivated += 1
            for p in spec.practitioners:
                person = staff.get(p.staff_code)
                if person is None:
                    person = uow.teams.add_practitioner(Practitioner(staff_code=p.staff_code))
                    summary.staff_created += 1
                else:
                    summary.staff_updated += 1
                person.team = team
                person.name = p.name
                person.grade = p.grade
                person.slack_user_id = p.slack_user
                person.capacity_points = p.capacity_points
                person.visor_vetted = p.visor_vetted
                person.ready_for_tiers = list(p.ready_for_tiers)
                person.caseload = dict(p.caseload)
                person.contracted_hours = p.contracted_hours
                person.available_hours = p.available_hours
                person.email, person.phone = p.email, p.phone
                person.active = True
        listed_teams = {spec.code for spec in teams_file.teams}
        for code, team in existing.items():
            if code not in listed_teams:  # the file is the whole picture: staff of dropped teams go inactive
                for member in team.practitioners:
                    if member.active:
                        member.active = False
                        summary.staff_deactivated += 1
        audit(uow, actor=actor, action="teams_loaded", now=now, teams=[t.code for t in teams_file.teams])
        await uow.commit()
    return summary
