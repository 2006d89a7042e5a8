"""Every modal's answers and every button's value, read and checked in one place. Pure:
Slack's payload in, a form or errors out.

The questions come from seeds/000 ("Evidencing and auditing an allocation decision"):
- CADE, evidence for every allocation (Business needs: "A record of a decision on the
  allocation of a case to a PP must be made in all cases ... knowledge, skill and experience");
- whether the evidence is sensitive (Research insights: notes "the PoP" should not see through
  a subject access request);
- hate crime / discrimination considerations (Business needs), with their own sensitivity;
- the post-allocation touchpoint: a date about 15 days after allocation ("occurs 15 days after
  the allocation decision"), a priority, or not required with a reason (Business needs:
  "or if it's not required, including a judgement on prioritisation").
Errors are keyed by the input block, for `response_action: errors` (docs/slack-platform.md s2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from blocks.ids import INPUT_ACTION, AllocateBlock, TouchpointBlock
from bot.domain.decision import (
    MAX_TEXT_CHARS,
    NO_CONCERN,
    PRIORITIES,
    AllocationForm,
    Concern,
    ReallocationForm,
    touchpoint_date_problem,
)
from bot.domain.errors import CasebotError, Question, Refused


class FormErrors(CasebotError):
    """Inline errors, block id -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# Where each question's refusal is shown, per modal.
ALLOCATE_BLOCKS = {
    Question.PRACTITIONER: AllocateBlock.PRACTITIONER,
    Question.CONFIRM_EXCEPTION: AllocateBlock.CONFIRM_EXCEPTION,
    Question.EVIDENCE: AllocateBlock.EVIDENCE,
    Question.TOUCHPOINT_REASON: AllocateBlock.TOUCHPOINT_REASON,
    Question.REASON: AllocateBlock.REASON,
    Question.EARLY_REASON: AllocateBlock.EARLY_REASON,
}
TOUCHPOINT_BLOCKS = {
    Question.NOTES: TouchpointBlock.NOTES,
    Question.NOTES_SENSITIVE: TouchpointBlock.NOTES_SENSITIVE,
    Question.DATE: TouchpointBlock.DATE,
    Question.REASON: TouchpointBlock.REASON,
}


def refusal_errors(refused: Refused, blocks: Mapping[Question, str], fallback: str) -> dict[str, str]:
    """`response_action: errors` for a refusal: under its question, else under `fallback`."""
    block = blocks.get(refused.question, fallback) if refused.question else fallback
    return {block: refused.message[:2000]}


def _digits(value: Any) -> int | None:
    """A database id as the bot writes them into buttons and metadata: ASCII digits, in range."""
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9 else None


def action_id_value(body: Any) -> int | None:
    """The id a button carries in its value (a case or touchpoint id); None when the payload
    has no action, no value, or a value that is not an id."""
    actions = body.get("actions") if isinstance(body, dict) else None
    first = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    return _digits(first.get("value"))


def metadata_id(view: Any) -> int:
    """A touchpoint modal's private_metadata; 0 (no such touchpoint) when it is not an id."""
    return _digits(view.get("private_metadata") if isinstance(view, dict) else None) or 0


def view_values(view: Any) -> dict[str, Any]:
    """`view.state.values`, or {} when a payload lacks it (e.g. `"state": {}`)."""
    state = view.get("state") if isinstance(view, dict) else None
    values = state.get("values") if isinstance(state, dict) else None
    return values if isinstance(values, dict) else {}


@dataclass(frozen=True)
class TouchpointAnswers:
    """A touchpoint modal's answers; each None or "" when not given."""

    notes: str
    sensitive: bool | None
    date: date | None
    reason: str


def parse_touchpoint(view: Any) -> TouchpointAnswers:
    values = view_values(view)
    sensitive = _choice(values, TouchpointBlock.NOTES_SENSITIVE)
    return TouchpointAnswers(
        notes=_text(values, TouchpointBlock.NOTES),
        sensitive=None if sensitive not in ("yes", "no") else sensitive == "yes",
        date=_date(_element(values, TouchpointBlock.DATE).get("selected_date")),
        reason=_text(values, TouchpointBlock.REASON),
    )


def _element(values: Any, block: str) -> dict[str, Any]:
    """The block's one element state, whatever its action id (the practitioner select is
    `value` when static and the search action when external). Anything not shaped as Slack
    shapes it (a forged request) reads as unanswered, never as an error."""
    actions = values.get(block) if isinstance(values, dict) else None
    if not isinstance(actions, dict):
        return {}
    element = actions.get(INPUT_ACTION) or next(iter(actions.values()), None)
    return element if isinstance(element, dict) else {}


def _text(values: Any, block: str) -> str:
    """The text answered; NUL (which PostgreSQL cannot store, and Slack never sends) dropped."""
    value = _element(values, block).get("value")
    return value.replace("\x00", "").strip() if isinstance(value, str) else ""


def _choice(values: Any, block: str) -> str | None:
    option = _element(values, block).get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else None


def _yes_no(values: dict[str, Any], block: str) -> bool | None:
    choice = _choice(values, block)
    return None if choice is None else choice == "yes"


def _who_and_why(values: dict[str, Any], errors: dict[str, str]) -> tuple[int | None, str, bool | None]:
    """The practitioner, the evidence and its sensitivity: asked by allocation and reallocation."""
    practitioner = _digits(_choice(values, AllocateBlock.PRACTITIONER))
    if practitioner is None:
        errors[AllocateBlock.PRACTITIONER] = "Choose the practitioner to allocate this case to."

    evidence = _text(values, AllocateBlock.EVIDENCE)
    if not evidence:
        errors[AllocateBlock.EVIDENCE] = "Write the evidence for this allocation: why this practitioner."
    elif len(evidence) > MAX_TEXT_CHARS:
        errors[AllocateBlock.EVIDENCE] = f"Keep the evidence within {MAX_TEXT_CHARS} characters."
    evidence_sensitive = _yes_no(values, AllocateBlock.EVIDENCE_SENSITIVE)
    if evidence_sensitive is None:
        errors[AllocateBlock.EVIDENCE_SENSITIVE] = "Say whether the evidence is sensitive."
    return practitioner, evidence, evidence_sensitive


