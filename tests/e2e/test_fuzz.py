"""Property-based fuzzing of every door input comes through.

Hypothesis drives the REAL app on each backend (the `bot` fixture: aiohttp server on a real
port, fake Slack, SQLite and PostgreSQL) with arbitrary input:

- the intake API with arbitrary JSON bodies and arbitrary bytes,
- `casebot import` (bot.services.importer.import_file) with arbitrary CSV files,
- the Allocate modal's submission with arbitrary `view.state.values`,
- the touchpoint modals' submissions with arbitrary answers against a really allocated case,
- the Reallocate modal's submission against a really allocated case.

Properties: never a 5xx or an unhandled exception; every rejection names the field (or block);
nothing is stored on rejection; a rejection never reflects what was sent.

The app and its database live for the whole test function, so examples share one database:
each check counts rows before and after its own request instead of expecting an empty store.
`database=None` keeps Hypothesis from saving examples under `.hypothesis/`; CASEBOT_FUZZ_SCALE
multiplies the number of examples for a longer hunt.
Bugs the properties found are kept as regression tests at the end, with their minimal examples.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from sqlalchemy import func, select

from blocks.allocate_modal import AllocateMetadata
from blocks.ids import INPUT_ACTION, AllocateBlock, Callback, TouchpointBlock
from bot.demo.slack_requests import view_submission
from bot.domain.calendar import working_day_on_or_after
from bot.domain.case_input import FIELDS
from bot.domain.policy_file import default_policy
from bot.services.importer import ImportFileError, import_file, read_rows
from storage.models import Allocation, AuditEvent, Case, CaseEvent, OutboxMessage, Touchpoint
from tests.support.allocation import GOOD_EVIDENCE, answers
from tests.support.bot import INTAKE_TOKEN, BotUnderTest
from tests.support.factories import case_fields

FUZZ = settings(
    deadline=None,
    database=None,  # no .hypothesis/ directory in the repository
    # CI (CI=true) runs the same examples every time, so a landing never hangs on what a random
    # draw happened to find; everywhere else each run hunts afresh (a CI run once drew a NUL
    # team code and found a real bug: test_a_nul_in_the_team_code_is_refused_by_field).
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# CASEBOT_FUZZ_SCALE=10 runs ten times the examples (a longer hunt than CI's ~40 s for the file).
FUZZ_SCALE = float(os.environ.get("CASEBOT_FUZZ_SCALE", "1"))


def examples(n: int) -> int:
    return max(1, round(n * FUZZ_SCALE))


SPO, OTHER_SPO, PP, ADMIN = "U0SPO0001", "U0SPO0009", "U0PP00001", "U0ADMIN01"
REFLECTION_MIN = 40  # a sent string longer than this must never come back in a rejection
TODAY = date.today()


def event(label: str) -> None:
    """Count what the examples reached (`--hypothesis-show-statistics`); the helpers below are
    shared with the plain tests at the end, where there are no examples to count."""
    if currently_in_test_context():
        hypothesis_event(label)


# ---------------------------------------------------------------------------------------------
# Strategies: nasty text and JSON values
# ---------------------------------------------------------------------------------------------

MRKDWN = [
    "<!channel>", "<!here>", "<!everyone>", "<!subteam^S1>", "<@U1>", "<@U0SPO0001>", "<#C0123456789>",
    "&amp;", "&lt;", "&gt;", "&", "<", ">", "<https://evil.example|click here>", "*bold*", "_it_", "~s~",
    "`c`", "```", ">quote", "\u202e", "\u200b", "\ufeff", "\x1b[31m", "\r\n", "\r", "\n", "\t", "🙂", "Ω", "é",
    '"', "'", ",", ";", "\\",
]  # fmt: skip


def text_strategy(*, max_size: int = 60, huge: int = 70_000) -> st.SearchStrategy[str]:
    """Unicode, control characters, mrkdwn control sequences, and now and then a string of up to
    `huge` characters."""
    pieces = st.one_of(st.sampled_from(MRKDWN), st.text(max_size=6))
    strategy = st.one_of(
        st.text(max_size=max_size),
        st.lists(pieces, max_size=10).map("".join),
        st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=12),
        st.builds(lambda ch, n: (ch * n)[:n], st.sampled_from(["x", "é", "🙂", "<!channel>", " "]), st.integers(41, huge)),
    )
    return strategy


TEXT = text_strategy()
# Slack caps a plain_text_input at 3,000 characters and a whole request far below aiohttp's 1 MiB
# (which answers 413 beyond it), so modal answers go a little past Slack's limit, not to 70 KB.
MODAL_TEXT = text_strategy(huge=3_500)
SMALL_TEXT = text_strategy(max_size=12, huge=120)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True), TEXT,
)  # fmt: skip
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(SMALL_TEXT, inner, max_size=4)), max_leaves=8)


def dates_strategy(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.dates().map(date.isoformat),
        st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-29", "2024-02-29", "2026-13-01", "26-01-01", "2026-1-1", "20260101"]),
        st.integers(-30, 400).map(lambda d: (TODAY + timedelta(days=d)).isoformat()),
        st.datetimes().map(lambda d: d.isoformat()),
        text,
    )


DATES = dates_strategy(TEXT)


def field_value(name: str) -> st.SearchStrategy[Any]:
    """For one case field: a plausible value, a near miss, or anything at all."""
    plausible: dict[str, st.SearchStrategy[Any]] = {
        "event_id": st.uuids().map(str),
        "crn": st.from_regex(r"[A-Za-z][0-9]{6}", fullmatch=True),
        "team": st.sampled_from(["N07T1", "N07T2", " n07t1 ", "NOPE"]),
        "tier": st.sampled_from(["A0", "d3", " B2 ", "E4", "B", "22"]),
        "sentence_date": DATES,
        "release_date": DATES,
        "custodial": st.one_of(st.booleans(), st.sampled_from(["true", "false", "yes", "1", "0", "maybe"])),
        "restricted": st.one_of(st.booleans(), st.sampled_from(["true", "false", "on", "2"])),
        "rosh": st.sampled_from(["Low", "Medium", "High", "Very High", "low", "Extreme"]),
        "rsr": st.one_of(st.floats(-1, 101), st.sampled_from(["4.2", "NaN", "inf", "1e999"])),
        "mappa_category": st.one_of(st.integers(-2, 6), st.sampled_from(["2", "2.0", "two", 2.5])),
        "mappa_level": st.one_of(st.integers(-2, 6), st.sampled_from(["1", "1.0", "x"])),
        "excluded_practitioners": st.one_of(st.lists(SMALL_TEXT, max_size=3), st.text(max_size=30)),
    }
    return st.one_of(plausible.get(name, TEXT), TEXT, JSON_VALUES)


@st.composite
def near_valid_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """A valid case with a few fields dropped or replaced: reaches storage, not just validation."""
    body = case_fields(event_id=str(draw(st.uuids())), sentence_date=(TODAY - timedelta(days=3)).isoformat())
    for name in draw(st.sets(st.sampled_from(FIELDS), max_size=4)):
        if draw(st.booleans()):
            body.pop(name, None)
        else:
            body[name] = draw(field_value(name))
    if body.get("custodial") is True and draw(st.booleans()):
        body["prison"] = draw(st.one_of(st.just("HMP Leeds"), TEXT))
    for key in draw(st.lists(SMALL_TEXT, max_size=2)):
        body.setdefault(key, draw(JSON_VALUES))
    return body


ARBITRARY_BODIES = st.dictionaries(st.one_of(st.sampled_from(FIELDS), SMALL_TEXT), JSON_VALUES, max_size=12)
ANY_JSON = st.one_of(near_valid_bodies(), near_valid_bodies(), ARBITRARY_BODIES, JSON_VALUES)


def _strings(value: Any) -> list[str]:
    """Every string inside a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def assert_not_reflected(sent: list[str], answer: str) -> None:
    """No run of more than REFLECTION_MIN characters from the start or end of any sent string
    (stripped or not) appears in the answer: catches whole and truncated echoes alike."""
    size = REFLECTION_MIN + 1
    for value in sent:
        for text in {value, value.strip()}:
            if len(text) >= size:
                for probe in {text[:size], text[-size:]}:
                    assert probe not in answer, f"rejection reflects input: {probe!r} (from {len(text)} characters sent)"


