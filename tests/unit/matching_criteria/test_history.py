"""Diseases named as past (history, previous, prior, in remission for years) are history, not the current
diagnosis: "history of Hodgkin lymphoma treated 2015, now AML" is an AML case."""

from __future__ import annotations

import pytest

from core.matching.criteria_rules import assess_conditions
from core.matching.diseases import case_diseases, past_diseases
from core.matching.extract import extract_case_facts


@pytest.mark.parametrize(
    ("summary", "current", "past"),
    [
        ("45-year-old man with history of Hodgkin lymphoma treated 2015, now AML.", "acute myeloid leukaemia", "Hodgkin lymphoma"),
        ("A 50-year-old woman with prior breast cancer, now diagnosed with AML.", "acute myeloid leukaemia", "breast cancer"),
        ("Breast cancer in remission since 2010. Now has newly diagnosed multiple myeloma.", "multiple myeloma", "breast cancer"),
        ("Survivor of Hodgkin lymphoma with new heart failure.", "heart failure", "Hodgkin lymphoma"),
    ],
)
def test_a_past_disease_is_history_not_the_diagnosis(summary: str, current: str, past: str) -> None:
    facts = extract_case_facts(summary)
    assert past in past_diseases(summary)
    assert case_diseases(facts) == [current], facts
    assert past not in case_diseases(facts)


def test_a_hodgkin_trial_does_not_fit_an_aml_case_with_past_hodgkin() -> None:
    facts = extract_case_facts("45-year-old man with history of Hodgkin lymphoma treated 2015, now AML.")
    verdict = assess_conditions(["Hodgkin Lymphoma"], "Brentuximab for Relapsed Hodgkin Lymphoma", facts)
    assert verdict is not None and verdict.verdict == "not included", verdict
    aml = assess_conditions(["Acute Myeloid Leukemia"], "A Study in AML", facts)
    assert aml is not None and aml.verdict == "included", aml


@pytest.mark.parametrize(
    ("summary", "disease"),
    [
        # the only disease named, treated before and now back: still the current one
        ("AML treated in 2019, now relapsed.", "acute myeloid leukaemia"),
        # "prior chemotherapy for AML" says the treatment is past, not the disease
        ("Prior chemotherapy for AML. Relapsed AML with FLT3-ITD.", "acute myeloid leukaemia"),
        ("AML in first remission.", "acute myeloid leukaemia"),
    ],
)
def test_the_current_disease_is_not_made_history(summary: str, disease: str) -> None:
    facts = extract_case_facts(summary)
    assert disease in case_diseases(facts), facts
    assert disease not in past_diseases(summary)
