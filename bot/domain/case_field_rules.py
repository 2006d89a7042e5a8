"""The intake rules that read more than one case field, or today's date: what `CaseIn` alone
cannot check (bot/domain/case_input.py `parse_case` applies them). Each names the field it
refuses, so the API and the CLI say the same. Pure: today's date is passed in.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError

from bot.domain.case_picture import picture_date_errors, split_list
from bot.domain.errors import FieldError

CUSTODY = "custody"  # the `sentence_type` that means the person is in prison (README, "Case fields")
EARLIEST_SENTENCE = date(1900, 1, 1)  # dates before it are typing slips, and the OMiC path counts months back from them


def parsed(kind: type, value: Any) -> Any:
    """`value` read as `kind` the way the model reads it, or None when it does not parse."""
    if value is None:
        return None
    try:
        return TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return None


def custody_rule(clean: dict[str, Any]) -> FieldError | None:
    """Fill in or check `custodial` from a `sentence_type` of Custody.

    `custodial` means the prison notification applies (PI 05/2014 s1.15: a custodial allocation
    is notified to the receiving prison). A sentence of Custody puts the person in prison, so
    a row that leaves `custodial` out is custodial, and one that says Custody but custodial
    false contradicts itself and is refused rather than guessed. Licence is not derived: it is
    supervision in the community after release, there is no prison holding the person to
    notify, so it keeps the default (false) unless the source says otherwise. Other sentence
    types are left to the `custodial` field. Changes `clean` in place; returns the refusal.
    """
    if str(clean.get("sentence_type", "")).strip().lower() != CUSTODY:
        return None
    return _implied_true(clean, "custodial", "when sentence_type is Custody (the prison is notified)")


def restriction_rule(clean: dict[str, Any]) -> FieldError | None:
    """A restriction list makes the case limited-access: `restricted` left out becomes true, and
    `restricted` false beside a list contradicts itself and is refused rather than guessed (the
    list would be ignored in the channel otherwise). Changes `clean` in place."""
    codes = split_list(clean.get("restricted_to"))
    if not (isinstance(codes, list) and codes):
        return None
    return _implied_true(clean, "restricted", "when restricted_to names staff (a restricted case)")


def _implied_true(clean: dict[str, Any], name: str, when: str) -> FieldError | None:
    """Another field implies `name` is true: left out, it becomes true; given false, the row
    contradicts itself and is refused rather than guessed. Changes `clean` in place."""
    if name not in clean:
        clean[name] = True
        return None
    if parsed(bool, clean[name]) is False:
        return FieldError(name, f"must be true {when}; leave it out or set it true")
    return None


def cross_field_errors(clean: dict[str, Any], *, failed: set[str], today: date, team_codes: Container[str], custodial_given: bool) -> list[FieldError]:
    """The team must already be known from `casebot teams load`; the sentence date may not be
    after `today` (a sentence cannot be in the future) nor before `EARLIEST_SENTENCE`; the dates
    that follow a sentence may not precede it; a custodial case names its prison. `failed`: the
    fields already refused, which are not judged again."""
    errors: list[FieldError] = []
    team = str(clean.get("team", "")).strip()
    if "team" not in failed and team and team not in team_codes:
        errors.append(FieldError("team", f"unknown team code '{team[:20]}': load it first with `casebot teams load`"))
    sentence = parsed(date, clean.get("sentence_date"))
    if "sentence_date" not in failed and sentence is not None and sentence > today:
        errors.append(FieldError("sentence_date", "must not be in the future"))
    if "sentence_date" not in failed and sentence is not None and sentence < EARLIEST_SENTENCE:
        errors.append(FieldError("sentence_date", f"must not be before {EARLIEST_SENTENCE.isoformat()}"))
    for name in ("release_date", "handover_date"):  # the OMiC path counts back from them (bot/domain/case_path.py)
        later = parsed(date, clean.get(name))
        if name not in failed and later is not None and sentence is not None and later < sentence:
            errors.append(FieldError(name, "must not be before the sentence date"))
    arrived = parsed(date, clean.get("arrived_on"))
    if "arrived_on" not in failed and arrived is not None:
        if arrived > today:
            errors.append(FieldError("arrived_on", "must not be in the future"))
        elif sentence is not None and arrived < sentence:
            errors.append(FieldError("arrived_on", "must not be before the sentence date"))
    picture_dates = {name: parsed(date, clean.get(name)) for name in ("date_of_birth", "rsr_date", "last_oasys_date") if name not in failed}
    errors += picture_date_errors(picture_dates, today=today, sentence=sentence)
    if "custodial" not in failed and parsed(bool, clean.get("custodial")) and "prison" not in clean:
        # seeds/003 s1.15: a custodial allocation is notified to the receiving prison.
        why = "" if custodial_given else " (a sentence of Custody is custodial)"
        errors.append(FieldError("prison", f"is required when custodial is true{why}"))
    return errors
