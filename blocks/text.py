"""Safe text for Slack: escape what Slack would parse, cut to what Slack accepts.

In mrkdwn only &, < and > are escaped, so `<!channel>` in a name shows as typed
and pings nobody. Every text field has a limit; a builder that overruns it gets
the whole message rejected, so every user or upstream string passes through here.
"""

from __future__ import annotations

from bot.domain.slack_text import escape

ELLIPSIS = "…"
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
HEADER_MAX = 150
BUTTON_TEXT_MAX = 75
MODAL_TITLE_MAX = 24
FALLBACK_TEXT_MAX = 3000  # chat.update rejects over 4,000; keep well under
CONTEXT_TEXT_MAX = 3000


def cut(text: str, limit: int) -> str:
    """`text` no longer than `limit` characters, ending in an ellipsis when shortened."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def mrkdwn_safe(text: str, limit: int) -> str:
    """Escape then cut, never splitting an entity such as `&amp;`."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    used = 0
    for ch in text:
        piece = escape(ch)
        if used + len(piece) > limit - 1:
            break
        out.append(piece)
        used += len(piece)
    return "".join(out) + ELLIPSIS


def plain(text: str, limit: int) -> str:
    """Text for a plain_text object: Slack does not parse it, so only the cut applies."""
    return cut(text, limit)
