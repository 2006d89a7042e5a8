"""Shared pieces of the builder tests: a case as the builders get it (`CaseSummary`), Slack's own
models as the judge of what we build, and the text objects inside a message or view."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from blocks.kit import MESSAGE_BLOCKS_MAX
from blocks.text import FALLBACK_TEXT_MAX, FIELD_TEXT_MAX, SECTION_TEXT_MAX
from bot.domain.case_summary import CaseSummary

HOSTILE = "<!channel> & <@U0BOSS01> *bold* " * 200  # 6,200 characters of markup
# A figure a person reads as a workload: a bar, "workload", "Workload now" or "after" next to it.
DECIMAL_PERCENT = re.compile(r"\d\.\d+%")


def make_case(**changes: Any) -> CaseSummary:
    """A case as the builders get it (bot/domain/case_summary.py)."""
    fields: dict[str, Any] = {
        "id": 42,
        "crn": "X123456",
        "name": "Jo Bloggs",
        "tier": "B2",
        "sentence_type": "Community Order",
        "sentence_date": date(2026, 12, 24),
        "due_by": date(2026, 12, 30),  # two working days over Christmas (PI 05/2014 s1.9)
        "custodial": False,
        "prison": None,
        "rosh": "Medium",
        "rsr": 2.5,
        "mappa_category": None,
        "mappa_level": None,
        "offence": "Theft",
        "previous_practitioner": None,
        "release_date": None,
        "arrived_on": None,
        "restricted": False,
        "picture": {},
        "state": "unallocated",
    }
    fields.update(changes)
    return CaseSummary(**fields)


def text_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every Block Kit text object (`{"type": "mrkdwn"|"plain_text", "text": ...}`) in `node`."""
    if isinstance(node, dict):
        if node.get("type") in {"mrkdwn", "plain_text"} and isinstance(node.get("text"), str):
            yield node
        for value in node.values():
            yield from text_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from text_objects(item)


def all_text(surface: dict[str, Any]) -> str:
    """Every text a person could read in a message or view, joined."""
    return "\n".join([str(surface.get("text", "")), *(t["text"] for t in text_objects(surface.get("blocks", [])))])


def mrkdwn_of(surface: dict[str, Any]) -> str:
    """The fallback text and every mrkdwn text, where Slack would parse `<!channel>`; plain
    text (headers, buttons) is shown as typed and needs no escaping."""
    mrkdwn = [t["text"] for t in text_objects(surface.get("blocks", [])) if t["type"] == "mrkdwn"]
    return "\n".join([str(surface.get("text", "")), *mrkdwn])


def _within_limits(blocks: list[dict[str, Any]]) -> None:
    # slack_sdk checks neither the 3,000 characters of a section nor the 2,000 of a field.
    for block in blocks:
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= SECTION_TEXT_MAX
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= FIELD_TEXT_MAX for f in block.get("fields", []))


def assert_valid_message(message: dict[str, Any]) -> None:
    """Slack's models accept every block, within the limits they do not check; JSON-ready."""
    assert isinstance(message["text"], str) and 0 < len(message["text"]) <= FALLBACK_TEXT_MAX
    assert len(message["blocks"]) <= MESSAGE_BLOCKS_MAX
    for block in message["blocks"]:
        Block.parse(block).validate_json()
    _within_limits(message["blocks"])
    json.dumps(message)


def assert_valid_view(view: dict[str, Any]) -> None:
    """Slack's View model accepts the modal or Home view (it checks the 100 blocks and the
    24-character title itself)."""
    View(**view).validate_json()
    _within_limits(view["blocks"])
    json.dumps(view)
