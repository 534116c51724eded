"""Main-diagnosis rules: a trial for another kind of disease than the case's is not included, with the reason."""

import pytest

from core.domain.case_facts import CaseFacts
from core.domain.trial import ParsedCriterion
from core.matching.criteria_rules import (
    CONDITIONS_POSITION,
    assess_criterion,
    assess_trial,
    summarise_verdicts,
)
from core.matching.diseases import disease_groups

T_ALL = CaseFacts(
    age_years=9,
    sex="male",
    diagnosis="relapsed T-cell acute lymphoblastic leukaemia",
    summary="A 9-year-old boy with a second relapse of T-ALL after chemotherapy.",
)
ASTHMA = CaseFacts(age_years=30, sex="female", diagnosis="severe eosinophilic asthma", summary="Asthma since childhood.")


@pytest.mark.parametrize(
    ("text", "groups"),
    [
        ("relapsed T-cell acute lymphoblastic leukaemia", {"blood cancer"}),
        ("Relapsed or refractory T-ALL", {"blood cancer"}),
        ("moderate to severe asthma", {"airway disease"}),
        ("cerebral adrenoleukodystrophy", {"metabolic disease", "neurological disease"}),
        ("Wiskott-Aldrich syndrome", {"inborn immune deficiency"}),
        ("haematological malignancy", {"blood cancer"}),
        ("metastatic breast cancer", {"solid tumour"}),
        ("asthma or COPD", {"airway disease"}),
        # words that span groups, or no disease at all: nothing can be decided from them
        ("cancer", set()),
        ("any malignancy", set()),
        ("relapsed leukaemia or another cancer", set()),
        ("informed consent", set()),
        ("all patients must consent", set()),  # "all" in lower case is not the acronym ALL
    ],
)
def test_disease_groups(text, groups):
    assert disease_groups(text) == groups


@pytest.mark.parametrize(
    "criterion",
    [
        "Diagnosis of moderate to severe asthma for at least 12 months",
        "Physician-confirmed diagnosis of asthma",
        "Patients with severe eosinophilic asthma",
        "Confirmed diagnosis of cystic fibrosis",
    ],
)
def test_inclusion_for_another_disease_group_is_not_included(criterion):
    verdict = assess_criterion(criterion, "inclusion", [T_ALL.summary], T_ALL)
    assert verdict.verdict == "not included"
    assert "airway disease" in verdict.explanation and "blood cancer" in verdict.explanation


@pytest.mark.parametrize(
    "criterion",
    [
        "Relapsed or refractory T-ALL or T-LBL",  # same disease
        "Diagnosis of acute leukaemia with KMT2A rearrangement",  # same group: subtype left to LLM/reviewer
        "Diagnosis of a haematological malignancy",
        "Diagnosis of cancer of any type",  # umbrella word
        "No history of asthma requiring hospitalisation",  # a passing mention, not the trial's disease
        "Prior diagnosis of asthma is allowed",
        "Patients with asthma or another chronic disease",
    ],
)
def test_same_group_umbrella_or_passing_mention_is_not_decided_by_the_rule(criterion):
    verdict = assess_criterion(criterion, "inclusion", [T_ALL.summary], T_ALL)
    assert verdict.verdict != "not included"


def test_comorbidity_in_the_case_keeps_the_trial_open():
    with_asthma = T_ALL.model_copy(update={"conditions": ["asthma"]})
    verdict = assess_criterion("Diagnosis of asthma", "inclusion", [T_ALL.summary], with_asthma)
    assert verdict.verdict != "not included"


def test_case_without_a_diagnosis_is_never_decided_by_group():
    no_dx = T_ALL.model_copy(update={"diagnosis": ""})
    verdict = assess_criterion("Diagnosis of moderate to severe asthma", "inclusion", [], no_dx)
    assert verdict.verdict == "not enough information"


def test_any_malignancy_exclusion_holds_for_a_cancer_case_only():
    assert assess_criterion("Malignancy", "exclusion", [], T_ALL).verdict == "excluded"
    assert assess_criterion("Active malignancy", "exclusion", [], T_ALL).verdict == "excluded"
    assert assess_criterion("Malignancy", "exclusion", [], ASTHMA).verdict == "not excluded"
    # "other" malignancy in a cancer trial is about a second cancer, not the one being treated
    assert assess_criterion("Other active malignancy", "exclusion", [], T_ALL).verdict == "not excluded"


def test_trial_for_another_disease_gets_a_conditions_verdict_that_decides():
    criteria = [
        ParsedCriterion(kind="inclusion", position=0, text="Age 12 years or older"),
        ParsedCriterion(kind="inclusion", position=1, text="Able to give informed consent"),
    ]
    verdicts = assess_trial(criteria, [T_ALL.summary], T_ALL, conditions=["Asthma"])
    first = verdicts[0]
    assert (first.kind, first.position, first.verdict) == ("inclusion", CONDITIONS_POSITION, "not included")
    assert first.criterion_text == "Conditions studied: Asthma"
    summary = summarise_verdicts(verdicts)
    assert not summary.likely_eligible and summary.deciding == first
    # the same trial for the case's own disease: the conditions verdict says so
    same = assess_trial(criteria, [T_ALL.summary], T_ALL, conditions=["T-cell Acute Lymphoblastic Leukemia"])
    assert [(v.position, v.verdict) for v in same][0] == (CONDITIONS_POSITION, "included")
    # conditions that take in more than they name decide nothing
    broad = assess_trial(criteria, [T_ALL.summary], T_ALL, conditions=["Rare Diseases", "Asthma"])
    assert [(v.position, v.verdict) for v in broad][0] == (CONDITIONS_POSITION, "not enough information")
    assert not summarise_verdicts(broad).likely_eligible
