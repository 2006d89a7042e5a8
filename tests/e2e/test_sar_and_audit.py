"""`casebot sar` and `casebot audit` (README, "Audit and subject access").

The real app, with a moved clock, the fake Slack and a fake system of record, takes three cases
through intake, allocation, a touchpoint and a reallocation. Then the CLI runs as an operator runs it: in
subprocesses against the same database, with a clean environment. The SAR must hold the
person's cases and non-sensitive notes, say what it withheld, and never show a sensitive canary
(seeds/000); the audit export must count working days from sentence to allocation as
seeds/003 s1.9 does, across the Christmas bank holidays, and carry no evidence or notes text.
Subprocesses cost about a second each, so one batch runs side by side.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from blocks.allocate_modal import AllocateMetadata
from blocks.ids import INPUT_ACTION, AllocateBlock, Callback, TouchpointBlock
from blocks.text import escape
from bot.demo.fake_slack import FakeSlack
from bot.demo.slack_requests import view_submission
from bot.domain.clock import FixedClock
from bot.queries import sar_rules
from bot.queries.audit_export import COLUMNS
from bot.queries.sar_rules import (
    AUDIT_DETAIL_KEYS,
    WITHHELD_AUDIT,
    WITHHELD_EVIDENCE,
    WITHHELD_OVERSIGHT,
    WITHHELD_QUOTING,
    WITHHELD_SENSITIVE_NOTES,
    WITHHELD_SPO_COPY,
    WITHHELD_UNCLEARED,
    WITHHELD_WRITE_BACK,
)
from storage.models import Allocation, AuditEvent, Base, Case, OutboxMessage, Touchpoint
from tests.fakes.fake_http_sink import FakeHttpSink
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest, bot_settings, start_bot
from tests.support.cli import Cli, Run
from tests.support.factories import TEAMS_YAML, case_fields

LONDON = ZoneInfo("Europe/London")
SPO = "U0SPO0001"
# The allocating SPO named as the system of record knows them (README, "The teams and staff file").
TEAMS_WITH_SPO_CODES = TEAMS_YAML.replace("spos: [U0SPO0001, U0SPO0002]", "spos: [{slack_user: U0SPO0001, staff_code: N07S001, name: Sue Price}, U0SPO0002]")
BAD_INPUT = 2

PERSON = "Siân Ó Ceallaigh"  # not ASCII: the export is UTF-8, not \u escapes
CANARY_EVIDENCE = "CANARY-sar-1"
CANARY_OVERSIGHT = "CANARY-sar-2"
CANARY_REALLOCATION = "CANARY-sar-3"
CANARIES = (CANARY_EVIDENCE, CANARY_OVERSIGHT, CANARY_REALLOCATION)
SENSITIVE_EVIDENCE = f"Ada knows the estate well. Informal concern {CANARY_EVIDENCE} raised by the court team."
HATE_NOTES = "Targeted for his religion outside the mosque; open-hate-notes-7c1."
OPEN_EVIDENCE = "Grace worked with this family in the youth team; continuity outweighs the grade rule here."
REALLOCATION_EVIDENCE = f"Back to Ada: the PSO choice was a slip. Private worry {CANARY_REALLOCATION} noted."
OVERSIGHT = f"Concern {CANARY_OVERSIGHT}: kept from the person on purpose."
NOT_REQUIRED = "Transferring to the Leeds team next week."


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
async def world(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[tuple[BotUnderTest, FixedClock]]:
    clock = FixedClock(london(2026, 12, 29, 10, 0))  # Tuesday after Christmas and the Boxing Day substitute
    with FakeHttpSink() as record:  # write-backs delivered, so their audit events exist too
        settings = bot_settings(database_url, fake_slack, record_api_url=record.url)
        async with AsyncExitStack() as stack:
            bot = await start_bot(stack, settings, fake_slack, clock=clock)
            await bot.load_teams(TEAMS_WITH_SPO_CODES)
            yield bot, clock


async def allocate(
    bot: BotUnderTest, *, event_id: str, crn: str, name: str, sentenced: date, staff: str, arrived: date | None = None, more: Any = None, **answer: Any
) -> int:
    """One case through intake and the Allocate modal; returns the case id. `arrived`: the day
    the case reached the team (left out: the day it is received); `more`: other case fields."""
    fields = case_fields(event_id=event_id, crn=crn, name=name, sentence_date=sentenced.isoformat(), **(more or {}))
    if arrived is not None:
        fields["arrived_on"] = arrived.isoformat()
    status, body = await bot.post_case(fields)
    assert status == 201, body
    await bot.drained()
    ids = await bot.practitioner_ids()
    status, refused = await bot.submit(case_id=body["id"], user=SPO, values=answers(practitioner_id=ids[staff], **answer))
    assert (status, refused) == (200, {}), refused
    await bot.drained()
    return int(body["id"])


async def record_oversight(bot: BotUnderTest, case_id: int, notes: str, *, sensitive: bool) -> None:
    """The SPO records the touchpoint from its modal."""
    async with bot.runtime.db.uow() as uow:
        touchpoint_id = await uow.session.scalar(select(Touchpoint.id).where(Touchpoint.case_id == case_id))
    values = {
        TouchpointBlock.NOTES: {"value": {"type": "plain_text_input", "value": notes}},
        TouchpointBlock.NOTES_SENSITIVE: {"value": {"type": "radio_buttons", "selected_option": {"value": "yes" if sensitive else "no"}}},
    }
    payload = view_submission(callback_id=Callback.TOUCHPOINT_RECORD, private_metadata=str(touchpoint_id), values=values, user=SPO)
    assert await bot.submit_view(payload) == (200, {})
    await bot.drained()


async def reallocate(bot: BotUnderTest, case_id: int, staff: str, evidence: str) -> None:
    """The SPO reallocates from the Reallocate modal: allocated in error (seeds/003 Annex D)."""
    ids = await bot.practitioner_ids()
    values = answers(practitioner_id=ids[staff], evidence=evidence, evidence_sensitive="yes")
    values[AllocateBlock.REASON] = {INPUT_ACTION: {"selected_option": {"value": "error_user"}}}
    values[AllocateBlock.KEEP_TOUCHPOINT] = {INPUT_ACTION: {"selected_option": {"value": "yes"}}}
    payload = view_submission(callback_id=Callback.REALLOCATE, private_metadata=AllocateMetadata(case_id).dumps(), values=values, user=SPO)
    assert await bot.submit_view(payload) == (200, {})  # a slow commit's late outcome settled
    await bot.drained()


async def plant_later_feature_rows(bot: BotUnderTest, case_id: int) -> None:
    """Rows a feature not yet written might store: a message of a new kind quoting the sensitive
    evidence, a known kind quoting the sensitive oversight notes, and an audit event with keys
    each of which one guard must stop. The export must withhold all of them."""
    now = bot.runtime.clock.now()

    def sent(purpose: str, payload: dict[str, Any]) -> OutboxMessage:
        return OutboxMessage(
            ordering_key=f"case:{case_id}", method="chat.postMessage", payload=payload, purpose=purpose, case_id=case_id,
            state="sent", attempts=1, next_attempt_at=now, created_at=now, sent_at=now,
        )  # fmt: skip

    async with bot.runtime.db.uow() as uow:
        section = {"type": "section", "text": {"type": "mrkdwn", "text": "*Evidence:* " + escape(SENSITIVE_EVIDENCE)}}
        uow.outbox.add(sent("some_new_notice", {"channel": "U0PP00002", "text": "Case reallocated", "blocks": [section]}))
        uow.outbox.add(sent("touchpoint_reminder", {"channel": "U0PP00001", "text": f"Last time: {OVERSIGHT}"}))
        # Each key is stopped by one guard: not a known reason code; quotes a sensitive note; not cleared at all.
        detail = {"allocation_id": 1, "reason": "a quiet word from the court", "what": f"copy of {SENSITIVE_EVIDENCE}", "note": "free text"}
        uow.audit.add(AuditEvent(at=now, actor=SPO, action="reviewed", case_id=case_id, detail=detail))
        await uow.commit()


def run_side_by_side(cwd: Path, database_url: str, commands: dict[str, tuple[str, ...]]) -> dict[str, Run]:
    """Read-only commands at once, with PYTHONIOENCODING=ascii: output that is not written as
    UTF-8 bytes would fail."""
    runs = Cli(cwd, database_url).parallel(*commands.values(), PYTHONIOENCODING="ascii")
    return dict(zip(commands, runs, strict=True))


async def test_sar_withholds_sensitive_text_and_audit_counts_working_days(world, database_url: str, tmp_path: Path) -> None:
    bot, clock = world
    first = await allocate(
        bot, event_id="evt-sar-1", crn="X100001", name=PERSON, sentenced=date(2026, 12, 24), arrived=date(2026, 12, 24), staff="N07A001",
        evidence=SENSITIVE_EVIDENCE, evidence_sensitive="yes", hate_crime="yes", hate_notes=HATE_NOTES, hate_notes_sensitive="no",
        priority="high", touchpoint=date(2027, 1, 12),
    )  # fmt: skip
    # The same person's second sentence, given to a PSO for tier B: outside policy, confirmed. It is
    # custodial, so a case of its own (a new community sentence would stay with Ada: README).
    second = await allocate(
        bot, event_id="evt-sar-2", crn="X100001", name=PERSON, sentenced=date(2026, 12, 18), arrived=date(2026, 12, 29), staff="N07A002",
        more={"sentence_type": "Custody", "prison": "HMP Leeds"},
        evidence=OPEN_EVIDENCE, evidence_sensitive="no", confirm=True, priority="not_required", touchpoint=None, reason=NOT_REQUIRED,
    )  # fmt: skip
    await record_oversight(bot, first, OVERSIGHT, sensitive=True)
    await reallocate(bot, second, "N07A001", REALLOCATION_EVIDENCE)
    await plant_later_feature_rows(bot, first)
    clock.set(london(2027, 1, 5, 10, 0))
    await allocate(
        bot, event_id="evt-sar-3", crn="X200002", name="Other Person", sentenced=date(2027, 1, 4), staff="N07A001",
        touchpoint=date(2027, 1, 20),
    )  # fmt: skip

    runs = await asyncio.to_thread(
        run_side_by_side,
        tmp_path, database_url,
        {
            "sar": ("sar", "x100001"),
            "unknown_crn": ("sar", "X999999"),
            "malformed_crn": ("sar", "12345"),
            "csv": ("audit", "--since", "2026-12-29", "--until", "2026-12-29", "--team", "N07T1", "--format", "csv"),
            "json": ("audit", "--since", "2026-12-01", "--format", "json"),
            "bad_date": ("audit", "--since", "2026-13-01", "--format", "csv"),
            "unknown_team": ("audit", "--since", "2026-12-01", "--team", "ZZZ99", "--format", "json"),
        },
    )  # fmt: skip

    exceptions = check_sar(runs["sar"])
    check_audit(runs["csv"], runs["json"], exceptions)
    check_bad_input(runs)


def check_sar(run: Run) -> list[str]:
    """The person's two cases, their non-sensitive notes, what was withheld; no canary anywhere.
    Returns the outside-policy allocation's exceptions, for the audit export to match."""
    assert run.returncode == 0, run.stderr
    for canary in CANARIES:
        assert canary not in run.stdout + run.stderr
    assert PERSON in run.stdout and "Other Person" not in run.stdout and "X200002" not in run.stdout
    export = json.loads(run.stdout)
    assert export["crn"] == "X100001"
    first, second = export["cases"]
    assert (first["event_id"], first["name"], first["tier"], first["sentence_date"], first["team"]["code"]) == (
        "evt-sar-1",
        PERSON,
        "B2",
        "2026-12-24",
        "N07T1",
    )
    assert (first["state"], first["due_by"]) == ("allocated", "2026-12-30")  # two working days, Christmas skipped

    [held] = first["allocations"]
    assert "evidence" not in held and held["hate_crime_notes"] == HATE_NOTES
    assert held["practitioner"] == {"staff_code": "N07A001", "name": "Ada Lovelace", "grade": "PO"}
    assert (held["allocated_by"], held["allocated_at"], held["outside_policy"], held["current"]) == (SPO, "2026-12-29T10:00:00+00:00", False, True)
    [touchpoint] = first["touchpoints"]
    assert (touchpoint["due_on"], touchpoint["priority"], touchpoint["state"], touchpoint["outcome_by"]) == ("2027-01-12", "high", "recorded", SPO)
    assert "notes" not in touchpoint

    outside, back = second["allocations"]
    assert outside["evidence"] == OPEN_EVIDENCE and "hate_crime_notes" not in outside
    assert outside["outside_policy"] is True and any("PO grade" in e for e in outside["policy_exceptions"])
    assert (outside["current"], outside["ended_at"], back["current"]) == (False, "2026-12-29T10:00:00+00:00", True)
    assert back["reallocation_reason"] == "Allocated in error - user" and "evidence" not in back
    [reallocated] = [e for e in second["audit_events"] if e["action"] == "reallocated"]
    assert reallocated["detail"]["reason"] == "error_user" and reallocated["detail"]["from_staff_code"] == "N07A002"
    assert "text" in {m["purpose"]: m for m in second["messages"]}["handed_over_notice"]
    [not_required] = second["touchpoints"]
    assert (not_required["state"], not_required["not_required_reason"]) == ("not_required", NOT_REQUIRED)

    actions = {event["action"] for event in first["audit_events"]}
    assert {"case_received", "allocated", "touchpoint_recorded", "write_back_delivered"} <= actions
    cleared = AUDIT_DETAIL_KEYS | set(sar_rules.AUDIT_DETAIL_CODES)
    assert all(set(event["detail"]) <= cleared for case in (first, second) for event in case["audit_events"])

    messages = {m["purpose"]: m for m in first["messages"]}
    assert "text" not in messages["spo_copy"] and messages["spo_copy"]["state"] == "sent"
    assert HATE_NOTES in messages["practitioner_notice"]["text"] and "private note" in messages["practitioner_notice"]["text"]
    contacts = [m.get("text") for m in first["messages"] if m["method"] == "record.contact"]
    assert len(contacts) == 3 and contacts.count(None) == 2 and any(HATE_NOTES in (t or "") for t in contacts)

    withheld = {entry["kind"]: entry["count"] for entry in export["withheld"]}
    assert withheld == {
        WITHHELD_EVIDENCE: 2, WITHHELD_OVERSIGHT: 1, WITHHELD_SPO_COPY: 3, WITHHELD_WRITE_BACK: 3,
        WITHHELD_UNCLEARED: 1, WITHHELD_QUOTING: 1, WITHHELD_AUDIT: 3,  # the planted rows
        WITHHELD_SENSITIVE_NOTES: 2,  # the practitioners' private notes of the sensitive evidence
    }  # fmt: skip
    [planted] = [e for e in first["audit_events"] if e["action"] == "reviewed"]
    assert planted["detail"] == {"allocation_id": 1}
    return list(outside["policy_exceptions"])


