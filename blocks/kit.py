"""The Block Kit pieces every builder shares: sections, context, fields, buttons, inputs,
modals, messages, mentions, and packing long lists under Slack's limits.

One definition each, so each of Slack's limits (3,000 characters a section, 2,000 a field,
50 blocks a message, 24 characters a modal title) is enforced in one place. Callers build text
from pieces already escaped and cut to a budget (blocks/text.py); the cut here is the last
guard, never the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from blocks.ids import INPUT_ACTION
from blocks.text import (
    BUTTON_TEXT_MAX,
    FALLBACK_TEXT_MAX,
    FIELD_TEXT_MAX,
    HEADER_MAX,
    MODAL_TITLE_MAX,
    SECTION_TEXT_MAX,
    cut,
    mrkdwn_safe,
    plain,
)
from bot.domain.slack_text import looks_like_user_id

Block = dict[str, Any]
Message = dict[str, Any]

MESSAGE_BLOCKS_MAX = 50  # Slack's limit for a message; slack_sdk does not check this one
SECTION_FIELDS_MAX = 10
NAME_MAX = 100
LINE_MAX = 600  # one list line, before packing into sections
YES_NO = [("yes", "Yes"), ("no", "No")]


# ---------------------------------------------------------------------------------------------
# Layout


def section(text: str) -> Block:
    """A mrkdwn section; `text` is already safe."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text or " ", SECTION_TEXT_MAX)}}


def fields_section(fields: Sequence[Block]) -> Block:
    """A section of labelled fields, at most Slack's ten."""
    return {"type": "section", "fields": list(fields[:SECTION_FIELDS_MAX])}


def context(text: str) -> Block:
    """A line of small print; `text` is already safe."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text or " ", SECTION_TEXT_MAX)}]}


def header(text: str) -> Block:
    """A header: plain text, so any outside string shows as typed."""
    return {"type": "header", "text": {"type": "plain_text", "text": plain(text, HEADER_MAX)}}


def divider() -> Block:
    return {"type": "divider"}


def field(label: str, value: str) -> Block:
    """A labelled section field; `label` is ours, `value` may come from anyone."""
    return {"type": "mrkdwn", "text": f"*{label}*\n" + mrkdwn_safe(value, FIELD_TEXT_MAX - len(label) - 3)}


def button(action: str, text: str, *, value: str | None = None, url: str | None = None, style: str | None = None) -> Block:
    """A button carrying `value` (an id) or opening `url`."""
    element: Block = {"type": "button", "action_id": action, "text": {"type": "plain_text", "text": plain(text, BUTTON_TEXT_MAX)}}
    if value is not None:
        element["value"] = value
    if url is not None:
        element["url"] = url[:3000]
    if style:
        element["style"] = style
    return element


def actions(elements: Sequence[Block], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def message(text: str, blocks: list[Block]) -> Message:
    """A message: short fallback text (already safe) and at most 50 blocks."""
    if len(blocks) > MESSAGE_BLOCKS_MAX:
        blocks = [*blocks[: MESSAGE_BLOCKS_MAX - 1], context("Some of this answer was left out to fit in one Slack message.")]
    return {"text": cut(text, FALLBACK_TEXT_MAX), "blocks": blocks}


def text_message(text: str) -> Message:
    """A one-section message whose fallback text is the section's text."""
    return message(text, [section(text)])


def packed(lines: Iterable[str], *, heading: str | None = None, max_sections: int | None = None) -> tuple[list[Block], int]:
    """Lines (each already safe) packed into as few sections as the 3,000-character limit
    allows, at most `max_sections`; returns the sections and how many lines did not fit."""
    blocks: list[Block] = []
    current = heading or ""
    left_out = 0
    full = False
    for raw in lines:
        if full:
            left_out += 1
            continue
        line = cut(raw, LINE_MAX)
        joined = f"{current}\n{line}" if current else line
        if len(joined) <= SECTION_TEXT_MAX:
            current = joined
            continue
        blocks.append(section(current))
        if max_sections is not None and len(blocks) >= max_sections:
            full = True
            current = ""
            left_out += 1
            continue
        current = line
    if current:
        blocks.append(section(current))
    return blocks, left_out


def more(shown: int, total: int, hint: str) -> Block | None:
    """'and 12 more — hint' when not everything was shown."""
    if total <= shown:
        return None
    return context(f"and {total - shown:,} more — {hint}")


def listed(lines: Sequence[str], total: int, *, heading: str, empty: str, hint: str, max_sections: int = 2) -> list[Block]:
    """A heading and its lines packed into sections, then "and N more" counting both the
    rows not read and the lines that did not fit."""
    if not lines:
        return [section(f"{heading}\n{empty}")]
    blocks, left_out = packed(lines, heading=heading, max_sections=max_sections)
    if extra := more(len(lines) - left_out, max(total, len(lines)), hint):
        blocks.append(extra)
    return blocks


# ---------------------------------------------------------------------------------------------
# Inputs and modals


def input_block(block_id: str, label: str, element: Block, *, optional: bool = False, hint: str | None = None) -> Block:
    """An input block around `element`, whose action id is INPUT_ACTION or one the listener matches."""
    block: Block = {"type": "input", "block_id": block_id, "optional": optional, "label": {"type": "plain_text", "text": label}, "element": element}
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def radio_input(
    block_id: str, label: str, choices: Sequence[tuple[str, str]], *, initial: str | None = None, optional: bool = False, hint: str | None = None
) -> Block:
    """Radio buttons from (value, text) pairs; `initial` names the value chosen at first."""
    options = [{"text": {"type": "plain_text", "text": text}, "value": value} for value, text in choices]
    element: Block = {"type": "radio_buttons", "action_id": INPUT_ACTION, "options": options}
    if initial is not None:
        element["initial_option"] = next(o for o in options if o["value"] == initial)
    return input_block(block_id, label, element, optional=optional, hint=hint)


def text_input(block_id: str, label: str, *, hint: str | None = None, optional: bool = False, placeholder: str | None = None) -> Block:
    """A multi-line text box of up to 3,000 characters."""
    element: Block = {"type": "plain_text_input", "action_id": INPUT_ACTION, "multiline": True, "max_length": 3000}
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder}
    return input_block(block_id, label, element, optional=optional, hint=hint)


def date_input(block_id: str, label: str, initial: date, *, hint: str | None = None, optional: bool = False) -> Block:
    element: Block = {"type": "datepicker", "action_id": INPUT_ACTION, "initial_date": initial.isoformat()}
    return input_block(block_id, label, element, optional=optional, hint=hint)


def modal(
    title: str, blocks: list[Block], *, callback: str | None = None, submit: str | None = None, close: str = "Cancel", metadata: str | None = None
) -> Block:
    """A modal view; `title` is cut to Slack's 24 characters."""
    view: Block = {"type": "modal"}
    if callback is not None:
        view["callback_id"] = callback
    if metadata is not None:
        view["private_metadata"] = metadata
    view["title"] = {"type": "plain_text", "text": plain(title, MODAL_TITLE_MAX)}
    if submit is not None:
        view["submit"] = {"type": "plain_text", "text": submit}
    view["close"] = {"type": "plain_text", "text": close}
    view["blocks"] = blocks
    return view


# ---------------------------------------------------------------------------------------------
# People


def mention(user_id: str | None) -> str:
    """`<@U123>` for something shaped like a Slack user id; anything else shown as text."""
    if user_id and looks_like_user_id(user_id):
        return f"<@{user_id}>"
    return mrkdwn_safe(user_id or "someone", NAME_MAX)
