"""The practitioners offered in the Allocate and Reallocate modals: best fit first, each with
their figures (workload now and after, tier mix, recent allocations) and their fit with
policy, then the select to choose one. Pure builders.

A static select holds at most 100 options with 75-character labels; a team over 100
practitioners gets an external select, searched by name, served by the options listener
(`practitioner_options`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from blocks.formats import away_mark, percent_text, source_mark, tier_mix_bars, workload_bar
from blocks.ids import INPUT_ACTION, Action, AllocateBlock
from blocks.kit import Block, context, divider, input_block, section
from blocks.text import SECTION_TEXT_MAX, cut, mrkdwn_safe
from bot.domain.offers import Offer
from bot.domain.vocabulary import Terms

MAX_STATIC_OPTIONS = 100
LISTED_CANDIDATES = 8  # candidates shown with their full figures above the questions
OPTION_TEXT_MAX = 75


def capitalised(word: str) -> str:
    """'Practitioners' for a heading, leaving a word already capitalised ('POMs') as it is."""
    return word.capitalize() if word.islower() else word


def option_label(offer: Offer) -> str:
    """'⚠ Ada Lovelace · PO · 52% after' within Slack's 75 characters; ⛔ marks someone away."""
    fit = offer.fit
    marks = ("⛔ " if offer.away is not None else "") + ("⚠ " if fit.exceptions else "") + ("↩ " if fit.is_previous else "")
    tail = f" · {offer.grade} · {percent_text(offer.workload_after)} after"
    room = OPTION_TEXT_MAX - len(marks) - len(tail)
    return marks + cut(offer.name, room) + tail


def _option(offer: Offer) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": option_label(offer)}, "value": str(offer.practitioner_id)}


def practitioner_options(offers: Sequence[Offer], query: str = "") -> list[dict[str, Any]]:
    """Options for the select (or a search in it), best fit first, at most 100."""
    wanted = query.strip().casefold()
    matching = [o for o in offers if wanted in o.name.casefold()] if wanted else list(offers)
    return [_option(o) for o in matching[:MAX_STATIC_OPTIONS]]


def candidate_line(offer: Offer) -> str:
    """One practitioner's figures and fit, as mrkdwn (names escaped): whether they are away, the
    workload and tier mix as bars with their numbers beside them (seeds/002, "Choose a POM":
    "Use 'tier mix' bars", and some readers "prefer seeing numeric information")."""
    over = " *over capacity*" if offer.over_capacity_after else ""
    away, source = away_mark(offer.away), source_mark(offer.from_feed)
    head = (
        f"*{mrkdwn_safe(offer.name, 200)}* · {mrkdwn_safe(offer.grade, 10)}{away} · "
        f"{offer.recent_allocations} new in 7 days\nWorkload {workload_bar(offer.workload_now)} → {percent_text(offer.workload_after)} after{over}{source}"
        f"\nTier mix: {tier_mix_bars(offer.tier_mix)}"
    )
    if offer.fit.exceptions:
        fit = "⚠ Outside policy: " + "; ".join(mrkdwn_safe(e, 300) for e in offer.fit.exceptions)
    else:
        fit = "✓ Within policy"
    notes = "".join(f"\n{mrkdwn_safe(n, 300)}" for n in offer.fit.notes)
    return cut(f"{head}\n{fit}{notes}", SECTION_TEXT_MAX)


def _practitioner_input(offers: Sequence[Offer], terms: Terms) -> Block:
    if len(offers) > MAX_STATIC_OPTIONS:
        element: Block = {
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
    hint = "⚠ outside policy (confirm below)  ↩ held this case before  ⛔ away today"
    return input_block(AllocateBlock.PRACTITIONER, capitalised(terms.practitioner), element, hint=hint)


def candidate_blocks(offers: Sequence[Offer], terms: Terms) -> list[Block]:
    """The practitioners best fit first with their figures, then the select."""
    blocks: list[Block] = [divider(), section(f"*{capitalised(terms.practitioners)}, best fit first*")]
    blocks += [section(candidate_line(o)) for o in offers[:LISTED_CANDIDATES]]
    if len(offers) > LISTED_CANDIDATES:
        blocks.append(context(f"and {len(offers) - LISTED_CANDIDATES} more in the list below"))
    if not offers:
        blocks.append(section(f"No {terms.practitioner} in this team can be offered this case."))
    return [*blocks, divider(), _practitioner_input(offers, terms)]
