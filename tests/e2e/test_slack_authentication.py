"""Slack requests are authenticated before anything reads them: 401 for anything not signed
once, validly and freshly; 400 (JSON) for a signed body that is not a Slack payload; never 500;
and nothing logs what an unauthenticated request carried."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time

import pytest
from multidict import CIMultiDict
from slack_bolt.request.async_request import AsyncBoltRequest

from blocks.allocate_modal import AllocateMetadata
from blocks.ids import Action, Callback
from bot.demo.slack_requests import SIGNING_SECRET, button_click, interaction_body, signed_headers, view_submission
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields

FORM = "application/x-www-form-urlencoded"
MALFORMED = {
    "payload is not JSON": (b"payload={not json", FORM),
    "payload is a list": (b"payload=%5B%5D", FORM),
    "payload is null": (b"payload=null", FORM),
    "payload is a number": (b"payload=123", FORM),
    "JSON content type on a form body": (interaction_body({"type": "block_actions"}).encode(), "application/json"),
    "JSON body is a list": (b"[]", "application/json"),
    "body is not UTF-8": (b"payload=\xff", FORM),
}


async def _details_click(bot: BotUnderTest) -> str:
    _, case = await bot.post_case(case_fields())
    return interaction_body(button_click(action_id=Action.DETAILS, value=str(case["id"]), user="U0PP00001"))


async def _post(bot: BotUnderTest, body: str | bytes, headers: CIMultiDict[str] | dict[str, str]) -> tuple[int, str]:
    async with bot.http.post(f"{bot.base_url}/slack/events", data=body, headers=headers) as response:
        return response.status, await response.text()


def _signed(body: bytes, content_type: str = FORM) -> dict[str, str]:
    """Slack's signature over the exact bytes (signed_headers takes text; these may not be)."""
    timestamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}", "Content-Type": content_type}


async def test_a_replay_with_a_bogus_signature_header_before_the_real_one_is_refused(bot: BotUnderTest) -> None:
    body = await _details_click(bot)
    headers = signed_headers(body)
    first, _ = await bot.slack_request(body, headers)

    doubled: CIMultiDict[str] = CIMultiDict([("X-Slack-Signature", "v0=" + "0" * 64)])
    doubled.extend(headers.items())
    replay, text = await _post(bot, body, doubled)

    assert (first, replay) == (200, 401)
    assert json.loads(text)["errors"][0]["field"] == "X-Slack-Signature"
    assert len(await bot.fake.wait_for_async("views.open")) == 1


@pytest.mark.parametrize("header", ["X-Slack-Signature", "X-Slack-Request-Timestamp"])
async def test_two_signature_or_timestamp_headers_are_refused_even_when_both_are_valid(bot: BotUnderTest, header: str) -> None:
    body = await _details_click(bot)
    headers = signed_headers(body)
    doubled: CIMultiDict[str] = CIMultiDict(headers)
    doubled.add(header, headers[header])

    status, _ = await _post(bot, body, doubled)
    fresh, _ = await bot.slack_request(body, headers)  # the refusal took nothing: the real one passes

    assert (status, fresh) == (401, 200)


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_an_unsigned_malformed_request_is_401_and_a_signed_one_is_400(bot: BotUnderTest, case: str) -> None:
    raw, content_type = MALFORMED[case]

    unsigned, unsigned_text = await _post(bot, raw, {**_signed(raw, content_type), "X-Slack-Signature": "v0=" + "1" * 64})
    signed, signed_text = await _post(bot, raw, _signed(raw, content_type))

    assert (unsigned, signed) == (401, 400)
    assert json.loads(unsigned_text)["errors"][0]["field"] == "X-Slack-Signature"
    assert json.loads(signed_text)["errors"][0]["field"] == "body"


@pytest.mark.parametrize("timestamp", ["abc", "", "１２３", "-1", "1e9", str(2**70)])
async def test_a_timestamp_that_is_not_digits_is_401(bot: BotUnderTest, timestamp: str) -> None:
    body = await _details_click(bot)

    status, text = await _post(bot, body, {**signed_headers(body), "X-Slack-Request-Timestamp": timestamp})

    assert status == 401
    assert json.loads(text)["errors"][0]["field"] == "X-Slack-Signature"


async def test_missing_headers_are_401(bot: BotUnderTest) -> None:
    body = await _details_click(bot)
    headers = signed_headers(body)

    answers = [(await _post(bot, body, {k: v for k, v in headers.items() if k != drop}))[0] for drop in ("X-Slack-Signature", "X-Slack-Request-Timestamp")]

    assert answers == [401, 401]
    assert bot.fake.calls_to("views.open") == []


async def test_a_tampered_submission_leaves_no_trace_in_the_logs(captured_logs: io.StringIO, bot: BotUnderTest) -> None:
    """Signed, then changed on the way: refused, and its text is in no log line, at DEBUG."""
    canary = "CANARY-tampered-7f3a"
    submission = view_submission(callback_id=Callback.ALLOCATE, private_metadata=AllocateMetadata(1).dumps(), values={}, user="U0SPO0001")
    body = interaction_body(submission)
    headers = signed_headers(body)
    tampered = interaction_body({**submission, "note": canary})

    status, _ = await bot.slack_request(tampered, headers)

    assert status == 401
    assert canary not in captured_logs.getvalue()


async def test_bolt_itself_logs_no_body_of_a_request_it_refuses(captured_logs: io.StringIO, bot: BotUnderTest) -> None:
    """Behind the route's check, Bolt checks again; its refusal is logged without the body."""
    canary = "CANARY-behind-the-route-91c2"
    body = interaction_body({"type": "block_actions", "note": canary})
    headers = {**signed_headers("something else"), "Content-Type": FORM}

    response = await bot.runtime.bolt.async_dispatch(AsyncBoltRequest(body=body, headers=headers))

    assert response.status == 401
    assert "Invalid request signature detected" in captured_logs.getvalue()
    assert canary not in captured_logs.getvalue()


async def test_a_stale_signature_is_401_whatever_the_body(bot: BotUnderTest) -> None:
    status, _ = await _post(bot, b"payload=null", signed_headers("payload=null", timestamp=int(time.time()) - 301))

    assert status == 401
