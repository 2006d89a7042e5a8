"""What a case's rows say, as text: a message's readable text, and the stretches of sensitive
notes the subject access backstop looks for in messages and audit details (bot/queries/sar.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.slack_text import escape
from bot.queries.sar_rules import MIN_NEEDLE_CHARS, NEEDLE_CHARS, WRITE_BACK, message_body, withhold_reason
from storage.models import Allocation, AuditEvent, Case, CaseEvent, OutboxMessage, ScheduledJob, Touchpoint


@dataclass(frozen=True)
class CaseRecords:
    """One case and every row that hangs off it."""

    case: Case
    allocations: Sequence[Allocation]
    touchpoints: Sequence[Touchpoint]
    audit: Sequence[AuditEvent]
    messages: Sequence[OutboxMessage]
    jobs: Sequence[ScheduledJob]
    events: Sequence[CaseEvent] = ()  # later sentence events that joined the case or stayed with it


def message_text(row: OutboxMessage) -> str | None:
    """What the message said, as readable text: a contact's text, a prison notice's subject and
    text, or a Slack message's fallback text and the text of its blocks (buttons left out)."""
    payload = row.payload or {}
    if row.method.startswith("record."):
        parts = [message_body(row).get("type"), message_body(row).get("text")]
    elif row.method == "prison.notify":
        parts = [payload.get("subject"), payload.get("text")]
    else:
        parts = [payload.get("text"), *block_texts(payload.get("blocks") or [])]
    lines = [p for p in parts if isinstance(p, str) and p]
    return "\n".join(dict.fromkeys(lines)) or None


def block_texts(node: Any) -> list[str]:
    """Every text object's text in Block Kit, skipping buttons and inputs (labels, not content)."""
    if isinstance(node, list):
        return [text for item in node for text in block_texts(item)]
    if not isinstance(node, dict) or node.get("type") in ("actions", "input", "button"):
        return []
    if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
        return [node["text"]]
    return [text for value in node.values() if isinstance(value, (dict, list)) for text in block_texts(value)]


def sensitive_needles(records: CaseRecords) -> frozenset[str]:
    """Stretches of every sensitive note of the case, as stored and as escaped for mrkdwn: what
    the backstop looks for in messages and audit details. Consecutive stretches, so a whole copy,
    a copy cut short (blocks/text.py `cut`) or any 80 characters of it still contain one."""
    texts: list[str] = [a.evidence for a in records.allocations if a.evidence_sensitive is not False]
    texts += [a.hate_crime_notes for a in records.allocations if a.hate_crime_notes and a.hate_crime_sensitive is not False]
    texts += [a.discrimination_notes for a in records.allocations if a.discrimination_notes and a.discrimination_sensitive is not False]
    texts += [t.notes for t in records.touchpoints if t.notes and t.notes_sensitive is not False]
    texts += [str(message_body(m).get("text")) for m in records.messages if m.purpose == WRITE_BACK and withhold_reason(m)]
    return frozenset(_needles(texts))


def _needles(texts: Iterable[str]) -> Iterable[str]:
    for text in texts:
        for form in {text.strip(), escape(text.strip())}:
            for start in range(0, len(form), NEEDLE_CHARS):
                stretch = form[start : start + NEEDLE_CHARS]
                if len(stretch) >= MIN_NEEDLE_CHARS:
                    yield stretch


def quotes_any(text: str, needles: frozenset[str]) -> bool:
    """True when `text` contains a stretch of a sensitive note."""
    return any(needle in text for needle in needles)
