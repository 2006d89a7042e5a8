"""Every message the bot sends through the outbox is rendered here, and only here.

Use cases decide *what* happened (a case arrived, an allocation was made, a reminder fell
due) and call one function of this module with the facts; it renders the Block Kit with
`blocks/` and stores the outbox rows in the caller's transaction. So the rest of `bot/`
never builds a message, and a reader finds every notice a person can receive in one file.
Who may read sensitive notes is decided by the builders each function calls: the channel,
the thread and other people's notices never carry them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from blocks.allocation_notices import (
    allocated_card,
    allocation_thread_reply,
    delivery_failed_notice,
    delivery_label,
    handed_over_notice,
    notify_notice,
    practitioner_notice,
    prison_notice,
    sensitive_notes,
    spo_copy,
    thread_link,
)
from blocks.case_card import FULL, case_card, record_link, restricted_case_dm, restricted_elsewhere_notice
from blocks.formats import when_text
from blocks.path_blocks import currently_managed_notice, currently_managed_reply, handover_reply
from blocks.sign_off_blocks import held_card, held_thread_reply, sign_off_request
from blocks.touchpoint_blocks import (
    deadline_chase,
    deadline_digest,
    overdue_touchpoints_digest,
    prison_notice_late,
    reminder,
    reminder_settled,
    rescheduled_notice,
)
from bot.domain.access import spos_open_to
from bot.domain.case_path import EventLine, PathFacts
from bot.domain.enums import OutboxPurpose as Purpose
from bot.domain.facts import AllocationFacts, DueTouchpoint, TouchpointView, WaitingCase
from bot.domain.vocabulary import terms_for
from bot.services.case_path import path_facts
from bot.services.outbox import enqueue, outbox_values
from bot.services.slices import in_slices
from storage.db import UnitOfWork
from storage.models import Allocation, Case, OutboxMessage, Team, Touchpoint


def _post(uow: UnitOfWork, user_or_channel: str, message: dict[str, Any], purpose: Purpose, key: str, now: datetime, case_id: int | None) -> None:
    enqueue(
        uow, method="chat.postMessage", payload={"channel": user_or_channel, **message}, purpose=purpose,
        ordering_key=key, now=now, case_id=case_id,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# A case arrives


def new_case_rows(case: Case, team: Team, record_case_url: str | None, now: datetime) -> list[dict[str, Any]]:
    """The outbox rows (column values, for a bulk insert) that announce a new case: its card in
    the team's channel, or, for a restricted (limited-access) case, a private copy to each SPO
    the case's exclusion and restriction lists allow (bot/domain/access.py `spos_open_to`)."""
    link = record_link(record_case_url, case.crn)
    key = f"case:{case.id}"
    path = path_facts(case)
    if case.restricted:
        allowed, terms = spos_open_to(team, case), terms_for(team.service)
        dm = restricted_case_dm(case.summary(), team_name=team.name, record_url=link, terms=terms, path=path)
        purpose = Purpose.RESTRICTED_CASE_DM
        if not allowed:  # never lost: every SPO learns that a case they may not see is waiting
            allowed, dm, purpose = team.spo_user_ids, restricted_elsewhere_notice(team.name, terms), Purpose.RESTRICTED_ELSEWHERE
        return [
            outbox_values(method="chat.postMessage", payload={"channel": spo, **dm}, purpose=purpose, ordering_key=key, now=now, case_id=case.id)
            for spo in allowed
        ]  # fmt: skip
    card = {"channel": team.channel_id, **case_card(case.summary(), team_name=team.name, record_url=link, detail=team.channel_detail, path=path)}
    return [outbox_values(method="chat.postMessage", payload=card, purpose=Purpose.CASE_CARD, ordering_key=key, now=now, case_id=case.id)]


async def _edit_card(
    uow: UnitOfWork, case: Case, team: Team, path: PathFacts, record_case_url: str | None, purpose: Purpose, now: datetime
) -> list[OutboxMessage]:
    """The case's card (or each SPO's restricted copy) shown again with its path as it is now;
    returns the rows edited, so a caller threading under the card need not read it again."""
    link = record_link(record_case_url, case.crn)
    if case.restricted:
        view = restricted_case_dm(case.summary(), team_name=team.name, record_url=link, terms=terms_for(team.service), path=path)
        rows = list(await uow.cases.restricted_rows(case.id))
    else:
        view = case_card(case.summary(), team_name=team.name, record_url=link, detail=team.channel_detail, path=path)
        card = await uow.cases.card_row(case.id)
        rows = [card] if card is not None else []
    for row in rows:
        enqueue(uow, method="chat.update", payload=dict(view), purpose=purpose, ordering_key=f"case:{case.id}", now=now, case_id=case.id, reply_to=row)
    return rows


