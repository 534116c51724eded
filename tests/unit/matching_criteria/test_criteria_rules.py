"""Rule-based criterion verdicts: labels per kind, evidence, and inclusion/exclusion never inverted."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.case_facts import CaseFacts
from core.domain.trial import ParsedCriterion
from core.domain.verdicts import EXCLUSION_LABELS, INCLUSION_LABELS
from core.matching.criteria_limits import parse_age_limits
from core.matching.criteria_rules import assess_criterion, assess_trial, summarise_verdicts
from core.matching.extract import extract_case_facts
from core.nlp.sentences import split_sentences

NOTE = (
    "0. A 58-year-old African-American woman presents to the ER with episodic chest pain.\n"
    "1. She is known to have hypertension and obesity.\n"
    "2. She denies smoking, diabetes, hypercholesterolemia, or a family history of heart disease.\n"
    "3. The patient will provide informed consent, and will comply with the trial protocol."
)
MAN = "0. A 65-year-old man presents with cough.\n1. He has COPD.\n2. He will give informed consent."
BOY = (
    "0. A 4 year old boy presents to the emergency room with wheezing.\n1. His parents consent to the study."
)


def judge(text: str, kind: str, note: str = NOTE):
    sentences = split_sentences(note)
    return assess_criterion(text, kind, sentences, extract_case_facts(note))


@pytest.mark.parametrize(
    ("text", "limits"),
    [
        ("Aged 18 years or older", (18, None)),
        ("Age ≥ 18", (18, None)),
        ("are aged between 1 and 21 years", (1, 21)),
        ("Women 40 and older", (40, None)),
        ("Age 25 to 65 years", (25, 65)),
        ("65 years of age or older", (65, None)),
        ("Children 0-15 years inclusive", (0, 15)),
        ("Age < 18 years", (None, 17)),
        ("Symptoms for at least 6 months", None),
        ("Weight ≥5Kg", None),
        ("GCS ≤ 8", None),
    ],
)
def test_parse_age_limits(text, limits):
    assert parse_age_limits(text) == limits


def test_age_inside_and_outside_limits():
    assert judge("Age 18 years or older", "inclusion").verdict == "included"
    assert judge("Age 18 years or older", "inclusion").evidence_sentences == [0]
    assert judge("Age between 1 and 17 years", "inclusion").verdict == "not included"
    assert judge("Age < 18 years", "exclusion").verdict == "not excluded"
    assert judge("Patients older than 50 years", "exclusion").verdict == "excluded"


def test_women_40_and_older_against_a_39_year_old_woman_and_a_man():
    woman = "0. A 39-year-old woman with a breast lump."
    assert judge("Women 40 years and older", "inclusion", woman).verdict == "not included"
    assert judge("Women 40 years and older", "inclusion", MAN).verdict == "not included"
    assert judge("Women 40 years and older", "inclusion", NOTE).verdict == "included"


def test_sex():
    assert judge("Male and female", "inclusion").verdict == "included"
    assert judge("Female sex", "inclusion", MAN).verdict == "not included"
    assert judge("Female subjects 12 years of age and older", "exclusion", MAN).verdict == "not applicable"


def test_pregnancy_is_not_applicable_to_men_and_young_children():
    assert judge("Pregnant or breast-feeding women", "exclusion", MAN).verdict == "not applicable"
    assert judge("Negative pregnancy test for females", "inclusion", BOY).verdict == "not applicable"
    pregnant = "0. A 27-year-old woman at 11 weeks gestation."
    assert judge("Pregnancy", "exclusion", pregnant).verdict == "excluded"


def test_informed_consent_when_the_note_says_so():
    verdict = judge("Able to give informed consent", "inclusion")
    assert verdict.verdict == "included" and verdict.evidence_sentences == [3]
    assert (
        judge("Able to give informed consent", "inclusion", "0. A 30-year-old man.").verdict
        == "not enough information"
    )


def test_denied_condition_is_not_excluded():
    verdict = judge("History of diabetes mellitus", "exclusion")
    assert verdict.verdict == "not excluded"


def test_silent_note_gets_the_expert_default_per_kind():
    assert judge("Serum creatinine above 2 mg/dL", "inclusion").verdict == "not enough information"
    assert judge("Serum creatinine above 2 mg/dL", "exclusion").verdict == "not excluded"


def test_bad_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        judge("Age 18 or older", "other")


CRITERIA = st.sampled_from(
    [
        "Age 18 years or older",
        "Aged between 1 and 17 years",
        "Patients older than 50 years",
        "Women 40 and older",
        "Male and female",
        "Female sex",
        "Pregnant or lactating women",
        "Negative pregnancy test",
        "Able to give informed consent",
        "History of diabetes",
        "Hypertension",
        "ECOG performance status 0-1",
        "Prior treatment with CAR-T cells",
        "Diagnosis of chronic stable angina",
    ]
)
NOTES = st.sampled_from([NOTE, MAN, BOY, "0. A 39-year-old woman with a breast lump.", "0. Fever."])
MIRROR = {
    "included": {"excluded"},
    "not included": {"not excluded", "not applicable"},  # an exclusion for the other sex does not apply
    "not applicable": {"not applicable"},
}


@settings(max_examples=150, deadline=None)
@given(text=CRITERIA, note=NOTES)
def test_inclusion_and_exclusion_are_never_inverted(text, note):
    incl = judge(text, "inclusion", note)
    excl = judge(text, "exclusion", note)
    assert incl.verdict in INCLUSION_LABELS and incl.kind == "inclusion"
    assert excl.verdict in EXCLUSION_LABELS and excl.kind == "exclusion"
    # The same finding read both ways: meeting a text as inclusion means meeting it as exclusion.
    if incl.verdict in MIRROR:
        assert excl.verdict in MIRROR[incl.verdict]
    if excl.verdict == "excluded":
        assert not summarise_verdicts([excl]).likely_eligible


@settings(max_examples=150, deadline=None)
@given(
    age=st.floats(min_value=0, max_value=110, allow_nan=False),
    sex=st.sampled_from(["female", "male", "unknown"]),
)
def test_a_patient_meeting_an_age_exclusion_is_never_labelled_eligible_by_it(age, sex):
    facts = CaseFacts(age_years=age, sex=sex)
    verdict = assess_criterion("Age 65 years or older", "exclusion", ["A patient."], facts)
    if age >= 65:
        assert verdict.verdict == "excluded" and verdict.blocks_eligibility
    else:
        assert verdict.verdict == "not excluded" and not verdict.blocks_eligibility


def test_assess_trial_and_summary():
    criteria = [
        ParsedCriterion(kind="inclusion", position=0, text="Age 18 years or older"),
        ParsedCriterion(kind="inclusion", position=1, text="Serum creatinine above 2 mg/dL"),
        ParsedCriterion(kind="exclusion", position=0, text="Patients older than 50 years"),
        ParsedCriterion(kind="exclusion", position=1, text="Pregnancy"),
    ]
    verdicts = assess_trial(criteria, split_sentences(NOTE), extract_case_facts(NOTE))
    assert [v.position for v in verdicts] == [0, 1, 0, 1]
    summary = summarise_verdicts(verdicts)
    assert summary.met == 1
    assert summary.unknown == 2  # creatinine not given; pregnancy status of a 58-year-old unknown
    assert summary.not_met == 1
    assert not summary.likely_eligible
    assert summary.deciding is not None and summary.deciding.criterion_text == "Patients older than 50 years"
    # nothing checked is not a fit: a trial with no verdict met ("met 0") is never likely eligible
    assert not summarise_verdicts([]).likely_eligible


LEUKAEMIA = (
    "0. A 9-year-old boy with relapsed T-ALL.\n"
    "1. He received BFM induction, then an allogeneic stem cell transplant and CAR-T cells.\n"
    "2. Lansky 70.\n"
    "3. No history of seizures."
)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Lansky performance score ≥ 50", "inclusion", "included"),
        ("Karnofsky ≥ 80%", "inclusion", "not included"),
        ("ECOG performance status 0-1", "inclusion", "included"),  # Lansky 70 is ECOG 1
        ("ECOG performance status of 3 or 4", "exclusion", "not excluded"),
    ],
)
def test_performance_status_thresholds(text, kind, expected):
    assert judge(text, kind, LEUKAEMIA).verdict == expected


def test_performance_status_unknown_is_not_enough_information():
    assert judge("ECOG 0-2", "inclusion").verdict == "not enough information"


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Prior treatment with CAR-T cells", "inclusion", "included"),
        ("No prior CAR-T therapy", "inclusion", "not included"),
        ("Previous allogeneic stem cell transplant", "exclusion", "excluded"),
        ("Prior treatment with blinatumomab", "inclusion", "not enough information"),
        ("Relapsed or refractory disease", "inclusion", "included"),
        ("Newly diagnosed, previously untreated patients", "inclusion", "not included"),
        ("Diagnosis of T-cell acute lymphoblastic leukemia", "inclusion", "included"),
        ("History of seizures", "exclusion", "not excluded"),
        ("Unable to give informed consent", "exclusion", "not excluded"),
    ],
)
def test_prior_therapy_disease_status_and_conditions(text, kind, expected):
    note = LEUKAEMIA + "\n4. His parents will give informed consent."
    assert judge(text, kind, note).verdict == expected


def test_denied_condition_points_to_the_denying_sentence():
    verdict = judge("History of seizures", "exclusion", LEUKAEMIA)
    assert verdict.verdict == "not excluded" and verdict.evidence_sentences == [3]


def test_abbreviation_in_the_criterion_matches_the_spelled_out_note():
    note = "0. A 70-year-old man with chronic obstructive pulmonary disease.\n1. He smokes."
    verdict = judge("COPD", "inclusion", note)
    assert verdict.verdict == "included" and verdict.evidence_sentences == [0]


def test_structured_diagnosis_counts_when_the_summary_is_silent():
    facts = CaseFacts(age_years=12, sex="female", diagnosis="acute myeloid leukemia")
    verdict = assess_criterion("Diagnosis of AML", "inclusion", ["Referred for a second opinion."], facts)
    assert verdict.verdict == "included"


def test_menopausal_status_is_read_from_age_only_when_clear():
    assert (
        judge("Postmenopausal women", "exclusion", "0. A 36-year-old woman with pelvic pain.").verdict
        == "not excluded"
    )
    assert (
        judge("Postmenopausal women", "inclusion", "0. A 64-year-old woman with pelvic pain.").verdict
        == "included"
    )
    assert (
        judge("Postmenopausal women", "inclusion", "0. A 50-year-old woman.").verdict
        == "not enough information"
    )


def test_relapsed_criterion_against_a_newly_diagnosed_patient():
    note = "0. A 7-year-old girl with newly diagnosed acute lymphoblastic leukemia."
    assert judge("Relapsed or refractory ALL", "inclusion", note).verdict == "not included"


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200), kind=st.sampled_from(["inclusion", "exclusion"]), note=NOTES)
def test_any_text_gets_a_label_of_its_own_kind(text, kind, note):
    verdict = judge(text, kind, note)
    assert verdict.verdict in (INCLUSION_LABELS if kind == "inclusion" else EXCLUSION_LABELS)
    assert all(0 <= i < len(split_sentences(note)) for i in verdict.evidence_sentences)


def test_performance_status_typed_loosely_at_intake():
    facts = CaseFacts(performance_status="ecog1")
    assert assess_criterion("ECOG 0-2", "inclusion", ["x"], facts).verdict == "included"
    facts = CaseFacts(performance_status="unclear")
    assert assess_criterion("ECOG 0-2", "inclusion", ["x"], facts).verdict == "not enough information"


def test_previous_enrolment_in_the_same_study_is_not_applicable():
    assert (
        judge("The patient has previously enrolled into this study.", "exclusion").verdict == "not applicable"
    )


def test_a_relatives_illness_or_a_suspicion_is_not_the_patients_condition():
    note = (
        "0. A 50-year-old man with a family history of heart disease.\n"
        "1. His mother has diabetes.\n"
        "2. Appendicitis is suspected.\n"
        "3. He has asthma."
    )
    assert judge("Heart disease", "exclusion", note).verdict == "not excluded"
    assert judge("Diabetes", "exclusion", note).verdict == "not excluded"
    assert judge("Suspected appendicitis is being ruled out", "inclusion", note).verdict != "not included"
    assert judge("Appendicitis", "inclusion", "0. A 15-year-old girl; possible appendicitis.").verdict == (
        "not enough information"
    )
    assert judge("Asthma", "exclusion", note).verdict == "excluded"


def test_a_past_condition_does_not_prove_a_current_one():
    note = "0. A 65-year-old male with a history of tuberculosis.\n1. He has a productive cough."
    assert judge("Active tuberculosis", "exclusion", note).verdict == "not enough information"
    assert judge("Tuberculosis", "exclusion", note).verdict == "excluded"
