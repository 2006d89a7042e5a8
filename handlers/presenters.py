"""From the use cases' results to Block Kit: the views the handlers open, update and publish.

The services return domain results (the case, the ranked practitioners, a touchpoint); this
module chooses the builder and the small facts the builder needs (the record link, the
team's vocabulary), so the listeners stay a few lines and the builders stay pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from blocks.allocate_modal import allocate_modal, loading_modal, reallocate_modal
from blocks.case_card import notice_modal, record_link
from blocks.case_picture import details_modal
from blocks.formats import when_text
from blocks.home_blocks import home_view
from blocks.text import mrkdwn_safe
from blocks.touchpoint_blocks import not_required_modal, record_modal, reschedule_modal
from bot.domain.access import details_refusal
from bot.domain.decision import CurrentAllocation
from bot.domain.enums import CaseState
from bot.domain.vocabulary import terms_for
from bot.domain.workload import DEFAULT_TIER_POINTS
from bot.queries.home import UowFactory, read_home
from bot.services.pictures import AllocatePicture, CaseDetails, ModalStep, Notice, ReallocatePicture, TouchpointPicture

CASE_NOT_FOUND = Notice("Case not found", "This case is no longer held by casebot.")


def notice_view(notice: Notice) -> dict[str, Any]:
    return notice_modal(notice.title, notice.text)


def working_view(title: str) -> dict[str, Any]:
    """Shown in the modal while a slow commit finishes: the person is not left guessing."""
    return notice_modal(title, "Saving your answers. This takes a moment longer than usual; the result appears here.")


def late_outcome_view(title: str, text: str) -> dict[str, Any]:
    """The outcome of a slow submission, replacing the working view."""
    return notice_modal(title, mrkdwn_safe(text, 2900))


def late_outcome_message(title: str, text: str) -> dict[str, Any]:
    """The same outcome as a DM, for an SPO who closed the modal before it arrived."""
    summary = f"{title} (the form you submitted was closed before the answer came): {text}"
    return {"text": mrkdwn_safe(summary, 3000)}


def already_allocated_text(current: CurrentAllocation) -> str:
    """'Already allocated to Ada (@ada) by @sam on Tue 1 Dec at 10:04.' in mrkdwn."""
    return (
        f"Already allocated to {mrkdwn_safe(current.practitioner_name, 200)} (<@{current.practitioner_user}>) "
        f"by <@{current.allocated_by}> on {when_text(current.allocated_at)}."
    )


def first_view(step: ModalStep, record_case_url: str | None) -> dict[str, Any]:
    """The modal an Allocate or Reallocate click opens at once: a notice, or a light modal
    showing the case while the practitioners' figures load."""
    if step.already is not None:
        return notice_modal("Already allocated", already_allocated_text(step.already))
    if step.case is None or step.fill is None:
        return notice_view(step.notice or CASE_NOT_FOUND)
    case = step.case
    return loading_modal(case.summary(), record_link(record_case_url, case.crn), terms_for(case.team.service))


def full_view(picture: AllocatePicture | ReallocatePicture, record_case_url: str | None) -> dict[str, Any]:
    """The filled Allocate or Reallocate modal."""
    case = picture.case
    link, terms = record_link(record_case_url, case.crn), terms_for(case.team.service)
    if isinstance(picture, ReallocatePicture):
        return reallocate_modal(
            case.summary(),
            picture.offers,
            current_name=picture.current_name,
            reasons=dict(picture.reasons),
            record_url=link,
            touchpoint_default=picture.touchpoint_default,
            terms=terms,
        )
    return allocate_modal(
        case.summary(), picture.offers, touchpoint_default=picture.touchpoint_default, notify_default=picture.notify_default,
        previous_name=picture.previous_name, record_url=link, terms=terms, early=case.state == CaseState.AWAITING_HANDOVER,
        path=picture.path,
    )  # fmt: skip


def details_view(found: CaseDetails | None, user: str, record_case_url: str | None) -> dict[str, Any]:
    """A case's Details modal, or why it cannot be shown to this person (bot/domain/access.py `details_refusal`)."""
    if found is None:
        return notice_view(CASE_NOT_FOUND)
    case, team = found.case, found.case.team
    refused = details_refusal(team, case, user)
    if refused is not None:
        return notice_modal("Case details", refused)
    link = record_link(record_case_url, case.crn)
    return details_modal(case.summary(), team_name=team.name, record_url=link, terms=terms_for(team.service), path=found.path)


def touchpoint_view(picture: TouchpointPicture) -> dict[str, Any]:
    if picture.kind == "reschedule":
        assert picture.suggested is not None
        return reschedule_modal(picture.case.summary(), picture.touchpoint, suggested=picture.suggested)
    if picture.kind == "record":
        return record_modal(picture.case.summary(), picture.touchpoint)
    return not_required_modal(picture.case.summary(), picture.touchpoint)


async def render_home(uow_factory: UowFactory, user_id: str, now: datetime, *, weights: Mapping[str, float] = DEFAULT_TIER_POINTS) -> dict[str, Any]:
    """The Home tab view for `user_id` as of `now`, ready for `views.publish`."""
    return home_view(await read_home(uow_factory, user_id, now, weights=weights))
