"""Block Kit as a person would read it, in plain text: for `make try`, the demo and the README.

Pure: a message or view dict in, lines of text out. mrkdwn escapes are turned back into
the characters a person sees, and mentions into @ids.
"""

from __future__ import annotations

import re
from typing import Any

_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_USER = re.compile(r"<@([A-Z0-9]+)>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")  # Slack shows the reader's local time; we show the fallback
# The emoji shortcodes casebot writes, as Slack draws them: a terminal shows the symbol, not ":lock:".
_EMOJI = {":warning:": "⚠", ":lock:": "🔒", ":no_entry:": "⛔"}
_SHORTCODE = re.compile("|".join(map(re.escape, _EMOJI)))


def _unescape(text: str, names: dict[str, str]) -> str:
    text = _DATE.sub(r"\1", text)
    text = _LINK.sub(r"\2 (\1)", text)
    text = _USER.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    text = _SHORTCODE.sub(lambda m: _EMOJI[m.group(0)], text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("*", "")


def _block_lines(block: dict[str, Any], names: dict[str, str]) -> list[str]:
    def _text(obj: dict[str, Any] | None) -> str:
        if not obj:
            return ""
        return _unescape(obj.get("text", ""), names) if obj.get("type") == "mrkdwn" else str(obj.get("text", ""))

    kind = block.get("type")
    if kind == "header":
        title = _text(block.get("text"))
        return [title, "=" * len(title)]
    if kind == "section":
        lines = [_text(block.get("text"))] if block.get("text") else []
        for field in block.get("fields", []):
            label, _, value = _text(field).partition("\n")
            lines.append(f"{label}: {value}" if value else label)
        return lines
    if kind == "context":
        return ["  " + " ".join(_text(e) for e in block.get("elements", []) if e.get("type") in ("mrkdwn", "plain_text"))]
    if kind == "actions":
        return ["  ".join(f"[{_text(e.get('text'))}]" for e in block.get("elements", []))]
    if kind == "divider":
        return ["-" * 40]
    if kind == "input":
        return [f"{_text(block.get('label'))}: ____"]
    return []


def render(surface: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """A message (`text` + `blocks`) or a view (`title` + `blocks`) as plain text; `names`
    turns user ids into the names Slack would show."""
    names = names or {}
    lines: list[str] = []
    if surface.get("type") in ("modal", "home"):
        title = (surface.get("title") or {}).get("text") or "App Home"
        lines += [f"[{title}]"]
    for block in surface.get("blocks") or []:
        lines += _block_lines(block, names)
    if not surface.get("blocks") and surface.get("text"):
        lines.append(_unescape(str(surface["text"]), names))
    return "\n".join(lines)
