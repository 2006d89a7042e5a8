"""The Unified Tiering Model tier: a letter A-D for risk of harm (A highest) and a digit 0-3
for needs, e.g. B2 (seeds/004, "Unified Tiering Model"; docs/architecture.md glossary)."""

from __future__ import annotations

import re
from dataclasses import dataclass

TIER_PATTERN = re.compile(r"^[A-D][0-3]$")


@dataclass(frozen=True, order=True)
class Tier:
    risk: str
    needs: int

    @classmethod
    def parse(cls, text: str) -> Tier:
        """Parse 'B2' (any case, surrounding spaces ignored); ValueError names what is expected."""
        value = text.strip().upper()
        if not TIER_PATTERN.match(value):
            raise ValueError("must be a tier from A0 to D3: a letter A-D (risk of harm) and a digit 0-3 (needs)")
        return cls(risk=value[0], needs=int(value[1]))

    def __str__(self) -> str:
        return f"{self.risk}{self.needs}"
