"""First names that are also places ("Georgia", "Paris", "Sydney"): replaced when used as a person, kept as a place."""

from __future__ import annotations

import pytest

from core.privacy.deidentify import deidentify_text
from core.privacy.vocabulary import VOCABULARY_FILE, VocabularyError, load_vocabulary


@pytest.mark.parametrize("text, name", [
    ("Georgia Whitfield is 14 and has relapsed ALL.", "Georgia"),
    ("Georgia is 14 and has relapsed ALL.", "Georgia"),
    ("Ms. Florence Adeyemi asked about CAR-T.", "Florence"),
    ("Austin Hale, aged 9, has refractory disease.", "Austin"),
    ("Sydney was diagnosed in 2021 and her mother Victoria will travel.", "Victoria"),
    ("Sydney was diagnosed in 2021 and her mother Victoria will travel.", "Sydney"),
    ("Jordan has relapsed twice; Jordan's mother asks about trials.", "Jordan"),
    ("Her daughter Savannah had two cycles of blinatumomab.", "Savannah"),
    ("Paris, 6, received CAR-T in 2023.", "Paris"),
    ("Madison's leukaemia came back in March.", "Madison"),
])
def test_a_place_name_used_as_a_person_is_replaced(text: str, name: str) -> None:
    assert name not in deidentify_text(text).text


@pytest.mark.parametrize("text, known", [
    ("Madison had two cycles of blinatumomab.", ["Madison Reyes"]),
    ("Contact: Georgia. She can travel.", ["Georgia Okafor"]),
])
def test_a_place_name_that_is_the_contacts_name_is_replaced(text: str, known: list[str]) -> None:
    assert known[0].split()[0] not in deidentify_text(text, known).text


@pytest.mark.parametrize("text", [
    "The family lives in Georgia and can travel to Atlanta.",
    "They moved from Paris, France last year.",
    "The family can travel to Sydney or Florence.",
    "She was treated near Austin, Texas before moving to Madison.",
    "The nearest site is in Victoria, British Columbia.",
])
def test_a_place_name_used_as_a_place_stays(text: str) -> None:
    assert deidentify_text(text).text == text


def test_the_contacts_place_like_name_stays_where_it_names_a_place() -> None:
    out = deidentify_text("Georgia Okafor wrote in. Georgia says they live in Georgia.", ["Georgia Okafor"]).text
    assert out == "[NAME] wrote in. [NAME] says they live in Georgia."


def test_a_broken_person_cue_is_named_with_its_file_and_line(tmp_path) -> None:
    bad = tmp_path / "vocabulary.yaml"
    text = VOCABULARY_FILE.read_text(encoding="utf-8").replace("person_cues:\n", "person_cues:\n  - \"(unclosed\"\n", 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"vocabulary.yaml, line \d+, list person_cues: .*entry 1"):
        load_vocabulary(bad)
