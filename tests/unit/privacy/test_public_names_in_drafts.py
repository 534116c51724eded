"""Names from the trial record (investigators, hospitals) are public, not the family's personal data; the family's
details and people the record does not name are still flagged."""

from __future__ import annotations

import pytest

from core.privacy.known import KnownIdentifiers
from core.privacy.personal_data import PersonalDataScanner

KNOWN = KnownIdentifiers(names=["Ana Ruiz"], phones=["+1 314 555 0142"])
NOTES = ["Ana was treated at St. Jude Children's Research Hospital and at Memorial Sloan Kettering. "
         "Dr. Maria Lopez suggested a CAR-T trial. Her aunt Rosa Delgado helps with travel."]
RECORD = ("Sites: St. Jude Children's Research Hospital, Memphis; Memorial Sloan Kettering Cancer Center, New York. "
          "Central contact: Dr. Maria Lopez, 901-555-0100.")


def scanner() -> PersonalDataScanner:
    return PersonalDataScanner(KNOWN, narrative_texts=NOTES, public_text=RECORD)


@pytest.mark.parametrize("sentence", [
    "The study is led by Dr. Maria Lopez at St. Jude Children's Research Hospital.",
    "Memorial Sloan Kettering also takes part.",
    "You can call Dr. Maria Lopez on 901-555-0100.",
])
def test_names_from_the_trial_record_are_not_flagged(sentence: str) -> None:
    assert scanner().find(sentence) == []


@pytest.mark.parametrize("sentence, token", [
    ("Ana Ruiz may be able to join.", "Ana Ruiz"),
    ("Ask Rosa Delgado to call the team.", "Rosa Delgado"),
    ("Dr. Priya Raman at the local ward can help.", "Priya Raman"),
    ("Call +1 314 555 0142 for details.", "+1 314 555 0142"),
])
def test_the_familys_details_and_people_the_record_does_not_name_are_flagged(sentence: str, token: str) -> None:
    assert token in [h.token for h in scanner().find(sentence)]
