"""Who may do what (docs/architecture.md principles: only SPOs, a configured role, allocate and
see sensitive notes; README, "What the channel may see": a case's details only for the team's
own people, and a restricted case only for those its lists allow)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from bot.domain.vocabulary import terms_for


class TeamLike(Protocol):
    spo_user_ids: list[str]
    service: str


class TeamPeople(TeamLike, Protocol):
    notify_user_ids: list[str]

    @property
    def staff_codes(self) -> Mapping[str, str]: ...  # Slack user id -> staff code: practitioners, and SPOs and notify people the file names


class CaseLists(Protocol):
    """The case's access lists, as nDelius keeps them: staff codes."""

    @property
    def excluded_practitioners(self) -> Sequence[str]: ...  # these staff must never see or hold it
    @property
    def restricted_to(self) -> Sequence[str]: ...  # when set, only these staff may see or hold it


class LimitedCase(CaseLists, Protocol):
    @property
    def restricted(self) -> bool: ...  # limited-access: never in a channel, details for SPOs


def is_spo(team: TeamLike, user_id: str) -> bool:
    return user_id in team.spo_user_ids


def same_code(a: str, b: str) -> bool:
    """Staff codes compare ignoring case and surrounding spaces: an exclusion must never miss."""
    return a.strip().upper() == b.strip().upper()


def open_to(case: CaseLists, staff_codes: Iterable[str]) -> bool:
    """Whether someone with these staff codes may see or hold the case: never when on its
    exclusion list; when it has a restriction list, only when on it. Someone with no staff code
    cannot be on a restriction list, so a listed case is closed to them."""
    codes = list(staff_codes)
    if any(same_code(code, excluded) for code in codes for excluded in case.excluded_practitioners):
        return False
    return not case.restricted_to or any(same_code(code, allowed) for code in codes for allowed in case.restricted_to)


def codes_of(team: TeamPeople, user_id: str) -> list[str]:
    """The staff code the teams file gives this Slack user in this team (none: not listed)."""
    code = team.staff_codes.get(user_id)
    return [code] if code else []


def in_team(team: TeamPeople, user_id: str) -> bool:
    """The team's own people as the teams file names them: its SPOs, its practitioners (each
    has a staff code) and its notify list. A channel may hold others."""
    return user_id in team.spo_user_ids or user_id in team.notify_user_ids or user_id in team.staff_codes


def spos_open_to(team: TeamPeople, case: CaseLists) -> list[str]:
    """The team's SPOs the case's lists allow: an SPO on its exclusion list, or missing from its
    restriction list, does not get a restricted case at all."""
    return [spo for spo in team.spo_user_ids if open_to(case, codes_of(team, spo))]


def details_refusal(team: TeamPeople, case: LimitedCase, user_id: str) -> str | None:
    """Why `user_id` may not open the case's Details, politely and naming whom to ask; None when
    they may. The order matters only for the wording: each check alone is enough to refuse."""
    terms = terms_for(team.service)
    if not in_team(team, user_id):
        return (
            f"Case details are for the team's own people: its {terms.managers}, {terms.practitioners} and notify list. "
            f"If you need this case, please ask {who_can_allocate(team)}."
        )
    if case.restricted and not is_spo(team, user_id):
        return f"This is a limited-access case: only the team's {terms.managers} can see its details."
    if not open_to(case, codes_of(team, user_id)):
        return "This case is restricted by the case record, and you are not among the staff who may see it."
    return None


def refusal(team: TeamLike, doing: str) -> str:
    """'Only the team's SPOs can allocate cases. Please ask @a, @b.' in the team's own words."""
    return f"Only the team's {terms_for(team.service).managers} can {doing}. Please ask {who_can_allocate(team)}."


def who_can_allocate(team: TeamLike) -> str:
    """Mentions of the team's SPOs, for a polite refusal that says whom to ask."""
    if not team.spo_user_ids:
        managers = terms_for(team.service).managers
        return f"the team's {managers} (none are configured yet: ask your administrator to run `casebot teams load`)"
    return ", ".join(f"<@{user}>" for user in team.spo_user_ids)
