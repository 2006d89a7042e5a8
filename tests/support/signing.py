"""Slack requests as Slack sends them: form-encoded payloads with a valid v0 signature (SLACK.md s5)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"
TEAM_ID = "T0TEAM001"


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
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
        "actions": [
            {"action_id": action_id, "block_id": "b1", "value": value, "type": "button", "action_ts": str(time.time())}
        ],
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