def check_audit(as_csv: Run, as_json: Run, exceptions: list[str]) -> None:
    """Working days from sentence to allocation (seeds/003 s1.9), exceptions, no notes text."""
    for run in (as_csv, as_json):
        assert run.returncode == 0, run.stderr
        for text in (*CANARIES, OPEN_EVIDENCE, HATE_NOTES, PERSON):
            assert text not in run.stdout

    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows and list(rows[0]) == list(COLUMNS)
    # Thu 24 Dec -> Tue 29 Dec is one working day (25 Dec and the Boxing Day substitute on 28 Dec are
    # bank holidays); Fri 18 Dec -> Tue 29 Dec is five from sentence, but that case reached the team
    # on the 29th, so the team's two-day target was met.
    # The PSO allocation was then reallocated: no longer current, and the new row says why.
    summary = [
        (r["crn"], r["team"], r["sentence_date"], r["working_days_from_sentence"], r["team_target_met"],
         r["staff_code"], r["grade"], r["outside_policy"], r["current"], r["reallocation_reason"])
        for r in rows
    ]  # fmt: skip
    assert summary == [
        ("X100001", "N07T1", "2026-12-24", "1", "true", "N07A001", "PO", "false", "true", ""),
        ("X100001", "N07T1", "2026-12-18", "5", "true", "N07A002", "PSO", "true", "false", ""),
        ("X100001", "N07T1", "2026-12-18", "5", "true", "N07A001", "PO", "false", "true", "Allocated in error - user"),
    ]
    assert (rows[0]["policy_exceptions"], rows[1]["policy_exceptions"]) == ("", "; ".join(exceptions))
    assert [(r["arrived_on"], r["working_days_from_arrival"], r["policy_version"]) for r in rows] == [
        ("2026-12-24", "1", "casebot-default-1"),
        ("2026-12-29", "0", "casebot-default-1"),
        ("2026-12-29", "0", "casebot-default-1"),
    ]
    assert rows[0]["allocated_at"] == "2026-12-29T10:00:00+00:00" and rows[1]["practitioner"] == "Grace Hopper"
    # The SPO by staff code and name, never by Slack id (which means nothing in a review).
    assert {(r["allocated_by_staff_code"], r["allocated_by_name"]) for r in rows} == {("N07S001", "Sue Price")}
    assert SPO not in as_csv.stdout and SPO not in as_json.stdout

    decisions = json.loads(as_json.stdout)
    assert [(d["crn"], d["working_days_from_sentence"], d["team_target_met"], d["outside_policy"], d["current"]) for d in decisions] == [
        ("X100001", 1, True, False, True), ("X100001", 5, True, True, False), ("X100001", 5, True, False, True), ("X200002", 1, True, False, True),
    ]  # fmt: skip
    assert decisions[1]["policy_exceptions"] == exceptions and decisions[3]["allocated_at"] == "2027-01-05T10:00:00+00:00"


