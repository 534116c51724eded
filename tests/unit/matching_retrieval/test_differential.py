"""Knowledge-base differential: findings suggest diseases, negated or nonspecific findings alone suggest nothing."""


import pytest

from core.domain.case_facts import CaseFacts
from core.matching.differential import (
    MAX_SUGGESTIONS,
    describe_suggested_diagnoses,
    find_findings,
    suggest_differential,
)
from core.matching.knowledge import loader
from core.matching.query import build_query


def test_knowledge_base_is_well_formed():
    # the loader validates patterns, weights and finding references; these are the house conventions on top
    findings, differential = loader.differential()
    assert len(differential.diseases) >= 300 and len(findings.findings) >= 500
    for name, patterns in findings.findings.items():
        assert all(p == p.lower() for p in patterns), name
    for disease, entry in differential.diseases.items():
        assert entry.names, disease
        assert len(entry.findings) >= 3, disease


def test_a_finding_weight_out_of_range_or_unknown_names_file_and_line(tmp_path):
    findings = tmp_path / "findings.yaml"
    findings.write_text("findings:\n  fever: ['fevers?']\n  cough: ['cough\\w*']\n")
    diseases = tmp_path / "differential.yaml"
    diseases.write_text("diseases:\n  flu:\n    names: [influenza]\n    findings: {fever: 2, cough: 4}\n")
    with pytest.raises(loader.DataFileError, match=r"differential\.yaml:4: diseases\.flu\.findings\.cough: Input should be less"):
        loader.load_differential_files(findings, diseases)
    diseases.write_text("diseases:\n  flu:\n    names: [influenza]\n    findings:\n      fever: 2\n      sneeze: 1\n")
    with pytest.raises(loader.DataFileError, match=r"differential\.yaml:6: diseases\.flu\.findings\.sneeze: unknown finding"):
        loader.load_differential_files(findings, diseases)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "A 60-year-old man with crushing substernal chest pain radiating to the left arm, diaphoresis "
            "and ST elevation in the inferior leads.",
            "myocardial infarction",
        ),
        (
            "A 25-year-old with periumbilical pain migrating to the right lower quadrant, anorexia, fever "
            "and rebound tenderness.",
            "appendicitis",
        ),
        (
            "A 16-year-old with polyuria, polydipsia, vomiting, Kussmaul breathing, a glucose of 550 and "
            "ketones in the urine.",
            "diabetic ketoacidosis",
        ),
        ("A 19-year-old student with fever, severe headache, neck stiffness and photophobia.", "meningitis"),
        (
            "A 3-year-old with fever for six days, bilateral conjunctival injection, cracked red lips, "
            "strawberry tongue and swollen hands.",
            "kawasaki disease",
        ),
    ],
)
def test_classic_presentations_suggest_their_disease_first(text, expected):
    suggestions = suggest_differential(text)
    assert suggestions, text
    assert expected in suggestions[0].disease
    assert len(suggestions) <= MAX_SUGGESTIONS
    assert suggestions == sorted(suggestions, key=lambda s: (-s.score, s.disease))
    assert all(len(s.findings) >= 2 for s in suggestions)


def test_negated_findings_suggest_nothing():
    text = "She denies chest pain, diaphoresis and shortness of breath. No fever, no neck stiffness."
    assert suggest_differential(text) == []


def test_nonspecific_findings_alone_suggest_nothing():
    assert suggest_differential("He reports fatigue and a mild fever.") == []


def test_findings_do_not_match_inside_other_words():
    # "number" is not numbness, "oral cavity" is not a lung cavity
    found = find_findings(["a number of visits to the oral cavity clinic"])
    assert not any("numb" in f or "cavit" in f for f in found)


def test_same_text_gives_the_same_suggestions():
    text = "Fever, severe headache, neck stiffness and photophobia for a day."
    assert suggest_differential(text) == suggest_differential(text)


def test_suggestions_join_the_query_only_when_the_case_names_no_diagnosis():
    text = "A 19-year-old student with fever, severe headache, neck stiffness and photophobia."
    top = suggest_differential(text)[0]
    query = build_query(None, text, presentation_weight=0.0, differential_weight=3.0)
    added = [p for p in query.parts if p.text in top.names]
    # the best suggestion weighs 3.0 in all, split across its names (other suggestions may share a name)
    assert added and sum(p.weight for p in added) >= 3.0 - 1e-9
    assert all(p.weight <= 3.0 / len(top.names) + 1e-9 for p in added)
    off = build_query(None, text, presentation_weight=0.0, differential_weight=0.0)
    assert not any(p.text in top.names for p in off.parts)
    named = build_query(CaseFacts(diagnosis="migraine", summary=text), text, presentation_weight=0.0)
    assert not any(p.text in top.names for p in named.parts)


def test_reviewer_sees_what_the_search_added_and_why():
    text = "A 19-year-old student with fever, severe headache, neck stiffness and photophobia."
    described = describe_suggested_diagnoses(text)
    assert described and "meningitis" in described[0] and "(from: " in described[0]
    assert describe_suggested_diagnoses("He reports fatigue.") == []
