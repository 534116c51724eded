"""Regressions found on the demo catalogue."""

from core.domain.case_facts import CaseFacts
from core.matching.criteria_limits import parse_age_limits
from core.matching.criteria_rules import assess_criterion


def test_age_conditions_that_pick_a_performance_scale_are_not_age_limits():
    text = "Karnofsky (age ≥ 16 years) or Lansky (age < 16 years) performance status ≥ 60"
    assert parse_age_limits(text) is None
    facts = CaseFacts(age_years=16, sex="male", performance_status="Karnofsky 80")
    verdict = assess_criterion(text, "inclusion", ["His consultant scores him as Karnofsky 80."], facts)
    assert verdict.verdict != "not included"


def test_an_age_range_at_the_time_of_consent_is_decided_by_age():
    facts = CaseFacts(age_years=16, sex="male")
    text = "Age ≥ 1 year and ≤ 24 years at the time of consent"
    assert assess_criterion(text, "inclusion", ["He is 16 years old."], facts).verdict == "included"
    assert assess_criterion(text, "inclusion", ["He is 30."], CaseFacts(age_years=30)).verdict == "not included"


def test_lab_limits_relative_to_age_are_not_age_limits():
    assert parse_age_limits("Adequate renal function (creatinine ≤ 1.5 x ULN for age; ALT ≤ 5 x ULN)") is None


def test_performance_threshold_ignores_the_age_clauses():
    facts = CaseFacts(age_years=16, sex="male", performance_status="Karnofsky 80")
    text = "Lansky (< 16 years) or Karnofsky (≥ 16 years) score ≥ 50"
    verdict = assess_criterion(text, "inclusion", ["He scores Karnofsky 80."], facts)
    assert verdict.verdict == "included"
