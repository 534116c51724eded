"""Disease lineage and subtype, treatment targets against markers, and treatment history read as history."""

from __future__ import annotations

import pytest

from core.domain.case_facts import CaseFacts
from core.domain.trial import Intervention, NormalizedTrial
from core.matching.antigens import judge_targets, marker_states, trial_targets
from core.matching.criteria_rules import assess_criterion, assess_trial, summarise_verdicts
from core.matching.diseases import judge_fit, named_diseases, trial_diseases
from core.matching.markers import judge_markers, required_markers
from core.matching.therapies import is_kind_of, read_history
from core.nlp.sentences import split_sentences


@pytest.mark.parametrize(
    ("trial_for", "case_has", "fit"),
    [
        ("B-cell acute lymphoblastic leukemia", "T-ALL", "other disease"),
        ("acute myeloid leukaemia", "B-ALL", "other disease"),
        ("Hodgkin lymphoma", "diffuse large B-cell lymphoma", "other disease"),
        ("non-Hodgkin lymphoma", "classical Hodgkin lymphoma", "other disease"),
        ("multiple myeloma", "mantle cell lymphoma", "other disease"),
        ("chronic lymphocytic leukemia", "multiple myeloma", "other disease"),
        ("neuroblastoma", "osteosarcoma", "other disease"),
        ("HER2-positive breast cancer", "triple-negative breast cancer", "other disease"),
        ("haemophilia B", "haemophilia A", "other disease"),
        ("acute leukemia", "T-cell acute lymphoblastic leukaemia", "fits"),
        ("Aggressive B-cell Non-Hodgkin Lymphoma", "primary mediastinal B-cell lymphoma", "fits"),
        ("solid tumors", "Ewing sarcoma", "fits"),
        ("hematologic malignancies", "myelodysplastic syndrome", "fits"),
        ("T-cell acute lymphoblastic leukaemia", "leukaemia", "unsettled"),
    ],
)
def test_disease_fit_follows_lineage_and_subtype(trial_for, case_has, fit):
    result = judge_fit(named_diseases(trial_for), named_diseases(case_has), case_has)
    assert result is not None and result.fit == fit, result


def test_a_broad_condition_beside_a_narrow_one_only_qualifies_it():
    # "Relapsed Leukemia" among a CD7 CAR-T trial's conditions does not open it to AML
    diseases = trial_diseases(
        ["T-cell Acute Lymphoblastic Leukemia", "Relapsed Leukemia"], "CD7 CAR T Cells for Relapsed T-ALL"
    )
    assert diseases == ["T-cell acute lymphoblastic leukaemia"]
    assert judge_fit(diseases, named_diseases("acute myeloid leukaemia"), "AML").fit == "other disease"
    # ... but "Other Mesothelin Positive Tumors" does widen a trial
    wide = trial_diseases(["Mesothelioma", "Other Mesothelin Positive Tumors"], "CART-meso")
    assert "neoplasm" in wide


def _trial(title: str, *interventions: str) -> NormalizedTrial:
    return NormalizedTrial(
        registry_id="X", source_format="test", brief_title=title,
        interventions=[Intervention(name=n) for n in interventions],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("title", "interventions", "targets"),
    [
        ("CD22-Targeted CAR T Cells for B-ALL After CD19-Directed Therapy", [], ["CD22"]),
        ("A CD20xCD3 Bispecific Antibody in Mantle Cell Lymphoma", [], ["CD20"]),
        ("Blinatumomab Versus Chemotherapy in First Relapse", [], ["CD19"]),
        ("EGFR/B7H3 CAR-T on Lung Cancer", [], ["EGFR", "B7-H3"]),
        ("C7R-GD2.CART Cells for Neuroblastoma", [], ["GD2"]),
        ("Nelarabine With Bortezomib in T-ALL", ["Nelarabine"], []),
    ],
)
def test_trial_targets_come_from_titles_and_drugs(title, interventions, targets):
    assert trial_targets(_trial(title, *interventions)) == targets


def test_marker_states_read_lists_and_negatives():
    facts = CaseFacts(
        biomarkers=["CD7 positive (95% of blasts)"], summary="The biopsy shows CD19 and CD20 positive cells. CD22-negative."
    )
    states = {k: v[0] for k, v in marker_states(facts).items()}
    assert states == {"CD7": "positive", "CD19": "positive", "CD20": "positive", "CD22": "negative"}


def test_targets_against_lineage_and_markers():
    t_all = CaseFacts(diagnosis="T-ALL")
    assert judge_targets(["CD19"], t_all).fit == "no target"  # CD19 is a B-cell antigen
    assert judge_targets(["CD7"], t_all).fit == "unsettled"  # usually there, the markers do not say
    assert judge_targets(["CD7"], t_all.model_copy(update={"biomarkers": ["CD7+"]})).fit == "fits"
    negative = CaseFacts(diagnosis="B-ALL", biomarkers=["CD19-negative relapse"])
    assert judge_targets(["CD19"], negative).fit == "no target"
    # a tumour antigen says nothing of a disease that is not a cancer (rituximab for lupus)
    assert judge_targets(["CD20"], CaseFacts(diagnosis="systemic lupus erythematosus")).fit == "unsettled"


