"""Parsing, printing and ordering of Unified Tiering Model tiers (bot/domain/tiers.py)."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from bot.domain.tiers import Tier

# seeds/004 ("Unified Tiering Model"): a letter A-D for risk of harm and a digit 0-3 for needs.
ALL_TIERS = [f"{risk}{needs}" for risk, needs in itertools.product("ABCD", "0123")]


@pytest.mark.parametrize("text", ALL_TIERS)
def test_every_tier_from_a0_to_d3_parses_and_round_trips(text: str) -> None:
    tier = Tier.parse(text)
    assert tier == Tier(risk=text[0], needs=int(text[1]))
    assert str(tier) == text


@pytest.mark.parametrize(("text", "expected"), [("b2", "B2"), ("  c1 ", "C1"), ("d3\n", "D3")])
def test_parse_ignores_case_and_surrounding_space(text: str, expected: str) -> None:
    assert str(Tier.parse(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A",
        "2",
        "E1",  # no tier E
        "A4",  # needs stop at 3
        "2B",  # digit first
        "A10",
        "AB",
        "B 2",  # space inside
        "B-2",
        "B\u0662",  # Arabic-Indic digit two: `\d` would accept it
    ],
)
def test_parse_rejects_anything_outside_a0_to_d3(text: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        Tier.parse(text)
    # The message says what a valid value looks like.
    assert "A0" in str(excinfo.value) and "D3" in str(excinfo.value)


def test_needs_is_an_int() -> None:
    assert Tier.parse("C3").needs == 3
    assert isinstance(Tier.parse("C3").needs, int)


def test_sorting_puts_highest_risk_of_harm_first_then_needs() -> None:
    # A is the highest risk of harm (docs/architecture.md glossary), so a sorted queue starts with A.
    shuffled = [Tier.parse(t) for t in ("C1", "A3", "D0", "A0", "B2", "C0")]
    assert [str(t) for t in sorted(shuffled)] == ["A0", "A3", "B2", "C0", "C1", "D0"]


def test_tier_is_immutable_and_hashable() -> None:
    tier = Tier.parse("B2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        tier.risk = "A"  # type: ignore[misc]
    assert {Tier.parse("b2"), Tier.parse("B2 ")} == {tier}
