"""The Allocate modal (issue 5; seeds/000 and seeds/002): the case, the practitioners best fit
first with their figures, and the questions. Pure builders; ids from blocks/ids.py.

Slack limits shape it (SLACK.md s1): at most 100 blocks, a static select of at most 100
options with 75-character labels. A team over 100 practitioners gets an external select,
searched by name, served by the options listener.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from blocks.case_card import CaseLike, summary_fields
from blocks.ids import INPUT_ACTION, Action, AllocateBlock, Callback
from bot.domain.vocabulary import PROBATION, Terms
from blocks.text import FIELD_TEXT_MAX, SECTION_TEXT_MAX, cut, mrkdwn_safe

MAX_STATIC_OPTIONS = 100
LISTED_CANDIDATES = 8  # candidates shown with their full figures above the questions
OPTION_TEXT_MAX = 75
HINT_EVIDENCE = (
    "Why this {practitioner}, from their knowledge, skills, experience and training "
    "(case allocation decision evidencing). Written back to the case record."
)


class OfferLike(Protocol):
    """What the modal reads of one offered practitioner (bot.queries.candidates.Offer satisfies it)."""

    @property
    def practitioner(self) -> Any: ...  # id, name, grade, slack_user_id
    @property
    def candidate(self) -> Any: ...  # fit (exceptions, notes, is_previous), workload_after, recent_allocations
    @property
    def workload_now(self) -> float: ...
    @property
    def tier_mix(self) -> dict[str, int]: ...
    @property
    def over_capacity_after(self) -> bool: ...


@dataclass(frozen=True)
class AllocateMetadata:
    """The modal's private_metadata: which case, so the submission needs nothing else."""

    case_id: int

    def dumps(self) -> str:
        return json.dumps({"case_id": self.case_id})

    @classmethod
    def loads(cls, text: str) -> AllocateMetadata:
        """Case 0 (no such case) for anything we did not write."""
        try:
            data = json.loads(text or "{}")
            case_id = data.get("case_id") if isinstance(data, dict) else None
            return cls(case_id=case_id if isinstance(case_id, int) and 0 < case_id < 2**31 else 0)
        except ValueError:
            return cls(case_id=0)


def _percent(value: float) -> str:
    return "no capacity" if value == float("inf") else f"{value:.0f}%"


def option_label(offer: OfferLike) -> str:
    """'⚠ Ada Lovelace · PO · 52% after' within Slack's 75 characters."""
    fit = offer.candidate.fit
    marks = ("⚠ " if fit.exceptions else "") + ("↩ " if fit.is_previous else "")
    tail = f" · {offer.practitioner.grade} · {_percent(offer.candidate.workload_after)} after"
    room = OPTION_TEXT_MAX - len(marks) - len(tail)
    return marks + cut(offer.practitioner.name, room) + tail


def _option(offer: OfferLike) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": option_label(offer)}, "value": str(offer.practitioner.id)}


def practitioner_options(offers: Sequence[OfferLike], query: str = "") -> list[dict[str, Any]]:
    """Options for the select (or a search in it), best fit first, at most 100."""
    wanted = query.strip().casefold()
    matching = [o for o in offers if wanted in o.practitioner.name.casefold()] if wanted else list(offers)
    return [_option(o) for o in matching[:MAX_STATIC_OPTIONS]]


def candidate_line(offer: OfferLike) -> str:
    """One practitioner's figures and fit, as mrkdwn (names escaped)."""
    c = offer.candidate
    mix = " · ".join(f"{letter} {offer.tier_mix.get(letter, 0)}" for letter in "ABCD")
    over = " *over capacity*" if offer.over_capacity_after else ""
    head = (
        f"*{mrkdwn_safe(offer.practitioner.name, 200)}* · {offer.practitioner.grade} · "
        f"workload {_percent(offer.workload_now)} → {_percent(c.workload_after)}{over} · {mix} · "
        f"{c.recent_allocations} new in 7 days"
    )
    if c.fit.exceptions:
        fit = "⚠ Outside policy: " + "; ".join(mrkdwn_safe(e, 300) for e in c.fit.exceptions)
    else:
        fit = "✓ Within policy"
    notes = "".join(f"\n{mrkdwn_safe(n, 300)}" for n in c.fit.notes)
    return cut(f"{head}\n{fit}{notes}", SECTION_TEXT_MAX)


