"""Case-fact extraction from free-text summaries: age, sex, therapy, status, performance, negations."""

import pytest

from core.matching.extract import extract_case_facts, extract_conditions, extract_negations
from core.nlp.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("A 58-year-old African-American woman presents to the ER.", 58.0),
        ("The patient, aged 7, was seen in clinic.", 7.0),
        ("a 16 yo presents with fever", 16.0),
        ("A 3-month-old infant is brought in by her parents.", 0.25),
        ("This 45 year old man has a cough.", 45.0),
        ("A two-year-old girl with wheezing.", 2.0),
        ("An 18 y/o male returning from Asia.", 18.0),
        ("Chest pain since this morning.", None),
    ],
)
def test_age_in_years(text, age):
    assert extract_case_facts(text).age_years == age


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("A 58-year-old woman presents.", "female"),
        ("A 40-year-old man presents. His wife is with him.", "male"),
        ("A 6-year-old girl with asthma.", "female"),
        ("A 4 year old boy presents to the emergency room with wheezing.", "male"),
        ("Patient has a fever. She denies cough.", "female"),
        ("Patient has a fever. He denies cough.", "male"),
        ("Patient has a fever.", "unknown"),
    ],
)
def test_sex(text, sex):
    assert extract_case_facts(text).sex == sex


def test_negations_are_collected_and_not_asserted_as_conditions():
    facts = extract_case_facts(
        "A 58-year-old woman is known to have hypertension and obesity. "
        "She denies smoking, diabetes, hypercholesterolemia, or a family history of heart disease. "
        "No history of asthma, without fever. Negative for HIV."
    )
    for item in ("smoking", "diabetes", "hypercholesterolemia", "asthma", "fever", "hiv"):
        assert item in facts.negations
    assert "hypertension" in facts.conditions and "obesity" in facts.conditions
    assert not {"diabetes", "heart disease", "asthma"} & set(facts.conditions)


def test_relapsed_leukaemia_summary():
    facts = extract_case_facts(
        "A 9-year-old boy with relapsed T-ALL after BFM induction and allogeneic stem cell transplant. "
        "He received nelarabine and blinatumomab, then CAR-T cells (tisagenlecleucel). "
        "Cranial radiotherapy in 2023. Lansky 70. No prior inotuzumab."
    )
    assert facts.age_years == 9 and facts.sex == "male"
    assert facts.disease_status == "relapsed"
    assert "T-ALL" in facts.diagnosis  # as written: the acronym keeps its capitals
    # named as knowledge/therapies.yaml names them
    for therapy in ("allogeneic stem cell transplant", "CAR T-cell therapy", "radiotherapy", "blinatumomab", "nelarabine"):
        assert therapy in facts.prior_therapies
    assert "inotuzumab" not in facts.prior_therapies
    assert facts.performance_status == "Lansky 70"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("ECOG performance status of 1.", "ECOG 1"),
        ("Karnofsky 80%.", "Karnofsky 80"),
        ("KPS: 60", "Karnofsky 60"),
        ("Lansky play score 50.", "Lansky 50"),
        ("Feels well.", None),
    ],
)
def test_performance_status(text, status):
    assert extract_case_facts(text).performance_status == status


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Refractory to two lines of therapy.", "refractory"),
        ("Relapsed/refractory DLBCL.", "relapsed/refractory"),
        ("Newly diagnosed AML.", "newly diagnosed"),
    ],
)
def test_disease_status(text, status):
    assert extract_case_facts(text).disease_status == status


def test_pregnancy():
    assert extract_case_facts("A 27-year-old woman at 11 weeks gestation.").pregnant is True
    assert extract_case_facts("A 30-year-old woman. Pregnancy test negative.").pregnant is False
    assert extract_case_facts("A 30-year-old woman, not pregnant.").pregnant is False
    assert extract_case_facts("A 30-year-old man.").pregnant is None


def test_split_sentences_keeps_numbered_notes_and_abbreviations():
    assert split_sentences("0. First one.\n1. Second, e.g. this.\n2. Third.") == [
        "First one.",
        "Second, e.g. this.",
        "Third.",
    ]
    text = "Seen by Dr. Smith today. Dose was 2.5 mg. She is well!"
    assert split_sentences(text) == ["Seen by Dr. Smith today.", "Dose was 2.5 mg.", "She is well!"]
    assert split_sentences("") == []


def test_biomarkers_and_lines_of_therapy():
    facts = extract_case_facts(
        "A 9-year-old boy with CD19-negative, CD7+ relapsed T-ALL (NOTCH1 mutated, MRD-positive) "
        "in second relapse after three lines of therapy. No BCR-ABL."
    )
    assert facts.biomarkers == ["CD19-negative", "CD7+", "NOTCH1", "MRD-positive"]
    assert facts.lines_of_therapy == 3
    assert extract_case_facts("Chest pain; walks daily.").biomarkers == []


def test_age_at_an_earlier_event_is_not_the_current_age():
    assert extract_case_facts("Diagnosed with ALL at age 3, he is now 9 years old.").age_years == 9
    assert extract_case_facts("Diagnosed at age 3; now aged 9.").age_years == 9


@pytest.mark.parametrize(
    ("text", "diagnosis"),
    [
        ("A 63-year-old man presents with cough and shortness of breath.", ""),
        ("A 58-year-old woman with mild exertional dyspnea and a left lung mass.", ""),
        ("A 9-year-old boy presents with relapsed T-cell acute lymphoblastic leukaemia.", "relapsed T-cell acute lymphoblastic leukaemia"),
        ("She is known to have hypertension and obesity.", "hypertension"),
        ("He presents with fever. He was diagnosed with Hodgkin lymphoma in 2019.", "Hodgkin lymphoma"),
        # no cue phrase: the first disease the text asserts (not one it denies or suspects)
        ("A retired builder with no asbestosis but malignant pleural mesothelioma.", "mesothelioma"),
        ("Possible lymphoma. Biopsy shows B-ALL relapsed a second time.", "B-ALL"),
    ],
)
def test_a_complaint_is_not_taken_for_the_diagnosis(text, diagnosis):
    assert extract_case_facts(text).diagnosis == diagnosis


@pytest.mark.parametrize(
    ("text", "conditions", "absent"),
    [
        ("Known to have ALL, now in second relapse.", ["all"], []),
        ("Patient with ALL now refractory.", ["all"], []),
        ("A 14-year-old girl with relapsed AML, now off immunosuppression after transplant.", ["relapsed aml"], []),
        ("No GVHD, off immunosuppression.", [], ["gvhd"]),
        ("She has no graft-versus-host disease, now off immunosuppression.", [], ["graft-versus-host disease"]),
        ("Denies fever, chills or night sweats.", [], ["fever", "chills", "night sweats"]),
    ],
)
def test_a_new_clause_ends_the_list_of_conditions_or_absent_findings(text, conditions, absent):
    # "now" is not a condition, and being off a treatment is not a finding stated as absent
    assert extract_conditions(text) == conditions
    assert extract_negations(text) == absent
