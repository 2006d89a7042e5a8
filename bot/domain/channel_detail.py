"""What a team's channel may see of a case (README, "What the channel may see").

A channel holds more people than the team: admin staff, partners, people who joined once. So
the card a channel sees is `minimal` unless the team chooses `standard` in the teams file:
minimal shows the CRN, the person's initials, the tier and the team's target date; standard
adds the name and the sentence. Risk (RoSH, MAPPA, the picture) is never on a channel card: it
opens in Details, for the team's own people only (bot/domain/access.py). The documents are
silent on what a team channel may show; the default is the cautious one. Pure.
"""

from __future__ import annotations

from typing import Literal

ChannelDetail = Literal["minimal", "standard"]
CHANNEL_DETAILS: tuple[ChannelDetail, ...] = ("minimal", "standard")
DEFAULT_CHANNEL_DETAIL: ChannelDetail = "minimal"


def initials(name: str) -> str:
    """'Sam de la Cruz-Smith' -> 'S.D.L.C.': the first letter of each word, so a channel can tell
    two cases apart in talk without reading a name. '?' when the name has no letter."""
    letters = [word[0].upper() for word in name.replace("-", " ").split() if word[:1].isalpha()]
    return ".".join(letters) + "." if letters else "?"


def shows_name(detail: str) -> bool:
    """Whether a channel card at this detail carries the person's name (and sentence)."""
    return detail == "standard"


def channel_name(name: str, detail: str) -> str:
    """The person as the channel sees them: the name at standard detail, else the initials."""
    return name if shows_name(detail) else initials(name)
