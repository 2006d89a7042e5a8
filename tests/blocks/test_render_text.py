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
