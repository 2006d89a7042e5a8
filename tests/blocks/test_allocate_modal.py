"""The Allocate, Reallocate and loading modals and their candidate list
(blocks/allocate_modal.py, blocks/candidate_blocks.py)."""

from __future__ import annotations

from datetime import date

from blocks.allocate_modal import AllocateMetadata, allocate_modal, loading_modal, reallocate_modal
from blocks.candidate_blocks import MAX_STATIC_OPTIONS, OPTION_TEXT_MAX, candidate_line, option_label, practitioner_options
from blocks.formats import TEAMS_FILE_FIGURES, percent_text, tier_mix_bars, workload_bar
from blocks.ids import Action, AllocateBlock, Callback
from bot.domain.availability import Away
from bot.domain.case_summary import CaseSummary
from bot.domain.offers import Offer
from bot.domain.policy import PolicyFit
from bot.domain.vocabulary import PRISON
from tests.blocks.support import DECIMAL_PERCENT, HOSTILE, all_text, assert_valid_view, make_case


def offer(n: int = 1, *, name: str = "Ada Lovelace", now: float = 62.3, after: float = 66.1, exceptions: list[str] | None = None,
          previous: bool = False, mix: dict[str, int] | None = None, away: Away | None = None, from_feed: bool = True) -> Offer:  # fmt: skip
    fit = PolicyFit(exceptions=exceptions or [], notes=["Held a case for this person before"] if previous else [], is_previous=previous)
    return Offer(
        practitioner_id=n, staff_code=f"N07A{n:03d}", name=name, grade="PO", slack_user_id=f"U0PP{n:05d}", fit=fit,
        workload_now=now, workload_after=after, recent_allocations=2, tier_mix=mix if mix is not None else {"A": 2, "B": 5, "C": 9, "D": 3},
        away=away, from_feed=from_feed,
    )  # fmt: skip


def build(offers: list[Offer], case: CaseSummary | None = None, **changes: object) -> dict:
    kwargs: dict = dict(touchpoint_default=date(2026, 12, 21), notify_default=["U0SPO0002"], previous_name=None, record_url=None)
    kwargs.update(changes)
    return allocate_modal(case or make_case(), offers, **kwargs)


def test_the_modal_validates_and_carries_the_case() -> None:
    modal = build([offer(1), offer(2, name="Grace Hopper", exceptions=["Tier B needs a PO"], previous=True)])
    assert_valid_view(modal)
    assert modal["callback_id"] == Callback.ALLOCATE and AllocateMetadata.loads(modal["private_metadata"]).case_id == 42
    ids = [b.get("block_id") for b in modal["blocks"] if b["type"] == "input"]
    assert ids[0] == AllocateBlock.PRACTITIONER and ids[-1] == AllocateBlock.CONFIRM_EXCEPTION
    notify = next(b for b in modal["blocks"] if b.get("block_id") == AllocateBlock.NOTIFY)
    assert notify["element"]["initial_users"] == ["U0SPO0002"]


def test_candidate_figures_are_whole_per_cents_with_tier_mix_bars() -> None:
    line = candidate_line(offer())
    assert f"Workload {workload_bar(62.3)} → 66% after" in line and f"\nTier mix: {tier_mix_bars({'A': 2, 'B': 5, 'C': 9, 'D': 3})}\n" in line
    assert "✓ Within policy" in line
    assert option_label(offer()) == f"Ada Lovelace · PO · {percent_text(66.1)} after"
    over = candidate_line(offer(now=99.0, after=100.3))
    assert "99% → 101% after *over capacity*" in over
    # The case's RSR keeps its decimals (a risk score, blocks/formats.py `score_text`): leave it
    # out so every per cent left is a workload.
    modal = build([offer(), offer(2, now=float("inf"), after=float("inf"))], make_case(rsr=None))
    assert not DECIMAL_PERCENT.search(all_text(modal)) and "no capacity :warning: → no capacity after" in all_text(modal)


def test_option_labels_fit_slacks_75_characters_and_mark_exceptions() -> None:
    label = option_label(offer(name=HOSTILE, exceptions=["x"], previous=True))
    assert len(label) <= OPTION_TEXT_MAX and label.startswith("⚠ ↩ ") and label.endswith(" · PO · 66% after")


def test_a_team_over_100_gets_a_searchable_select() -> None:
    offers = [offer(n, name=f"Person {n}") for n in range(MAX_STATIC_OPTIONS + 5)]
    modal = build(offers)
    assert_valid_view(modal)
    select = next(b for b in modal["blocks"] if b.get("block_id") == AllocateBlock.PRACTITIONER)["element"]
    assert select["type"] == "external_select" and select["action_id"] == Action.PRACTITIONER_SEARCH
    assert "and 97 more in the list below" in all_text(modal)
    assert [o["value"] for o in practitioner_options(offers, "person 10")] == ["10", *(str(n) for n in range(100, 105))]


def test_no_one_to_offer_is_said_in_the_services_words() -> None:
    modal = build([], terms=PRISON)
    assert_valid_view(modal)
    assert "No POM in this team can be offered this case." in all_text(modal) and "*POMs, best fit first*" in all_text(modal)


def test_reallocate_and_loading_modals_validate() -> None:
    modal = reallocate_modal(
        make_case(), [offer()], current_name=HOSTILE, reasons={"leave": "Practitioner on leave"}, record_url=None, touchpoint_default=date(2026, 12, 21)
    )
    assert_valid_view(modal)
    assert modal["callback_id"] == Callback.REALLOCATE and "&lt;!channel&gt;" in modal["blocks"][0]["text"]["text"]
    loading = loading_modal(make_case(name=HOSTILE), record_url="https://records.example/X123456")
    assert_valid_view(loading)
    assert "submit" not in loading and "Loading practitioners and workloads…" in all_text(loading)


def test_someone_away_is_marked_with_the_last_day_and_fallback_figures_say_so() -> None:
    """The workforce source's absence shows as "away until ..." (never its reason); figures the
    source has not reported are marked as the teams file's."""
    line = candidate_line(offer(away=Away(date(2026, 12, 14)), from_feed=False))
    assert "*away until Mon 14 Dec*" in line and TEAMS_FILE_FIGURES in line
    assert option_label(offer(away=Away(None))).startswith("⛔ ")
    assert "away, no return date" in candidate_line(offer(away=Away(None)))
    plain = candidate_line(offer())
    assert "away" not in plain and TEAMS_FILE_FIGURES not in plain
