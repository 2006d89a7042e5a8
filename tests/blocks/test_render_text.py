"""The plain-text rendering `make try`, the demo and the README show (blocks/render_text.py)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from blocks.formats import due_text
from blocks.render_text import render

pytestmark = pytest.mark.unit

BLOCKS = Path(__file__).resolve().parents[2] / "blocks"


def test_an_overdue_line_reads_as_slack_draws_it() -> None:
    line = due_text(date(2026, 12, 1), date(2026, 12, 4))
    rendered = render({"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": line}}]})
    assert rendered.startswith("⚠ Overdue")
    assert ":warning:" not in rendered


def test_every_emoji_casebot_writes_is_drawn_as_a_symbol() -> None:
    """A new shortcode in a builder must be taught to the renderer, or the demo prints ':name:'."""
    written = {code for path in BLOCKS.glob("*.py") for code in re.findall(r":[a-z_]+:", path.read_text()) if code != ":param:"}
    assert written, "the builders write emoji shortcodes"
    for code in written:
        text = render({"text": f"x {code} y"})
        assert code not in text, code


def test_a_submitted_form_reads_as_the_person_answered_it() -> None:
    """The demo shows the Allocate form filled in: option words, dates and names, not values."""
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Allocate case"},
        "blocks": [
            {"type": "input", "block_id": "b1", "label": {"type": "plain_text", "text": "Sensitive?"},
             "element": {"type": "radio_buttons", "options": [{"text": {"type": "plain_text", "text": "Yes, sensitive"}, "value": "yes"}]}},
            {"type": "input", "block_id": "b2", "label": {"type": "plain_text", "text": "Touchpoint"}, "element": {"type": "datepicker"}},
            {"type": "input", "block_id": "b3", "label": {"type": "plain_text", "text": "Notify"}, "element": {"type": "multi_users_select"}},
            {"type": "input", "block_id": "b4", "label": {"type": "plain_text", "text": "Notes"}, "element": {"type": "plain_text_input"}},
            {"type": "input", "block_id": "b5", "label": {"type": "plain_text", "text": "Unasked"}, "element": {"type": "plain_text_input"}},
        ],
    }  # fmt: skip
    values = {
        "b1": {"value": {"type": "radio_buttons", "selected_option": {"value": "yes"}}},
        "b2": {"value": {"type": "datepicker", "selected_date": "2026-12-21"}},
        "b3": {"value": {"type": "multi_users_select", "selected_users": ["U0ADMIN01"]}},
        "b4": {"value": {"type": "plain_text_input", "value": None}},
    }
    lines = render(view, {"U0ADMIN01": "Admin Hub"}, values).splitlines()
    assert lines == [
        "[Allocate case]",
        "Sensitive?: Yes, sensitive",
        "Touchpoint: Mon 21 Dec 2026",
        "Notify: @Admin Hub",
        "Notes: (not answered)",
        "Unasked: ____",
    ]


def test_italics_read_as_plain_words_but_names_keep_their_underscores() -> None:
    text = render({"text": "_teams file figures_ for snake_case_name"})
    assert text == "teams file figures for snake_case_name"
