"""The prison notifiers: the webhook against the fake HTTP receiver, SMTP against a tiny fake.

aiosmtpd is not a dependency, so a minimal SMTP responder (socketserver, stdlib) stands in:
it speaks just enough SMTP for smtplib, stores what it receives, and can be told to answer a
command with an error or to drop the connection.
"""

from __future__ import annotations

import email
import socket
import socketserver
import threading
from collections.abc import AsyncIterator, Iterator
from email.message import Message

import pytest

from bot.adapters.delivery import PermanentFailure, RateLimited, TransientFailure, UnknownOutcome
from bot.adapters.prison_port import SmtpPrisonNotifier, WebhookPrisonNotifier
from tests.fakes.fake_http_sink import FakeHttpSink

CANARY = "CANARY-prison-91be"
PRISON = "HMP Leeds"
ADDRESS = "omu.leeds@prison.example"
DROP = "DROP"  # a reply that closes the connection instead


def notice(key: str = "42", prison: str = PRISON, text: str = "Case: X123456 allocated to A. Smith (PO).") -> dict:
    return {"idempotency_key": key, "prison": prison, "subject": "Notification of allocation: X123456", "text": text}


# ---- a fake SMTP server -------------------------------------------------------------------


class FakeSmtp(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.port = self.server_address[1]
        self.replies: dict[str, str] = {}  # SMTP verb -> reply to give instead, or DROP
        self.messages: list[Message] = []
        self.envelopes: list[list[str]] = []  # RCPT TO addresses per message


class _SmtpSession(socketserver.StreamRequestHandler):
    server: FakeSmtp

    def say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.say("220 fake ESMTP")
        recipients: list[str] = []
        for raw in self.rfile:
            verb = raw[:4].decode().upper()
            reply = self.server.replies.get(verb)
            if reply == DROP:
                return
            if reply:
                self.say(reply)
            elif verb == "RCPT":
                recipients.append(raw.decode().strip().partition("<")[2].rstrip(">"))
                self.say("250 ok")
            elif verb == "DATA":
                self.say("354 go ahead")
                lines = []
                for line in self.rfile:
                    if line == b".\r\n":
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                self.server.messages.append(email.message_from_bytes(b"".join(lines)))
                self.server.envelopes.append(recipients)
                self.say("250 queued")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("250 ok")


@pytest.fixture
def smtp_server() -> Iterator[FakeSmtp]:
    server = FakeSmtp()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-smtp", daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def smtp_notifier(server: FakeSmtp, **overrides: object) -> SmtpPrisonNotifier:
    options: dict = {"starttls": False, "timeout_seconds": 2, **overrides}
    return SmtpPrisonNotifier("127.0.0.1", server.port, "casebot@probation.example", {PRISON: ADDRESS}, **options)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- webhook --------------------------------------------------------------------------------


@pytest.fixture
def sink() -> Iterator[FakeHttpSink]:
    with FakeHttpSink() as fake:
        yield fake


@pytest.fixture
async def webhook(sink: FakeHttpSink) -> AsyncIterator[WebhookPrisonNotifier]:
    notifier = WebhookPrisonNotifier(sink.url + "/prison-notices", token="hook-token", timeout_seconds=2)
    yield notifier
    await notifier.close()


async def test_webhook_posts_the_notice_with_token_and_idempotency_key(webhook: WebhookPrisonNotifier, sink: FakeHttpSink) -> None:
    payload = notice(key="42")

    result = await webhook.call("prison.notify", payload)

    [request] = sink.requests
    assert result == {"id": "1"}
    assert (request.method, request.path) == ("POST", "/prison-notices")
    assert request.body == {"prison": PRISON, "subject": payload["subject"], "text": payload["text"]}
    assert request.headers["Authorization"] == "Bearer hook-token"
    assert request.headers["Idempotency-Key"] == "42"


async def test_webhook_resend_is_a_409_and_succeeds(webhook: WebhookPrisonNotifier, sink: FakeHttpSink) -> None:
    assert await webhook.call("prison.notify", notice(key="5")) == await webhook.call("prison.notify", notice(key="5"))

    assert [r.status for r in sink.requests] == [201, 409]
    assert len(sink.accepted()) == 1


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(400, PermanentFailure), (422, PermanentFailure), (401, TransientFailure), (500, UnknownOutcome), (429, RateLimited)],
)
async def test_webhook_status_maps_to_outcome_without_quoting_the_notice(
    webhook: WebhookPrisonNotifier, sink: FakeHttpSink, status: int, outcome: type[Exception]
) -> None:
    sink.fail_next(status, body={"error": f"cannot route '{CANARY}'"})

    with pytest.raises(outcome) as raised:
        await webhook.call("prison.notify", notice(text=CANARY))

    assert CANARY not in str(raised.value)


