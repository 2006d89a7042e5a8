"""Answers to the Allocate modal, shaped as Slack's `view.state.values`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.demo.slack_requests import allocation_values
from bot.domain.calendar import working_day_on_or_after

DEFAULT_TOUCHPOINT = working_day_on_or_after(date.today() + timedelta(days=15))
GOOD_EVIDENCE = "Ada has held similar burglary cases and has the experience with tier B risk this person needs."


SCENARIO_DATE_REASON = "The scenario plans the touchpoint for this date."


def answers(*, practitioner_id: int | None, evidence: str = GOOD_EVIDENCE, touchpoint: date | None = DEFAULT_TOUCHPOINT, **rest: Any) -> dict[str, Any]:
    """`allocation_values` with test defaults: good evidence, a touchpoint 15 days on. A test
    that picks another date gives the reason the policy asks for a date far from the usual
    one, unless it passes its own `reason` (`reason=""` for none)."""
    if touchpoint != DEFAULT_TOUCHPOINT and "reason" not in rest and rest.get("priority", "normal") != "not_required":
        rest["reason"] = SCENARIO_DATE_REASON
    return allocation_values(practitioner_id=practitioner_id, evidence=evidence, touchpoint=touchpoint, **rest)
