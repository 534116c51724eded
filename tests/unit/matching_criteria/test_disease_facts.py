"""Facts in knowledge/diseases.yaml that clinicians rely on: what a name means and where it sits."""

from __future__ import annotations

import pytest

from core.matching.diseases import disease_table, named_diseases


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