async def case_events_changed(uow: UnitOfWork, case: Case, team: Team, path: PathFacts, record_case_url: str | None, now: datetime) -> None:
    """A later event joined a waiting case: its card lists every event (no second card)."""
    await _edit_card(uow, case, team, path, record_case_url, Purpose.CARD_EVENTS, now)


async def currently_managed(uow: UnitOfWork, case: Case, team: Team, practitioner_user: str, event: EventLine, now: datetime) -> None:
    """A new event for an allocated, current case stays with its practitioner (seeds/001 s3.3):
    the card's thread records it; the practitioner and the SPOs are told privately."""
    card = None if case.restricted else await uow.cases.card_row(case.id)
    if card is not None:
        enqueue(
            uow, method="chat.postMessage", payload=dict(currently_managed_reply(event, practitioner_user)),
            purpose=Purpose.CURRENTLY_MANAGED_THREAD, ordering_key=f"case:{case.id}", now=now, case_id=case.id, reply_to=card,
        )  # fmt: skip
    notice = currently_managed_notice(case.crn, case.name, event, practitioner_user)
    for person in dict.fromkeys([practitioner_user, *team.spo_user_ids]):
        _post(uow, person, notice, Purpose.CURRENTLY_MANAGED_NOTICE, f"case:{case.id}", now, case.id)


async def handover_due(uow: UnitOfWork, case: Case, path: PathFacts, record_case_url: str | None, now: datetime) -> None:
    """A POM-led case's lead time before handover has come: its card gains the Allocate button
    and its thread says why (seeds/004: the OMiC email "to trigger COM allocation")."""
    edited = await _edit_card(uow, case, case.team, path, record_case_url, Purpose.CARD_HANDOVER, now)
    card = None if case.restricted or not edited else edited[0]
    if card is not None:
        enqueue(
            uow, method="chat.postMessage", payload=dict(handover_reply(path)), purpose=Purpose.HANDOVER_THREAD,
            ordering_key=f"case:{case.id}", now=now, case_id=case.id, reply_to=card,
        )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Allocation and reallocation


async def allocation_made(
    uow: UnitOfWork,
    case: Case,
    team: Team,
    facts: AllocationFacts,
    allocation: Allocation,
    *,
    record_case_url: str | None,
    record_configured: bool,
    now: datetime,
) -> None:
    """The card and thread record the allocation; the practitioner, the people to notify and
    (if they asked for copies) the SPO are told privately; the prison is notified of a
    custodial case."""
    key = f"case:{case.id}"
    summary = case.summary()
    link = record_link(record_case_url, case.crn)
    thread = None if case.restricted else thread_link(case.slack_channel, case.slack_ts)

    def slack(method: str, payload: dict[str, Any], purpose: Purpose, reply_to: OutboxMessage | None = None) -> None:
        enqueue(uow, method=method, payload=payload, purpose=purpose, ordering_key=key, now=now, case_id=case.id, reply_to=reply_to)

    card_view = allocated_card(summary, facts, team_name=team.name, record_url=link, detail=FULL if case.restricted else team.channel_detail)
    if case.restricted:
        for row in await uow.cases.restricted_rows(case.id):
            slack("chat.update", dict(card_view), Purpose.RESTRICTED_CASE_ALLOCATED, reply_to=row)
    else:
        card = await uow.cases.card_row(case.id)
        if card is not None:
            slack("chat.update", dict(card_view), Purpose.CARD_ALLOCATED, reply_to=card)
            slack("chat.postMessage", allocation_thread_reply(facts, record_url=link), Purpose.ALLOCATION_THREAD, reply_to=card)
    terms = terms_for(team.service)
    notice = practitioner_notice(summary, facts, record_url=link, link=thread, terms=terms, path=path_facts(case))
    slack("chat.postMessage", {"channel": facts.practitioner_user, **notice}, Purpose.PRACTITIONER_NOTICE)
    if facts.has_sensitive_notes:  # only the allocated practitioner, privately (seeds/000 user needs)
        slack("chat.postMessage", {"channel": facts.practitioner_user, **sensitive_notes(summary, facts, terms)}, Purpose.SENSITIVE_NOTES)
    for user in dict.fromkeys(allocation.notify_user_ids):
        if user not in (facts.practitioner_user, facts.spo_user):
            slack("chat.postMessage", {"channel": user, **notify_notice(summary, facts, link=thread, record_url=link)}, Purpose.NOTIFY_NOTICE)
    if await uow.preferences.spo_copies(facts.spo_user):
        copy = spo_copy(summary, facts, record_url=link, record_configured=record_configured)
        slack("chat.postMessage", {"channel": facts.spo_user, **copy}, Purpose.SPO_COPY)
    if prison_is_notified(case, team):
        enqueue(
            uow, method="prison.notify", payload={"prison": case.prison, **prison_notice(summary, facts, team_name=team.name)},
            purpose=Purpose.PRISON_NOTICE, ordering_key=f"prison:{case.id}", now=now, case_id=case.id,
        )  # fmt: skip


