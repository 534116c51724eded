"""Marker polarity: negative wordings of an antigen or a genetic marker are read as negative, positive ones as positive."""

from __future__ import annotations

import pytest

from core.domain.case_facts import CaseFacts
from core.matching import antigens, markers
from core.matching.criteria_rules import assess_target

NEGATIVE_CD19 = [
    "CD19 expression negative",
    "negative for CD19",
    "CD19-negative",
    "CD19 neg",
    "lacking CD19",
    "CD19 was not detected",
    "CD19 expression was not detected",
    "no evidence of CD19 expression",
    "no CD19 expression",
    "loss of CD19",
    "CD19 is not expressed",
    "CD7 positive, CD19 negative",
    "CD19/CD22 negative",
]
POSITIVE_CD19 = [
    "CD19 positive",
    "CD19+",
    "CD19-positive blasts",
    "CD19 expression",
    "CD19 was detected",
    "CD19 is expressed",
    "blasts express CD19",
    "negative for CD3, CD19 positive",
    "CD19 dim",
]


@pytest.mark.parametrize("wording", NEGATIVE_CD19)
def test_negative_antigen_wordings_are_negative(wording: str) -> None:
    assert antigens.marker_states(CaseFacts(biomarkers=[wording]))["CD19"][0] == "negative"


@pytest.mark.parametrize("wording", POSITIVE_CD19)
def test_positive_antigen_wordings_are_positive(wording: str) -> None:
    assert antigens.marker_states(CaseFacts(biomarkers=[wording]))["CD19"][0] == "positive"


@pytest.mark.parametrize("wording", ["no prior CD19 CAR T-cell therapy", "no prior CD19-directed therapy"])
def test_a_denied_treatment_says_nothing_of_the_marker(wording: str) -> None:
    assert "CD19" not in antigens.marker_states(CaseFacts(biomarkers=[wording]))


@pytest.mark.parametrize("wording", NEGATIVE_CD19[:6])
def test_cd19_negative_case_is_not_included_in_a_cd19_trial(wording: str) -> None:
    facts = CaseFacts(diagnosis="B-cell acute lymphoblastic leukaemia", biomarkers=[wording])
    verdict = assess_target(["CD19"], facts)
    assert verdict is not None and verdict.verdict == "not included", verdict


@pytest.mark.parametrize(
    "wording",
    [
        "FLT3 was not detected",
        "negative for FLT3",
        "FLT3 negative",
        "FLT3 neg",
        "lacking FLT3",
        "no FLT3 mutation",
        "FLT3 mutation not detected",
        "FLT3 mutation negative",
        "FLT3 status: negative",
        "FLT3 wild-type",
    ],
)
def test_negative_genetic_marker_wordings_are_absent(wording: str) -> None:
    assert markers.marker_states(CaseFacts(biomarkers=[wording]))["FLT3"] == "absent"


@pytest.mark.parametrize("wording", ["FLT3-ITD positive", "FLT3 mutated", "FLT3 mutation detected", "FLT3-ITD"])
def test_positive_genetic_marker_wordings_are_present(wording: str) -> None:
    assert markers.marker_states(CaseFacts(biomarkers=[wording]))["FLT3"] == "present"
