"""What the Slack handlers get back to render a modal: the pictures the facade
(bot/services/facade.py) loads for Allocate, Reallocate, Details and the touchpoint modals.
Plain values holding domain results and the case row; the handlers' presenters draw them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.domain.case_path import PathFacts
from bot.domain.decision import CurrentAllocation
from bot.domain.facts import TouchpointView
from bot.domain.offers import Offer
from storage.models import Case

ModalKind = Literal["allocate", "reallocate"]
TouchpointKind = Literal["record", "reschedule", "not_required"]


@dataclass(frozen=True)
class Notice:
    """A short modal for a click that cannot open the form: a title and mrkdwn text."""

    title: str
    text: str


@dataclass(frozen=True)
class AllocatePicture:
    """Everything the Allocate modal shows: the case, the ranked practitioners, the defaults."""

    case: Case
    offers: list[Offer]
    touchpoint_default: date
    notify_default: list[str]
    previous_name: str | None
    path: PathFacts  # resourcing, custody, every event that joined the case, first appointment


@dataclass(frozen=True)
class CaseDetails:
    """What Details shows: the case (its team loaded) and its path with every joined event."""

    case: Case
    path: PathFacts


@dataclass(frozen=True)
class ReallocatePicture:
    """Everything the Reallocate modal shows: who holds the case now and whom it may move to."""

    case: Case
    offers: list[Offer]
    current_name: str
    reasons: Mapping[str, str]
    touchpoint_default: date


@dataclass(frozen=True)
class ModalStep:
    """What an Allocate or Reallocate click gets: a refusal (ephemeral), a notice modal, or the
    case to open a light modal with at once and `fill()` to load the full picture after."""

    refusal: str | None = None
    notice: Notice | None = None
    already: CurrentAllocation | None = None
    case: Case | None = None
    fill: Callable[[], Awaitable[AllocatePicture | ReallocatePicture]] | None = None


@dataclass(frozen=True)
class TouchpointPicture:
    """What a touchpoint modal shows."""

    kind: TouchpointKind
    case: Case
    touchpoint: TouchpointView
    suggested: date | None = None
