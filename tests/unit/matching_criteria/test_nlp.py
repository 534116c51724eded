"""The one sentence splitter and the one negation/context engine (core.nlp)."""

from __future__ import annotations

import pytest

from core.data_files import DataFileError, load_yaml
from core.nlp.negation import CueFile, context_scopes, is_in, is_negated_at, strip_negated
from core.nlp.sentences import numbered_lines, split_clauses, split_sentences


def test_sentences_keep_abbreviations_numbers_and_numbered_notes():
    assert split_sentences("Seen by Dr. Smith today. Dose was 2.5 mg. She is well!") == [
        "Seen by Dr. Smith today.", "Dose was 2.5 mg.", "She is well!",
    ]  # fmt: skip
    assert split_sentences("0. First one.\n1. Second, e.g. this.") == ["First one.", "Second, e.g. this."]
    assert numbered_lines("0. First one.\n1. Second.") == [0, 1]
    assert numbered_lines("Not numbered.") is None
    # a quoted glossary term may start lower-case; the sentence keeps its spacing as written
    assert split_sentences("Ask now. \u201cgene therapy\u201d means: a  treatment.") == [
        "Ask now.", "\u201cgene therapy\u201d means: a  treatment.",
    ]  # fmt: skip
    assert split_clauses("Fever; cough. Rash.") == ["Fever;", "cough.", "Rash."]
    assert split_sentences("") == []


@pytest.mark.parametrize(
    ("sentence", "word", "category", "expected"),
    [
        ("She denies smoking, diabetes or hypercholesterolemia.", "diabetes", "negated", True),
        ("No history of seizures.", "seizures", "negated", True),
        ("He has not had a stem cell transplant.", "transplant", "negated", True),
        ("The HIV test was negative.", "HIV", "negated", True),
        ("No fever but a cough.", "cough", "negated", False),  # the scope ends at "but"
        ("She no longer enjoys her work.", "enjoys", "negated", False),  # pseudo-negation
        ("He is not compliant with his medication.", "compliant", "negated", False),  # a bare "not" is no cue
        ("The plan is an autologous transplant.", "autologous", "hypothetical", True),
        ("The transplant was cancelled.", "transplant", "hypothetical", True),
        ("His mother has diabetes.", "diabetes", "family", True),
        ("Possible appendicitis.", "appendicitis", "possible", True),
    ],
)
def test_context_of_a_word(sentence, word, category, expected):
    assert is_in(sentence, sentence.index(word), category) is expected


def test_strip_negated_cuts_the_cue_and_its_scope_only():
    out = strip_negated("A woman with no previous problems comes to the room with joint pain and fatigue.")
    assert "previous" not in out and "joint pain and fatigue" in out
    assert strip_negated("A nonsmoker with a lung mass.") == "A with a lung mass."
    assert is_negated_at("Negative for HIV; positive for hepatitis C.", 31) is False
    assert context_scopes("") == ()


def test_a_broken_cue_file_names_file_and_line(tmp_path):
    path = tmp_path / "cues.yaml"
    path.write_text("terminators: ['[.;]']\ncues:\n  negated:\n    forward: ['no(']\n")
    with pytest.raises(DataFileError, match=r"cues\.yaml:4: cues\.negated\.forward\.0: .*invalid regular expression"):
        load_yaml(path, CueFile)
