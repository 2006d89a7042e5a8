"""Self-test of the fake Slack server, driven by slack_sdk's real clients over HTTP."""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.demo.fake_slack import FakeSlack

METADATA = {"event_type": "case_allocated", "event_payload": {"case_id": "C-1"}}


@pytest.mark.asyncio
async def test_post_message_then_history_returns_metadata_only_when_asked(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url)
    posted = await client.chat_postMessage(channel="U0SPO0001", text="canary-123", metadata=METADATA)
    await client.chat_postMessage(channel="D0SPO0001", text="reply", thread_ts=posted["ts"])

    with_meta = await client.conversations_history(channel="D0SPO0001", include_all_metadata=True)
    without = await client.conversations_history(channel="D0SPO0001")

    assert posted["channel"] == "D0SPO0001"
    assert [m["ts"] for m in with_meta["messages"]] == [posted["ts"]]  # thread reply excluded
    assert with_meta["messages"][0]["metadata"] == METADATA
    assert "metadata" not in without["messages"][0]
    assert [m["text"] for m in fake_slack.history("U0SPO0001")] == ["canary-123", "reply"]
    assert "canary-123" in fake_slack.all_text()


def test_sync_client_form_body_is_parsed_and_paginated(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.api_url)
    sent = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(3)]
    assert sent == sorted(sent) and len(set(sent)) == 3

    page = client.conversations_history(channel="C1", limit=2)
    rest = client.conversations_history(channel="C1", limit=2, cursor=page["response_metadata"]["next_cursor"])

    assert [m["text"] for m in page["messages"]] == ["2", "1"] and page["has_more"]
    assert [m["text"] for m in rest["messages"]] == ["0"] and not rest["has_more"]
    assert client.conversations_open(users="U0ABC")["channel"]["id"] == "D0ABC"


@pytest.mark.asyncio
async def test_429_fault_surfaces_status_and_retry_after(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=7)
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url)

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="x")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert fake_slack.calls_to("chat.postMessage")[0].status == 429
    assert fake_slack.history("C1") == []
    assert (await client.chat_postMessage(channel="C1", text="x"))["ok"]  # fault consumed


def test_rate_limit_rejects_calls_over_the_window(fake_slack: FakeSlack) -> None:
    fake_slack.rate_limit("chat.postMessage", per_second=2, per_key="channel", retry_after=3)
    client = WebClient(token="xoxb-test", base_url=fake_slack.api_url)
    client.chat_postMessage(channel="C1", text="a")
    client.chat_postMessage(channel="C1", text="b")
    client.chat_postMessage(channel="C2", text="other key")

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="c")

    assert raised.value.response.status_code == 429
    assert [m["text"] for m in fake_slack.history("C1")] == ["a", "b"]


@pytest.mark.asyncio
async def test_delay_records_and_stores_before_the_reply(fake_slack: FakeSlack) -> None:
    fake_slack.delay_next("chat.postMessage", 2.0)
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url, timeout=0.3)

    with pytest.raises(asyncio.TimeoutError):
        await client.chat_postMessage(channel="C1", text="slow")

    # The reply is still held for ~1.7 s, yet the call and the message are already visible.
    assert fake_slack.calls_to("chat.postMessage")[0].args["text"] == "slow"
    assert [m["text"] for m in fake_slack.messages_in("C1")] == ["slow"]


def test_update_unknown_ts_and_view_hash_conflict(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.api_url)
    with pytest.raises(SlackApiError, match="message_not_found"):
        client.chat_update(channel="C1", ts="1.000001", text="x")

    view = {"type": "modal", "title": {"type": "plain_text", "text": "Case"}, "blocks": []}
    opened = client.views_open(trigger_id="t1", view=view)["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)["view"]
    with pytest.raises(SlackApiError, match="hash_conflict"):
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)

    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert fake_slack.views[opened["id"]]["hash"] == updated["hash"]


def test_invalid_token_and_wait_for_timeout_message(fake_slack: FakeSlack) -> None:
    client = WebClient(token="not-a-bot-token", base_url=fake_slack.api_url)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        client.auth_test()

    with pytest.raises(AssertionError, match=r"chat.postMessage.*got 0.*auth.test"):
        fake_slack.wait_for("chat.postMessage", timeout=0.1)