def check_bad_input(runs: dict[str, Run]) -> None:
    """Exit 2, nothing on stdout, one line naming what to fix (README exit codes)."""
    expected = {
        "unknown_crn": ("X999999", "nothing is held"),
        "malformed_crn": ("CRN", "one letter and six digits"),
        "bad_date": ("--since", "YYYY-MM-DD"),
        "unknown_team": ("--team", "ZZZ99"),
    }
    for name, needles in expected.items():
        run = runs[name]
        assert (run.returncode, run.stdout) == (BAD_INPUT, ""), (name, run.stderr)
        [line] = run.stderr_lines
        assert all(needle in line for needle in needles), (name, line)


@pytest.mark.parametrize(
    ("model", "exported", "by_hand", "left_out"),
    [
        (Case, sar_rules.CASE_FIELDS, sar_rules.CASE_BY_HAND, sar_rules.CASE_LEFT_OUT),
        (Allocation, sar_rules.ALLOCATION_FIELDS, sar_rules.ALLOCATION_BY_HAND, sar_rules.ALLOCATION_LEFT_OUT),
        (Touchpoint, sar_rules.TOUCHPOINT_FIELDS, sar_rules.TOUCHPOINT_BY_HAND, sar_rules.TOUCHPOINT_LEFT_OUT),
    ],
)
def test_every_column_has_a_subject_access_decision(model: type[Base], exported: tuple[str, ...], by_hand: frozenset[str], left_out: frozenset[str]) -> None:
    """A column added later must be placed in bot/queries/sar_rules.py: exported, exported behind its
    sensitivity flag, or left out as an internal pointer. Nothing about the person by default."""
    decided = [*exported, *by_hand, *left_out]
    assert sorted(decided) == sorted(set(decided)), "a column is placed twice"
    assert set(model.__table__.columns.keys()) == set(decided)
