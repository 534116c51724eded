"""A negation hedges only the clause it stands in: "won't hurt" does not cancel "will cure"."""

from __future__ import annotations

import pytest

from core.drafting.promises import find_promises


@pytest.mark.parametrize("text", [
    "It will cure her and it won't hurt.",
    "It will cure her, and it won't hurt.",
    "It will cure her and she will not feel a thing.",
    "The treatment cures leukaemia and nobody gets sick from it.",
    "It will cure her, it won't hurt.",
    "It will cure her without any pain.",
    "This is a cure and there is nothing to fear.",
])
def test_a_negation_in_another_clause_does_not_hedge_a_promise(text: str) -> None:
    assert [h.phrase.lower() for h in find_promises(text)][:1] in (["cure"], ["cures"])


@pytest.mark.parametrize("text", [
    "We cannot promise it will cure her.",
    "No one can say it will cure her.",
    "Nobody knows if it will cure her and it may not help.",
    "This is not a cure and it may not help.",
    "A cure is not something anyone can promise.",
    "Cure is not the aim of this study.",
    "We do not know whether it is safe and it may cause side effects.",
])
def test_a_negation_that_governs_the_promise_still_hedges_it(text: str) -> None:
    assert find_promises(text) == []
