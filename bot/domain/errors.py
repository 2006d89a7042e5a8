"""One error hierarchy: every error casebot raises on purpose is a `CasebotError`.

Services and read models raise these with their meaning (which question, what is wrong);
the edges turn them into answers a person can act on: the intake API into a 4xx naming the
field, the CLI into a line naming the file, line and field, Slack handlers into an inline
modal error (handlers map a `Question` to the modal's block) or a polite ephemeral. Anything
that is not a `CasebotError` is a fault: logged with a short reference id, and the person is
told that reference, never the error's text.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.decision import CurrentAllocation


class CasebotError(Exception):
    """Base of every error casebot raises on purpose; `message` is fit to show a person."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldError:
    """One bad field: the API answers it as {"field", "message"}, the CLI prints it with a line."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class InvalidInput(CasebotError):
    """Input that failed validation; carries every bad field, not just the first."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class Question(StrEnum):
    """The questions of the Allocate, Reallocate and touchpoint forms, by meaning. A refusal
    names the question its message belongs to; the handler shows it under that question."""

    PRACTITIONER = "practitioner"
    EVIDENCE = "evidence"
    TOUCHPOINT_REASON = "touchpoint_reason"
    CONFIRM_EXCEPTION = "confirm_exception"
    NOTES = "notes"
    NOTES_SENSITIVE = "notes_sensitive"
    REASON = "reason"
    DATE = "date"
    EARLY_REASON = "early_reason"


class Refused(CasebotError):
    """The person may not do this now, or the answer cannot be taken; nothing was stored.
    `question` is the form question the message belongs on, when there is one."""

    def __init__(self, message: str, question: Question | None = None) -> None:
        super().__init__(message)
        self.question = question


class AllocationRefused(Refused):
    """An allocation or reallocation that cannot be taken."""


class AlreadyAllocated(AllocationRefused):
    """Someone allocated the case first; `current` says who holds it (None: nobody now)."""

    def __init__(self, message: str, current: CurrentAllocation | None) -> None:
        super().__init__(message, Question.PRACTITIONER)
        self.current = current


class TouchpointRefused(Refused):
    """A touchpoint change that cannot be taken."""


def where(error: BaseException) -> list[str]:
    """The frames an error passed through (file:line in function), without its message:
    exception messages can quote input (SQLAlchemy errors carry statement parameters, pydantic
    errors the value), and input can carry sensitive notes."""
    return [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(error.__traceback__)]
