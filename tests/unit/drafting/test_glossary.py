"""Tests for the plain-language glossary."""

from __future__ import annotations

import pytest

from core.drafting.glossary import GLOSSARY, find_jargon, plain_alternative

REQUIRED_TERMS = [
    "allogeneic", "autologous", "CAR-T", "refractory", "relapsed", "randomised", "placebo", "phase 1",
    "phase 2", "phase 3", "open-label", "lymphodepletion", "cytokine release syndrome", "neurotoxicity",
    "stem cell transplant", "bispecific", "monoclonal antibody", "remission", "minimal residual disease",
    "expanded access", "compassionate use", "gene therapy", "lentiviral", "AAV vector", "ECOG",
]  # fmt: skip


@pytest.mark.parametrize("term", REQUIRED_TERMS)
def test_every_required_term_has_a_plain_alternative(term: str) -> None:
    plain = plain_alternative(term)
    assert plain and term.lower() not in plain.lower()


def test_spellings_and_case_map_to_the_same_term() -> None:
    assert plain_alternative("Randomized") == plain_alternative("randomised")
    assert plain_alternative("CAR T") == plain_alternative("car-t")
    assert plain_alternative("not a medical word") is None


def test_find_jargon_reports_terms_with_positions_longest_first() -> None:
    text = "A phase 1/2 study of autologous CAR-T cells after lymphodepletion; watch for CRS and ICANS."
    hits = find_jargon(text)
    assert [h.term for h in hits] == [
        "phase 1/2", "autologous", "CAR-T", "lymphodepletion", "cytokine release syndrome", "neurotoxicity",
    ]  # fmt: skip
    for hit in hits:
        assert text[hit.start : hit.end]
        assert hit.plain == plain_alternative(hit.term)
    assert text[hits[2].start : hits[2].end] == "CAR-T cells"


def test_acronyms_do_not_match_ordinary_words() -> None:
    assert find_jargon("We put the cart by the avenue via the crs road.") == []


def test_glossary_plain_meanings_state_no_numbers_and_no_promises() -> None:
    # Plain meanings are quoted into drafts, so they must pass the grounding and promise checks anywhere.
    from core.drafting.promises import find_promises

    for entry in GLOSSARY:
        assert not any(ch.isdigit() for ch in entry.plain), entry.term
        assert find_promises(entry.plain) == [], entry.term