def _case_blocks(case: CaseLike, previous_name: str | None, record_url: str | None, terms: Terms) -> list[dict[str, Any]]:
    fields = summary_fields(case, record_url)
    previous = previous_name or case.previous_practitioner
    fields.append({"type": "mrkdwn", "text": f"*Previous {terms.practitioner}*\n" + mrkdwn_safe(previous or "None recorded", FIELD_TEXT_MAX - 30)})
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{mrkdwn_safe(case.name, 200)}* · {case.crn}"}},
        {"type": "section", "fields": fields[:10]},
    ]


def _radio(block: AllocateBlock, label: str, choices: list[tuple[str, str]], initial: str | None = None, optional: bool = False) -> dict[str, Any]:
    options = [{"text": {"type": "plain_text", "text": text}, "value": value} for value, text in choices]
    element: dict[str, Any] = {"type": "radio_buttons", "action_id": INPUT_ACTION, "options": options}
    if initial is not None:
        element["initial_option"] = next(o for o in options if o["value"] == initial)
    return {"type": "input", "block_id": block, "optional": optional, "label": {"type": "plain_text", "text": label}, "element": element}


def _text_input(block: AllocateBlock, label: str, *, hint: str | None = None, optional: bool = False, placeholder: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": INPUT_ACTION, "multiline": True, "max_length": 3000}
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder}
    block_dict: dict[str, Any] = {"type": "input", "block_id": block, "optional": optional, "label": {"type": "plain_text", "text": label}, "element": element}
    if hint:
        block_dict["hint"] = {"type": "plain_text", "text": hint}
    return block_dict


YES_NO = [("yes", "Yes"), ("no", "No")]


def _practitioner_input(offers: Sequence[OfferLike], terms: Terms) -> dict[str, Any]:
    if len(offers) > MAX_STATIC_OPTIONS:
        element: dict[str, Any] = {
            "type": "external_select",
            "action_id": Action.PRACTITIONER_SEARCH,
            "min_query_length": 0,
            "placeholder": {"type": "plain_text", "text": "Type a name (best fits first)"},
        }
    else:
        element = {
            "type": "static_select",
            "action_id": INPUT_ACTION,
            "placeholder": {"type": "plain_text", "text": f"Choose a {terms.practitioner} (best fits first)"},
            "options": practitioner_options(offers),
        }
    return {
        "type": "input",
        "block_id": AllocateBlock.PRACTITIONER,
        "label": {"type": "plain_text", "text": terms.practitioner.capitalize() if terms.practitioner.islower() else terms.practitioner},
        "hint": {"type": "plain_text", "text": "⚠ outside policy (confirm below)  ↩ held this case before"},
        "element": element,
    }


def _candidate_blocks(
    case: CaseLike, offers: Sequence[OfferLike], previous_name: str | None, record_url: str | None, terms: Terms
) -> list[dict[str, Any]]:
    """The case, then the practitioners best fit first with their figures, then the select."""
    listed = [{"type": "section", "text": {"type": "mrkdwn", "text": candidate_line(o)}} for o in offers[:LISTED_CANDIDATES]]
    more = len(offers) - len(listed)
    blocks: list[dict[str, Any]] = [
        *_case_blocks(case, previous_name, record_url, terms),
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{terms.practitioners.capitalize() if terms.practitioners.islower() else terms.practitioners}, best fit first*"}},
        *listed,
    ]
    if more > 0:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"and {more} more in the list below"}]})
    if not offers:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"No {terms.practitioner} in this team can be offered this case."}})
    return [*blocks, {"type": "divider"}, _practitioner_input(offers, terms)]


def _evidence_blocks(terms: Terms) -> list[dict[str, Any]]:
    return [
        _text_input(AllocateBlock.EVIDENCE, "Case allocation decision evidence (CADE)", hint=HINT_EVIDENCE.format(practitioner=terms.practitioner)),
        _radio(AllocateBlock.EVIDENCE_SENSITIVE, "Is this evidence sensitive? (kept out of a subject access request)", YES_NO),
    ]


CONFIRM_BLOCK: dict[str, Any] = {
    "type": "input",
    "block_id": AllocateBlock.CONFIRM_EXCEPTION,
    "optional": True,
    "label": {"type": "plain_text", "text": "Outside policy"},
    "element": {
        "type": "checkboxes",
        "action_id": INPUT_ACTION,
        "options": [
            {"text": {"type": "plain_text", "text": "I confirm this allocation is outside policy and my evidence says why"}, "value": "confirmed"}
        ],
    },
}


