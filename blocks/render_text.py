"""Block Kit as a person would read it, in plain text: for `make try`, the demo and the README.

Pure: a message or view dict in, lines of text out. mrkdwn escapes are turned back into
the characters a person sees, and mentions into @ids. A view's input blocks show the answers
given (a submission's `view.state.values`) when they are passed, so a reader sees the form as
the person filled it in.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from blocks.formats import long_date

_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_USER = re.compile(r"<@([A-Z0-9]+)>")
_ITALIC = re.compile(r"(?<![\w])_([^_\n]+)_(?![\w])")  # mrkdwn _italic_: a terminal shows the words
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")  # Slack shows the reader's local time; we show the fallback
# The emoji shortcodes casebot writes, as Slack draws them: a terminal shows the symbol, not ":lock:".
_EMOJI = {":warning:": "⚠", ":lock:": "🔒", ":no_entry:": "⛔"}
_SHORTCODE = re.compile("|".join(map(re.escape, _EMOJI)))


def _unescape(text: str, names: dict[str, str]) -> str:
    text = _DATE.sub(r"\1", text)
    text = _LINK.sub(r"\2 (\1)", text)
    text = _USER.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    text = _SHORTCODE.sub(lambda m: _EMOJI[m.group(0)], text)
    text = _ITALIC.sub(r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("*", "")


def _answer_text(element: dict[str, Any], state: dict[str, Any], names: dict[str, str]) -> str:
    """One input's answer as its person chose it: the option's words, not its value."""
    options = {o["value"]: o["text"]["text"] for o in element.get("options", [])}
    chosen = [state["selected_option"]] if state.get("selected_option") else state.get("selected_options") or []
    if chosen:
        return ", ".join(options.get(o["value"]) or o.get("text", {}).get("text", o["value"]) for o in chosen)
    if state.get("selected_users"):
        return ", ".join("@" + names.get(u, u) for u in state["selected_users"])
    if state.get("selected_date"):
        return long_date(date.fromisoformat(state["selected_date"]))
    return str(state.get("value") or "(not answered)")


def _block_lines(block: dict[str, Any], names: dict[str, str], values: dict[str, Any]) -> list[str]:
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
        label = _text(block.get("label"))
        answered = values.get(block.get("block_id", ""))
        if answered is None:
            return [f"{label}: ____"]
        [state] = answered.values()
        return [f"{label}: {_answer_text(block.get('element', {}), state, names)}"]
    return []


def render(surface: dict[str, Any], names: dict[str, str] | None = None, values: dict[str, Any] | None = None) -> str:
    """A message (`text` + `blocks`) or a view (`title` + `blocks`) as plain text; `names`
    turns user ids into the names Slack would show; `values` (a submission's state values, by
    block id) fills the inputs in."""
    names, values = names or {}, values or {}
    lines: list[str] = []
    if surface.get("type") in ("modal", "home"):
        title = (surface.get("title") or {}).get("text") or "App Home"
        lines += [f"[{title}]"]
    for block in surface.get("blocks") or []:
        lines += _block_lines(block, names, values)
    if not surface.get("blocks") and surface.get("text"):
        lines.append(_unescape(str(surface["text"]), names))
    return "\n".join(lines)