# Sequences that would ping or mislead if they reached Slack unescaped in mrkdwn; the bot itself
# never writes them (it does write <@U...> mentions, so those are not checked here).
BROADCASTS = ("<!channel>", "<!here>", "<!everyone>", "<!subteam^", "<https://evil.example")
SLACK_WRITES = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.update", "views.publish")


def _mrkdwn_texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["text"]] if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str) else []
        return own + [t for v in value.values() for t in _mrkdwn_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _mrkdwn_texts(v)]
    return []


async def assert_nothing_unescaped_reached_slack(bot: BotUnderTest) -> None:
    """Once the outbox has delivered: no mrkdwn (or top-level fallback text) carries a broadcast."""
    await bot.drained()
    for method in SLACK_WRITES:
        for call in bot.fake.calls_to(method):
            texts = _mrkdwn_texts(call.args) + ([call.args["text"]] if isinstance(call.args.get("text"), str) else [])
            for text in texts:
                for sequence in BROADCASTS:
                    assert sequence not in text, f"{method} carries an unescaped {sequence!r}: {text[:300]!r}"


# ---------------------------------------------------------------------------------------------
# Helpers over the real app and its database
# ---------------------------------------------------------------------------------------------


async def row_counts(bot: BotUnderTest) -> dict[str, int]:
    async with bot.runtime.db.uow() as uow:
        return {
            model.__name__: int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Case, CaseEvent, OutboxMessage, AuditEvent, Allocation, Touchpoint)
        }


def received(counts: dict[str, int]) -> int:
    """Events stored: a new case, or a later event of a person's open case (README)."""
    return counts["Case"] + counts["CaseEvent"]


async def post_intake(bot: BotUnderTest, data: bytes, token: str | None = INTAKE_TOKEN) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with bot.http.post(f"{bot.base_url}/api/v1/cases", data=data, headers=headers) as response:
        return response.status, await response.text()


async def check_intake(bot: BotUnderTest, data: bytes, sent: list[str], token: str | None = INTAKE_TOKEN) -> int:
    """Post one body; check the contract's answer and what was stored. Returns the status."""
    before = await row_counts(bot)
    status, text = await post_intake(bot, data, token)
    after = await row_counts(bot)

    assert status in (200, 201, 401, 413, 422), (status, text[:500])
    event(f"intake {status}")
    answer = json.loads(text)
    if status == 201:
        assert received(after) == received(before) + 1
        assert {"id", "state", "due_by", "received_at", "event_id", "crn", "team"} <= set(answer)
        assert answer["state"] in ("unallocated", "awaiting_handover", "currently_managed")
        await assert_nothing_unescaped_reached_slack(bot)
    elif status == 200:
        assert after == before, "a repeated event stored something"
        assert {"id", "state", "event_id"} <= set(answer)
    else:
        assert after == before, f"a {status} stored something"
        assert isinstance(answer, dict) and list(answer) == ["errors"], answer
        assert answer["errors"], "a rejection must name at least one field"
        for error in answer["errors"]:
            assert set(error) == {"field", "message"}, error
            assert isinstance(error["field"], str) and error["field"], error
            assert isinstance(error["message"], str) and error["message"].strip(), error
            if status == 422:
                assert error["field"] in {*FIELDS, "body"}, error
        assert_not_reflected(sent, text)
    return status


def encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------------------------------------
# 1. Intake API
# ---------------------------------------------------------------------------------------------


@settings(FUZZ, max_examples=examples(60))
@given(body=ANY_JSON, ascii_only=st.booleans())
@example(body={"event_id": "e", "team": "<!channel>" * 10, "name": "x" * 70_000}, ascii_only=False)
@example(body=case_fields(event_id="fuzz-ok", sentence_date=(TODAY - timedelta(days=3)).isoformat(), name="<!channel> &amp; <@U1>"), ascii_only=True)
async def test_intake_answers_any_json_body_by_the_contract(bot: BotUnderTest, body: Any, ascii_only: bool) -> None:
    data = json.dumps(body, ensure_ascii=ascii_only, allow_nan=True).encode()
    if await check_intake(bot, data, _strings(body)) == 201:  # what was stored is what was sent
        _, text = await post_intake(bot, data)  # the same event again: 200 with the stored case
        stored = json.loads(text)
        assert stored["event_id"] == body["event_id"].strip() and stored["name"] == body["name"].strip()
        assert stored["crn"] == body["crn"].strip().upper() and stored["team"] == body["team"].strip()


RAW_BODIES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda s: s.encode("utf-8")),
    ANY_JSON.map(encode).flatmap(lambda data: st.integers(0, len(data)).map(lambda cut: data[:cut])),  # truncated JSON
    st.builds(lambda n: b'{"event_id": "' + b"a" * n + b'"}', st.integers(65_000, 70_000)),  # around the 64 KiB limit
    st.builds(lambda body, junk: encode(body) + junk, near_valid_bodies(), st.binary(min_size=1, max_size=20)),
)


@settings(FUZZ, max_examples=examples(40))
@given(data=RAW_BODIES)
@example(data=b"")
@example(data=b"\xff\xfe{")
@example(data=b'{"event_id": "\xc3\x28"}')
@example(data=b"1e999999")
async def test_intake_answers_any_bytes_by_the_contract(bot: BotUnderTest, data: bytes) -> None:
    await check_intake(bot, data, [data.decode("utf-8", "replace")])


@settings(FUZZ, max_examples=examples(15))
@given(token=st.one_of(st.none(), st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=60)), body=ANY_JSON)
async def test_intake_without_the_token_is_401_whatever_the_body(bot: BotUnderTest, token: str | None, body: Any) -> None:
    if token == INTAKE_TOKEN:
        token = INTAKE_TOKEN + "x"
    assert await check_intake(bot, encode(body), _strings(body), token=token) == 401


# ---------------------------------------------------------------------------------------------
# 2. CSV import
# ---------------------------------------------------------------------------------------------

CELLS = st.one_of(st.text(max_size=20), st.sampled_from(MRKDWN), st.sampled_from(["", " ", '"', '""', "a,b", "a\nb", "a\r\nb", "N07T1", "B2"]), TEXT)


