"""Escaping and cutting of text for Slack (blocks/text.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blocks.text import ELLIPSIS, cut, escape, mrkdwn_safe, plain

# An `&` must start one of the three entities escape() writes; anything else is a split entity.
_BROKEN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U0123ABCD>", "&lt;@U0123ABCD&gt;"),
        ("<https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
        ("Fish & Chips", "Fish &amp; Chips"),
        ("&amp;", "&amp;amp;"),  # already-escaped text is escaped again, shown as typed
        # Only &, < and > are escaped; quotes, mrkdwn marks and non-ASCII are kept.
        ('O\'Brien "Jo" *bold* _it_ ~st~ `code` Zoë', 'O\'Brien "Jo" *bold* _it_ ~st~ `code` Zoë'),
    ],
)
def test_escape_only_ampersand_and_angle_brackets(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


@given(st.text())
def test_escaped_text_has_no_angle_brackets_and_no_bare_ampersand(text: str) -> None:
    out = escape(text)
    assert "<" not in out and ">" not in out
    assert not _BROKEN_ENTITY.search(out)


def test_cut_keeps_short_text() -> None:
    assert cut("abcde", 5) == "abcde"


def test_cut_adds_an_ellipsis_within_the_limit() -> None:
    assert cut("abcdef", 5) == "abcd" + ELLIPSIS
    assert len(cut("abcdef", 5)) == 5


def test_plain_cuts_but_does_not_escape() -> None:
    assert plain("<!here> & co", 100) == "<!here> & co"
    assert plain("x" * 30, 24) == "x" * 23 + ELLIPSIS


def test_mrkdwn_safe_escapes_short_text_unchanged_otherwise() -> None:
    assert mrkdwn_safe("<!channel>", 100) == "&lt;!channel&gt;"


def test_mrkdwn_safe_limit_counts_the_escaped_length() -> None:
    # "<<<" is 3 characters but 12 once escaped: it must be cut for a limit of 10.
    out = mrkdwn_safe("<<<", 10)
    assert out == "&lt;&lt;" + ELLIPSIS


def test_mrkdwn_safe_does_not_split_an_entity() -> None:
    # A naive cut of "ab&amp;cd" at 5 would end in "ab&a…".
    assert mrkdwn_safe("ab&cd", 5) == "ab" + ELLIPSIS


def test_mrkdwn_safe_exact_fit_is_not_cut() -> None:
    assert mrkdwn_safe("a&b", 7) == "a&amp;b"


@given(st.text(), st.integers(min_value=2, max_value=200))
def test_mrkdwn_safe_fits_and_never_ends_with_a_partial_entity(text: str, limit: int) -> None:
    out = mrkdwn_safe(text, limit)
    assert len(out) <= limit
    assert not _BROKEN_ENTITY.search(out)
    assert not re.search(r"&[a-z]{0,3}$", out.removesuffix(ELLIPSIS))
    escaped = escape(text)
    if len(escaped) <= limit:
        assert out == escaped
    else:
        # Shortened: a prefix of the escaped text, then the ellipsis.
        assert out.endswith(ELLIPSIS)
        assert escaped.startswith(out.removesuffix(ELLIPSIS))


@given(st.text(), st.integers(min_value=1, max_value=200))
def test_cut_fits_and_is_a_prefix(text: str, limit: int) -> None:
    out = cut(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert out.endswith(ELLIPSIS) and text.startswith(out.removesuffix(ELLIPSIS))