async def test_webhook_timeout_is_unknown(sink: FakeHttpSink) -> None:
    notifier = WebhookPrisonNotifier(sink.url, timeout_seconds=0.3)
    sink.delay_next(2)
    try:
        with pytest.raises(UnknownOutcome):
            await notifier.call("prison.notify", notice())
    finally:
        await notifier.close()

    assert "Authorization" not in sink.requests[0].headers


async def test_webhook_refuses_other_methods_and_incomplete_payloads(webhook: WebhookPrisonNotifier, sink: FakeHttpSink) -> None:
    with pytest.raises(PermanentFailure, match="prison.email"):
        await webhook.call("prison.email", notice())
    with pytest.raises(PermanentFailure, match="subject"):
        await webhook.call("prison.notify", {**notice(), "subject": ""})

    assert sink.requests == []


# ---- SMTP -----------------------------------------------------------------------------------


async def test_smtp_emails_the_prison_with_a_message_id_from_the_key(smtp_server: FakeSmtp) -> None:
    payload = notice(key="42")

    result = await smtp_notifier(smtp_server).call("prison.notify", payload)

    [message] = smtp_server.messages
    assert result == {"id": "<casebot-outbox-42@casebot>"}
    assert message["Message-ID"] == "<casebot-outbox-42@casebot>"
    assert (message["To"], message["From"]) == (ADDRESS, "casebot@probation.example")
    assert message["Subject"] == payload["subject"]
    assert message.get_payload().strip() == payload["text"]
    assert smtp_server.envelopes == [[ADDRESS]]


async def test_smtp_unknown_prison_is_permanent_and_named(smtp_server: FakeSmtp) -> None:
    with pytest.raises(PermanentFailure, match="HMP Nowhere"):
        await smtp_notifier(smtp_server).call("prison.notify", notice(prison="HMP Nowhere"))

    assert smtp_server.messages == []


@pytest.mark.parametrize(
    ("verb", "reply", "outcome"),
    [
        ("RCPT", f"550 no such mailbox {CANARY}", PermanentFailure),
        ("MAIL", f"553 sender not allowed {CANARY}", PermanentFailure),
        ("DATA", f"554 content rejected {CANARY}", TransientFailure),
        ("DATA", DROP, UnknownOutcome),
    ],
)
async def test_smtp_server_answers_map_to_outcomes_without_quoting_them(smtp_server: FakeSmtp, verb: str, reply: str, outcome: type[Exception]) -> None:
    smtp_server.replies[verb] = reply

    with pytest.raises(outcome) as raised:
        await smtp_notifier(smtp_server).call("prison.notify", notice(text=CANARY))

    assert CANARY not in str(raised.value)
    assert smtp_server.messages == []


async def test_smtp_starttls_the_server_does_not_offer_is_transient(smtp_server: FakeSmtp) -> None:
    with pytest.raises(TransientFailure, match="SMTPNotSupportedError"):
        await smtp_notifier(smtp_server, starttls=True).call("prison.notify", notice())


async def test_smtp_refused_connection_is_unknown() -> None:
    notifier = SmtpPrisonNotifier("127.0.0.1", closed_port(), "casebot@probation.example", {PRISON: ADDRESS})

    with pytest.raises(UnknownOutcome):
        await notifier.call("prison.notify", notice())


async def test_smtp_silent_server_times_out_as_unknown() -> None:
    with socket.socket() as silent:  # listens, never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        notifier = SmtpPrisonNotifier("127.0.0.1", silent.getsockname()[1], "casebot@probation.example", {PRISON: ADDRESS}, timeout_seconds=0.3)
        with pytest.raises(UnknownOutcome):  # smtplib reports the timeout as a disconnect
            await notifier.call("prison.notify", notice())
