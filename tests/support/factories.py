"""Plain-function factories for test data (polar's style: overrides as keyword arguments)."""

from __future__ import annotations

import zlib
from datetime import date
from typing import Any

TEAMS_YAML = """\
teams:
  - code: N07T1
    name: Sheffield North
    channel: C0123456789
    spos: [U0SPO0001, U0SPO0002]
    notify: [U0ADMIN01]
    practitioners:
      - staff_code: N07A001
        name: Ada Lovelace
        grade: PO
        slack_user: U0PP00001
        capacity_points: 100
        visor_vetted: true
        ready_for_tiers: [A, B, C, D]
      - staff_code: N07A002
        name: Grace Hopper
        grade: PSO
        slack_user: U0PP00002
        ready_for_tiers: [C, D]
  - code: N07T2
    name: Sheffield South
    channel: C0987654321
    spos: [U0SPO0009]
    practitioners: []
"""


def teams_yaml(channel_detail: str = "standard", **team_keys: str) -> str:
    """TEAMS_YAML with Sheffield North's `channel_detail` (and other team keys, as YAML text)."""
    extra = "".join(f"    {key}: {value}\n" for key, value in {"channel_detail": channel_detail, **team_keys}.items())
    return TEAMS_YAML.replace("    channel: C0123456789\n", "    channel: C0123456789\n" + extra, 1)


def case_fields(**overrides: Any) -> dict[str, Any]:
    """A valid intake body; sentence date in the past so it never trips 'future'.

    The case reached the team on the day of sentence (`arrived_on`) unless a test says
    otherwise, so the team's target counts from a date the test chose, not from the day the test
    happens to run; `arrived_on=None` leaves the field out (the day of receipt)."""
    fields: dict[str, Any] = {
        "event_id": "evt-0001",
        "crn": "X123456",
        "name": "Sam Smith",
        "team": "N07T1",
        "tier": "B2",
        "sentence_type": "Community Order",
        "sentence_date": "2026-11-19",
        "rosh": "Medium",
        "rsr": 4.2,
        "mappa_category": 2,
        "mappa_level": 1,
        "offence": "Burglary (dwelling)",
    }
    fields.update(overrides)
    if "crn" not in overrides and fields["event_id"] != "evt-0001":
        # One person per event unless a test says otherwise: a second event for the same CRN
        # joins that person's open case (README, "The intake API").
        fields["crn"] = f"X{zlib.crc32(str(fields['event_id']).encode()) % 1_000_000:06d}"
    if "arrived_on" not in overrides and _iso_date(fields.get("sentence_date")):
        fields["arrived_on"] = fields["sentence_date"]
    if fields.get("arrived_on", "") is None:
        del fields["arrived_on"]
    return fields


def _iso_date(value: Any) -> bool:
    try:
        return isinstance(value, str) and bool(date.fromisoformat(value))
    except ValueError:
        return False


def big_team_yaml(practitioners: int, *, code: str = "N07T1") -> str:
    """One team with many practitioners, for the >100 select and the benchmarks."""
    lines = [
        "teams:",
        f"  - code: {code}",
        "    name: Big Team",
        "    channel: C0123456789",
        "    spos: [U0SPO0001]",
        "    practitioners:",
    ]
    for n in range(practitioners):
        grade = ("PO", "PSO", "PQiP")[n % 3]
        lines += [
            f"      - staff_code: B{n:06d}",
            f"        name: Practitioner {n:03d}",
            f"        grade: {grade}",
            f"        slack_user: U{n:08d}",
            "        ready_for_tiers: [A, B, C, D]",
            f"        visor_vetted: {'true' if n % 2 else 'false'}",
            f"        caseload: {{B2: {n % 7}, C1: {n % 11}, D0: {n % 5}}}",
        ]
    return "\n".join(lines) + "\n"
