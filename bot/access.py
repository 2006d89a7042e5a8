"""Who may do what (DESIGN.md principles: only SPOs, a configured role, allocate and see sensitive notes)."""

from __future__ import annotations

from typing import Protocol


class TeamLike(Protocol):
    spo_user_ids: list[str]


def is_spo(team: TeamLike, user_id: str) -> bool:
    return user_id in team.spo_user_ids


def who_can_allocate(team: TeamLike) -> str:
    """Mentions of the team's SPOs, for a polite refusal that says whom to ask."""
    if not team.spo_user_ids:
        return "the team's SPOs (none are configured yet: ask your administrator to run `casebot teams load`)"
    return ", ".join(f"<@{user}>" for user in team.spo_user_ids)
