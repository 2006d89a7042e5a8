"""Every payload shape Slack really sends reaches the real app and is answered.

The shapes are those of bolt-python's own test fixtures (its tests/scenario_tests: view
submissions whose view has `"state": {}`, an org-wide (enterprise grid) install with
`is_enterprise_install`, an `enterprise` object, W user ids and `team: null`, and block actions
from an ephemeral message, from a reply in a thread and from App Home), rebuilt here on the
casebot payloads (bot/demo/slack_requests.py) and sent signed over HTTP. Each must be
answered 200, never a 500 or Bolt's 404 "unhandled request", with the right call to Slack: a
modal, a short private message, or inline errors; and nothing stored that should not be.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from blocks.allocate_modal import AllocateMetadata
from blocks.ids import Action, Callback
from bot.demo.slack_requests import button_click, interaction_body, view_submission
from storage.models import Allocation
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields

SPO = "U0SPO0001"
PP = "U0PP00001"
CHANNEL = "C0123456789"
ORG_USER = "W0ORG0001"  # enterprise grid user ids start with W


async def _case_id(bot: BotUnderTest) -> int:
    status, case = await bot.post_case(case_fields())
    assert status == 201, case
    await bot.drained()
    return int(case["id"])


async def _send(bot: BotUnderTest, payload: dict[str, Any]) -> tuple[int, str]:
    status, text = await bot.slack_request(interaction_body(payload))
    assert status == 200, (status, text[:300])
    return status, text


async def _allocations(bot: BotUnderTest) -> int:
    async with bot.runtime.db.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(Allocation)) or 0)


def _from_ephemeral(payload: dict[str, Any]) -> dict[str, Any]:
    """A click on an ephemeral message: Slack sends no `message`, and marks the container."""
    payload.pop("message")
    payload["container"]["is_ephemeral"] = True
    return payload


def _from_thread(payload: dict[str, Any]) -> dict[str, Any]:
    """A click on a reply in a thread: the message and container carry the parent's ts."""
    payload["message"]["thread_ts"] = "1.000000"
    payload["container"]["thread_ts"] = "1.000000"
    return payload


def _from_home(payload: dict[str, Any]) -> dict[str, Any]:
    """A click in App Home: no channel and no message; the container is the Home view."""
    for key in ("channel", "message", "response_url"):
        payload.pop(key)
    payload["container"] = {"type": "view", "view_id": "VHOME0001"}
    payload["view"] = {"id": "VHOME0001", "type": "home", "blocks": [], "hash": "h1", "state": {"values": {}}, "private_metadata": ""}
    return payload


def _enterprise(payload: dict[str, Any], user: str) -> dict[str, Any]:
    """An org-wide install as Slack sends it: team null, the enterprise named, a W user id."""
    payload["team"] = None
    payload["is_enterprise_install"] = True
    payload["enterprise"] = {"id": "E0ORG0001", "name": "Probation Grid"}
    payload["user"] = {"id": user, "username": user.lower(), "team_id": "T0TEAM001"}
    return payload


@pytest.mark.parametrize("shape", [_from_ephemeral, _from_thread])
async def test_details_from_an_ephemeral_or_threaded_message_opens_the_modal(bot: BotUnderTest, shape: Any) -> None:
    case_id = await _case_id(bot)
    await _send(bot, shape(button_click(action_id=Action.DETAILS, value=str(case_id), user=PP, trigger_id="shape-trigger")))
    [opened] = await bot.fake.wait_for_async("views.open")
    assert opened.args["trigger_id"] == "shape-trigger" and opened.response["ok"]


@pytest.mark.parametrize("shape", [_from_ephemeral, _from_thread])
async def test_a_refusal_from_an_ephemeral_or_threaded_message_is_an_ephemeral_in_that_channel(bot: BotUnderTest, shape: Any) -> None:
    case_id = await _case_id(bot)
    await _send(bot, shape(button_click(action_id=Action.ALLOCATE, value=str(case_id), user=PP)))
    [reply] = await bot.fake.wait_for_async("chat.postEphemeral")
    assert (reply.args["channel"], reply.args["user"]) == (CHANNEL, PP) and reply.response["ok"]
    assert bot.fake.calls_to("views.open") == []