RARELY = st.sampled_from([False] * 5 + [True])  # st.integers(0, 5) == 0 would favour 0 heavily
NAME_CELLS = st.one_of(st.lists(st.sampled_from(MRKDWN), min_size=1, max_size=4).map("".join), st.text(min_size=1, max_size=40)).filter(
    lambda s: bool(s.strip())
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """Headers mixing the real field names with junk, rows valid-ish or junk, quoted or not,
    with a BOM, CRLF, ragged rows and non-UTF-8 bytes now and then."""
    if draw(st.booleans()):  # the contract's header, in any order, maybe with extra columns
        header = draw(st.permutations(list(FIELDS))) + draw(st.lists(CELLS, max_size=2))
    else:  # some of the real names (event_id mostly among them) and junk
        real = draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=len(FIELDS)))
        if not draw(RARELY):
            real = ["event_id", *(f for f in real if f != "event_id")]
        header = draw(st.permutations(real + draw(st.lists(CELLS, max_size=3))))
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):  # a valid-ish line, some cells replaced
            good = case_fields(event_id=str(draw(st.uuids())), sentence_date=(TODAY - timedelta(days=5)).isoformat())
            for name in ("name", "offence", "sentence_type", "prison"):  # free text: arbitrary but within limits
                if draw(st.booleans()):
                    good[name] = draw(NAME_CELLS)
            row = [str(good.get(h, "")) for h in header]
            for i in draw(st.sets(st.integers(0, max(len(header) - 1, 0)), max_size=2)) if header else ():
                row[i] = draw(CELLS)
        else:
            row = draw(st.lists(CELLS, max_size=len(header) + 2))
        if row and draw(RARELY):
            row = row[: draw(st.integers(0, len(row)))]  # ragged
        rows.append(row)
    out = io.StringIO()
    if draw(st.booleans()):
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
        writer = csv.writer(out, quoting=quoting, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
        writer.writerow(header)
        writer.writerows(rows)
    else:  # naive joining: unbalanced quotes, commas and newlines inside cells
        out.write("\n".join(",".join(line) for line in [header, *rows]))
    data = out.getvalue().encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(RARELY):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\x80abc", b"\xe9"])) + data[at:]
    return data


PROBLEM = re.compile(r"^(?P<path>.+): line (?P<line>[0-9]+): (?P<field>[a-z_]+(\.[0-9]+)?): (?P<message>\S.*)$", re.S)


async def check_import(bot: BotUnderTest, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    before = await row_counts(bot)
    try:
        rows = read_rows(path)
    except ImportFileError as exc:
        event("import: file refused")
        assert str(exc).startswith(f"{path}: ")
        with pytest.raises(ImportFileError):
            await import_file(bot.runtime.services, path)
        assert await row_counts(bot) == before, "a file refused as a whole stored something"
        return
    report = await import_file(bot.runtime.services, path)
    after = await row_counts(bot)
    stored = report.created + report.joined + report.currently_managed  # new cases and later events of open ones
    event(f"import: {'some' if stored else 'no'} lines stored, {'some' if report.rejected else 'no'} rejected")

    assert received(after) - received(before) == stored, (report, before, after)
    if stored:
        await assert_nothing_unescaped_reached_slack(bot)
    assert stored + report.repeated + report.rejected == len(rows), report
    physical_lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 2  # read as universal newlines
    problem_lines = set()
    for problem in report.problems:
        match = PROBLEM.match(problem)
        assert match, f"problem does not name line and field: {problem!r}"
        assert match["path"] == str(path)
        assert 2 <= int(match["line"]) <= physical_lines, problem
        assert match["field"].split(".")[0] in FIELDS, problem
        problem_lines.add(int(match["line"]))
    assert len(problem_lines) == report.rejected, report
    assert_not_reflected([cell for _, row in rows for cell in row.values() if isinstance(cell, str)], "\n".join(report.problems))


@settings(FUZZ, max_examples=examples(25))
@given(data=csv_files())
@example(data=b"")
@example(data=b'\xef\xbb\xbfevent_id,crn\n"unclosed,X123456\nnext,line\n')
@example(data=("event_id,crn,name,team,tier,sentence_type,sentence_date\n"
               f'"a\nb",X123456,"<!channel> &amp;",N07T1,B2,Community Order,{TODAY - timedelta(days=4)}\n'
               f"c,x123456,Sam,N07T1,b2,Licence,{TODAY - timedelta(days=4)}\nc,X1,,,,\n").encode())  # fmt: skip
async def test_csv_import_reports_or_stores_every_line(bot: BotUnderTest, tmp_path: Path, data: bytes) -> None:
    await check_import(bot, tmp_path / f"fuzz-{uuid.uuid4().hex[:8]}.csv", data)


# ---------------------------------------------------------------------------------------------
# 3. Allocate modal submissions
# ---------------------------------------------------------------------------------------------

TEXT_BLOCKS = {AllocateBlock.EVIDENCE, AllocateBlock.HATE_NOTES, AllocateBlock.TOUCHPOINT_REASON}
CHOICE_VALUES = ["yes", "no", "high", "normal", "not_required", "confirmed", "other", "absence", ""]


def option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value[:75] or "-"}, "value": value}


def practitioner_values(real_ids: list[int]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from([str(i) for i in real_ids]),
        st.integers(-5, 10**6).map(str),
        st.sampled_from(["0", "-1", "1.0", " 1", "0x1", "١", "2147483647"]),
        MODAL_TEXT,
        st.sampled_from(["²", "9" * 20, "2147483648"]),
    )


def element_state(block: str, real_ids: list[int]) -> st.SearchStrategy[dict[str, Any]]:
    """One input element's state as Slack sends it, with arbitrary contents."""
    if block in TEXT_BLOCKS:
        text = st.one_of(st.none(), MODAL_TEXT, st.builds(lambda t: GOOD_EVIDENCE + t, MODAL_TEXT), st.integers(2990, 3010).map(lambda n: "e" * n))
        return st.builds(lambda v: {"type": "plain_text_input", "value": v}, text)
    if block == AllocateBlock.TOUCHPOINT_DATE:
        return st.builds(lambda v: {"type": "datepicker", "selected_date": v}, st.one_of(st.none(), dates_strategy(MODAL_TEXT)))
    if block == AllocateBlock.NOTIFY:
        users = st.lists(st.one_of(st.sampled_from([ADMIN, PP, SPO, "U0OTHER01"]), st.from_regex(r"[UW][0-9A-Z]{8,10}", fullmatch=True)), max_size=4)
        return st.builds(lambda v: {"type": "multi_users_select", "selected_users": v}, users)
    if block == AllocateBlock.CONFIRM_EXCEPTION:
        picked = st.lists(st.builds(option, st.one_of(st.just("confirmed"), MODAL_TEXT)), max_size=2)
        return st.builds(lambda v: {"type": "checkboxes", "selected_options": v}, picked)
    values = practitioner_values(real_ids) if block == AllocateBlock.PRACTITIONER else st.one_of(st.sampled_from(CHOICE_VALUES), MODAL_TEXT)
    kind = st.sampled_from(["static_select", "radio_buttons", "external_select"])
    return st.builds(lambda k, v: {"type": k, "selected_option": None if v is None else option(v)}, kind, st.one_of(st.none(), values))


@st.composite
def allocate_values(draw: st.DrawFn, real_ids: list[int]) -> dict[str, Any]:
    """Slack-shaped `view.state.values`: a good answer with some blocks replaced or missing, or
    every block arbitrary; action ids mostly `value`, now and then another (the external select)."""
    if draw(st.booleans()):
        values = answers(
            practitioner_id=draw(st.sampled_from(real_ids)),
            priority=draw(st.sampled_from(["high", "normal", "not_required"])),
            reason=draw(st.sampled_from(["", "Already seen weekly by the PP."])),
            confirm=draw(st.booleans()),
        )
        changed = draw(st.sets(st.sampled_from(list(AllocateBlock)), max_size=3))
    else:
        values = {}
        changed = set(AllocateBlock)
    for block in changed:
        if draw(st.integers(0, 3)) == 0:
            values.pop(block, None)
        else:
            action = draw(st.one_of(st.just(INPUT_ACTION), st.sampled_from(["alloc_practitioner_search", "x"])))
            values[str(block)] = {action: draw(element_state(block, real_ids))}
    return values


