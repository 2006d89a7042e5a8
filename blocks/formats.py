"""Every figure, date and due text a person reads, each formatted by one function.

The same person's workload once read "62%" in the Allocate modal and "62.3%" in
`/casebot caseload`; a reader comparing the two had to wonder which was right. So each kind of
figure has exactly one formatter here, and every builder (modal, App Home, /casebot, notices)
calls it:

- workload: whole per cent, rounded half up ("62%"); see `percent_text`.
- tier mix: "A 2 · B 5 · C 9 · D 3", or with bars "A ▇▇ 2 · B ▇▇▇▇▇ 5 · …" (the allocation
  research asks for "tier mix" bars, and notes some readers prefer the numbers: both are shown).
- dates: "Fri 4 Dec" within the year, "Fri 4 Dec 2026" where the year matters.
- due: "due Fri 4 Dec", "due *today*", "overdue by 3 working days".
- availability: "away until Mon 14 Dec" (the last day away), "away, no return date".

Pure: the reader's `today` is always passed in, never read from a clock. The outputs are
mrkdwn made only of our own words, digits and dates: nothing here needs escaping.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache

from bot.domain.availability import Away
from bot.domain.calendar import working_days_between
from bot.domain.clock import LONDON
from bot.domain.workload import CAPACITY_PERCENT, RISK_LETTERS, over_capacity, tier_mix_text

__all__ = [
    "age_text", "away_mark", "away_text", "clock_text", "day_text", "due_text", "due_words", "long_date", "plural", "percent_text", "ready_text", "rsr_text",
    "score_text", "short_date", "source_mark", "tier_mix_bars", "tier_mix_text", "when_text", "london_time_text", "workload_bar", "yes_no_text", "NOT_KNOWN",
]  # fmt: skip

NO_CAPACITY = "no capacity"
# Beside figures the workforce source has not reported: the teams file's, a fallback (docs/workload.md).
TEAMS_FILE_FIGURES = "_teams file figures_"
BAR_CELLS = 10
BAR_FULL, BAR_EMPTY = "▓", "░"
MIX_BAR = "▇"
MIX_BAR_CELLS = 10  # the longest tier bar; a bigger count scales every bar of that mix down


# ---------------------------------------------------------------------------------------------
# Counts and figures


def plural(count: int, word: str) -> str:
    """'1 case', '1,000 cases'."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def percent_text(percent: float) -> str:
    """A workload as everyone reads it: a whole per cent, rounded half up ("62%").

    Over 100% is over capacity and exactly 100% is full (bot/domain/workload.py), so a figure
    over 100 never shows as "100%": 100.2% reads "101%". Someone with no available points
    (infinite workload) reads "no capacity".
    """
    if not math.isfinite(percent):
        return NO_CAPACITY
    shown = math.floor(round(percent, 6) + 0.5)  # half up; round() first absorbs float dust (62.4999999 is 62.5)
    if over_capacity(percent) and shown <= CAPACITY_PERCENT:
        shown = int(CAPACITY_PERCENT) + 1
    return f"{shown}%"


def workload_bar(percent: float) -> str:
    """`▓▓▓▓▓▓░░░░ 62%`: ten cells, full at 100% and over, with ⚠ when over capacity."""
    filled = BAR_CELLS if not math.isfinite(percent) else max(0, min(BAR_CELLS, int(percent / 10 + 0.5)))
    warning = " :warning:" if over_capacity(percent) else ""
    return BAR_FULL * filled + BAR_EMPTY * (BAR_CELLS - filled) + f" {percent_text(percent)}{warning}"


def tier_mix_bars(mix: Mapping[str, int], *, cells: int = MIX_BAR_CELLS) -> str:
    """`A ▇▇ 2 · B ▇▇▇▇▇ 5 · C ▇▇▇▇▇▇▇▇▇ 9 · D ▇▇▇ 3`: a bar per risk letter, the count beside it.

    One cell a case, until the biggest count passes `cells`: then every bar of this mix is
    scaled down together (a non-zero count keeps at least one cell), so the shape stays true
    and the numbers give the exact counts. A letter missing from `mix` counts 0.
    """
    counts = {letter: int(mix.get(letter, 0)) for letter in RISK_LETTERS}
    top = max(counts.values())
    scale = min(1.0, cells / top) if top > 0 else 1.0

    def bar(count: int) -> str:
        return MIX_BAR * max(1, round(count * scale)) + " " if count > 0 else ""

    return " · ".join(f"{letter} {bar(count)}{count:,}" for letter, count in counts.items())


