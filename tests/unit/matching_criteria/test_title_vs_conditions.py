"""A broad disease word in a trial's title never outweighs the specific conditions it lists: a myeloma case is
not "likely eligible" for a nelarabine T-ALL trial titled for "haematological malignancies"."""

from __future__ import annotations

import pytest

from core.domain.case_facts import CaseFacts
from core.domain.trial import Intervention, NormalizedTrial, ParsedCriterion
from core.matching.criteria_rules import (
    CONDITIONS_POSITION,
    assess_conditions,
    assess_trial_record,
    summarise_verdicts,
)
from core.matching.diseases import trial_diseases

MYELOMA = CaseFacts(
    age_years=62, sex="male", diagnosis="multiple myeloma", summary="62-year-old man with relapsed multiple myeloma."
)


def _nelarabine_trial(title: str) -> NormalizedTrial:
    return NormalizedTrial(
        registry_id="NCT00000001",
        source_format="plain_jsonl",
        brief_title=title,
        overall_status="RECRUITING",
        study_type="INTERVENTIONAL",
        conditions=["T-cell Acute Lymphoblastic Leukemia"],
        interventions=[Intervention(type="DRUG", name="Nelarabine")],
        criteria=[ParsedCriterion(kind="inclusion", position=0, text="Age 18 years or older")],
    )


@pytest.mark.parametrize(
    "title",
    [
        "Nelarabine in Haematological Malignancies",
        "Nelarabine for Relapsed Leukemia",
        "A Study of Nelarabine in Blood Cancers",
        "Nelarabine in T-cell Acute Lymphoblastic Leukemia",
    ],
)
def test_a_broad_title_word_does_not_make_a_myeloma_case_likely_eligible(title: str) -> None:
    verdicts = assess_trial_record(_nelarabine_trial(title), [MYELOMA.summary], MYELOMA)
    main = next(v for v in verdicts if v.position == CONDITIONS_POSITION)
    assert main.verdict == "not included", main
    assert "T-cell acute lymphoblastic leukaemia" in main.explanation
    assert not summarise_verdicts(verdicts).likely_eligible


def test_the_title_still_counts_when_the_conditions_name_no_disease() -> None:
    assert trial_diseases(["Relapse"], "Nelarabine in Leukemia") == ["leukaemia"]


def test_a_widening_title_keeps_its_broad_disease() -> None:
    assert "blood cancer" in trial_diseases(
        ["T-cell Acute Lymphoblastic Leukemia"], "Nelarabine in T-ALL and Other Haematological Malignancies"
    )


def test_the_conditions_verdict_gives_its_real_reason_and_evidence() -> None:
    facts = CaseFacts(
        diagnosis="T-cell acute lymphoblastic leukaemia",
        summary="He is 14. He has T-cell acute lymphoblastic leukaemia in second relapse.",
    )
    unknown = assess_conditions(["Glorbosis"], "A Study of Glorbosis", facts)
    assert unknown is not None and unknown.verdict == "not enough information"
    assert "Glorbosis" in unknown.explanation and "T-cell acute lymphoblastic leukaemia" in unknown.explanation
    assert unknown.evidence_sentences == [1]  # the sentence that states the diagnosis
    other = assess_conditions(["Multiple Myeloma"], "A Myeloma Study", facts)
    assert other is not None and other.verdict == "not included" and other.evidence_sentences == [1]
    assert "multiple myeloma" in other.explanation
