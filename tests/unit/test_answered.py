"""A listener's answer leaves at its ack (handlers/errors.py `answered`): the app runs Bolt with
`process_before_response`, so whatever the wrapped listener still does after `ack()` must not
hold the answer, and its errors must still reach the person. Also the collector settings
`casebot serve` starts with, the other half of a quick ack (bot/runtime/serve.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from handlers.errors import answered

BODY = {"user": {"id": "U0PP00001"}, "channel": {"id": "C0123456789"}}


class Ack:
    """Bolt's ack as far as listeners use it: the answer it was given, None until called."""

    def __init__(self) -> None:
        self.response: dict[str, Any] | None = None

    async def __call__(self, **answer: Any) -> None:
        self.response = answer


class Client:
    def __init__(self) -> None:
        self.ephemerals: list[str] = []

    async def chat_postEphemeral(self, *, channel: str, user: str, text: str, **_: Any) -> None:
        self.ephemerals.append(text)


async def eventually(check: Any) -> None:
    """Wait (at most 5 s) for work going on after the answer."""
    for _ in range(500):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the work after the ack never got there")


async def test_the_answer_leaves_at_the_ack_and_the_rest_finishes_after() -> None:
    release, steps = asyncio.Event(), []

    @answered
    async def listener(ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        steps.append("acked")
        await release.wait()  # e.g. a slow views.open
        steps.append("finished")

    ack = Ack()
    await asyncio.wait_for(listener(ack=ack, body=BODY, client=Client()), 5)
    assert ack.response == {} and steps == ["acked"]  # returned without waiting for the rest
    release.set()
    await eventually(lambda: len(steps) == 2)
    assert steps == ["acked", "finished"]


async def test_an_answer_given_after_work_is_the_one_returned() -> None:
    @answered
    async def listener(ack: Any) -> None:
        await asyncio.sleep(0.01)  # validation before the answer
        await ack(response_action="errors", errors={"b": "wrong"})

    ack = Ack()
    await listener(ack=ack)
    assert ack.response == {"response_action": "errors", "errors": {"b": "wrong"}}


async def test_an_error_before_the_ack_goes_to_bolt() -> None:
    @answered
    async def listener(ack: Any, body: dict[str, Any], client: Any) -> None:
        raise RuntimeError("before the ack")

    with pytest.raises(RuntimeError):
        await listener(ack=Ack(), body=BODY, client=Client())


async def test_an_error_after_the_ack_is_told_to_the_person_with_a_reference() -> None:
    @answered
    async def listener(ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        await asyncio.sleep(0)
        raise RuntimeError("after the ack")

    ack, client = Ack(), Client()
    await listener(ack=ack, body=BODY, client=client)
    assert ack.response == {}
    await eventually(lambda: client.ephemerals)
    [told] = client.ephemerals
    assert "reference" in told and "after the ack" not in told


def test_serve_freezes_its_start_up_heap_and_collects_young_objects_less_often() -> None:
    import gc

    from bot.runtime.serve import GC_YOUNG_THRESHOLD, settle_heap

    before = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