def test_treatment_classes_and_regimens():
    assert is_kind_of("ibrutinib", "BTK inhibitor") is False  # "ibrutinib" is a name, the concept is the class
    from core.matching.therapies import find_therapies

    def had(text: str, asked: str) -> bool:
        return any(is_kind_of(m.concept, asked) for m in find_therapies(text))

    assert had("ibrutinib", "BTK inhibitor")
    assert had("R-CHOP", "anthracycline")
    assert had("tisagenlecleucel", "CD19-directed therapy")
    assert had("allo-HSCT", "stem cell transplant")
    assert not had("autologous stem cell transplant", "allogeneic stem cell transplant")
    assert not had("thymus transplantation", "stem cell transplant")


def test_history_keeps_denied_planned_and_cancelled_treatments_apart():
    summary = (
        "She had six cycles of R-CHOP. She then had R-ICE with the plan of an autologous stem cell transplant, "
        "but the lymphoma grew, so the transplant was cancelled. She has never had CAR T-cell therapy."
    )
    facts = CaseFacts(diagnosis="DLBCL", summary=summary)
    history = read_history(facts, split_sentences(summary))
    assert history.has_had("anthracycline") is not None
    assert history.has_had("autologous stem cell transplant") is None
    assert history.denies("CD19 CAR T cells") is not None  # denying CAR-T denies every kind of it


def test_marker_conditions_must_be_carried_by_the_case():
    conditions = ["Acute Myeloid Leukemia", "Acute Lymphoblastic Leukemia", "KMT2A Rearrangement", "NPM1 Mutation"]
    assert required_markers(conditions) == ["KMT2A", "NPM1"]
    assert required_markers(["HER2-positive Breast Cancer"]) == []  # part of the disease's name
    with_marker = CaseFacts(diagnosis="AML", biomarkers=["KMT2A rearrangement"])
    assert judge_markers(["KMT2A", "NPM1"], with_marker).fit == "fits"
    without = CaseFacts(diagnosis="B-ALL", biomarkers=["KMT2A not rearranged"])
    assert judge_markers(["KMT2A"], without).fit == "absent"
    silent = CaseFacts(diagnosis="T-ALL", biomarkers=["NOTCH1 mutation"])
    assert judge_markers(["KMT2A", "NPM1"], silent).fit == "unsettled"
    # the conditions verdict needs both the disease and a marker
    verdict = assess_trial([], [], silent, conditions=conditions)[0]
    assert verdict.verdict == "not enough information" and "KMT2A or NPM1" in verdict.explanation
    assert assess_trial([], [], without, conditions=["B-cell ALL", "KMT2A Rearrangement"])[0].verdict == "not included"


T_ALL_AFTER_ALLOGRAFT = CaseFacts(
    age_years=14, sex="male", diagnosis="T-cell acute lymphoblastic leukaemia", disease_status="relapsed",
    prior_therapies=["nelarabine", "allogeneic stem cell transplant from his sister"],
    summary="A 14-year-old boy with T-ALL in second relapse after an allogeneic transplant from his sister.",
)  # fmt: skip


@pytest.mark.parametrize(
    ("criterion", "kind", "verdict"),
    [
        ("Prior allogeneic HSCT", "exclusion", "excluded"),
        ("Relapse after allogeneic stem cell transplantation", "inclusion", "included"),
        ("No prior stem cell transplant", "inclusion", "not included"),
        ("Any prior exposure to nelarabine", "exclusion", "excluded"),
        ("Prior autologous stem cell transplant", "exclusion", "not excluded"),
        ("Allogeneic HSCT within the last 100 days", "exclusion", "not excluded"),  # when is not known
        ("An identified donor and agreement to proceed to allogeneic HSCT", "inclusion", "not enough information"),
        ("Second or later relapse", "inclusion", "included"),
        ("No prior relapse", "inclusion", "not included"),
    ],
)
def test_prior_treatment_criteria_are_decided_from_the_history(criterion, kind, verdict):
    sentences = split_sentences(T_ALL_AFTER_ALLOGRAFT.summary)
    assert assess_criterion(criterion, kind, sentences, T_ALL_AFTER_ALLOGRAFT).verdict == verdict


def test_a_trial_with_nothing_checked_or_its_disease_unsettled_is_never_likely_eligible():
    no_criteria = assess_trial([], [], T_ALL_AFTER_ALLOGRAFT, conditions=["Healthy Volunteers"])
    assert not summarise_verdicts(no_criteria).likely_eligible
    same = assess_trial([], [], T_ALL_AFTER_ALLOGRAFT, conditions=["T-cell Acute Lymphoblastic Leukemia"])
    assert summarise_verdicts(same).likely_eligible


def test_an_exclusion_for_another_age_group_does_not_concern_the_patient():
    # a condition in an age group the patient is not in; a pure age limit stays a plain "not excluded"
    assert assess_criterion("Adults over 18 years with heart failure", "exclusion", [], T_ALL_AFTER_ALLOGRAFT).verdict == "not applicable"
    assert assess_criterion("Age over 18 years", "exclusion", [], T_ALL_AFTER_ALLOGRAFT).verdict == "not excluded"
