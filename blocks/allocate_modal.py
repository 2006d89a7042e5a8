"""The Allocate and Reallocate modals (seeds/000 and seeds/002): the case, the
practitioners best fit first (blocks/candidate_blocks.py), and the questions. Pure builders;
ids from blocks/ids.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from blocks.candidate_blocks import candidate_blocks
from blocks.case_card import summary_fields
from blocks.case_picture import picture_blocks
from blocks.formats import long_date
from blocks.ids import INPUT_ACTION, AllocateBlock, Callback
from blocks.kit import YES_NO, Block, context, date_input, field, fields_section, input_block, modal, radio_input, section, text_input
from blocks.path_blocks import path_blocks
from blocks.text import mrkdwn_safe
from bot.domain.case_path import PathFacts
from bot.domain.case_summary import CaseSummary
from bot.domain.offers import Offer
from bot.domain.vocabulary import PROBATION, Terms

HINT_EVIDENCE = (
    "Why this {practitioner}, from their knowledge, skills, experience and training (case allocation decision evidencing). Written back to the case record."
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


def _case_blocks(case: CaseSummary, previous_name: str | None, record_url: str | None, terms: Terms) -> list[Block]:
    fields = summary_fields(case, record_url)
    previous = previous_name or case.previous_practitioner
    fields.append(field(f"Previous {terms.practitioner}", previous or "None recorded"))
    return [section(f"*{mrkdwn_safe(case.name, 200)}* · {case.crn}"), fields_section(fields), *picture_blocks(case)]


# What "sensitive" means, in the MoJ allocation tool's spirit (seeds/000 research insights):
# text that would cause harm or risk if the person saw it through a subject access request.
HINT_SENSITIVE = (
    "Sensitive: would cause harm or risk if the {person} saw it through a subject access request, e.g. an "
    "informal concern about risk to staff, or a victim's details. Sensitive notes go to the allocated "
    "{practitioner} privately and never to the channel, the thread or a subject access export."
)
# Guidance on each question: seeds/000 future considerations ask for it; the wording is ours.
HINT_HATE_CRIME = (
    "Yes when the offence was related to, or motivated by, hostility or prejudice (e.g. race, religion, disability, sexual orientation, transgender identity)."
)
HINT_DISCRIMINATION = (
    "Yes when discrimination is a consideration in managing this case, e.g. discriminatory attitudes or "
    "behaviour the {practitioner} needs to know about, or a risk of the {person} discriminating against staff."
)


def _evidence_blocks(terms: Terms) -> list[Block]:
    return [
        text_input(AllocateBlock.EVIDENCE, "Case allocation decision evidence (CADE)", hint=HINT_EVIDENCE.format(practitioner=terms.practitioner)),
        radio_input(AllocateBlock.EVIDENCE_SENSITIVE, "Is this evidence sensitive?", YES_NO, hint=_sensitive_hint(terms)),
    ]


def _sensitive_hint(terms: Terms) -> str:
    return HINT_SENSITIVE.format(person=terms.person, practitioner=terms.practitioner)


def _concern_blocks(terms: Terms) -> list[Block]:
    """Hate crime and discrimination: two questions, each with its own notes and sensitivity
    (seeds/000 version two: "information has to be entered for both issues")."""
    hints = {"hate crime": HINT_HATE_CRIME, "discrimination": HINT_DISCRIMINATION.format(practitioner=terms.practitioner, person=terms.person)}
    questions = (
        ("hate crime", AllocateBlock.HATE_CRIME, AllocateBlock.HATE_NOTES, AllocateBlock.HATE_NOTES_SENSITIVE),
        ("discrimination", AllocateBlock.DISCRIMINATION, AllocateBlock.DISCRIMINATION_NOTES, AllocateBlock.DISCRIMINATION_NOTES_SENSITIVE),
    )
    blocks: list[Block] = []
    for what, question, notes, sensitive in questions:
        blocks += [
            radio_input(question, f"Is the offence linked to {what}?", YES_NO, hint=hints[what]),
            text_input(notes, f"{what.capitalize()} notes (required when yes)", optional=True),
            radio_input(sensitive, "Are these notes sensitive? (required when yes)", YES_NO, optional=True, hint=_sensitive_hint(terms)),
        ]
    return blocks


CONFIRM_BLOCK: Block = input_block(
    AllocateBlock.CONFIRM_EXCEPTION,
    "Outside policy",
    {
        "type": "checkboxes",
        "action_id": INPUT_ACTION,
        "options": [{"text": {"type": "plain_text", "text": "I confirm this allocation is outside policy and my evidence says why"}, "value": "confirmed"}],
    },
    optional=True,
)


EARLY_BLOCK = text_input(
    AllocateBlock.EARLY_REASON,
    "Why allocate before the handover lead time?",
    hint="This custodial case is POM-led until handover (OMiC). Allocating a community offender manager now is recorded with your reason.",
)


def allocate_modal(
    case: CaseSummary,
    offers: Sequence[Offer],
    *,
    touchpoint_default: date,
    notify_default: Sequence[str],
    previous_name: str | None,
    record_url: str | None,
    terms: Terms = PROBATION,
    early: bool = False,
    path: PathFacts | None = None,
) -> Block:
    """The whole modal. `offers` are best fit first (bot/queries/candidates.py). `early`: a POM-led
    case before its handover lead time, so the SPO says why now (audited)."""
    notify = {"type": "multi_users_select", "action_id": INPUT_ACTION, **({"initial_users": list(notify_default)} if notify_default else {})}
    blocks = [
        *_case_blocks(case, previous_name, record_url, terms),
        *path_blocks(path),
        *([EARLY_BLOCK] if early else []),
        *candidate_blocks(offers, terms),
        *_evidence_blocks(terms),
        *_concern_blocks(terms),
        *touchpoint_blocks(touchpoint_default, terms),
        input_block(AllocateBlock.NOTIFY, "People to notify", notify, optional=True),
        CONFIRM_BLOCK,
    ]
    return modal("Allocate case", blocks, callback=Callback.ALLOCATE, submit="Allocate", metadata=AllocateMetadata(case.id).dumps())


def reallocate_modal(
    case: CaseSummary,
    offers: Sequence[Offer],
    *,
    current_name: str,
    reasons: dict[str, str],
    record_url: str | None,
    touchpoint_default: date,
    terms: Terms = PROBATION,
) -> Block:
    """Reallocation: the same list and fit, a reason, new evidence, and the touchpoint: kept,
    or planned afresh with the same questions as at allocation."""
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
        radio_input(AllocateBlock.KEEP_TOUCHPOINT, f"Keep the planned touchpoint (with the new {terms.practitioner})?", YES_NO),
        context("If not kept, plan the new one:"),
        *touchpoint_blocks(touchpoint_default, terms, optional=True),
        CONFIRM_BLOCK,
    ]
    return modal("Reallocate case", blocks, callback=Callback.REALLOCATE, submit="Reallocate", metadata=AllocateMetadata(case.id).dumps())


def loading_modal(case: CaseSummary, record_url: str | None, terms: Terms = PROBATION) -> Block:
    """Opened at once on the click (the trigger id expires in 3 s); the full form follows."""
    blocks = [*_case_blocks(case, None, record_url, terms), context(f"Loading {terms.practitioners} and workloads…")]
    return modal("Allocate case", blocks, callback=Callback.ALLOCATE, metadata=AllocateMetadata(case.id).dumps())


def touchpoint_blocks(touchpoint_default: date, terms: Terms, *, optional: bool = False) -> list[Block]:
    """The post-allocation touchpoint: the SPO judges its priority (nothing is pre-selected,
    seeds/000 "a judgement on prioritisation"), its date defaults to the policy's offset, and a
    date far from it, or no touchpoint, needs a reason."""
    return [
        radio_input(
            AllocateBlock.TOUCHPOINT_PLAN,
            f"Post-allocation touchpoint between you and the {terms.practitioner}: your judgement of its priority",
            [("high", "High priority"), ("normal", "Normal priority"), ("not_required", "Not required")],
            optional=optional,
        ),
        date_input(
            AllocateBlock.TOUCHPOINT_DATE,
            "Touchpoint date (a working day)",
            touchpoint_default,
            hint=f"Usually {long_date(touchpoint_default)}; a date far from it needs a reason below.",
            optional=True,
        ),  # fmt: skip
        text_input(AllocateBlock.TOUCHPOINT_REASON, "Reason (required when not required, or for a date far from the usual)", optional=True),
    ]
