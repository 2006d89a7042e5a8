"""The intake API's answers to bad requests (README "Intake answers"): nothing stored, nothing posted."""

from __future__ import annotations

import json

from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields


async def _nothing_stored(bot: BotUnderTest) -> None:
    async with bot.runtime.db.uow() as uow:
        assert await uow.cases.count_by_state() == {}
        assert await uow.outbox.backlog() == {}
    assert bot.fake.calls_to("chat.postMessage") == []


async def test_without_a_valid_token_is_401(bot: BotUnderTest) -> None:
    for token in (None, "wrong-token"):
        status, body = await bot.post_case(case_fields(), token=token)
        assert status == 401
        assert body["errors"][0]["field"] == "Authorization"
    await _nothing_stored(bot)


async def test_every_bad_field_is_named_in_one_422(bot: BotUnderTest) -> None:
    bad = case_fields(crn="12345", team="NOPE", tier="E4", sentence_date="2099-01-01", arrived_on=None, custodial=True, rsr=150, mappa_level=9)
    status, body = await bot.post_case(bad)

    assert status == 422
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"crn", "team", "tier", "sentence_date", "prison", "rsr", "mappa_level"}
    assert all(e["message"] for e in body["errors"])
    await _nothing_stored(bot)


async def test_malformed_date_and_missing_fields_are_named(bot: BotUnderTest) -> None:
    status, body = await bot.post_case({"event_id": "e", "sentence_date": "23/11/2026"})

    assert status == 422
    by_field = {e["field"]: e["message"] for e in body["errors"]}
    assert by_field["sentence_date"] == "must be an ISO date (YYYY-MM-DD)"
    assert {"crn", "name", "team", "tier", "sentence_type"} <= set(by_field)
    await _nothing_stored(bot)


async def test_body_that_is_not_json_or_not_an_object_is_422(bot: BotUnderTest) -> None:
    status, body = await bot.post_case(None, raw=b"{not json")
    assert (status, body["errors"][0]["field"]) == (422, "body")
    status, body = await bot.post_case([case_fields()])
    assert (status, body["errors"][0]["field"]) == (422, "body")
    await _nothing_stored(bot)


async def test_body_over_64_kib_is_413(bot: BotUnderTest) -> None:
    huge = json.dumps(case_fields(offence="x" * 70_000)).encode()
    status, body = await bot.post_case(None, raw=huge)

    assert status == 413
    assert body["errors"][0]["field"] == "body"
    await _nothing_stored(bot)


async def test_stored_case_body_has_contract_fields(bot: BotUnderTest) -> None:
    status, body = await bot.post_case(case_fields(sentence_date="2026-04-02", arrived_on="2026-04-02", custodial=True, prison="HMP Leeds"))

    assert status == 201
    assert body["due_by"] == "2026-04-08"  # arrived Thu 2 Apr: Good Friday, the weekend and Easter Monday skipped
    assert {"id", "state", "due_by", "received_at", "event_id", "crn", "team", "prison"} <= set(body)
    assert body["team"] == "N07T1"
