"""Slack requests as Slack sends them: signed, form-encoded payloads (docs/slack-platform.md s5). For `casebot demo`, which drives the real app without a workspace, and for the tests."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from blocks.ids import INPUT_ACTION, AllocateBlock

SIGNING_SECRET = "test-signing-secret"
TEAM_ID = "T0TEAM001"


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None, "slack_sdk signs nothing only when the timestamp is missing"
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def button_click(
    *, action_id: str, value: str, user: str, channel: str = "C0123456789", message_ts: str = "1.000001", trigger_id: str | None = None
) -> dict[str, Any]:
    """A block_actions payload for a button on a channel message (a fresh trigger id each, as Slack sends)."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0APP0001",
        "token": "legacy-verification-token",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": trigger_id or f"trigger-{uuid.uuid4().hex[:12]}",
        "channel": {"id": channel, "name": "cases"},
        "message": {"type": "message", "ts": message_ts, "text": "case"},
        "response_url": "https://hooks.slack.invalid/actions/1",
        "actions": [{"action_id": action_id, "block_id": "b1", "value": value, "type": "button", "action_ts": str(time.time())}],
    }


def view_submission(*, callback_id: str, private_metadata: str, values: dict[str, Any], user: str, view_id: str = "V1") -> dict[str, Any]:
    """A view_submission payload as Slack sends it when a modal's submit button is pressed."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "fake"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0APP0001",
        "token": "legacy-verification-token",
        "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",
        "view": {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "hash": "h1",
            "state": {"values": values},
            "blocks": [],
        },
        "response_urls": [],
    }


def slash_body(text: str, user: str, *, channel: str = "C0123456789", user_name: str = "someone") -> str:
    """A slash command as Slack sends it: form-encoded, `text` already escaped (should_escape),
    a fresh trigger id each time (so two identical commands are two requests, not a replay)."""
    return urlencode(
        {
            "token": "legacy-verification-token", "team_id": TEAM_ID, "team_domain": "fake", "channel_id": channel,
            "channel_name": "cases", "user_id": user, "user_name": user_name, "command": "/casebot", "text": text,
            "api_app_id": "A0APP0001", "response_url": "https://hooks.slack.invalid/x", "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",
        }
    )  # fmt: skip


def _option(value: str) -> dict[str, Any]:
    return {"selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}}


def allocation_values(
    *,
    practitioner_id: int | None,
    evidence: str,
    evidence_sensitive: str | None = "no",
    hate_crime: str | None = "no",
    hate_notes: str = "",
    hate_notes_sensitive: str | None = None,
    discrimination: str | None = "no",
    discrimination_notes: str = "",
    discrimination_notes_sensitive: str | None = None,
    priority: str | None = "normal",
    touchpoint: date | None,
    reason: str = "",
    notify: list[str] | None = None,
    confirm: bool = False,
) -> dict[str, Any]:
    """The Allocate modal's `view.state.values` for these answers (None leaves one unanswered)."""

    def block(name: AllocateBlock, state: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return str(name), {INPUT_ACTION: state}

    return dict(
        [
            block(AllocateBlock.PRACTITIONER, _option(str(practitioner_id)) if practitioner_id else {"selected_option": None}),
            block(AllocateBlock.EVIDENCE, {"type": "plain_text_input", "value": evidence or None}),
            block(AllocateBlock.EVIDENCE_SENSITIVE, _option(evidence_sensitive) if evidence_sensitive else {"selected_option": None}),
            block(AllocateBlock.HATE_CRIME, _option(hate_crime) if hate_crime else {"selected_option": None}),
            block(AllocateBlock.HATE_NOTES, {"type": "plain_text_input", "value": hate_notes or None}),
            block(AllocateBlock.HATE_NOTES_SENSITIVE, _option(hate_notes_sensitive) if hate_notes_sensitive else {"selected_option": None}),
            block(AllocateBlock.DISCRIMINATION, _option(discrimination) if discrimination else {"selected_option": None}),
            block(AllocateBlock.DISCRIMINATION_NOTES, {"type": "plain_text_input", "value": discrimination_notes or None}),
            block(
                AllocateBlock.DISCRIMINATION_NOTES_SENSITIVE,
                _option(discrimination_notes_sensitive) if discrimination_notes_sensitive else {"selected_option": None},
            ),
            block(AllocateBlock.TOUCHPOINT_PLAN, _option(priority) if priority else {"selected_option": None}),
            block(AllocateBlock.TOUCHPOINT_DATE, {"type": "datepicker", "selected_date": touchpoint.isoformat() if touchpoint else None}),
            block(AllocateBlock.TOUCHPOINT_REASON, {"type": "plain_text_input", "value": reason or None}),
            block(AllocateBlock.NOTIFY, {"type": "multi_users_select", "selected_users": notify or []}),
            block(
                AllocateBlock.CONFIRM_EXCEPTION,
                {"type": "checkboxes", "selected_options": [{"value": "confirmed"}] if confirm else []},
            ),
        ]
    )


def home_event(user: str, *, tab: str = "home") -> dict[str, Any]:
    """An `app_home_opened` Events API callback, as Slack sends it."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0APP0001",
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": user, "channel": "D0BOT0001", "tab": tab, "event_ts": f"{time.time():.6f}"},
    }
