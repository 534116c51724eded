"""A family's street or surname that is also an ordinary word ("1 Test Street", "Zoe Test") is flagged in a draft
only when written as a name or with its house number or suffix; the de-identifier still removes it everywhere."""

from __future__ import annotations

import pytest

from core.privacy.deidentify import deidentify_text
from core.privacy.known import KnownIdentifiers, find_known_identifiers
from core.privacy.personal_data import PersonalDataScanner

FAMILY_ADDRESS = "The family's address"


def address_hits(address: str, sentence: str) -> list[str]:
    """The tokens of a draft sentence flagged as the family's address."""
    found = PersonalDataScanner(KnownIdentifiers(addresses=[address])).find(sentence)
    return [h.token for h in found if h.why == FAMILY_ADDRESS]


@pytest.mark.parametrize(("address", "sentence"), [
    ("1 Test Street", "It is about how much illness the tests show."),
    ("1 Test Street", "Ask the study team which test they need."),
    ("1 Test Street", "After cycle 1 test results decide the next step."),
    ("12 Church Lane", "Some families find help at their church."),
    ("3 Main St", "The main treatment is given in hospital."),
    ("8 High Street", "The first part of the study looks at a high dose."),
    ("8 High Street", "High doses are given first."),  # capitalised, but "high" is an ordinary word
    ("5 Oak Road", "The study nurse keeps an oak desk."),
])
def test_an_ordinary_word_that_is_also_the_street_is_no_address(address: str, sentence: str) -> None:
    assert address_hits(address, sentence) == []


@pytest.mark.parametrize(("address", "sentence", "token"), [
    ("1 Test Street", "The family lives on Test Street.", "Test Street"),
    ("1 Test Street", "Write to 1 Test St about it.", "1 Test St"),
    ("1 Test Street", "The house on Test St. is near.", "Test St"),
    ("1 Test Street", "They live at 1 test street.", "1 test street"),
    ("1 Test Street", "Their house is 1 Test, near the school.", "1 Test"),
    ("12 Church Lane", "The family lives on Church Lane.", "Church Lane"),
    ("5 Oak Road", "Their house is on Oak Rd near the park.", "Oak Rd"),
    ("3 Main St", "They live on main st near the school.", "main st"),
    ("1 Test Street", "They live at 1 test st now.", "1 test st"),
    # A street's name that is no ordinary word still identifies alone when written as a name.
    ("14 Mapleton Avenue", "The family lives on Mapleton near the park.", "Mapleton"),
    ("5 rue de la Paix, 75002 Paris", "They live rue de la Paix.", "rue de la Paix"),
    ("Hauptstraße 5, 10115 Berlin", "They live in the hauptstrasse.", "hauptstrasse"),
])
def test_the_street_written_as_an_address_is_still_flagged(address: str, sentence: str, token: str) -> None:
    # The whole phrase or its street's name: either keeps the street out of the report.
    assert any(hit in token for hit in address_hits(address, sentence))


@pytest.mark.parametrize("sentence", ["It is about how much illness the tests show.", "Ask which test they need."])
def test_a_surname_that_is_an_ordinary_word_is_not_flagged_in_lowercase(sentence: str) -> None:
    assert PersonalDataScanner(KnownIdentifiers(names=["Zoe Test"])).find(sentence) == []


@pytest.mark.parametrize(("sentence", "token"), [("Zoe Test asked about it.", "Zoe Test"),
                                                 ("Ms Test asked about it.", "Test")])
def test_the_surname_written_as_a_name_is_flagged(sentence: str, token: str) -> None:
    assert token in [h.token for h in PersonalDataScanner(KnownIdentifiers(names=["Zoe Test"])).find(sentence)]


def test_a_blood_test_in_the_case_notes_does_not_make_test_an_identifier_from_the_notes() -> None:
    known = KnownIdentifiers(names=["Zoe Test"], addresses=["1 Test Street"])
    notes = ["Zoe had a blood test in May. The family lives at 1 Test Street."]
    scanner = PersonalDataScanner(known, narrative_texts=notes)
    assert scanner.find("Ask the study team which test they need.") == []
    assert "1 Test Street" in [h.token for h in scanner.find("They live at 1 Test Street.")]


def test_the_de_identifier_still_removes_the_streets_name_written_any_way() -> None:
    # The LLM must never get the street: before the wire, the street's name goes even as an ordinary word.
    known = KnownIdentifiers(addresses=["12 Church Lane"])
    assert "church" not in deidentify_text("We walk past the church every day.", known).text
    assert find_known_identifiers("the test shows", KnownIdentifiers(addresses=["1 Test Street"]))