async def sign_off_requested(uow: UnitOfWork, case: Case, team: Team, facts: AllocationFacts, now: datetime, *, record_case_url: str | None) -> None:
    """An exceptional public interest allocation waits (seeds/003 para 3.5): the card and thread
    say so and each senior approver is asked privately, with the Sign off button."""
    link = record_link(record_case_url, case.crn)
    approvers = team.senior_approver_user_ids
    card = None if case.restricted else await uow.cases.card_row(case.id)
    if card is not None:
        held = held_card(case.summary(), facts, approvers, team_name=team.name, record_url=link, detail=team.channel_detail)
        for method, payload, purpose in (
            ("chat.update", dict(held), Purpose.CARD_SIGN_OFF),
            ("chat.postMessage", dict(held_thread_reply(facts, approvers)), Purpose.SIGN_OFF_THREAD),
        ):
            enqueue(uow, method=method, payload=payload, purpose=purpose, ordering_key=f"case:{case.id}", now=now, case_id=case.id, reply_to=card)
    request = sign_off_request(case.summary(), facts, record_url=link)
    for approver in dict.fromkeys(approvers):
        _post(uow, approver, request, Purpose.SIGN_OFF_REQUEST, f"case:{case.id}", now, case.id)


def prison_is_notified(case: Case, team: Team) -> bool:
    """seeds/003 para 1.15: a custodial allocation is notified to the receiving prison. A prison
    team's own allocation (a POM in that prison) is not notified to itself."""
    return case.custodial and bool(case.prison) and team.service != "prison"


def handed_over(uow: UnitOfWork, case: Case, facts: AllocationFacts, previous_user: str, now: datetime) -> None:
    """The practitioner who held a reallocated case is told who holds it now."""
    _post(uow, previous_user, handed_over_notice(case.summary(), facts), Purpose.HANDED_OVER_NOTICE, f"case:{case.id}", now, case.id)


# ---------------------------------------------------------------------------------------------
# Touchpoints


def touchpoint_view(tp: Touchpoint, allocation: Allocation) -> TouchpointView:
    """What a reminder or touchpoint modal shows of a planned touchpoint."""
    assert tp.due_on is not None
    return TouchpointView(
        touchpoint_id=tp.id, due_on=tp.due_on, priority=tp.priority,
        practitioner_user=allocation.practitioner.slack_user_id, spo_user=allocation.allocated_by,
    )  # fmt: skip


def touchpoint_reminder(due: DueTouchpoint, recipient: str, when: str, now: datetime) -> dict[str, Any]:
    """The outbox row (column values) of one reminder DM: a tick inserts all of its reminders
    in one statement (bot/services/scheduled.py)."""
    message = reminder(due.case, due.view(), when=when, terms=terms_for(due.service))
    return outbox_values(
        method="chat.postMessage", payload={"channel": recipient, **message}, purpose=Purpose.TOUCHPOINT_REMINDER,
        ordering_key=f"touchpoint:{due.touchpoint_id}", now=now, case_id=due.case.id,
    )  # fmt: skip


