"""Custody under OMiC: a community offender manager now, or POM-led until the handover lead time
(seeds/001 s2.3; the policy file's `omic` settings)."""

from __future__ import annotations

from datetime import date

from bot.domain.case_path import Custody, decide_path
from bot.domain.policy_file import default_policy
from bot.domain.resourcing import Resourcing

OMIC = default_policy().omic
SENTENCED = date(2026, 12, 14)
TODAY = date(2026, 12, 21)


def path(release: date | None, resourcing: Resourcing, *, custodial: bool = True, handover: date | None = None):
    return decide_path(Custody(custodial, SENTENCED, release, handover), resourcing, OMIC, today=TODAY)


def test_a_community_sentence_is_allocated_now() -> None:
    assert not path(None, Resourcing.NORMAL, custodial=False).pom_led


def test_enhanced_with_ten_months_or_less_to_serve_gets_a_com_now() -> None:
    assert not path(date(2027, 10, 14), Resourcing.ENHANCED).pom_led  # exactly 10 months
    later = path(date(2027, 10, 15), Resourcing.ENHANCED)
    assert later.pom_led and later.handover_date == date(2027, 2, 28)  # 7.5 months before release


def test_normal_with_twelve_weeks_or_less_gets_a_com_now_otherwise_pom_led() -> None:
    assert not path(date(2027, 3, 8), Resourcing.NORMAL).pom_led  # exactly 12 weeks
    pom = path(date(2027, 9, 14), Resourcing.NORMAL)
    assert pom.pom_led and (pom.handover_date, pom.allocatable_from) == (date(2027, 6, 22), date(2027, 6, 8))
    assert "more than 12 weeks to serve at sentence, normal resources" in pom.reason


def test_the_sources_handover_date_wins_and_a_near_handover_allocates_now() -> None:
    given = path(date(2027, 9, 14), Resourcing.NORMAL, handover=date(2027, 5, 3))
    assert given.handover_date == date(2027, 5, 3) and given.allocatable_from == date(2027, 4, 19)
    near = path(date(2027, 9, 14), Resourcing.NORMAL, handover=date(2026, 12, 30))
    assert not near.pom_led and near.handover_date == date(2026, 12, 30)


def test_without_a_release_date_a_com_is_allocated_now_unless_a_handover_is_given() -> None:
    assert not path(None, Resourcing.NORMAL).pom_led
    assert path(None, Resourcing.NORMAL, handover=date(2027, 6, 1)).pom_led
