"""Tests for the plain-language glossary."""

from __future__ import annotations

import pytest

from core.drafting.glossary import GLOSSARY, explain_term, find_jargon

REQUIRED_TERMS = [
    "allogeneic", "autologous", "CAR-T", "refractory", "relapsed", "randomised", "placebo", "phase 1",
    "phase 2", "phase 3", "open-label", "lymphodepletion", "cytokine release syndrome", "neurotoxicity",
    "stem cell transplant", "bispecific", "monoclonal antibody", "remission", "minimal residual disease",
    "expanded access", "compassionate use", "gene therapy", "lentiviral", "AAV vector", "ECOG",
]  # fmt: skip


@pytest.mark.parametrize("term", REQUIRED_TERMS)
def test_every_required_term_has_a_plain_alternative(term: str) -> None:
    [hit] = find_jargon(term)
    assert (hit.start, hit.end) == (0, len(term))
    assert hit.plain and term.lower() not in hit.plain.lower()


def _term(text: str) -> str:
    [hit] = find_jargon(text)
    return hit.term


def test_spellings_and_case_map_to_the_same_term() -> None:
    assert _term("Randomized") == _term("randomised")
    assert _term("CAR T") == _term("CAR-T") == _term("chimeric antigen receptor")
    assert explain_term("car-t", {}) == explain_term("CAR-T", {})
    assert find_jargon("not a medical word") == []


def test_find_jargon_reports_terms_with_positions_longest_first() -> None:
    text = "A phase 1/2 study of autologous CAR-T cells after lymphodepletion; watch for CRS and ICANS."
    hits = find_jargon(text)
    assert [h.term for h in hits] == [
        "phase 1/2", "autologous", "CAR-T", "lymphodepletion", "cytokine release syndrome", "neurotoxicity",
    ]  # fmt: skip
    for hit in hits:
        assert text[hit.start : hit.end]
        assert hit.plain == explain_term(hit.term, {})
    assert text[hits[2].start : hits[2].end] == "CAR-T cells"


def test_acronyms_do_not_match_ordinary_words() -> None:
    assert find_jargon("We put the cart by the avenue via the crs road.") == []


def test_glossary_plain_meanings_state_no_numbers_and_no_promises() -> None:
    # Plain meanings are quoted into drafts, so they must pass the grounding and promise checks anywhere.
    from core.drafting.promises import find_promises

    for entry in GLOSSARY:
        assert not any(ch.isdigit() for ch in entry.plain), entry.term
        assert find_promises(entry.plain) == [], entry.term
