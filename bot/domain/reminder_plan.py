"""When touchpoint reminders fall due. Pure: dates and instants in, a plan out.

The region's policy file sets which reminders there are (`touchpoint.reminders`; the shipped
default in brackets):
- N working days before the touchpoint (2), 09:00;
- the morning of the day (yes), 09:00;
- for a high-priority touchpoint, the working day after (yes), 09:00, if it is still unrecorded.
Each to the practitioner and to the SPO. Reminders whose day has already passed when the plan
is made are left out (the day-of reminder covers a touchpoint booked at short notice); one due
earlier today goes out at once if it is still working hours, else the next working morning,
unless a later reminder falls due then (two reminders never land on one morning).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.calendar import subtract_working_days
from bot.domain.clock import LONDON
from bot.domain.policy_file import Reminders, default_policy
from bot.domain.working_hours import morning_of, next_working_day, next_working_moment

DEFAULT_REMINDERS = default_policy().touchpoint.reminders


@dataclass(frozen=True)
class PlannedReminder:
    when: str  # "before" | "day" | "after"
    recipient: str
    due_at: datetime


def reminder_moments(due_on: date, priority: str, *, rules: Reminders = DEFAULT_REMINDERS) -> list[tuple[str, date]]:
    """(which reminder, its day) for a touchpoint, before any clipping to 'now'."""
    days: list[tuple[str, date]] = []
    if rules.working_days_before > 0:
        days.append(("before", subtract_working_days(due_on, rules.working_days_before)))
    if rules.on_the_day:
        days.append(("day", due_on))
    if priority == "high" and rules.day_after_if_high_priority:
        days.append(("after", next_working_day(due_on)))
    return days


def plan_reminders(due_on: date, priority: str, recipients: list[str], *, now: datetime, rules: Reminders = DEFAULT_REMINDERS) -> list[PlannedReminder]:
    """The reminders to store for one touchpoint; none when it is not required."""
    if priority == "not_required":
        return []
    today = now.astimezone(LONDON).date()
    moments: dict[datetime, str] = {}
    for when, day in reminder_moments(due_on, priority, rules=rules):
        if day < today:
            continue
        # Pushed to the next working morning, a moment may land on a later one's: the later
        # kind wins, so nobody gets two reminders at once (one saying "today" a day late).
        moments[max(morning_of(day), next_working_moment(now))] = when
    return [PlannedReminder(when=when, recipient=person, due_at=due_at) for due_at, when in moments.items() for person in dict.fromkeys(recipients)]
