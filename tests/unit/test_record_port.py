"""The system-of-record adapter against a fake receiver over real HTTP: requests and outcomes."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from bot.adapters.delivery import PermanentFailure, RateLimited, TransientFailure, UnknownOutcome
from bot.adapters.record_port import RecordApi
from tests.fakes.fake_http_sink import FakeHttpSink

CANARY = "CANARY-record-7f3a"
TOKEN = "record-token-1"


def contact_payload(key: str = "101", crn: str = "X123456", text: str = "Knows the family; PO grade.") -> dict:
    body = {
        "type": "Case allocation decision evidencing",
        "text": text,
        "sensitive": True,
        "staff_code": "N01A123",
        "recorded_by": "U0SPO0001",
        "recorded_at": "2025-03-03T10:15:00+00:00",
    }
    return {"crn": crn, "idempotency_key": key, "body": body}


ALLOCATION_BODY = {
    "staff_code": "N01A123",
    "allocated_by": "U0SPO0001",
    "allocated_at": "2025-03-03T10:15:00+00:00",
    "outside_policy": False,
}


@pytest.fixture
def sink() -> Iterator[FakeHttpSink]:
    with FakeHttpSink() as fake:
        yield fake


@pytest.fixture
async def api(sink: FakeHttpSink) -> AsyncIterator[RecordApi]:
    adapter = RecordApi(sink.url + "/", TOKEN, timeout_seconds=2)
    yield adapter
    await adapter.close()


async def test_contact_is_posted_with_bearer_token_and_idempotency_key(api: RecordApi, sink: FakeHttpSink) -> None:
    payload = contact_payload(key="101")

    result = await api.call("record.contact", payload)

    [request] = sink.requests
    assert result == {"id": "1"}
    assert (request.method, request.path) == ("POST", "/cases/X123456/contacts")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Idempotency-Key"] == "101"
    assert request.body == payload["body"]


async def test_allocation_goes_to_the_allocations_collection(api: RecordApi, sink: FakeHttpSink) -> None:
    result = await api.call("record.allocation", {"crn": "X123456", "idempotency_key": "7", "body": ALLOCATION_BODY})

    [request] = sink.requests
    assert result == {"id": "1"}
    assert request.path == "/cases/X123456/allocations"
    assert request.body == ALLOCATION_BODY


async def test_crn_is_escaped_into_one_path_segment(api: RecordApi, sink: FakeHttpSink) -> None:
    await api.call("record.contact", contact_payload(crn="X1/../admin"))

    assert sink.requests[0].path == "/cases/X1%2F..%2Fadmin/contacts"


async def test_no_token_sends_no_authorization_header(sink: FakeHttpSink) -> None:
    api = RecordApi(sink.url, None)
    try:
        await api.call("record.contact", contact_payload())
    finally:
        await api.close()

    assert "Authorization" not in sink.requests[0].headers


async def test_a_repeated_key_answers_409_which_counts_as_already_recorded(api: RecordApi, sink: FakeHttpSink) -> None:
    first = await api.call("record.contact", contact_payload(key="55"))
    again = await api.call("record.contact", contact_payload(key="55"))

    assert first == again == {"id": "1"}
    assert [r.status for r in sink.requests] == [201, 409]
    assert len(sink.accepted()) == 1


async def test_timeout_after_the_receiver_acted_is_unknown_and_the_retry_does_not_duplicate(sink: FakeHttpSink) -> None:
    api = RecordApi(sink.url, TOKEN, timeout_seconds=0.3)
    sink.delay_next(2)
    try:
        with pytest.raises(UnknownOutcome) as raised:
            await api.call("record.contact", contact_payload(key="9", text=CANARY))
        retried = await api.call("record.contact", contact_payload(key="9", text=CANARY))
    finally:
        await api.close()

    assert CANARY not in str(raised.value)
    assert retried == {"id": "1"}
    assert len(sink.accepted()) == 1
    assert sink.requests[-1].duplicate


async def test_429_is_rate_limited_for_retry_after_seconds(api: RecordApi, sink: FakeHttpSink) -> None:
    sink.fail_next(429, retry_after=7)

    with pytest.raises(RateLimited) as raised:
        await api.call("record.contact", contact_payload())

    assert raised.value.retry_after == 7


async def test_429_without_retry_after_waits_five_seconds(api: RecordApi, sink: FakeHttpSink) -> None:
    sink.fail_next(429)

    with pytest.raises(RateLimited) as raised:
        await api.call("record.contact", contact_payload())

    assert raised.value.retry_after == 5


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (400, PermanentFailure),
        (404, PermanentFailure),
        (422, PermanentFailure),
        (401, TransientFailure),
        (403, TransientFailure),
        (500, UnknownOutcome),
        (502, UnknownOutcome),
        (503, UnknownOutcome),
    ],
)
async def test_status_maps_to_outcome_without_quoting_the_request(api: RecordApi, sink: FakeHttpSink, status: int, outcome: type[Exception]) -> None:
    # The receiver echoes the text, as validation errors often do; the reason must not.
    sink.fail_next(status, body={"error": "invalid", "detail": f"text '{CANARY}' rejected"})

    with pytest.raises(outcome) as raised:
        await api.call("record.contact", contact_payload(text=CANARY))

    assert f"HTTP {status}" in str(raised.value)
    assert CANARY not in str(raised.value)
    assert sink.accepted() == []


async def test_refused_connection_is_unknown() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    api = RecordApi(f"http://127.0.0.1:{closed_port}", TOKEN)
    try:
        with pytest.raises(UnknownOutcome) as raised:
            await api.call("record.contact", contact_payload(text=CANARY))
    finally:
        await api.close()

    assert CANARY not in str(raised.value)
    assert "X123456" not in str(raised.value)  # aiohttp's message names the URL; ours does not


async def test_unknown_method_is_permanent_and_sends_nothing(api: RecordApi, sink: FakeHttpSink) -> None:
    with pytest.raises(PermanentFailure, match="record.delete"):
        await api.call("record.delete", contact_payload())

    assert sink.requests == []


@pytest.mark.parametrize("missing", ["crn", "idempotency_key", "body"])
async def test_a_payload_missing_a_field_is_permanent(api: RecordApi, sink: FakeHttpSink, missing: str) -> None:
    payload = contact_payload()
    del payload[missing]

    with pytest.raises(PermanentFailure, match=missing):
        await api.call("record.contact", payload)

    assert sink.requests == []


async def test_one_session_is_created_lazily_and_closed(sink: FakeHttpSink) -> None:
    sessions: list[aiohttp.ClientSession] = []

    def factory() -> aiohttp.ClientSession:
        sessions.append(aiohttp.ClientSession())
        return sessions[-1]

    api = RecordApi(sink.url, TOKEN, session_factory=factory)
    assert sessions == []

    await api.call("record.contact", contact_payload(key="1"))
    await api.call("record.contact", contact_payload(key="2"))
    await api.close()

    assert len(sessions) == 1 and sessions[0].closed