HATE_CRIME_BLOCKS = (AllocateBlock.HATE_CRIME, AllocateBlock.HATE_NOTES, AllocateBlock.HATE_NOTES_SENSITIVE)
DISCRIMINATION_BLOCKS = (AllocateBlock.DISCRIMINATION, AllocateBlock.DISCRIMINATION_NOTES, AllocateBlock.DISCRIMINATION_NOTES_SENSITIVE)


def _concern(values: dict[str, Any], errors: dict[str, str], question: str, notes_block: str, sensitive_block: str, what: str) -> Concern | None:
    """One yes/no question about the offence; when yes, its notes and their sensitivity are required."""
    linked = _yes_no(values, question)
    if linked is None:
        errors[question] = f"Say whether the offence is linked to {what}."
        return None
    if not linked:
        return NO_CONCERN
    notes = _text(values, notes_block)
    sensitive = _yes_no(values, sensitive_block)
    if not notes:
        errors[notes_block] = f"Describe the {what} considerations."
    elif len(notes) > MAX_TEXT_CHARS:
        errors[notes_block] = f"Keep the notes within {MAX_TEXT_CHARS} characters."
    if sensitive is None:
        errors[sensitive_block] = "Say whether these notes are sensitive."
    return Concern(linked=True, notes=notes or None, sensitive=sensitive)


def _touchpoint_plan(values: dict[str, Any], errors: dict[str, str], today: date) -> tuple[str, date | None, str | None]:
    """The touchpoint's priority (the SPO's judgement: nothing is assumed), its date, and the
    reason: why none is needed, or why the date is far from the usual (checked by the service)."""
    priority = _choice(values, AllocateBlock.TOUCHPOINT_PLAN) or ""
    when = _date(_element(values, AllocateBlock.TOUCHPOINT_DATE).get("selected_date"))
    reason = _text(values, AllocateBlock.TOUCHPOINT_REASON) or None
    if priority not in PRIORITIES:
        errors[AllocateBlock.TOUCHPOINT_PLAN] = "Choose the touchpoint's priority, or not required."
    elif priority == "not_required":
        when = None
        if not reason:
            errors[AllocateBlock.TOUCHPOINT_REASON] = "Say why a touchpoint is not required."
    else:
        problem = touchpoint_date_problem(when, today)
        if problem:
            errors[AllocateBlock.TOUCHPOINT_DATE] = problem
    return priority, when, reason


def parse_allocation(values: dict[str, Any], *, today: date) -> AllocationForm:
    """Read the modal's `view.state.values`; raise `FormErrors` naming every bad answer."""
    errors: dict[str, str] = {}
    practitioner, evidence, evidence_sensitive = _who_and_why(values, errors)

    hate_crime = _concern(values, errors, *HATE_CRIME_BLOCKS, "hate crime")
    discrimination = _concern(values, errors, *DISCRIMINATION_BLOCKS, "discrimination")

    priority, when, reason = _touchpoint_plan(values, errors, today)

    confirmed = bool(_element(values, AllocateBlock.CONFIRM_EXCEPTION).get("selected_options"))
    users = _element(values, AllocateBlock.NOTIFY).get("selected_users")
    notify = [u for u in users if isinstance(u, str)] if isinstance(users, list) else []
    if errors:
        raise FormErrors(errors)
    assert practitioner is not None and evidence_sensitive is not None and hate_crime and discrimination
    return AllocationForm(
        practitioner_id=practitioner,
        evidence=evidence,
        evidence_sensitive=evidence_sensitive,
        hate_crime=hate_crime,
        discrimination=discrimination,
        touchpoint_priority=priority,
        touchpoint_date=when,
        touchpoint_reason=reason,
        notify_user_ids=notify,
        exception_confirmed=confirmed,
        early_reason=_text(values, AllocateBlock.EARLY_REASON) or None,
    )


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def parse_reallocation(values: dict[str, Any], *, today: date) -> ReallocationForm:
    """The Reallocate modal's answers: new practitioner, reason, new evidence, and the touchpoint
    (kept, or planned afresh with the same questions as at allocation)."""
    errors: dict[str, str] = {}
    practitioner, evidence, evidence_sensitive = _who_and_why(values, errors)
    reason = _choice(values, AllocateBlock.REASON)
    if not reason:
        errors[AllocateBlock.REASON] = "Choose the reason for reallocating."
    keep = _yes_no(values, AllocateBlock.KEEP_TOUCHPOINT)
    if keep is None:
        errors[AllocateBlock.KEEP_TOUCHPOINT] = "Say whether to keep the planned touchpoint."
    priority, when, why = _touchpoint_plan(values, errors, today) if keep is False else (None, None, None)
    if errors:
        raise FormErrors(errors)
    assert practitioner is not None and evidence_sensitive is not None and reason is not None and keep is not None
    return ReallocationForm(
        practitioner_id=practitioner,
        evidence=evidence,
        evidence_sensitive=evidence_sensitive,
        reason=reason,
        keep_touchpoint=keep,
        exception_confirmed=bool(_element(values, AllocateBlock.CONFIRM_EXCEPTION).get("selected_options")),
        touchpoint_priority=priority,
        touchpoint_date=when,
        touchpoint_reason=why,
    )