@pytest.fixture
def pool() -> dict[str, int]:
    """A case or touchpoint the examples of one test reuse until a submission uses it up (they
    share one app and database anyway): fewer setup requests, more examples in the time."""
    return {}


async def real_practitioner_ids(bot: BotUnderTest) -> list[int]:
    return sorted((await bot.practitioner_ids()).values())


async def new_case(bot: BotUnderTest, **fields: Any) -> int:
    status, text = await post_intake(bot, encode(case_fields(event_id=f"fuzz-{uuid.uuid4()}", sentence_date=(TODAY - timedelta(days=2)).isoformat(), **fields)))
    assert status == 201, text
    return int(json.loads(text)["id"])


async def case_state(bot: BotUnderTest, case_id: int) -> tuple[str, int, int]:
    async with bot.runtime.db.uow() as uow:
        state = await uow.session.scalar(select(Case.state).where(Case.id == case_id))
        allocations = await uow.session.scalar(select(func.count()).select_from(Allocation).where(Allocation.case_id == case_id))
        touchpoints = await uow.session.scalar(select(func.count()).select_from(Touchpoint).where(Touchpoint.case_id == case_id))
    return str(state), int(allocations or 0), int(touchpoints or 0)


def all_strings_of(values: Any) -> list[str]:
    return [s for s in _strings(values) if s not in {str(b) for b in AllocateBlock}]


async def submit(bot: BotUnderTest, callback: str, metadata: str, values: dict[str, Any], user: str) -> tuple[int, dict[str, Any]]:
    """Bolt's status and answer; a slow commit's late outcome settled ({} when it was saved)."""
    return await bot.submit_view(view_submission(callback_id=callback, private_metadata=metadata, values=values, user=user))


def inline_errors(status: int, answer: dict[str, Any], blocks: set[str], sent: list[str]) -> dict[str, str] | None:
    """None when the modal closed; the errors when it answered inline (or, for a commit slower
    than the submission budget, in the late outcome that replaced the working view). Fails on
    anything else."""
    assert status == 200, (status, str(answer)[:500])
    if not answer:
        return None
    if "late_outcome" in answer:
        assert json.loads(answer["late_outcome"])["title"]["text"].startswith("Not "), answer
        assert_not_reflected(sent, answer["late_outcome"])
        return {"late outcome": answer["late_outcome"]}
    assert set(answer) == {"response_action", "errors"} and answer["response_action"] == "errors", answer
    errors = answer["errors"]
    assert isinstance(errors, dict) and errors, answer
    assert set(errors) <= blocks, f"errors keyed by unknown blocks: {set(errors) - blocks}"
    assert all(isinstance(m, str) and m.strip() for m in errors.values()), errors
    assert_not_reflected(sent, "\n".join(errors.values()))
    return errors


@settings(FUZZ, max_examples=examples(40))
@given(data=st.data(), user=st.sampled_from([SPO, SPO, SPO, "U0SPO0002", OTHER_SPO, PP, "UFUZZ0001"]))
async def test_allocate_submission_closes_with_one_allocation_or_answers_inline(
    bot: BotUnderTest, pool: dict[str, int], data: st.DataObject, user: str
) -> None:
    real_ids = await real_practitioner_ids(bot)
    values = data.draw(allocate_values(real_ids), label="values")
    tier = data.draw(st.sampled_from(["B2", "C1", "D0"]), label="tier")
    case_id = pool.get(tier) or await new_case(bot, tier=tier)
    pool[tier] = case_id
    before = await row_counts(bot)

    status, answer = await submit(bot, Callback.ALLOCATE, AllocateMetadata(case_id).dumps(), values, user)
    errors = inline_errors(status, answer, {str(b) for b in AllocateBlock}, all_strings_of(values))
    state, allocations, touchpoints = await case_state(bot, case_id)
    event("allocate: closed" if errors is None else f"allocate: errors on {'+'.join(sorted(errors))}")
    if errors is None:
        del pool[tier]
        assert (state, allocations) == ("allocated", 1), "closed without exactly one allocation"
        [chosen] = values[AllocateBlock.PRACTITIONER].values()
        async with bot.runtime.db.uow() as uow:
            stored = await uow.session.scalar(select(Allocation.practitioner_id).where(Allocation.case_id == case_id))
        assert stored == int(chosen["selected_option"]["value"]), "allocated to someone other than the practitioner chosen"
        assert user in {SPO, "U0SPO0002"}, "someone other than the team's SPO allocated"
        await assert_nothing_unescaped_reached_slack(bot)
    else:
        assert (state, allocations, touchpoints) == ("unallocated", 0, 0), errors
        after = await row_counts(bot)
        assert after == before, f"an inline error stored something: {before} -> {after}"


@settings(FUZZ, max_examples=examples(6))
@given(data=st.data())
async def test_allocate_submission_for_an_allocated_case_stores_nothing(bot: BotUnderTest, data: st.DataObject) -> None:
    """A second submission (double click, a second SPO) never makes a second allocation."""
    real_ids = await real_practitioner_ids(bot)
    case_id = await new_case(bot, tier="C1")
    assert await bot.submit(case_id=case_id, user=SPO, values=answers(practitioner_id=real_ids[0])) == (200, {})
    values = data.draw(allocate_values(real_ids), label="values")
    before = await row_counts(bot)

    status, answer = await submit(bot, Callback.ALLOCATE, AllocateMetadata(case_id).dumps(), values, SPO)
    assert inline_errors(status, answer, {str(b) for b in AllocateBlock}, all_strings_of(values)) is not None
    assert await case_state(bot, case_id) == ("allocated", 1, 1)
    assert await row_counts(bot) == before


