"""Slack's own text rules that are not presentation: what a user id looks like, and the
escaping mrkdwn needs. Pure; blocks/ builds on them, and the SAR export uses the escaping to
recognise a sensitive note however a message carried it."""

from __future__ import annotations


def escape(text: str) -> str:
    """Escape &, < and > for mrkdwn, and nothing else (Slack's own escaping rule). `&` first,
    so the entities the other two become are not escaped again; str.replace, not a loop per
    character: every card of an intake passes each of its texts through here."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def looks_like_user_id(value: str) -> bool:
    """U0PP00001 or W0123ABCD: upper-case letters and digits only, so safe inside `<@...>`."""
    return 2 < len(value) <= 20 and value[0] in "UW" and value.isascii() and value.isalnum() and value.isupper()
