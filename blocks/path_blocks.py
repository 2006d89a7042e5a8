"""What the messages show of a case's path: resourcing and its reason, POM-led until handover,
the events that joined it, the first appointment, currently managed events. Pure builders."""

from __future__ import annotations

from blocks.formats import long_date
from blocks.kit import Block, Message, context, mention, section, text_message
from blocks.text import SECTION_TEXT_MAX, cut, mrkdwn_safe
from bot.domain.case_path import EventLine, FirstAppointment, PathFacts
from bot.domain.channel_detail import DEFAULT_CHANNEL_DETAIL, shows_name


def first_appointment_text(appointment: FirstAppointment) -> str:
    """'Mon 7 Dec 2026 at 10:00, Sheffield Probation Office' (place escaped)."""
    text = long_date(appointment.on)
    if appointment.time:
        text += f" at {appointment.time}"
    if appointment.place:
        text += f", {mrkdwn_safe(appointment.place, 200)}"
    return text


def first_appointment_block(path: PathFacts | None) -> list[Block]:
    """Prominent: the court's first appointment is often within days (seeds/001 s3.1-3.3)."""
    if path is None or path.first_appointment is None:
        return []
    return [section(f"📅 *First appointment given at court:* {first_appointment_text(path.first_appointment)}")]


def event_text(event: EventLine) -> str:
    return f"{mrkdwn_safe(event.sentence_type, 100)}, sentenced {long_date(event.sentence_date)}"


def path_blocks(path: PathFacts | None, *, in_channel: bool = False, detail: str = DEFAULT_CHANNEL_DETAIL) -> list[Block]:
    """Resourcing, the POM-led status, the events and the first appointment, as the card and the
    Details modal show them. `in_channel`: a channel card names the resourcing outcome but not
    its reason (the reason is risk: MAPPA, RoSH, RSR), and lists the events' sentences only at
    the team's `standard` detail (README, "What the channel may see")."""
    if path is None:
        return []
    blocks: list[Block] = []
    if path.pom_led and path.handover_date and path.allocatable_from:
        blocks.append(
            section(
                f"🔒 *POM-led until handover on {long_date(path.handover_date)}*: not offered for allocation yet "
                f"({mrkdwn_safe(path.path_reason or 'custody under OMiC', 300)}). It joins the team's queue to allocate on "
                f"{long_date(path.allocatable_from)}; it carries no workload until then."
            )
        )
    lines = []
    if path.resourcing:
        label = f"{path.resourcing_outcome} (why: in Details)" if in_channel else path.resourcing_label
        lines.append(mrkdwn_safe(label or "", 400))
    if path.resourcing_given:
        lines.append(f"the source's outcome differs: {mrkdwn_safe(path.resourcing_given, 20)} resources")
    if path.senior_sign_off:
        lines.append("exceptional public interest: the allocation needs a senior sign-off")
    if path.handover_date and not path.pom_led:
        lines.append(f"handover {long_date(path.handover_date)}")
    if lines:
        blocks.append(context(" · ".join(lines)))  # each part escaped and short
    if len(path.events) > 1:
        heading = f"*{len(path.events)} events for this person*, one case to allocate"
        if in_channel and not shows_name(detail):
            blocks.append(section(heading + " (the sentences are in Details)."))
        else:
            listed = "\n".join(f"• {event_text(e)}" for e in path.events)
            blocks.append(section(cut(f"{heading}:\n{listed}", SECTION_TEXT_MAX)))
    return blocks + first_appointment_block(path)


def currently_managed_reply(event: EventLine, practitioner_user: str) -> Message:
    """The card's thread: a new event that stays with the practitioner (seeds/001 s3.3)."""
    return text_message(f"New event: {event_text(event)}. The case is current, so it stays with {mention(practitioner_user)} (no new allocation).")


def currently_managed_notice(crn: str, name: str, event: EventLine, practitioner_user: str) -> Message:
    """To the practitioner and the SPOs, privately."""
    return text_message(
        f"New event for {mrkdwn_safe(name, 200)} ({crn}): {event_text(event)}. The case is current and stays with "
        f"{mention(practitioner_user)} (Interim Guidance on Case Allocation, s3.3); an SPO can still reallocate it from the card."
    )


def handover_reply(path: PathFacts) -> Message:
    """The card's thread, when a POM-led case joins the queue to allocate."""
    when = f" (handover {long_date(path.handover_date)})" if path.handover_date else ""
    return text_message(f"The handover lead time has come{when}: this case is now to allocate to a community offender manager.")
