"""Facts in knowledge/diseases.yaml that clinicians rely on: what a name means and where it sits."""

from __future__ import annotations

import pytest

from core.data_files import DataFileError
from core.matching.diseases import disease_table, named_diseases
from core.matching.knowledge import loader


@pytest.mark.parametrize(
    ("text", "disease"),
    [
        ("EGFR-mutant lung adenocarcinoma", "non-small cell lung cancer"),
        ("adenocarcinoma of the lung", "non-small cell lung cancer"),
        ("squamous cell lung cancer", "non-small cell lung cancer"),
        ("small cell lung cancer", "small cell lung cancer"),
        ("lung cancer", "lung cancer"),
    ],
)
def test_names_map_to_the_right_disease(text: str, disease: str) -> None:
    assert named_diseases(text) == [disease]


def test_lung_adenocarcinoma_is_a_non_small_cell_cancer() -> None:
    assert disease_table().is_a(named_diseases("lung adenocarcinoma")[0], "non-small cell lung cancer")


@pytest.mark.parametrize(
    ("text", "disease"),
    [
        ("alpha thalassaemia", "alpha thalassaemia"),
        ("beta-thalassemia major", "beta thalassaemia"),
        ("transfusion-dependent thalassemia", "beta thalassaemia"),
        ("thalassemia", "thalassaemia"),
        ("LHON", "Leber hereditary optic neuropathy"),
        ("Leber hereditary optic neuropathy", "Leber hereditary optic neuropathy"),
        ("Leber congenital amaurosis", "Leber congenital amaurosis"),
        ("dementia", "dementia"),
        ("Alzheimer's disease", "Alzheimer disease"),
        ("severe aplastic anemia", "aplastic anaemia"),
        ("refractory anemia with excess blasts", "myelodysplastic syndrome"),
        ("rheumatoid arthritis", "rheumatoid arthritis"),
    ],
)
def test_corrected_names(text: str, disease: str) -> None:
    assert named_diseases(text) == [disease]


@pytest.mark.parametrize(
    ("narrow", "broad", "expected"),
    [
        ("alpha thalassaemia", "beta thalassaemia", False),  # another disease, not a kind of beta
        ("Leber hereditary optic neuropathy", "Leber congenital amaurosis", False),
        ("Alzheimer disease", "dementia", True),
        ("dementia", "Alzheimer disease", False),  # not every dementia is Alzheimer's
        ("aplastic anaemia", "inherited disease", False),  # mostly acquired
        ("Fanconi anaemia", "inherited disease", True),
        ("aplastic anaemia", "bone marrow failure syndrome", True),
        ("atopic dermatitis", "autoimmune disease", False),
    ],
)
def test_corrected_hierarchy(narrow: str, broad: str, expected: bool) -> None:
    assert disease_table().is_a(narrow, broad) is expected


@pytest.mark.parametrize("text", ["RA", "on RA", "SAA", "LCA", "SMA", "CF"])
def test_an_ambiguous_acronym_alone_names_no_disease(text: str) -> None:
    # "RA" is rheumatoid arthritis, refractory anaemia, right atrium or room air
    assert named_diseases(text) == []


def test_the_loader_refuses_an_ambiguous_bare_acronym(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "diseases.yaml"
    path.write_text(
        "ambiguous_acronyms: [RA]\ndiseases:\n  rheumatoid arthritis:\n    names: ['rheumatoid arthritis']\n"
        "    acronyms: ['RA']\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"diseases\.yaml:5: .*ambiguous acronym 'RA'"):
        loader.load_disease_file(path)


def test_the_loader_refuses_an_acronym_shared_by_two_diseases(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "diseases.yaml"
    path.write_text(
        "diseases:\n  a:\n    names: [aaa]\n    acronyms: [XYZ]\n  b:\n    names: [bbb]\n    acronyms: [XYZ]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"diseases\.yaml:7: .*also 'a'"):
        loader.load_disease_file(path)