# ---------------------------------------------------------------------------------------------
# 4. Touchpoint modal submissions
# ---------------------------------------------------------------------------------------------

TOUCHPOINT_CALLBACKS = [Callback.TOUCHPOINT_RECORD, Callback.TOUCHPOINT_RESCHEDULE, Callback.TOUCHPOINT_NOT_REQUIRED]


@st.composite
def touchpoint_values(draw: st.DrawFn) -> dict[str, Any]:
    """Slack-shaped answers to any of the three modals: each block present or not, arbitrary contents.
    The date is what a datepicker sends (YYYY-MM-DD) or nothing; other text is pinned by
    test_known_malformed_submission_is_a_500."""
    working_days = st.integers(0, 60).map(lambda d: working_day_on_or_after(TODAY + timedelta(days=d)).isoformat())
    states = {
        TouchpointBlock.NOTES: st.builds(lambda v: {"type": "plain_text_input", "value": v}, st.one_of(st.none(), MODAL_TEXT)),
        TouchpointBlock.NOTES_SENSITIVE: st.builds(
            lambda v: {"type": "radio_buttons", "selected_option": None if v is None else option(v)},
            st.one_of(st.none(), st.sampled_from(["yes", "no"]), MODAL_TEXT),
        ),
        TouchpointBlock.DATE: st.builds(
            lambda v: {"type": "datepicker", "selected_date": v},
            st.one_of(st.none(), st.dates().map(date.isoformat), working_days, st.integers(-5, 60).map(lambda d: (TODAY + timedelta(days=d)).isoformat())),
        ),  # fmt: skip
        TouchpointBlock.REASON: st.builds(lambda v: {"type": "plain_text_input", "value": v}, st.one_of(st.none(), MODAL_TEXT)),
    }
    values: dict[str, Any] = {}
    if draw(st.booleans()):  # a good answer to every modal, then some blocks changed or dropped
        values = {
            str(TouchpointBlock.NOTES): {INPUT_ACTION: {"type": "plain_text_input", "value": "Discussed the risk plan" + draw(MODAL_TEXT)}},
            str(TouchpointBlock.NOTES_SENSITIVE): {INPUT_ACTION: {"type": "radio_buttons", "selected_option": option(draw(st.sampled_from(["yes", "no"])))}},
            str(TouchpointBlock.DATE): {INPUT_ACTION: {"type": "datepicker", "selected_date": draw(working_days)}},
            str(TouchpointBlock.REASON): {INPUT_ACTION: {"type": "plain_text_input", "value": "Seen weekly already" + draw(MODAL_TEXT)}},
        }
        changed = draw(st.sets(st.sampled_from(list(TouchpointBlock)), max_size=2))
    else:
        changed = set(TouchpointBlock)
    for block in changed:
        if draw(st.integers(0, 3)):
            values[str(block)] = {INPUT_ACTION: draw(states[block])}
        else:
            values.pop(str(block), None)
    return values


async def allocated_case(bot: BotUnderTest) -> int:
    """A tier C1 case without MAPPA (so Ada and Grace are both within policy), allocated to Ada
    (U0PP00001) by U0SPO0001."""
    case_id = await new_case(bot, tier="C1", mappa_category=None, mappa_level=None)
    ada = (await bot.practitioner_ids())["N07A001"]
    assert await bot.submit(case_id=case_id, user=SPO, values=answers(practitioner_id=ada)) == (200, {})  # a slow commit's late outcome settled
    return case_id


async def allocated_touchpoint(bot: BotUnderTest) -> int:
    """The planned touchpoint of a case allocated to Ada by U0SPO0001."""
    case_id = await allocated_case(bot)
    async with bot.runtime.db.uow() as uow:
        return int(await uow.session.scalar(select(Touchpoint.id).where(Touchpoint.case_id == case_id)))


async def touchpoint_row(bot: BotUnderTest, touchpoint_id: int) -> tuple[Any, ...]:
    async with bot.runtime.db.uow() as uow:
        tp = await uow.session.get(Touchpoint, touchpoint_id)
        assert tp is not None
        return (tp.state, tp.due_on, tp.notes, tp.notes_sensitive, tp.not_required_reason, tp.outcome_by)


@settings(FUZZ, max_examples=examples(30))
@given(
    callback=st.sampled_from(TOUCHPOINT_CALLBACKS),
    values=touchpoint_values(),
    user=st.sampled_from([SPO, SPO, PP, "U0SPO0002", OTHER_SPO, "U0PP00002", "UFUZZ0001"]),
)
async def test_touchpoint_submissions_settle_or_answer_inline(
    bot: BotUnderTest, pool: dict[str, int], callback: str, values: dict[str, Any], user: str
) -> None:
    tp = pool.get("touchpoint") or await allocated_touchpoint(bot)
    pool["touchpoint"] = tp
    before_row, before = await touchpoint_row(bot, tp), await row_counts(bot)

    status, answer = await submit(bot, callback, str(tp), values, user)
    errors = inline_errors(status, answer, {str(b) for b in TouchpointBlock}, _strings(values))
    after_row = await touchpoint_row(bot, tp)
    event(f"{callback}: closed" if errors is None else f"{callback}: errors on {'+'.join(sorted(errors))}")
    if errors is None:
        state, due_on, notes, *_, outcome_by = after_row
        if callback == Callback.TOUCHPOINT_RESCHEDULE:
            assert user in {SPO, "U0SPO0002", PP}, "someone uninvolved rescheduled"
            assert state == "planned" and due_on.isoformat() == values[TouchpointBlock.DATE][INPUT_ACTION]["selected_date"]
        else:
            del pool["touchpoint"]
            assert user in {SPO, "U0SPO0002"}, "someone other than the team's SPO settled the touchpoint"
            assert state == ("recorded" if callback == Callback.TOUCHPOINT_RECORD else "not_required") and outcome_by == user
        await assert_nothing_unescaped_reached_slack(bot)
    else:
        assert after_row == before_row, f"an inline error changed the touchpoint: {before_row} -> {after_row}"
        assert await row_counts(bot) == before