def _modal(callback: Callback, title: str, submit: str, case_id: int, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback,
        "private_metadata": AllocateMetadata(case_id).dumps(),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def allocate_modal(
    case: CaseLike,
    offers: Sequence[OfferLike],
    *,
    touchpoint_default: date,
    notify_default: Sequence[str],
    previous_name: str | None,
    record_url: str | None,
    terms: Terms = PROBATION,
) -> dict[str, Any]:
    """The whole modal. `offers` are best fit first (bot/queries/candidates.py)."""
    blocks = [
        *_candidate_blocks(case, offers, previous_name, record_url, terms),
        *_evidence_blocks(terms),
        _radio(AllocateBlock.HATE_CRIME, "Is the offence linked to hate crime or discrimination?", YES_NO),
        _text_input(AllocateBlock.HATE_NOTES, "Hate crime or discrimination notes (required when yes)", optional=True),
        _radio(AllocateBlock.HATE_NOTES_SENSITIVE, "Are these notes sensitive? (required when there are notes)", YES_NO, optional=True),
        _radio(
            AllocateBlock.TOUCHPOINT_PLAN,
            "Post-allocation touchpoint",
            [("high", "High priority"), ("normal", "Normal priority"), ("not_required", "Not required")],
            initial="normal",
        ),
        {
            "type": "input",
            "block_id": AllocateBlock.TOUCHPOINT_DATE,
            "optional": True,
            "label": {"type": "plain_text", "text": "Touchpoint date (a working day)"},
            "hint": {"type": "plain_text", "text": "About 15 days after allocation."},
            "element": {"type": "datepicker", "action_id": INPUT_ACTION, "initial_date": touchpoint_default.isoformat()},
        },
        _text_input(AllocateBlock.TOUCHPOINT_REASON, "Why no touchpoint is needed (required when not required)", optional=True),
        {
            "type": "input",
            "block_id": AllocateBlock.NOTIFY,
            "optional": True,
            "label": {"type": "plain_text", "text": "People to notify"},
            "element": {"type": "multi_users_select", "action_id": INPUT_ACTION, **({"initial_users": list(notify_default)} if notify_default else {})},
        },
        CONFIRM_BLOCK,
    ]
    return _modal(Callback.ALLOCATE, "Allocate case", "Allocate", case.id, blocks)


def reallocate_modal(
    case: CaseLike,
    offers: Sequence[OfferLike],
    *,
    current_name: str,
    reasons: dict[str, str],
    record_url: str | None,
    terms: Terms = PROBATION,
) -> dict[str, Any]:
    """Reallocation (issue 7): the same list and fit, a reason, new evidence, keep the touchpoint?"""
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Currently held by *" + mrkdwn_safe(current_name, 200) + "*."}},
        *_candidate_blocks(case, offers, None, record_url, terms),
        {
            "type": "input",
            "block_id": AllocateBlock.REASON,
            "label": {"type": "plain_text", "text": "Reason for reallocating"},
            "element": {
                "type": "static_select",
                "action_id": INPUT_ACTION,
                "options": [{"text": {"type": "plain_text", "text": text}, "value": value} for value, text in reasons.items()],
            },
        },
        *_evidence_blocks(terms),
        _radio(AllocateBlock.KEEP_TOUCHPOINT, f"Keep the planned touchpoint (with the new {terms.practitioner})?", YES_NO, initial="yes"),
        CONFIRM_BLOCK,
    ]
    return _modal(Callback.REALLOCATE, "Reallocate case", "Reallocate", case.id, blocks)


def loading_modal(case: CaseLike, record_url: str | None, terms: Terms = PROBATION) -> dict[str, Any]:
    """Opened at once on the click (the trigger id expires in 3 s); the full form follows."""
    return {
        "type": "modal",
        "callback_id": Callback.ALLOCATE,
        "private_metadata": AllocateMetadata(case.id).dumps(),
        "title": {"type": "plain_text", "text": "Allocate case"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            *_case_blocks(case, None, record_url, terms),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Loading {terms.practitioners} and workloads…"}]},
        ],
    }


def allocated_already_text(practitioner_name: str, practitioner_user: str, by_user: str, when_text: str) -> str:
    """mrkdwn for 'someone got there first', naming who and when."""
    return mrkdwn_safe(f"This case was already allocated to {practitioner_name} ", 300) + f"(<@{practitioner_user}>) by <@{by_user}> on {when_text}."

