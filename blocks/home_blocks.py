"""The App Home tab: an SPO's team sections (blocks/home_spo.py), then the person's
own cases (blocks/home_practitioner.py). Pure builders over bot/domain/home_view.py's values.

What a reader may see is decided before these run (bot/queries/home.py): a case the reader may
not see by name arrives here with its name and CRN already blanked, so a builder cannot leak
what it never received. A Home view holds at most 100 blocks; `home_view` never returns more,
whatever it is given.
"""

from __future__ import annotations

from typing import Any

from blocks.formats import clock_text, day_text
from blocks.home_practitioner import practitioner_blocks
from blocks.home_spo import QUEUE_COMMAND, spo_blocks
from blocks.kit import Block, context, divider, header, section
from bot.domain.home_view import HomeData

HOME_BLOCKS_MAX = 100  # Slack's limit for a Home tab view

NOT_IN_TEAM = (
    "You are not an SPO or a practitioner in any team casebot knows, so there is nothing to show you here yet. "
    "If you should be, please ask your casebot administrator to add you to the teams file."
)


def fit_blocks(blocks: list[Block], limit: int = HOME_BLOCKS_MAX) -> list[Block]:
    """At most `limit` blocks: the last guard (the sections are planned to fit, see bot/queries/home.py)."""
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    while kept and kept[-1].get("type") in ("divider", "header"):
        kept.pop()
    return [*kept, context(f"Some of this was left out to fit Slack's limit; use `{QUEUE_COMMAND}` and `/casebot caseload @person`.")]


def home_view(data: HomeData) -> dict[str, Any]:
    """The Home tab for one person: their SPO sections, then their own cases."""
    blocks: list[Block] = []
    if not data.spo and not data.practitioner:
        blocks += [header("casebot"), section(NOT_IN_TEAM)]
    for n, team in enumerate(data.spo):
        if n:
            blocks.append(divider())
        blocks += spo_blocks(team, data.today)
    for n, own in enumerate(data.practitioner):
        if n or data.spo:
            blocks.append(divider())
        blocks += practitioner_blocks(own, data.today)
    footer = context(f"Updated {clock_text(data.updated_at)} on {day_text(data.today, data.today)} · `/casebot help` for more")
    return {"type": "home", "blocks": [*fit_blocks(blocks, HOME_BLOCKS_MAX - 1), footer]}