@settings(FUZZ, max_examples=examples(6))
@given(callback=st.sampled_from(TOUCHPOINT_CALLBACKS), values=touchpoint_values())
async def test_a_settled_touchpoint_cannot_be_settled_again(bot: BotUnderTest, callback: str, values: dict[str, Any]) -> None:
    tp = await allocated_touchpoint(bot)
    notes = {str(TouchpointBlock.NOTES): {INPUT_ACTION: {"value": "Discussed the plan."}},
             str(TouchpointBlock.NOTES_SENSITIVE): {INPUT_ACTION: {"selected_option": option("no")}}}  # fmt: skip
    assert await submit(bot, Callback.TOUCHPOINT_RECORD, str(tp), notes, SPO) == (200, {})
    before_row, before = await touchpoint_row(bot, tp), await row_counts(bot)

    status, answer = await submit(bot, callback, str(tp), values, SPO)
    assert inline_errors(status, answer, {str(b) for b in TouchpointBlock}, _strings(values)) is not None
    assert await touchpoint_row(bot, tp) == before_row
    assert await row_counts(bot) == before


# ---------------------------------------------------------------------------------------------
# 5. Reallocate modal submissions
# ---------------------------------------------------------------------------------------------


@st.composite
def reallocate_values(draw: st.DrawFn, real_ids: list[int], other: int) -> dict[str, Any]:
    """The Allocate strategy's answers, mostly with a plausible reason and keep-touchpoint, and
    half the time naming `other` (not the current holder) as the new practitioner."""
    values = draw(allocate_values(real_ids))
    if draw(st.booleans()):
        values[str(AllocateBlock.PRACTITIONER)] = {INPUT_ACTION: {"type": "static_select", "selected_option": option(str(other))}}
    if not draw(RARELY):
        reason = draw(st.sampled_from([*default_policy().reallocation_reasons, "bogus"]))
        values[str(AllocateBlock.REASON)] = {INPUT_ACTION: {"type": "static_select", "selected_option": option(reason)}}
        keep = draw(st.sampled_from(["yes", "no"]))
        values[str(AllocateBlock.KEEP_TOUCHPOINT)] = {INPUT_ACTION: {"type": "radio_buttons", "selected_option": option(keep)}}
    return values


async def current_holders(bot: BotUnderTest, case_id: int) -> list[int]:
    async with bot.runtime.db.uow() as uow:
        rows = await uow.session.scalars(select(Allocation.practitioner_id).where(Allocation.case_id == case_id, Allocation.current.is_(True)))
        return list(rows)


@settings(FUZZ, max_examples=examples(25))
@given(data=st.data(), user=st.sampled_from([SPO, SPO, SPO, "U0SPO0002", OTHER_SPO, PP]))
async def test_reallocate_submission_moves_the_case_once_or_answers_inline(bot: BotUnderTest, pool: dict[str, int], data: st.DataObject, user: str) -> None:
    real_ids = await real_practitioner_ids(bot)
    case_id = pool.get("allocated") or await allocated_case(bot)
    pool["allocated"] = case_id  # reallocated back and forth: it stays allocated
    before, [holder] = await row_counts(bot), await current_holders(bot, case_id)
    values = data.draw(reallocate_values(real_ids, other=next(i for i in real_ids if i != holder)), label="values")

    status, answer = await submit(bot, Callback.REALLOCATE, AllocateMetadata(case_id).dumps(), values, user)
    errors = inline_errors(status, answer, {str(b) for b in AllocateBlock}, all_strings_of(values))
    holders, after = await current_holders(bot, case_id), await row_counts(bot)
    event("reallocate: closed" if errors is None else f"reallocate: errors on {'+'.join(sorted(errors))}")
    if errors is None:
        [chosen] = values[AllocateBlock.PRACTITIONER].values()
        assert holders == [int(chosen["selected_option"]["value"])] != [holder], (holder, holders)
        assert after["Allocation"] == before["Allocation"] + 1 and after["Case"] == before["Case"]
        assert user in {SPO, "U0SPO0002"}, "someone other than the team's SPO reallocated"
        await assert_nothing_unescaped_reached_slack(bot)
    else:
        assert holders == [holder], errors
        assert after == before, f"an inline error stored something: {before} -> {after}"


# ---------------------------------------------------------------------------------------------
# 6. Bugs the properties found, kept as regression tests with their minimal examples (each was
#    a 500 or an unhandled exception before its fix).
# ---------------------------------------------------------------------------------------------


async def test_deeply_nested_json_is_a_422_not_a_500(bot: BotUnderTest) -> None:
    await check_intake(bot, b"[" * 2_000 + b"]" * 2_000, [])


async def test_a_csv_cell_over_128_kib_is_reported_not_raised(bot: BotUnderTest, tmp_path: Path) -> None:
    await check_import(bot, tmp_path / "big-cell.csv", b"event_id\n" + b"x" * 131_073 + b"\n")


