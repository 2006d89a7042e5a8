"""Tells the receiving prison about a custodial allocation (seeds/003, PI 05/2014 s1.15).

The prison must be notified within 24 hours, so the notice goes through the outbox like any
other delivery: retried until it lands, and a failure is visible to SPOs. Two adapters, one
method, ``prison.notify``, with the outbox payload::

    {"idempotency_key": str (outbox row id), "prison": str (name or code),
     "subject": str, "text": str (plain text, never sensitive)}

- :class:`WebhookPrisonNotifier` POSTs ``{"prison", "subject", "text"}`` as JSON with an
  ``Idempotency-Key`` header; answers are read as in bot/adapters/record_port.py (2xx and 409 succeed).
- :class:`SmtpPrisonNotifier` emails the prison's configured address with the stdlib smtplib
  (in a worker thread). SMTP has no idempotency key, so the ``Message-ID`` is derived from it
  (``<casebot-outbox-{key}@casebot>``): a resend after an unknown outcome is recognisable as
  the same notice by the recipient's mail system and by a person reading it.

Failure reasons never quote the notice or the server's reply text.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import aiohttp

from bot.adapters.delivery import PermanentFailure, TransientFailure, UnknownOutcome
from bot.adapters.record_port import JsonPoster, required_text

NOTIFY_METHOD = "prison.notify"


def _check_method(method: str) -> None:
    if method != NOTIFY_METHOD:
        raise PermanentFailure(f"unknown method {method}")


def message_id(idempotency_key: str) -> str:
    """The Message-ID of the notice for one outbox row: the same on every resend."""
    return f"<casebot-outbox-{idempotency_key}@casebot>"


class WebhookPrisonNotifier:
    """Posts the notice to a webhook (e.g. a gateway that routes it to the prison)."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        timeout_seconds: float = 10,
        *,
        session_factory: Callable[[], aiohttp.ClientSession] = aiohttp.ClientSession,
    ) -> None:
        self.url = url
        self._poster = JsonPoster(token, timeout_seconds=timeout_seconds, session_factory=session_factory)

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        _check_method(method)
        key = required_text(payload, "idempotency_key")
        body = {field: required_text(payload, field) for field in ("prison", "subject", "text")}
        return await self._poster.post(self.url, body, key)

    async def close(self) -> None:
        await self._poster.close()


class SmtpPrisonNotifier:
    """Emails the notice to the prison's address from ``recipients`` (prison name/code -> email)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: dict[str, str],
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        *,
        timeout_seconds: float = 10,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.recipients = dict(recipients)
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout_seconds = timeout_seconds

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        _check_method(method)
        key = required_text(payload, "idempotency_key")
        prison = required_text(payload, "prison")
        address = self.recipients.get(prison)
        if address is None:
            raise PermanentFailure(f"no email address is configured for prison {prison!r}")
        message = self._message(key, address, required_text(payload, "subject"), required_text(payload, "text"))
        try:
            await asyncio.to_thread(self._send, message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise PermanentFailure(f"{type(exc).__name__}: the mail server refused the address") from None
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
            raise UnknownOutcome(type(exc).__name__) from None
        except smtplib.SMTPException as exc:
            # Codes only: a server's reply text may echo what it was sent.
            code = getattr(exc, "smtp_code", None)
            raise TransientFailure(type(exc).__name__ + (f" ({code})" if code else "")) from None
        except OSError as exc:  # refused connection, timeout, TLS failure: it may or may not have gone
            raise UnknownOutcome(type(exc).__name__) from None
        return {"id": message["Message-ID"]}

    def _message(self, key: str, address: str, subject: str, text: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = address
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = message_id(key)
        message.set_content(text)
        return message

    def _send(self, message: EmailMessage) -> None:
        """Blocking: one connection per notice; notices are rare, so no pooling."""
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
