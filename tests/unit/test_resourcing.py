"""Enhanced or normal resources from the case's own fields (PI 05/2014 para 1.12, Annex A)."""

from __future__ import annotations

import pytest

from bot.domain.resourcing import Resourcing, ResourcingInputs, assess


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"mappa_category": 1}, "MAPPA category 1"),
        ({"rosh": "High"}, "RoSH High"),
        ({"rosh": "Very High"}, "RoSH Very High"),
        ({"rsr": 6.9}, "RSR 6.9% (at or above 6.9%)"),
        ({"exceptional_public_interest": True}, "exceptional public interest"),
        ({"sentence_type": "Deferred Sentence"}, "deferred sentence"),
        ({"foreign_national": True, "custodial": True, "sentence_months": 12}, "foreign national, 12 months or more in custody"),
        ({"foreign_national": True, "deportation_recommended": True}, "foreign national recommended for deportation"),
    ],
)
def test_each_criterion_makes_a_case_enhanced_and_is_named(fields: dict, reason: str) -> None:
    outcome = assess(ResourcingInputs(**fields))
    assert outcome.resourcing == Resourcing.ENHANCED and outcome.reason == reason
    assert outcome.label() == f"Enhanced resources: {reason}"


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"rosh": "Medium", "rsr": 6.89},
        {"foreign_national": True, "custodial": True, "sentence_months": 11.9},
        {"foreign_national": True, "custodial": False, "sentence_months": 24},  # not immediate custody
        {"deportation_recommended": True},  # only for a foreign national
    ],
)
def test_otherwise_normal_resources(fields: dict) -> None:
    assert assess(ResourcingInputs(**fields)).resourcing == Resourcing.NORMAL


def test_every_criterion_met_is_named_in_the_documents_order() -> None:
    outcome = assess(ResourcingInputs(mappa_category=2, rosh="High", rsr=10))
    assert outcome.reason == "MAPPA category 2; RoSH High; RSR 10% (at or above 6.9%)"
