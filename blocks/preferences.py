"""Answers to a person's own settings (the SPO's private copies of their allocations)."""

from __future__ import annotations

from typing import Any

from blocks.ids import Action


def spo_copies_reply(on: bool) -> dict[str, Any]:
    """The answer to the copies switch, with the way back."""
    text = "You will get a private copy of each allocation you make." if on else "You will no longer get private copies of your allocations."
    flip = {"text": "Stop sending me copies", "value": "off"} if on else {"text": "Send me copies again", "value": "on"}
    button = {"type": "button", "action_id": Action.STOP_SPO_COPIES, "text": {"type": "plain_text", "text": flip["text"]}, "value": flip["value"]}
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}, {"type": "actions", "elements": [button]}]}