def ready_text(letters: Sequence[str]) -> str:
    """'ready ABCD': the risk letters a practitioner is ready to hold."""
    wanted = {str(x).strip().upper()[:1] for x in letters}
    ready = [letter for letter in RISK_LETTERS if letter in wanted]
    return "ready " + "".join(ready) if ready else "readiness not recorded"


def rsr_text(rsr: float | None) -> str:
    """The RSR score as recorded ("4.2%"): a risk score, not a workload, whose bands turn on
    tenths, so it keeps its decimals."""
    return f"{rsr:g}%" if rsr is not None else "Not recorded"


NOT_KNOWN = "not known"  # the source sent nothing: said plainly rather than left blank


def score_text(score: float | None) -> str:
    """A risk predictor's percentage (OGRS, RSR) as recorded, decimals kept; "not known"."""
    return f"{score:g}%" if score is not None else NOT_KNOWN


def yes_no_text(value: bool | None) -> str:
    """'Yes', 'No', or 'not known' when the source did not say."""
    return NOT_KNOWN if value is None else "Yes" if value else "No"


def age_text(born: date, on: date) -> str:
    """Whole years of age on `on` ("36"): an age at sentence needs no clock."""
    return str(on.year - born.year - ((on.month, on.day) < (born.month, born.day)))


# ---------------------------------------------------------------------------------------------
# Dates


def short_date(day: date) -> str:
    """'Wed 30 Dec', the way the team reads dates in the channel."""
    return f"{day:%a} {day.day} {day:%b}"


def long_date(day: date) -> str:
    """'Wed 30 Dec 2026', for modals and records where the year matters."""
    return f"{short_date(day)} {day.year}"


def day_text(day: date, today: date) -> str:
    """A date without its year when it falls in the reader's current year."""
    return short_date(day) if day.year == today.year else long_date(day)


def clock_text(at: datetime) -> str:
    """'10:00': the time of day of `at` in its own zone (24-hour, as the team reads it)."""
    return f"{at:%H:%M}"


def london_time_text(at: datetime) -> str:
    """'Mon 7 Dec 2026 at 10:00', London time: for plain text where Slack cannot localise."""
    local = at.astimezone(LONDON)
    return f"{long_date(local.date())} at {clock_text(local)}"


def when_text(at: datetime) -> str:
    """Slack's date token (shown in each reader's time zone), falling back to London time."""
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{london_time_text(at)}>"


def away_text(away: Away) -> str:
    """'away until Mon 14 Dec' (the last day of the absence), or 'away, no return date'. Never
    the reason: the workforce source's category (sickness, ...) is not the team's to read."""
    return f"away until {short_date(away.until)}" if away.until is not None else "away, no return date"


def away_mark(away: Away | None) -> str:
    """' · :no_entry: *away until Mon 14 Dec*' beside a name when away today; '' otherwise."""
    return f" · :no_entry: *{away_text(away)}*" if away is not None else ""


def source_mark(from_feed: bool) -> str:
    """' · _teams file figures_' beside figures the workforce source has not reported (the
    teams file's fallback, docs/workload.md); '' beside the source's own."""
    return "" if from_feed else f" · {TEAMS_FILE_FIGURES}"


# ---------------------------------------------------------------------------------------------
# Due


def due_words(working_days_late: int) -> str:
    """'due today' or 'overdue by 3 working days', in plain words."""
    if working_days_late <= 0:
        return "due today"
    return f"overdue by {plural(working_days_late, 'working day')}"


@lru_cache(maxsize=4096)  # a queue repeats the same few due dates; counting working days is the cost
def due_text(due: date, today: date) -> str:
    """'due Fri 4 Dec', 'due *today*', or ':warning: *Overdue* by 3 working days (was due Fri 4 Dec)'.

    Lateness is counted in working days, as the team's target itself is.
    """
    if due > today:
        return f"due {day_text(due, today)}"
    if due == today:
        return "due *today*"
    late = working_days_between(due, today)
    by = f" by {plural(late, 'working day')}" if late > 0 else ""
    return f":warning: *Overdue*{by} (was due {day_text(due, today)})"
