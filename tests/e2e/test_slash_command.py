"""`/casebot` through the real app: signed slash-command requests, answered in the HTTP
response, shown only to the caller. Each subcommand, each bad input, who sees what (sensitive
notes, restricted cases), escaping, and Slack's limits on every answer."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import Block
from sqlalchemy import select, text

from blocks.allocate_modal import AllocateMetadata
from blocks.candidate_blocks import candidate_line
from blocks.case_answer import case_message
from blocks.formats import long_date, percent_text, tier_mix_bars
from blocks.ids import INPUT_ACTION, Action, AllocateBlock, Callback, TouchpointBlock
from blocks.kit import MESSAGE_BLOCKS_MAX
from blocks.queue_answer import queue_message
from blocks.render_text import render
from bot.demo.slack_requests import signed_headers, slash_body, view_submission
from bot.domain.case_history_view import AllocationRecord, AuditLine, CaseHistory, Note, TouchpointRecord
from bot.domain.clock import london_today
from bot.domain.command_views import AwaitingCase, QueueAnswer, TeamQueue
from bot.queries.commands import queue_case
from storage.models import Case, Touchpoint
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest
from tests.support.factories import TEAMS_YAML, case_fields

SPO, SPO2, PP, PP2 = "U0SPO0001", "U0SPO0002", "U0PP00001", "U0PP00002"  # team N07T1 (Sheffield North)
OTHER_SPO = "U0SPO0009"  # SPO of N07T2 (Sheffield South) only
STRANGER = "U0STRANGE1"  # in no team
CHANNEL = "C0123456789"
USAGE = "How to use /casebot"
WITHHELD = "(sensitive: visible to SPOs)"
EVIDENCE_CANARY = "CANARY-cmd-evidence-41d7"
HATE_CANARY = "CANARY-cmd-hate-8c02"
NOTES_CANARY = "CANARY-cmd-oversight-e5a9"


class Answer:
    """The ephemeral answer: its JSON, its mrkdwn texts and a readable rendering."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.raw = json.dumps(body, ensure_ascii=False)
        self.text = render(body)

    def mrkdwn(self) -> list[str]:
        """Every string Slack parses as mrkdwn: the fallback text and each mrkdwn object."""
        found = [self.body["text"]]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") == "mrkdwn":
                    found.append(node["text"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.body["blocks"])
        return found

    def buttons(self) -> list[dict[str, Any]]:
        return [e for b in self.body["blocks"] if b["type"] == "actions" for e in b["elements"]]


def assert_fits_slack(body: dict[str, Any]) -> None:
    """docs/slack-platform.md s1, including the limits slack_sdk's models do not check."""
    assert 0 < len(body["text"]) <= 4000
    blocks = body["blocks"]
    assert 0 < len(blocks) <= MESSAGE_BLOCKS_MAX
    for block in blocks:
        Block.parse(block).to_dict()  # slack_sdk's own validation (section 3000, header 150, ...)
        if block["type"] == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        if block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10 and all(len(e["text"]) <= 3000 for e in block["elements"])


async def casebot(bot: BotUnderTest, text: str, user: str) -> Answer:
    body = slash_body(text, user)
    status, reply = await bot.slack_request(body, signed_headers(body))
    assert status == 200, reply
    answer = json.loads(reply)
    assert answer["response_type"] == "ephemeral"
    assert "Traceback" not in reply
    assert_fits_slack(answer)
    return Answer(answer)


async def post(bot: BotUnderTest, **fields: Any) -> int:
    status, body = await bot.post_case(case_fields(**fields))
    assert status == 201, body
    return int(body["id"])


def today(bot: BotUnderTest) -> date:
    return london_today(bot.runtime.clock)


async def allocate(bot: BotUnderTest, case_id: int, staff_code: str = "N07A001", **answer: Any) -> None:
    ids = await bot.practitioner_ids()
    status, body = await bot.submit(case_id=case_id, user=SPO, values=answers(practitioner_id=ids[staff_code], **answer))
    assert (status, body) == (200, {}), body


# --- help and bad input -------------------------------------------------------------------------


async def test_help_and_an_empty_command_give_usage_to_anyone(bot: BotUnderTest) -> None:
    for words in ("help", "", "  HELP  "):
        answer = await casebot(bot, words, STRANGER)
        assert USAGE in answer.text
        for sub in ("/casebot queue", "/casebot case X123456", "/casebot caseload @person", "/casebot help"):
            assert sub in answer.text


async def test_each_bad_input_gets_usage_naming_what_was_wrong(bot: BotUnderTest) -> None:
    cases = [
        ("frobnicate now", "I don't know “frobnicate”"),
        ("queue please", "`queue` takes nothing after it (got “please”)"),
        ("case", "`case` needs a CRN"),
        ("case 1234567", "“1234567” is not a CRN: a CRN is one letter and six digits"),
        ("case X12345", "“X12345” is not a CRN"),
        ("case XX123456", "“XX123456” is not a CRN"),
        ("case X1234567", "“X1234567” is not a CRN"),
        ("case X123456 X654321", "`case` takes one CRN"),
        ("caseload", "`caseload` needs a person"),
        ("caseload ada", "“ada” is not a person"),
        ("caseload @ada lovelace", "“@ada lovelace” is not a person"),
        ("caseload <#C0123456789|cases>", "“&lt;#C0123456789|cases&gt;” is not a person"),
        ("caseload <@U0PP00001> <@U0PP00002>", "`caseload` takes one person"),
        ("caseload <@U0NOBODY1|nobody>", "<@U0NOBODY1> is not a practitioner in any team casebot knows"),
        ("caseload <@U0SPO0002>", "<@U0SPO0002> is not a practitioner"),
    ]
    for words, problem in cases:
        answer = await casebot(bot, words, SPO)
        assert USAGE in answer.raw, words
        assert problem in answer.raw, (words, answer.raw)


async def test_what_the_caller_typed_is_quoted_escaped(bot: BotUnderTest) -> None:
    # should_escape: Slack sends special mentions as <!channel> and escapes the caller's own &, < and >
    for words in ("case <!channel>", "<!here>", "case &lt;b&gt;&amp;", "caseload <!subteam^S0123|team>"):
        answer = await casebot(bot, words, SPO)
        assert USAGE in answer.text
        for mrkdwn in answer.mrkdwn():
            assert "<!" not in mrkdwn and "<b>" not in mrkdwn, (words, mrkdwn)
    answer = await casebot(bot, "case <!channel>", SPO)
    assert "“&lt;!channel&gt;” is not a CRN" in answer.raw
    answer = await casebot(bot, "case &lt;b&gt;&amp;", SPO)
    assert "“&lt;b&gt;&amp;” is not a CRN" in answer.raw  # shown as typed, "<b>&", not double-escaped text


async def test_callers_in_no_team_are_told_politely(bot: BotUnderTest) -> None:
    await post(bot)
    for words in ("queue", "case X123456", "caseload <@U0PP00001|ada>"):
        answer = await casebot(bot, words, STRANGER)
        assert "not an SPO or a practitioner in any team casebot knows" in answer.text, words
        assert "X123456" not in answer.raw


async def test_a_failure_inside_gets_a_polite_answer_with_a_reference_and_no_details(captured_logs: io.StringIO, bot: BotUnderTest) -> None:
    async with bot.runtime.db.uow() as uow:  # a real fault in the store, not a mock: the table is gone
        await uow.session.execute(text("ALTER TABLE teams RENAME TO teams_away"))
        await uow.commit()
    try:
        answer = await casebot(bot, "queue", SPO)
    finally:
        async with bot.runtime.db.uow() as uow:
            await uow.session.execute(text("ALTER TABLE teams_away RENAME TO teams"))
            await uow.commit()
    reference = re.search(r"reference `([0-9a-f]{12})`", answer.raw)
    assert reference and "Sorry, something went wrong" in answer.text
    assert "teams_away" not in answer.raw and "select" not in answer.raw.lower()  # no SQL, no table names
    [logged] = [json.loads(line) for line in captured_logs.getvalue().splitlines() if reference.group(1) in line]
    assert logged["msg"] == "slash command failed" and logged["error_type"] and "teams_away" not in json.dumps(logged)


# --- queue ----------------------------------------------------------------------------------


async def test_queue_is_soonest_first_with_overdue_marked_and_restricted_only_for_spos(bot: BotUnderTest) -> None:
    day = today(bot)
    # The team's clock runs from the day each case reached the team (arrived_on).
    await post(bot, event_id="e-soon", crn="A000002", name="Sam Soon", sentence_date=day.isoformat(), arrived_on=day.isoformat())
    late = (day - timedelta(days=40)).isoformat()
    await post(bot, event_id="e-late", crn="A000001", name="Olive Overdue", sentence_date=late, arrived_on=late)
    await post(bot, event_id="e-restr", crn="A000003", name="Rita Restricted", restricted=True, sentence_date=day.isoformat(), arrived_on=day.isoformat())
    await post(bot, event_id="e-south", crn="A000004", name="Tom Other", team="N07T2")
    done = await post(bot, event_id="e-done", crn="A000005", name="Alice Allocated")
    await allocate(bot, done)

    spo = await casebot(bot, "queue", SPO)
    lines = [line for line in spo.text.splitlines() if line.startswith("• ")]
    assert [re.search(r"A00000\d", line).group(0) for line in lines] == ["A000001", "A000002", "A000003"]  # type: ignore[union-attr]
    assert "Overdue" in lines[0] and "Overdue" not in lines[1] and "due " in lines[1]
    assert "restricted" in lines[2]
    assert "Sheffield North: 3 unallocated cases, 1 overdue" in spo.text
    assert "Tom Other" not in spo.raw and "Alice Allocated" not in spo.raw

    pp = await casebot(bot, "queue", PP2)
    assert "Olive Overdue" in pp.raw and "Sam Soon" in pp.raw
    assert "Rita" not in pp.raw and "A000003" not in pp.raw
    assert "2 unallocated cases, 1 overdue" in pp.text and "listed only for the team's SPOs" in pp.text

    south = await casebot(bot, "queue", OTHER_SPO)
    assert "Tom Other" in south.raw and "Sheffield South" in south.text and "Olive" not in south.raw


async def test_queue_lists_thirty_then_counts_the_rest_and_a_member_of_two_teams_sees_each(bot: BotUnderTest) -> None:
    day = today(bot)
    rows = [case_fields(event_id=f"e-q{n}", crn=f"Q{n:06d}", name=f"Person & {n:02d}", sentence_date=day.isoformat()) for n in range(33)]
    rows.append(case_fields(event_id="e-south", crn="S000001", name="Sol South", team="N07T2"))
    await bot.runtime.services.receive_cases(rows, source="test")
    await bot.load_teams(TEAMS_YAML.replace("spos: [U0SPO0009]", f"spos: [U0SPO0009, {SPO}]"))

    answer = await casebot(bot, "queue", SPO)
    assert len(re.findall(r"• \*Q\d{6}\*", answer.raw)) == 30
    assert "and 3 more" in answer.text and "Sheffield North: 33 unallocated cases" in answer.text
    assert "Sheffield South: 1 unallocated case" in answer.text and "Sol South" in answer.raw
    assert "Person &amp; 00" in answer.raw


async def test_an_empty_queue_says_so(bot: BotUnderTest) -> None:
    answer = await casebot(bot, "queue", PP)
    assert "Sheffield North: 0 unallocated cases" in answer.text and "Nothing is waiting for allocation." in answer.text


async def test_queue_lists_cases_awaiting_handover_with_their_dates_restricted_ones_only_where_the_lists_allow(bot: BotUnderTest) -> None:
    from tests.e2e.test_channel_detail import CODED  # the SPOs' staff codes: N07S001, N07S002

    await bot.load_teams(CODED)
    day = today(bot)
    # Custodial, normal resources, nine months to serve: POM-led until handover (seeds/001 s2.3).
    pom = dict(
        sentence_type="Custody", prison="HMP Leeds", sentence_date=(day - timedelta(days=7)).isoformat(), release_date=(day + timedelta(days=270)).isoformat(),
        rosh="Low", rsr=2.0, mappa_category=None, mappa_level=None, tier="C2",
    )  # fmt: skip
    status, later = await bot.post_case(case_fields(event_id="e-pom-1", crn="P000001", name="Pat Pending", **pom))
    assert status == 201 and later["state"] == "awaiting_handover", later
    _, kept = await bot.post_case(
        case_fields(event_id="e-pom-2", crn="P000002", name="Hidden Pending", restricted=True, excluded_practitioners=["N07S002"], **pom)
    )
    assert kept["state"] == "awaiting_handover"
    await post(bot, event_id="e-now", crn="A000001", name="Una Unallocated")
    handover, joins = date.fromisoformat(later["handover_date"]), date.fromisoformat(later["allocatable_from"])

    spo = await casebot(bot, "queue", SPO)
    assert "Sheffield North: 1 unallocated case" in spo.text  # the POM-led cases are not in the queue yet
    assert "Awaiting handover in Sheffield North: 2 custodial cases" in spo.text
    assert spo.text.index("A000001") < spo.text.index("Awaiting handover") < spo.text.index("P000001")
    [line] = [line for line in spo.text.splitlines() if "P000001" in line]
    assert f"handover {long_date(handover)} · joins the queue {long_date(joins)}" in line
    [hidden] = [line for line in spo.text.splitlines() if "P000002" in line]
    assert "restricted" in hidden and "Hidden Pending" in hidden

    for reader, shown in ((SPO2, "1 custodial case"), (PP, "1 custodial case")):  # on its exclusion list; not an SPO
        answer = await casebot(bot, "queue", reader)
        assert f"Awaiting handover in Sheffield North: {shown}" in answer.text and "Pat Pending" in answer.raw
        assert "Hidden Pending" not in answer.raw and "P000002" not in answer.raw

    south = await casebot(bot, "queue", OTHER_SPO)
    assert "Awaiting handover" not in south.text and "P00000" not in south.raw


# --- case -----------------------------------------------------------------------------------


async def _record_touchpoint(bot: BotUnderTest, case_id: int, notes: str, sensitive: str) -> None:
    async with bot.runtime.db.uow() as uow:
        tp = await uow.session.scalar(select(Touchpoint.id).where(Touchpoint.case_id == case_id))
    values = {
        TouchpointBlock.NOTES: {INPUT_ACTION: {"type": "plain_text_input", "value": notes}},
        TouchpointBlock.NOTES_SENSITIVE: {INPUT_ACTION: {"type": "radio_buttons", "selected_option": {"value": sensitive}}},
    }
    assert await bot.submit_view(view_submission(callback_id=Callback.TOUCHPOINT_RECORD, private_metadata=str(tp), values=values, user=SPO)) == (200, {})


async def test_sensitive_notes_reach_only_the_teams_spos_and_the_allocated_practitioner(captured_logs: io.StringIO, bot: BotUnderTest) -> None:
    case_id = await post(bot)
    await allocate(
        bot, case_id, evidence=f"Ada knows this area and the family well. {EVIDENCE_CANARY}", evidence_sensitive="yes",
        hate_crime="yes", hate_notes=f"Targeted for religion. {HATE_CANARY}", hate_notes_sensitive="yes",
    )  # fmt: skip
    await _record_touchpoint(bot, case_id, f"Discussed the risk plan. {NOTES_CANARY}", "yes")

    colleague = await casebot(bot, "case X123456", PP2)  # in the team, but not holding the case
    for canary in (EVIDENCE_CANARY, HATE_CANARY, NOTES_CANARY):
        assert canary not in colleague.raw, canary
    assert colleague.raw.count(WITHHELD) == 3
    assert "Current allocation: Ada Lovelace (PO, N07A001) @U0PP00001" in colleague.text
    assert "Touchpoint: recorded by @U0SPO0001" in colleague.text
    assert not colleague.buttons()

    for reader in (SPO, SPO2, PP):  # the team's SPOs and the practitioner who holds the case
        answer = await casebot(bot, "case X123456", reader)
        for canary in (EVIDENCE_CANARY, HATE_CANARY, NOTES_CANARY):
            assert canary in answer.raw, (reader, canary)
        assert WITHHELD not in answer.raw and "sensitive, for the SPOs and the allocated practitioner only" in answer.raw

    outsider = await casebot(bot, "case X123456", OTHER_SPO)  # an SPO, but of another team
    assert "I can't show you case X123456" in outsider.text
    for canary in (EVIDENCE_CANARY, HATE_CANARY, NOTES_CANARY):
        assert canary not in outsider.raw
    for call in bot.fake.calls:  # nothing anywhere else (the SPO's copy and the practitioner's private note hold it by design)
        if call.args.get("channel") in (SPO, PP) and call.method == "chat.postMessage" and call.args.get("channel") != CHANNEL:
            continue
        assert all(canary not in json.dumps(call.args) for canary in (EVIDENCE_CANARY, HATE_CANARY, NOTES_CANARY))
    logs = captured_logs.getvalue()
    assert logs, "the bot should have logged something at DEBUG"
    assert all(canary not in logs for canary in (EVIDENCE_CANARY, HATE_CANARY, NOTES_CANARY))  # answers are not logged, even at DEBUG


async def test_case_history_shows_each_allocation_the_policy_and_the_audit_trail(bot: BotUnderTest) -> None:
    case_id = await post(bot, tier="B2")
    first = "Grace has worked with this person before and knows the family; confirmed with the team."
    await allocate(bot, case_id, "N07A002", evidence=first, evidence_sensitive="no", confirm=True)  # PSO for tier B: outside policy
    ids = await bot.practitioner_ids()
    second = "Ada has the PO experience tier B needs and room in her caseload this month."
    values = answers(practitioner_id=ids["N07A001"], evidence=second, evidence_sensitive="no")
    values[AllocateBlock.REASON] = {INPUT_ACTION: {"selected_option": {"value": "workload"}}}
    values[AllocateBlock.KEEP_TOUCHPOINT] = {INPUT_ACTION: {"selected_option": {"value": "yes"}}}
    payload = view_submission(callback_id=Callback.REALLOCATE, private_metadata=AllocateMetadata(case_id).dumps(), values=values, user=SPO)
    assert await bot.submit_view(payload) == (200, {})  # a slow commit's late outcome settled

    answer = await casebot(bot, "case x123456", PP2)  # a CRN is read in either case
    assert "Sam Smith (X123456)" in answer.text and "Sheffield North" in answer.text and "Status: Allocated" in answer.text
    assert first in answer.raw and second in answer.raw  # non-sensitive evidence: the team may read it
    current, earlier = answer.text.index("Current allocation: Ada Lovelace"), answer.text.index("Earlier allocation: Grace Hopper")
    assert current < earlier
    assert "reallocation: Workload balancing" in answer.text and "ended" in answer.text[earlier:]
    assert "Outside policy:" in answer.text[earlier:] and "Tier B needs PO grade" in answer.text[earlier:]
    assert "Within policy" in answer.text[current:earlier]
    assert "Hate crime: No" in answer.text
    trail = answer.text[answer.text.index("Audit trail") :]
    for label in (
        "Case received · by intake",
        "Allocated · by @U0SPO0001 · to N07A002",
        "outside policy",
        "Reallocated · by @U0SPO0001 · reason Workload balancing",
    ):
        assert label in trail, label
    assert "touchpoint kept" in trail

    spo = await casebot(bot, "case X123456", SPO)
    assert [(b["action_id"], b["value"]) for b in spo.buttons()] == [(Action.REALLOCATE, str(case_id))]


async def test_a_restricted_case_is_shown_only_to_its_teams_spos(bot: BotUnderTest) -> None:
    case_id = await post(bot, crn="R123456", name="Rhea Restricted", restricted=True)

    spo = await casebot(bot, "case R123456", SPO)
    assert "Rhea Restricted (R123456)" in spo.text and "Limited-access case" in spo.text
    assert "Allocations: none yet" in spo.text
    assert [(b["action_id"], b["value"]) for b in spo.buttons()] == [(Action.ALLOCATE, str(case_id))]

    unknown = await casebot(bot, "case Z999999", PP2)
    for reader in (PP, PP2, OTHER_SPO):
        answer = await casebot(bot, "case R123456", reader)
        assert "Rhea" not in answer.raw
        assert answer.text == unknown.text.replace("Z999999", "R123456")  # the same words as for no case at all


# --- caseload -------------------------------------------------------------------------------


async def test_caseload_shows_open_cases_workload_and_tier_mix_to_spos_and_the_practitioner(bot: BotUnderTest) -> None:
    b2 = await post(bot, event_id="e-1", crn="C000001", name="Bea Bee", tier="B2")
    c1 = await post(bot, event_id="e-2", crn="C000002", name="Cal Sea", tier="C1", mappa_category=None, mappa_level=None)
    secret = await post(bot, event_id="e-3", crn="C000003", name="Hidden Person", tier="B1", restricted=True)
    waiting = await post(bot, event_id="e-4", crn="C000004", name="Wes Waiting", tier="D0", mappa_category=None, mappa_level=None)
    for case_id in (b2, c1, secret):
        await allocate(bot, case_id)
    offers = await bot.runtime.services.offers(waiting, SPO)  # what the Allocate modal shows for Ada now
    ada = next(o for o in offers if o.staff_code == "N07A001")
    expected = ada.workload_now
    assert expected > 0 and percent_text(expected).endswith("%") and "." not in percent_text(expected)
    assert f"{percent_text(expected)} →" in candidate_line(ada)  # the modal's figure, the same as /casebot's

    spo = await casebot(bot, "caseload <@U0PP00001|Ada Lovelace>", SPO)  # a display name may hold spaces
    assert f"Workload now: {percent_text(expected)} · teams file figures\n" in spo.text
    assert f"Tier mix: {tier_mix_bars({'B': 2, 'C': 1})}" in spo.text and "B ▇▇ 2 · C ▇ 1" in spo.text and "Open cases allocated through casebot: 3" in spo.text
    assert "Ada Lovelace (PO, N07A001) @U0PP00001 · Sheffield North" in spo.text
    for crn in ("C000001", "C000002", "C000003"):
        assert crn in spo.raw
    assert "restricted" in spo.text and "C000004" not in spo.raw

    own = await casebot(bot, "caseload <@U0PP00001>", PP)
    assert f"Workload now: {percent_text(expected)} · teams file figures\n" in own.text and "C000001" in own.raw and "C000002" in own.raw
    assert "C000003" not in own.raw and "Hidden Person" not in own.raw
    assert "1 limited-access case not listed" in own.text

    for reader in (PP2, OTHER_SPO):
        refused = await casebot(bot, "caseload <@U0PP00001|ada>", reader)
        assert "Only the SPOs of Sheffield North and <@U0PP00001> themselves can see <@U0PP00001>'s caseload." in refused.raw
        assert "C000001" not in refused.raw and "%" not in refused.text

    empty = await casebot(bot, "caseload <@U0PP00002>", SPO)
    assert "Workload now: 0% · teams file figures\n" in empty.text and "Open cases allocated through casebot: 0" in empty.text


# --- escaping -------------------------------------------------------------------------------


ESCAPE_TEAMS = TEAMS_YAML.replace("name: Sheffield South", 'name: "South <!channel> & co"').replace(
    "    spos: [U0SPO0009]\n    practitioners: []\n",
    '    spos: [U0SPO0009]\n    practitioners:\n      - staff_code: N07B001\n        name: "<!here> Pat"\n        grade: PO\n        slack_user: U0PP00009\n',
)


async def test_outside_names_are_escaped_in_every_answer(bot: BotUnderTest) -> None:
    await bot.load_teams(ESCAPE_TEAMS)
    hostile = "<!channel> & <@U0SPO0002> Smith"
    case_id = await post(bot, name=hostile, offence="Fraud <https://evil.example|click> & more")
    await allocate(bot, case_id, evidence="<!here> Ada has the experience & the capacity this case needs right now.", evidence_sensitive="no")
    south = await post(bot, event_id="e-south", crn="S123456", name="<!everyone> South", team="N07T2")
    ids = {code: pid for code, pid in (await _staff_ids(bot)).items()}
    status, body = await bot.submit(case_id=south, user=OTHER_SPO, values=answers(practitioner_id=ids["N07B001"], confirm=True))
    assert (status, body) == (200, {}), body
    await post(bot, event_id="e-2", crn="X654321", name=hostile)

    answers_ = [
        await casebot(bot, "queue", SPO),
        await casebot(bot, "case X123456", SPO),
        await casebot(bot, "case X123456", PP2),
        await casebot(bot, "caseload <@U0PP00001>", SPO),
        await casebot(bot, "queue", OTHER_SPO),
        await casebot(bot, "caseload <@U0PP00009|pat>", OTHER_SPO),
        await casebot(bot, "case S123456", OTHER_SPO),
    ]
    for answer in answers_:
        for mrkdwn in answer.mrkdwn():
            for raw in ("<!channel>", "<!here>", "<!everyone>", "<@U0SPO0002>", "<https://evil"):
                assert raw not in mrkdwn, (raw, mrkdwn)
    assert "&lt;!channel&gt; &amp; &lt;@U0SPO0002&gt; Smith" in answers_[0].raw
    assert "Fraud &lt;https://evil.example|click&gt; &amp; more" in answers_[1].raw
    assert "&lt;!here&gt; Ada has the experience &amp; the capacity" in answers_[2].raw
    assert "South &lt;!channel&gt; &amp; co" in answers_[4].raw
    assert "*&lt;!here&gt; Pat*" in answers_[5].raw and "&lt;!everyone&gt; South" in answers_[5].raw


async def _staff_ids(bot: BotUnderTest) -> dict[str, int]:
    async with bot.runtime.db.uow() as uow:
        staff = await uow.teams.practitioners_by_code(["N07A001", "N07A002", "N07B001"])
    return {code: p.id for code, p in staff.items()}


# --- the builders at Slack's limits (pure, no database) -----------------------------------------


def _case(**overrides: Any) -> Case:
    fields: dict[str, Any] = dict(
        id=7, crn="X123456", name="&" * 200, tier="B2", sentence_type="<" * 100, sentence_date=date(2026, 11, 2), due_by=date(2026, 11, 4),
        custodial=True, prison=">" * 200, rosh="High", rsr=4.2, mappa_category=2, mappa_level=1, offence="&<>" * 1000,
        previous_practitioner="N07A009", restricted=True, state="allocated", release_date=None, team_id=1,
    )  # fmt: skip
    fields.update(overrides)
    return Case(**fields)


def test_the_longest_history_and_the_longest_queue_fit_in_one_slack_message() -> None:
    at = datetime(2026, 11, 3, 10, tzinfo=UTC)
    long = "&<>" * 1000  # 3,000 characters that escape to 12,000
    note = Note(text=long, withheld=False, sensitive=True)
    touchpoint = TouchpointRecord(
        state="recorded", priority="high", due_on=date(2026, 11, 18), not_required_reason=long, notes=note, outcome_by="U0SPO0001", outcome_at=at
    )
    allocation = AllocationRecord(
        practitioner_name=long, practitioner_user_id="U0PP00001", staff_code=long, grade=long, allocated_by="<!channel>", allocated_at=at,
        current=False, ended_at=at, reason=long, outside_policy=True, policy_exceptions=[long] * 5, evidence=note, hate_crime=True,
        hate_crime_notes=note, discrimination=False, discrimination_notes=None, touchpoint=touchpoint,
    )  # fmt: skip
    audit = [AuditLine(at=at, actor=long, action=long, detail={"what": long, "reason": long, "due_on": "not a date"}) for _ in range(25)]
    history = CaseHistory(
        case=_case().summary(), team_name=long, service="probation", viewer_is_spo=True, today=date(2026, 11, 23), allocations=[allocation] * 10,
        allocations_total=40, audit=audit, audit_total=400, other_events=3,
    )  # fmt: skip
    message = case_message(history, record_url="https://record.example/case/X123456")
    assert_fits_slack(message)
    assert all("<!channel>" not in json.dumps(b) for b in message["blocks"])

    cases = [queue_case(_case(id=n, name=long, crn=f"Q{n:06d}")) for n in range(30)]
    awaiting = [AwaitingCase(case, date(2027, 6, 22), date(2027, 6, 8)) for case in cases]
    teams = [
        TeamQueue(team_name=long, service="prison", viewer_is_spo=False, cases=cases, total=1000, overdue=999, awaiting=awaiting, awaiting_total=500)
        for _ in range(20)
    ]
    queued = queue_message(QueueAnswer(today=date(2026, 11, 23), teams=teams))
    assert_fits_slack(queued)
    assert "left out to fit" in json.dumps(queued["blocks"][-1])
    assert "listed only for the team's HOMDs" in json.dumps(queued)  # a prison team's own words (bot/domain/vocabulary.py)