async def test_a_refusal_from_app_home_goes_to_the_persons_dm_not_an_ephemeral(bot: BotUnderTest) -> None:
    case_id = await _case_id(bot)
    await _send(bot, _from_home(button_click(action_id=Action.ALLOCATE, value=str(case_id), user=PP)))
    await bot.fake.wait_for_async("chat.postMessage", count=2)  # the case card, then the reply
    [opened] = bot.fake.calls_to("conversations.open")  # the DM channel Slack names, not a user id as a channel
    assert opened.args["users"] == PP
    dm = opened.response["channel"]["id"]
    [reply] = [c for c in bot.fake.calls_to("chat.postMessage") if c.args.get("channel") == dm]
    assert dm != PP and reply.response["ok"] and "SPO" in reply.args["text"]
    assert bot.fake.calls_to("chat.postEphemeral") == []


async def test_allocate_from_app_home_opens_the_modal(bot: BotUnderTest) -> None:
    case_id = await _case_id(bot)
    await _send(bot, _from_home(button_click(action_id=Action.ALLOCATE, value=str(case_id), user=SPO, trigger_id="home-shape")))
    [opened] = await bot.fake.wait_for_async("views.open")
    assert opened.args["trigger_id"] == "home-shape"


async def test_an_enterprise_install_click_by_an_unknown_w_user_is_refused_politely(bot: BotUnderTest) -> None:
    case_id = await _case_id(bot)
    await _send(bot, _enterprise(button_click(action_id=Action.ALLOCATE, value=str(case_id), user=ORG_USER), ORG_USER))
    [reply] = await bot.fake.wait_for_async("chat.postEphemeral")
    assert reply.args["user"] == ORG_USER and reply.response["ok"]
    assert bot.fake.calls_to("views.open") == []


async def test_an_enterprise_install_submission_is_answered_and_stores_nothing_for_a_stranger(bot: BotUnderTest) -> None:
    case_id = await _case_id(bot)
    payload = view_submission(callback_id=Callback.ALLOCATE, private_metadata=AllocateMetadata(case_id).dumps(), values={}, user=ORG_USER)
    _, text = await _send(bot, _enterprise(payload, ORG_USER))
    assert json.loads(text)["response_action"] == "errors"
    assert await _allocations(bot) == 0


# The details modal has no submit button: Slack never sends its submission.
@pytest.mark.parametrize("callback", [c for c in Callback if c != Callback.CASE_DETAILS])
async def test_a_submission_whose_view_has_an_empty_state_is_answered_not_a_500(bot: BotUnderTest, callback: Callback) -> None:
    """bolt-python's fixture: `"state": {}` (no `values` at all)."""
    case_id = await _case_id(bot)
    metadata = AllocateMetadata(case_id).dumps() if callback in (Callback.ALLOCATE, Callback.REALLOCATE) else str(case_id)
    payload = view_submission(callback_id=callback, private_metadata=metadata, values={}, user=SPO)
    payload["view"]["state"] = {}
    _, text = await _send(bot, payload)
    if text.strip():
        assert json.loads(text).get("response_action") in ("errors", "update", "clear"), text[:300]
    await asyncio.sleep(0.2)  # nothing arrives later either
    assert await _allocations(bot) == 0


@pytest.mark.parametrize("value", [None, "", "abc", "12abc", "-1", "99999999999999999999"])
@pytest.mark.parametrize("action", [Action.ALLOCATE, Action.DETAILS, Action.TOUCHPOINT_RECORD, Action.TOUCHPOINT_SNOOZE])
async def test_a_button_with_a_missing_or_damaged_value_gets_a_short_answer(bot: BotUnderTest, action: Action, value: str | None) -> None:
    payload = button_click(action_id=action, value=value or "", user=SPO)
    if value is None:
        del payload["actions"][0]["value"]
    await _send(bot, payload)
    answer = await _first_answer(bot)
    if answer.method == "chat.postEphemeral":  # a short private message
        assert answer.args["user"] == SPO and 0 < len(answer.args["text"]) <= 300
    else:  # or a notice in a modal: text, no form to fill
        view = answer.args["view"]
        assert "submit" not in view and not any(block["type"] == "input" for block in view["blocks"]), view
    await asyncio.sleep(0.2)
    assert len(bot.fake.calls_to("chat.postEphemeral")) + len(bot.fake.calls_to("views.open")) == 1


async def _first_answer(bot: BotUnderTest, timeout: float = 30.0) -> Any:
    """The one answer to a click: an ephemeral, or a modal opened with its trigger."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (calls := bot.fake.calls_to("chat.postEphemeral") + bot.fake.calls_to("views.open")):
        assert asyncio.get_running_loop().time() < deadline, [c.method for c in bot.fake.calls]
        await asyncio.sleep(0.02)
    return calls[0]
