"""The Allocate and Reallocate modals (seeds/000 and seeds/002): the case, the
practitioners best fit first (blocks/candidate_blocks.py), and the questions. Pure builders;
ids from blocks/ids.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from blocks.candidate_blocks import OfferLike, candidate_blocks
from blocks.case_card import CaseLike, summary_fields
from blocks.ids import INPUT_ACTION, AllocateBlock, Callback
from blocks.kit import Block, YES_NO, context, date_input, field, fields_section, input_block, modal, radio_input, section, text_input
from blocks.text import mrkdwn_safe
from bot.domain.vocabulary import PROBATION, Terms

HINT_EVIDENCE = (
    "Why this {practitioner}, from their knowledge, skills, experience and training "
    "(case allocation decision evidencing). Written back to the case record."
)


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


def _case_blocks(case: CaseLike, previous_name: str | None, record_url: str | None, terms: Terms) -> list[Block]:
    fields = summary_fields(case, record_url)
    previous = previous_name or case.previous_practitioner
    fields.append(field(f"Previous {terms.practitioner}", previous or "None recorded"))
    return [section(f"*{mrkdwn_safe(case.name, 200)}* · {case.crn}"), fields_section(fields)]


def _evidence_blocks(terms: Terms) -> list[Block]:
    return [
        text_input(AllocateBlock.EVIDENCE, "Case allocation decision evidence (CADE)", hint=HINT_EVIDENCE.format(practitioner=terms.practitioner)),
        radio_input(AllocateBlock.EVIDENCE_SENSITIVE, "Is this evidence sensitive? (kept out of a subject access request)", YES_NO),
    ]


CONFIRM_BLOCK: Block = input_block(
    AllocateBlock.CONFIRM_EXCEPTION,
    "Outside policy",
    {
        "type": "checkboxes",
        "action_id": INPUT_ACTION,
        "options": [
            {"text": {"type": "plain_text", "text": "I confirm this allocation is outside policy and my evidence says why"}, "value": "confirmed"}
        ],
    },
    optional=True,
)


def allocate_modal(
    case: CaseLike,
    offers: Sequence[OfferLike],
    *,
    touchpoint_default: date,
    notify_default: Sequence[str],
    previous_name: str | None,
    record_url: str | None,
    terms: Terms = PROBATION,
) -> Block:
    """The whole modal. `offers` are best fit first (bot/queries/candidates.py)."""
    notify = {"type": "multi_users_select", "action_id": INPUT_ACTION, **({"initial_users": list(notify_default)} if notify_default else {})}
    blocks = [
        *_case_blocks(case, previous_name, record_url, terms),
        *candidate_blocks(offers, terms),
        *_evidence_blocks(terms),
        radio_input(AllocateBlock.HATE_CRIME, "Is the offence linked to hate crime or discrimination?", YES_NO),
        text_input(AllocateBlock.HATE_NOTES, "Hate crime or discrimination notes (required when yes)", optional=True),
        radio_input(AllocateBlock.HATE_NOTES_SENSITIVE, "Are these notes sensitive? (required when there are notes)", YES_NO, optional=True),
        radio_input(
            AllocateBlock.TOUCHPOINT_PLAN,
            "Post-allocation touchpoint",
            [("high", "High priority"), ("normal", "Normal priority"), ("not_required", "Not required")],
            initial="normal",
        ),
        date_input(
            AllocateBlock.TOUCHPOINT_DATE, "Touchpoint date (a working day)", touchpoint_default, hint="About 15 days after allocation.", optional=True
        ),
        text_input(AllocateBlock.TOUCHPOINT_REASON, "Why no touchpoint is needed (required when not required)", optional=True),
        input_block(AllocateBlock.NOTIFY, "People to notify", notify, optional=True),
        CONFIRM_BLOCK,
    ]
    return modal("Allocate case", blocks, callback=Callback.ALLOCATE, submit="Allocate", metadata=AllocateMetadata(case.id).dumps())


def reallocate_modal(
    case: CaseLike,
    offers: Sequence[OfferLike],
    *,
    current_name: str,
    reasons: dict[str, str],
    record_url: str | None,
    terms: Terms = PROBATION,
) -> Block:
    """Reallocation: the same list and fit, a reason, new evidence, keep the touchpoint?"""
    reason = {
        "type": "static_select",
        "action_id": INPUT_ACTION,
        "options": [{"text": {"type": "plain_text", "text": text}, "value": value} for value, text in reasons.items()],
    }
    blocks = [
        section("Currently held by *" + mrkdwn_safe(current_name, 200) + "*."),
        *_case_blocks(case, None, record_url, terms),
        *candidate_blocks(offers, terms),
        input_block(AllocateBlock.REASON, "Reason for reallocating", reason),
        *_evidence_blocks(terms),
        radio_input(AllocateBlock.KEEP_TOUCHPOINT, f"Keep the planned touchpoint (with the new {terms.practitioner})?", YES_NO, initial="yes"),
        CONFIRM_BLOCK,
    ]
    return modal("Reallocate case", blocks, callback=Callback.REALLOCATE, submit="Reallocate", metadata=AllocateMetadata(case.id).dumps())


def loading_modal(case: CaseLike, record_url: str | None, terms: Terms = PROBATION) -> Block:
    """Opened at once on the click (the trigger id expires in 3 s); the full form follows."""
    blocks = [*_case_blocks(case, None, record_url, terms), context(f"Loading {terms.practitioners} and workloads…")]
    return modal("Allocate case", blocks, callback=Callback.ALLOCATE, metadata=AllocateMetadata(case.id).dumps())
