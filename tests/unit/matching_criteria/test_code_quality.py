"""No private regex internals in the product, and the public reading of required text stays safe."""

from __future__ import annotations

import re

import pytest

from core.matching.concepts import required_text
from core.matching.diseases import disease_table
from tests.support.paths import REPO_ROOT

PRIVATE_RE = re.compile(r"\bfrom re import _|\bre\._(?:parser|constants|compiler)\b|\bimport sre_(?:parse|constants|compile)\b")


def test_no_module_uses_the_private_regex_parser() -> None:
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in sorted((REPO_ROOT / "core").rglob("*.py"))
        if PRIVATE_RE.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders


@pytest.mark.parametrize(
    ("pattern", "needles"),
    [
        ("acute lympho(?:blastic|cytic|id) leuka?emias?", ["acute lympho"]),
        ("ha?emophilia b", ["emophilia b"]),
        (r"\w*carcinomas?", ["carcinoma"]),
        ("anti-?(?:gprc5d)", ["gprc5d"]),
        ("neoplasms?|tumou?rs?", ["neoplasm", "tumo"]),
        ("neoplasms?|ca?", [None]),
        ("(?<!non-)hodgkin", ["hodgkin"]),
        ("(?:abc)?", [None]),
        ("x{2,3}yz", [None]),
    ],
)
def test_required_text_never_requires_an_optional_part(pattern: str, needles: list[str | None]) -> None:
    got = required_text(pattern)
    if None in needles:
        assert got is None
    else:
        assert got == needles


def test_every_concept_is_found_by_its_needles_in_the_knowledge_tables() -> None:
    # each disease's own written examples (its names with the optional parts left out) are still found
    table = disease_table()
    for text, disease in [("hemophilia B", "haemophilia B"), ("haemophilia b", "haemophilia B"),
                          ("T-cell acute lymphoblastic leukemia", "T-cell acute lymphoblastic leukaemia"),
                          ("primary CNS lymphoma", "primary CNS lymphoma"), ("adenocarcinoma", "solid tumour")]:  # fmt: skip
        assert disease in table.named(text), text
