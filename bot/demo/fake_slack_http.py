"""The fake Slack's wire format (bot/demo/fake_slack.py): how a Web API call's arguments and
token arrive (slack_sdk uses query strings, form bodies and JSON), and how answers look."""

from __future__ import annotations

import json
import uuid
from typing import Any

from aiohttp import web

Answer = tuple[int, dict[str, Any], dict[str, str]]  # HTTP status, JSON body, headers

# Form-encoded bodies carry these as JSON text; tests want to inspect them as objects.
JSON_FIELDS = frozenset({"blocks", "attachments", "metadata", "view", "unfurl", "unfurls"})


def interactive_envelope(payload: dict, envelope_id: str | None = None) -> dict:
    """Wrap an interaction payload the way Slack delivers it over Socket Mode."""
    return {
        "envelope_id": envelope_id or str(uuid.uuid4()),
        "type": "interactive",
        "accepts_response_payload": True,
        "payload": payload,
        "retry_attempt": 0,
        "retry_reason": "",
    }


def truthy(value: Any) -> bool:
    """Form bodies and query strings carry booleans as text ("1", "true")."""
    return str(value).lower() in {"1", "true"}


def dm_channel(channel: str) -> str:
    """Slack lets you post to a user id; the message lands in a stable DM channel."""
    return "D" + channel[1:] if channel[:1] in {"U", "W"} else channel


def _decode_json_fields(fields: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_FIELDS & fields.keys():
        if isinstance(fields[key], str):
            try:
                fields[key] = json.loads(fields[key])
            except json.JSONDecodeError:
                pass
    return fields


async def parse_args(request: web.Request) -> dict[str, Any]:
    """Merge query-string and body fields: slack_sdk uses all three encodings."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.text() or "{}")
        except json.JSONDecodeError:
            body = {}
        args.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        form = await request.post()
        args.update({k: v if isinstance(v, str) else getattr(v, "filename", "") for k, v in form.items()})
    return _decode_json_fields(args)


def token(request: web.Request, args: dict[str, Any]) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth.removeprefix("Bearer ")
    return args.get("token")


def error(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}
