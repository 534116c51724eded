"""Grounding of key facts on the demo CD7 CAR-T trial (DEMO-0001): issue 14's misses are flagged, true facts pass."""

from __future__ import annotations

import json

import pytest

from core.catalogue.ctgov_v2 import parse_study_v2
from core.catalogue.demo_data import TRIALS_DIR
from core.domain.case_facts import CaseFacts
from core.drafting.checks import check_grounding

TRIAL = parse_study_v2(json.loads((TRIALS_DIR / "DEMO-0001.json").read_text(encoding="utf-8")))
CASE = CaseFacts(age_years=16, location_label="St. Louis, United States", diagnosis="relapsed T-ALL")


def findings(sentence: str) -> list:
    return check_grounding({"what_is_tested": sentence}, TRIAL, CASE, [])


@pytest.mark.parametrize("sentence", [
    "NXO-T7 is made from the patient's own immune cells.",
    "The study is testing fludarabine.",
    "Cyclophosphamide is the new drug being tested.",
    "People aged 18 to 24 years can join.",
    "People aged 6 months to 24 years can join.",  # the record's lowest age is 1 year, not 6 months
    "There is a study site in Utrecht, Belgium.",
    "This is a phase 3 study.",
])
def test_wrong_key_facts_are_flagged(sentence: str) -> None:
    assert findings(sentence), sentence


@pytest.mark.parametrize("sentence", [
    "NXO-T7 is made from the T cells of a healthy donor.",
    "The study is testing NXO-T7.",
    "Before NXO-T7, patients get fludarabine and cyclophosphamide to prepare the body.",
    "People aged 1 to 24 years can join.",
    "People aged 12 months to 24 years can join.",  # 12 months is the record's 1 year
    "There is a study site in Utrecht, Netherlands.",
    "The family lives in the United States.",
    "The patient is 16 years old.",
])
def test_true_facts_from_the_record_or_the_case_pass(sentence: str) -> None:
    assert findings(sentence) == [], sentence


@pytest.mark.parametrize(("location", "country"), [("St. Louis, MO", "United States"), ("Lyon", "France"),
                                                     ("Leeds, UK", "United Kingdom")])
def test_the_cases_country_is_a_true_fact_even_when_the_label_does_not_name_it(location: str, country: str) -> None:
    case = CASE.model_copy(update={"location_label": location})
    assert check_grounding({"x": f"The family lives in {country}."}, TRIAL, case, []) == []
    assert check_grounding({"x": "The family lives in Japan."}, TRIAL, case, [])