def reminders_settled(uow: UnitOfWork, case: Case, tp: Touchpoint, sent: Sequence[OutboxMessage], outcome: str, user: str, now: datetime) -> None:
    """Each reminder already sent is edited to say who settled the touchpoint, so nobody acts on it again."""
    settled = reminder_settled(case.summary(), outcome, user, when_text(now))
    for row in sent:
        enqueue(
            uow, method="chat.update", payload=dict(settled), purpose=Purpose.TOUCHPOINT_SETTLED,
            ordering_key=f"touchpoint:{tp.id}", now=now, case_id=case.id, reply_to=row,
        )  # fmt: skip


def touchpoint_rescheduled(uow: UnitOfWork, case: Case, touchpoint_id: int, people: Sequence[str], new_date: date, user: str, now: datetime) -> None:
    for person in dict.fromkeys(people):
        message = rescheduled_notice(case.summary(), new_date, user)
        _post(uow, person, message, Purpose.TOUCHPOINT_RESCHEDULED, f"touchpoint:{touchpoint_id}", now, case.id)


def overdue_touchpoints(uow: UnitOfWork, spo: str, rows: Sequence[tuple[Case, Touchpoint, Allocation]], now: datetime) -> None:
    """One digest per SPO per morning of the touchpoints they are overdue on."""
    views = [(case.summary(), touchpoint_view(tp, allocation)) for case, tp, allocation in rows]
    _post(uow, spo, overdue_touchpoints_digest(views), Purpose.TOUCHPOINT_DIGEST, f"digest:{spo}", now, None)


# ---------------------------------------------------------------------------------------------
# Deadlines and delivery


async def deadline_chases(uow: UnitOfWork, chased: Sequence[tuple[Team, Sequence[tuple[WaitingCase, int]]]], now: datetime) -> None:
    """Each case past or at its team's target is chased in its thread (restricted cases: to
    the SPOs privately), and each team gets one digest, soonest first. Every team chased this
    morning at once: one read of the cards, one insert of all the rows."""
    cards = await uow.cases.card_rows(w.case.id for _, rows in chased for w, _ in rows if not w.case.restricted)
    values: list[dict[str, Any]] = []
    for team, rows in chased:
        async for waiting, overdue in in_slices(rows):
            case = waiting.case
            message = deadline_chase(case, overdue_days=overdue, spos=team.spo_user_ids)
            card_id, card_lane = cards.get(case.id, (None, None))
            if case.restricted:
                targets: list[dict[str, Any]] = [{"channel": spo, **message} for spo in spos_open_to(team, waiting)]
            else:
                targets = [dict(message)] if card_id is not None else []
            values += [
                outbox_values(
                    method="chat.postMessage", payload=payload, purpose=Purpose.DEADLINE_CHASE, ordering_key=f"case:{case.id}", now=now,
                    case_id=case.id, reply_to_id=card_id, parent_lane=card_lane,
                )
                for payload in targets
            ]  # fmt: skip
        digest = deadline_digest(team.name, [(waiting.case, overdue) for waiting, overdue in rows], detail=team.channel_detail)
        values.append(
            outbox_values(
                method="chat.postMessage", payload={"channel": team.channel_id, **digest}, purpose=Purpose.DEADLINE_DIGEST,
                ordering_key=f"team:{team.code}", now=now,
            )
        )  # fmt: skip
    await uow.outbox.insert_many(values)


def prison_notice_overdue(uow: UnitOfWork, case: Case, allocated_at: datetime, now: datetime) -> None:
    """The prison has not been told within the time the instruction allows: the SPOs are."""
    for spo in case.team.spo_user_ids:
        _post(uow, spo, prison_notice_late(case.summary(), when_text(allocated_at)), Purpose.PRISON_ALERT, f"case:{case.id}", now, case.id)


def delivery_failed(uow: UnitOfWork, case: Case, row: OutboxMessage, now: datetime) -> None:
    """A write-back or prison notice that cannot be delivered is shown to the team's SPOs."""
    notice = delivery_failed_notice(case.crn, delivery_label(row), row.last_error or "")
    for spo in case.team.spo_user_ids:
        _post(uow, spo, notice, Purpose.FAILURE_NOTICE, f"case:{case.id}", now, case.id)


def delivered_label(row: OutboxMessage) -> str:
    """What a delivered write-back or notice was, in words, for its audit event."""
    return delivery_label(row)
