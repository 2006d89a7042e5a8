"""The text after `/casebot`, read into one subcommand. Pure: the caller's words in, a query or
a usage problem out (the handler answers a problem with the help text).

Slack escapes &, < and > in a slash command's text when `should_escape` is on, and sends a
mention as `<@U123|name>`; the parser reads both as Slack sends them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.domain.case_input import CRN_PATTERN
from bot.domain.errors import CasebotError
from bot.domain.slack_text import looks_like_user_id


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class QueueQuery:
    pass


@dataclass(frozen=True)
class CaseQuery:
    crn: str


@dataclass(frozen=True)
class CaseloadQuery:
    user_id: str


Command = Help | QueueQuery | CaseQuery | CaseloadQuery


class UsageProblem(CasebotError):
    """The text is not a command we know; `message` says what was wrong (plain text, may quote
    the caller's own words, so builders escape it)."""


QUOTE_MAX = 40


def _quoted(word: str) -> str:
    """The caller's word as they typed it (Slack escapes &, < and > when should_escape is on)."""
    shown = html.unescape(word)
    return shown if len(shown) <= QUOTE_MAX else shown[: QUOTE_MAX - 1] + "…"


_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def _mentioned(text: str) -> str | None:
    """The user id when `text` is one mention as Slack sends it: `<@U123>` or `<@U123|name>`
    (the name may hold spaces)."""
    found = _MENTION.fullmatch(text)
    return found.group(1) if found and looks_like_user_id(found.group(1)) else None


def parse(text: str) -> Command:
    """The command in `/casebot`'s text; raises UsageProblem naming what was wrong."""
    words = (text or "").split()
    if not words:
        return Help()
    sub, args = words[0].lower(), words[1:]
    rest = (text or "").strip()[len(words[0]) :].strip()
    if sub == "help":
        return Help()
    if sub == "queue":
        if args:
            raise UsageProblem(f"`queue` takes nothing after it (got “{_quoted(' '.join(args))}”).")
        return QueueQuery()
    if sub == "case":
        if not args:
            raise UsageProblem("`case` needs a CRN, e.g. `/casebot case X123456`.")
        if len(args) > 1:
            raise UsageProblem("`case` takes one CRN, e.g. `/casebot case X123456`.")
        crn = args[0].upper()
        if not CRN_PATTERN.match(crn):
            raise UsageProblem(f"“{_quoted(args[0])}” is not a CRN: a CRN is one letter and six digits, e.g. X123456.")
        return CaseQuery(crn)
    if sub == "caseload":
        if not rest:
            raise UsageProblem("`caseload` needs a person: mention them, e.g. `/casebot caseload @Ada`.")
        user_id = _mentioned(rest)
        if user_id is not None:
            return CaseloadQuery(user_id)
        if rest.count("<@") > 1:
            raise UsageProblem("`caseload` takes one person: mention them, e.g. `/casebot caseload @Ada`.")
        raise UsageProblem(f"“{_quoted(rest)}” is not a person: mention them with @, e.g. `/casebot caseload @Ada`.")
    raise UsageProblem(f"I don't know “{_quoted(words[0])}”.")
