"""Who may do what (docs/architecture.md principles: only SPOs, a configured role, allocate and see sensitive notes)."""

from __future__ import annotations

from typing import Protocol

from bot.domain.vocabulary import terms_for


class TeamLike(Protocol):
    spo_user_ids: list[str]
    service: str


def is_spo(team: TeamLike, user_id: str) -> bool:
    return user_id in team.spo_user_ids


def refusal(team: TeamLike, doing: str) -> str:
    """'Only the team's SPOs can allocate cases. Please ask @a, @b.' in the team's own words."""
    return f"Only the team's {terms_for(team.service).managers} can {doing}. Please ask {who_can_allocate(team)}."


def who_can_allocate(team: TeamLike) -> str:
    """Mentions of the team's SPOs, for a polite refusal that says whom to ask."""
    if not team.spo_user_ids:
        managers = terms_for(team.service).managers
        return f"the team's {managers} (none are configured yet: ask your administrator to run `casebot teams load`)"
    return ", ".join(f"<@{user}>" for user in team.spo_user_ids)
