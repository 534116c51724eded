"""The knowledge files load and validate; a broken file names the file and the line of the error."""

from __future__ import annotations

import pytest

from core.data_files import DataFileError
from core.matching.knowledge import loader


def test_the_shipped_files_load():
    assert "T-cell acute lymphoblastic leukaemia" in loader.diseases().diseases
    assert "CD19" in loader.antigens().antigens
    assert "BTK inhibitor" in loader.therapies().therapies


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # a regular expression that does not compile
        ("diseases:\n  asthma:\n    names: ['asthma(']\n", 3, r"diseases\.asthma\.names\.0: .*invalid regular expression"),
        # a parent that is not an entry
        ("diseases:\n  asthma:\n    names: [asthma]\n    parents: [airway]\n", 4, r"unknown parent 'airway'"),
        # a key given twice (YAML would silently keep the last)
        ("diseases:\n  asthma:\n    names: [asthma]\n  asthma:\n    names: [asthma]\n", 4, r"duplicate key 'asthma'"),
        # not YAML at all
        ("diseases:\n  asthma: [unclosed\n", 3, r"not valid YAML"),
        # a field the format does not have
        ("diseases:\n  asthma:\n    names: [asthma]\n    colour: red\n", 4, r"colour: Extra inputs"),
        # an entry with no way of being found in text
        ("diseases:\n  asthma:\n    group: true\n", 2, r"needs at least one of names or acronyms"),
        # parents going round in a circle
        ("diseases:\n  a:\n    names: [a]\n    parents: [b]\n  b:\n    names: [b]\n    parents: [a]\n", 4, r"cycle"),
    ],
)
def test_a_broken_disease_file_names_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "diseases.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=rf"diseases\.yaml:{line}: .*{message}"):
        loader.load_disease_file(path)


def test_an_antigen_on_an_unknown_disease_names_its_line(tmp_path):
    path = tmp_path / "antigens.yaml"
    path.write_text("antigens:\n  CD19:\n    names: [cd19]\n    found_on: [B-cell neoplasm, Martian leukaemia]\n")
    with pytest.raises(DataFileError, match=r"antigens\.yaml:4: antigens\.CD19\.found_on\.1: unknown disease"):
        loader.load_antigen_file(path, set(loader.diseases().diseases))


def test_a_regimen_containing_an_unknown_drug_names_its_line(tmp_path):
    path = tmp_path / "therapies.yaml"
    path.write_text(
        "therapies:\n  chemotherapy:\n    names: [chemotherapy]\n  R-CHOP:\n    parents: [chemotherapy]\n"
        "    acronyms: [R-CHOP]\n    contains: [chemotherapy, unobtainium]\n"
    )
    with pytest.raises(DataFileError, match=r"therapies\.yaml:7: therapies\.R-CHOP\.contains\.1: unknown therapy"):
        loader.load_therapy_file(path, set())