@pytest.mark.parametrize("door", ["intake", "csv", "allocate", "touchpoint"])
async def test_a_nul_character_is_refused_or_dropped_never_a_500(bot: BotUnderTest, tmp_path: Path, door: str) -> None:
    """PostgreSQL cannot store NUL: intake and import refuse it by field, modals drop it."""
    if door == "intake":
        body = case_fields(event_id=f"nul-{uuid.uuid4()}", sentence_date=(TODAY - timedelta(days=2)).isoformat(), name="Sam\x00Smith")
        assert await check_intake(bot, encode(body), []) in (201, 422)
    elif door == "csv":
        day = (TODAY - timedelta(days=2)).isoformat()
        lines = ["event_id,crn,name,team,tier,sentence_type,sentence_date", f"ok-{uuid.uuid4()},X123456,Sam Smith,N07T1,B2,Licence,{day}",
                 f"nul-{uuid.uuid4()},X123457,Sam\x00Smith,N07T1,B2,Licence,{day}"]  # fmt: skip
        await check_import(bot, tmp_path / "nul.csv", "\n".join(lines).encode())
    elif door == "allocate":
        case_id = await new_case(bot, tier="C1")
        values = answers(practitioner_id=(await bot.practitioner_ids())["N07A001"], evidence=GOOD_EVIDENCE + "\x00")
        status, answer = await submit(bot, Callback.ALLOCATE, AllocateMetadata(case_id).dumps(), values, SPO)
        if inline_errors(status, answer, {str(b) for b in AllocateBlock}, []) is None:
            assert (await case_state(bot, case_id))[:2] == ("allocated", 1)
    else:
        tp = await allocated_touchpoint(bot)
        values = {str(TouchpointBlock.NOTES): {INPUT_ACTION: {"type": "plain_text_input", "value": "Agreed\x00plan"}},
                  str(TouchpointBlock.NOTES_SENSITIVE): {INPUT_ACTION: {"selected_option": option("no")}}}  # fmt: skip
        status, answer = await submit(bot, Callback.TOUCHPOINT_RECORD, str(tp), values, SPO)
        if inline_errors(status, answer, {str(b) for b in TouchpointBlock}, []) is None:
            assert (await touchpoint_row(bot, tp))[0] == "recorded"


@pytest.mark.parametrize("door", ["intake", "csv"])
async def test_a_nul_in_the_team_code_is_refused_by_field(bot: BotUnderTest, tmp_path: Path, door: str) -> None:
    """Found by the CSV fuzz test on PostgreSQL: the team look-up ran before validation and
    PostgreSQL refused the NUL in the query itself (an unhandled DataError)."""
    day = (TODAY - timedelta(days=2)).isoformat()
    if door == "intake":
        body = case_fields(event_id=f"nul-{uuid.uuid4()}", sentence_date=day, team="N07\x00T1")
        assert await check_intake(bot, encode(body), []) == 422
    else:
        lines = ["event_id,crn,name,team,tier,sentence_type,sentence_date", f"nul-{uuid.uuid4()},X123457,Sam Smith,\x00,B2,Licence,{day}"]
        await check_import(bot, tmp_path / "nul-team.csv", "\n".join(lines).encode())


@pytest.mark.parametrize("value", ["²", "9" * 20, "2147483648"])
async def test_a_practitioner_value_that_is_not_an_id_is_an_inline_error(bot: BotUnderTest, value: str) -> None:
    case_id = await new_case(bot, tier="C1")
    values = {**answers(practitioner_id=None), str(AllocateBlock.PRACTITIONER): {INPUT_ACTION: {"selected_option": option(value)}}}
    status, answer = await submit(bot, Callback.ALLOCATE, AllocateMetadata(case_id).dumps(), values, SPO)
    assert inline_errors(status, answer, {str(b) for b in AllocateBlock}, []) is not None
    assert await case_state(bot, case_id) == ("unallocated", 0, 0)


MALFORMED = {
    "allocate: state.values is a list": (Callback.ALLOCATE, []),
    "allocate: a block is a string": (Callback.ALLOCATE, {str(AllocateBlock.EVIDENCE): "x"}),
    "allocate: selected_option is a string": (Callback.ALLOCATE, {str(AllocateBlock.HATE_CRIME): {INPUT_ACTION: {"selected_option": "yes"}}}),
    "touchpoint: a block is a string": (Callback.TOUCHPOINT_RECORD, {str(TouchpointBlock.NOTES): "x"}),
    "touchpoint: notes value is a number": (
        Callback.TOUCHPOINT_RECORD,
        {str(TouchpointBlock.NOTES): {INPUT_ACTION: {"value": 5}}, str(TouchpointBlock.NOTES_SENSITIVE): {INPUT_ACTION: {"selected_option": option("no")}}},
    ),
    "touchpoint: date is not YYYY-MM-DD": (Callback.TOUCHPOINT_RESCHEDULE, {str(TouchpointBlock.DATE): {INPUT_ACTION: {"selected_date": "tomorrow"}}}),
}


@pytest.mark.parametrize("shape", list(MALFORMED))
async def test_a_malformed_submission_is_an_inline_error(bot: BotUnderTest, shape: str) -> None:
    callback, values = MALFORMED[shape]
    if callback == Callback.ALLOCATE:
        metadata, blocks = AllocateMetadata(await new_case(bot, tier="C1")).dumps(), {str(b) for b in AllocateBlock}
    else:
        metadata, blocks = str(await allocated_touchpoint(bot)), {str(b) for b in TouchpointBlock}
    before = await row_counts(bot)
    status, answer = await submit(bot, callback, metadata, values, PP if callback == Callback.TOUCHPOINT_RESCHEDULE else SPO)
    assert inline_errors(status, answer, blocks, []) is not None
    assert await row_counts(bot) == before
