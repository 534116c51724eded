"""De-identification: the identifiers issue 14 saw reach the model are replaced; clinical facts survive."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.privacy.deidentify import deidentify_case_facts, deidentify_text, find_identifiers
from core.privacy.known import KnownIdentifiers, find_known_identifiers
from core.privacy.vocabulary import VOCABULARY_FILE, VocabularyError, load_vocabulary
from tests.unit.drafting.fixtures import make_case_facts

CONTACT = KnownIdentifiers(names=["María González"], emails=["maria.g@example.com"], phones=["+1 314 555 0142"],
                           addresses=["4521 Oak Hollow Dr, St. Louis, MO 63110"])


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("GONZALEZ family asked about trials.", "GONZALEZ", "NAME"),
        ("Her mother Maria Gonzalez wrote.", "Maria Gonzalez", "NAME"),
        ("mrs gonzález called", "gonzález", "NAME"),
        ("She was born March 14, 2012.", "March 14, 2012", "DATE"),
        ("DOB 14/03/2012, admitted 2024-01-05.", "14/03/2012", "DATE"),
        ("We live at 4521 Oak Hollow Dr now.", "4521 Oak Hollow Dr", "ADDRESS"),
        ("Hospital number H-99812.", "H-99812", "ID"),
        ("MRN 4829173 at the clinic.", "4829173", "ID"),
        ("NHS number 943 476 5919.", "943 476 5919", "ID"),
        ("write to maria dot g at example dot com", "maria dot g at example dot com", "EMAIL"),
        ("or maria.g [at] example [dot] com", "maria.g [at] example [dot] com", "EMAIL"),
        ("ring (314) 555-0142 any time", "(314) 555-0142", "PHONE"),
        ("UK mobile 07700 900123.", "07700 900123", "PHONE"),
        ("See www.gofundme.com/f/lucia-fights for news.", "www.gofundme.com/f/lucia-fights", "URL"),
        ("Seen by Dr. Amara Whitcombe last week.", "Amara Whitcombe", "NAME"),
        ("Flat 2, 12 Acacia Avenue, Leeds LS6 2QT", "LS6 2QT", "ADDRESS"),
        ("Lindenstraße 12, 10115 Berlin", "Lindenstraße 12", "ADDRESS"),
    ],
)
def test_identifiers_are_replaced_with_typed_placeholders(text: str, secret: str, kind: str) -> None:
    result = deidentify_text(text, CONTACT)
    assert secret not in result.text
    assert f"[{kind}]" in result.text
    assert any(s.type == kind and text[s.start : s.end].find(secret) >= 0 or secret in text[s.start : s.end] for s in result.spans)


def test_clinical_facts_ages_and_places_survive() -> None:
    text = ("A 14-year-old with relapsed T-ALL, CD7+ CD1a-, NOTCH1 mutation, MRD 0.04%, WBC 118 x10^9/L, "
            "after nelarabine 650 mg/m2 and Ara-C; ECOG 1, Lansky 70; trial NCT01234567 in St. Louis, MO.")
    assert deidentify_text(text).text == text


def test_the_location_field_keeps_the_city_and_loses_the_street() -> None:
    clean, report = deidentify_case_facts(
        make_case_facts().model_copy(update={"location_label": "area: 4521 Oak Hollow Dr, St. Louis, MO 63110"}), CONTACT
    )
    assert clean.location_label == "area: [ADDRESS], St. Louis, MO [ADDRESS]"
    assert clean.latitude is None and clean.longitude is None
    assert {s.type for s in report["location_label"].spans} == {"ADDRESS"}


def test_a_shared_tail_of_digits_is_not_the_familys_phone() -> None:
    family = KnownIdentifiers(phones=["+1 314 555 0142"])
    assert find_known_identifiers("the trial nurse: +1 215-555-0142", family) == []
    assert find_known_identifiers("call 314.555.0142", family)


def test_the_vocabulary_loader_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "vocabulary.yaml"
    bad.write_text(VOCABULARY_FILE.read_text(encoding="utf-8").replace("  - Mrs\n", "  - no\n", 1), encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"vocabulary.yaml, line \d+, list honorifics: .*entry 2"):
        load_vocabulary(bad)


def test_placeholders_are_stable_when_deidentified_twice() -> None:
    once = deidentify_text("Dr. Amara Whitcombe saw Lucía on 14/03/2024.", CONTACT).text
    assert deidentify_text(once).text == once
    assert find_identifiers(once) == []
