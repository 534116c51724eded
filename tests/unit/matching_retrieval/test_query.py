"""Query construction: negation, boilerplate, expansion, demographics from text, diagnosis weighting."""

from __future__ import annotations

import pytest

from core.domain.case_facts import CaseFacts
from core.matching.query import (
    build_query,
    expand_terms,
    extract_age_years,
    extract_sex,
    strip_negated,
)


def _text(query) -> str:
    return " ".join(p.text for p in query.parts).lower()


@pytest.mark.parametrize(
    ("sentence", "gone", "kept"),
    [
        ("She denies smoking, diabetes, or hypercholesterolemia.", ["smoking", "diabetes"], ["she"]),
        ("No history of diabetes but has hypertension.", ["diabetes"], ["hypertension"]),
        ("Chest pain without radiation to the arm.", ["radiation", "arm"], ["chest pain"]),
        ("A nonsmoker with a lung mass.", ["nonsmoker"], ["lung mass"]),
        ("Negative for HIV; positive for hepatitis C.", ["hiv"], ["hepatitis c"]),
    ],
)
def test_strip_negated_removes_only_the_negated_clause(sentence, gone, kept):
    out = strip_negated(sentence).lower()
    for word in gone:
        assert word not in out
    for word in kept:
        assert word in out


def test_negation_scope_is_bounded():
    out = strip_negated("A woman with no previous problems comes to the room with joint pain and fatigue.")
    assert "previous" not in out
    assert "joint pain and fatigue" in out


def test_build_query_drops_negated_findings_and_narration():
    text = "A 58-year-old woman presents to the ER with chest pain. She denies smoking or diabetes."
    q = _text(build_query(None, text))
    assert "chest pain" in q
    assert "smoking" not in q and "diabetes" not in q
    assert "presents" not in q and "58" not in q


def test_case_facts_negations_are_removed_and_diagnosis_weighted_up():
    facts = CaseFacts(diagnosis="T-ALL", disease_status="relapsed", negations=["CNS involvement"])
    query = build_query(facts, "Second relapse of T-ALL after chemotherapy, CNS involvement.")
    weights = {p.text: p.weight for p in query.parts}
    assert weights["T-ALL"] > weights.get("relapsed", 0) > 0
    assert "cns involvement" not in _text(query)
    assert "t-cell acute lymphoblastic leukemia" in _text(query)


def test_expansion_respects_case_for_capitalised_abbreviations():
    assert "acute lymphoblastic leukemia" in expand_terms("relapsed ALL")
    assert "acute lymphoblastic leukemia" not in expand_terms("all of his symptoms")
    assert "myocardial infarction" in expand_terms("history of MI and heart attack")


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("A 58-year-old woman", 58.0),
        ("A 44 yo male", 44.0),
        ("A 10 year old child", 10.0),
        ("A 6-month-old male infant", 0.5),
        ("A man of unknown age", None),
    ],
)
def test_extract_age(text, age):
    assert extract_age_years(text) == (pytest.approx(age) if age is not None else None)


def test_extract_sex():
    assert extract_sex("A 2-year-old boy brought by his parents") == "male"
    assert extract_sex("She is known to have hypertension; her mother") == "female"
    assert extract_sex("A group of travellers") == "unknown"
