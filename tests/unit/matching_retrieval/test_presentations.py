"""Clinical-presentation table: findings suggest candidate diagnoses; negated findings suggest nothing."""

from __future__ import annotations

import re

import pytest

from core.matching.knowledge import loader
from core.matching.presentations import match_presentations, suggest_diagnoses
from core.matching.query import build_query


@pytest.mark.parametrize(
    ("text", "diagnosis"),
    [
        ("A 58-year-old man with tearing chest pain radiating to the back.", "aortic dissection"),
        ("Labs show an elevated troponin.", "myocardial infarction"),
        ("She reports polyuria and polydipsia for two weeks.", "diabetes mellitus"),
        ("Examination shows a butterfly rash over the cheeks.", "systemic lupus erythematosus"),
        ("MRI shows a ring-enhancing lesion in the left parietal lobe.", "toxoplasmosis"),
        ("He has had hemoptysis and night sweats.", "tuberculosis"),
        ("Painless jaundice and weight loss.", "pancreatic cancer"),
    ],
)
def test_a_finding_suggests_its_diagnoses(text, diagnosis):
    assert diagnosis in match_presentations(text)


@pytest.mark.parametrize(
    ("text", "diagnosis"),
    [
        ("He denies hemoptysis.", "tuberculosis"),
        ("No butterfly rash.", "systemic lupus erythematosus"),
        ("Chest pain without radiation to the back.", "aortic dissection"),
    ],
)
def test_a_negated_finding_suggests_nothing(text, diagnosis):
    assert diagnosis not in match_presentations(text)


def test_negation_in_one_sentence_does_not_hide_a_finding_in_another():
    out = match_presentations("She denies fever. She has a malar rash.")
    assert "systemic lupus erythematosus" in out


def test_matching_is_deterministic_and_each_diagnosis_appears_once():
    text = "Hemoptysis. Coughing up blood, clubbing and a spiculated nodule in the right upper lobe."
    first = match_presentations(text)
    assert first == match_presentations(text)
    assert len(first) == len(set(first))
    assert "lung cancer" in first
    assert suggest_diagnoses([]) == []


def test_every_pattern_compiles_and_names_at_least_one_diagnosis():
    table = loader.presentations().presentations
    assert len(table) >= 300
    for entry in table:
        re.compile(entry.pattern)
        assert entry.pattern == entry.pattern.lower()
        assert entry.diagnoses


def test_build_query_adds_diagnoses_as_a_separate_group_and_keeps_the_case_words():
    text = "A 30-year-old woman with a butterfly rash and joint pain."
    query = build_query(None, text, presentation_weight=2.0, differential_weight=0.0)
    added = [p for p in query.parts if p.text == "systemic lupus erythematosus"]
    assert added and all(p.weight == 2.0 for p in added)
    assert any("butterfly rash" in p.text for p in query.parts)
    off = build_query(None, text, presentation_weight=0.0, differential_weight=0.0)
    assert not any(p.text == "systemic lupus erythematosus" for p in off.parts)


def test_a_named_diagnosis_turns_the_guesses_off():
    from core.domain.case_facts import CaseFacts
    from core.matching.ranker import _dense_query_text

    text = "A 30-year-old woman with a butterfly rash and joint pain."
    facts = CaseFacts(diagnosis="dermatomyositis", summary=text)
    query = build_query(facts, text, presentation_weight=2.0)
    assert not any(p.text == "systemic lupus erythematosus" for p in query.parts)
    assert any(p.text == "dermatomyositis" for p in query.parts)
    assert "Possible diagnoses" not in _dense_query_text(facts, text, True)


def test_dense_query_text_appends_the_suggested_diagnoses_only_when_asked():
    from core.matching.ranker import _dense_query_text

    text = "A woman with a butterfly rash. She denies hemoptysis."
    assert "systemic lupus erythematosus" in _dense_query_text(None, text, True)
    assert "tuberculosis" not in _dense_query_text(None, text, True)
    assert "Possible diagnoses" not in _dense_query_text(None, text, False)
