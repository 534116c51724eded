"""In a transplant study the transplant is what is tested; the conditioning and the drugs given around the
transplant are described as conditioning or supportive care, never as the treatment being tested."""

from __future__ import annotations

import json
import re

import pytest

from core.catalogue.ctgov_v2 import parse_study_v2
from core.catalogue.demo_data import TRIALS_DIR
from core.catalogue.legacy_xml import parse_clinical_study_xml
from core.domain.trial import ArmGroup, Intervention, NormalizedTrial
from core.drafting.offline import draft_trial_summary_offline
from core.drafting.record_reading import read_record
from core.drafting.schema import section_texts
from tests.support.paths import SHARED_DATA
from tests.unit.drafting.fixtures import make_case_facts

THYMUS = SHARED_DATA / "records" / "legacy-xml" / "NCT01220531.xml"


def _flu_bu_atg() -> NormalizedTrial:
    arm = "Fludarabine, busulfan and ATG, then allogeneic HSCT from a matched donor; ciclosporin after."
    labels = ["Transplant"]
    return NormalizedTrial(
        registry_id="NCT09990002",
        source_format="ctgov_v2_json",
        brief_title="Allogeneic HSCT After Fludarabine, Busulfan and ATG for Children With High-risk AML",
        study_type="INTERVENTIONAL",
        phases=["PHASE2"],
        arms=[ArmGroup(label="Transplant", type="EXPERIMENTAL", description=arm)],
        interventions=[
            Intervention(type="PROCEDURE", name="Allogeneic HSCT", arm_labels=labels),
            Intervention(type="DRUG", name="Fludarabine", arm_labels=labels),
            Intervention(type="DRUG", name="Busulfan", arm_labels=labels),
            Intervention(type="BIOLOGICAL", name="Anti-thymocyte globulin", other_names=["ATG"], arm_labels=labels),
            Intervention(type="DRUG", name="Ciclosporin", arm_labels=labels),
        ],
    )


def _demo(registry_id: str) -> NormalizedTrial:
    return parse_study_v2(json.loads((TRIALS_DIR / f"{registry_id}.json").read_text()))


def _tested_section(trial: NormalizedTrial) -> str:
    return section_texts(draft_trial_summary_offline(trial, make_case_facts(), [], []))["what_is_tested"]


def test_conditioning_drugs_of_a_transplant_are_not_what_is_tested() -> None:
    roles = {p.name: p.role for p in read_record(_flu_bu_atg()).parts}
    assert roles == {
        "Allogeneic HSCT": "tested",
        "Fludarabine": "conditioning",
        "Busulfan": "conditioning",
        "Anti-thymocyte globulin": "conditioning",
        "Ciclosporin": "supportive",
    }
    text = _tested_section(_flu_bu_atg())
    assert text.startswith("This study is testing Allogeneic HSCT, a stem cell transplant.")
    assert not re.search(r"testing [^.]*(?:fludarabine|busulfan|globulin)", text, re.IGNORECASE), text
    assert "Before Allogeneic HSCT, patients get fludarabine, busulfan and anti-thymocyte globulin." in text
    assert "Ciclosporin" in text and "side effects" in text


def test_the_demo_transplant_trial_tests_the_transplant_not_the_drug_given_after_it() -> None:
    # DEMO-0006: TBI conditioning, allogeneic HSCT, post-transplant cyclophosphamide to lower the risk of GVHD.
    roles = {p.name: p.role for p in read_record(_demo("DEMO-0006")).parts}
    assert roles == {
        "Allogeneic HSCT": "tested",
        "Total body irradiation": "conditioning",
        "Post-transplant cyclophosphamide": "supportive",
    }
    text = _tested_section(_demo("DEMO-0006"))
    assert "testing Allogeneic HSCT" in text and "testing post-transplant" not in text.lower(), text
    # The transplant's source is said as a transplant's (the glossary's meaning or our sentence), not a product's.
    assert "new cells come from a donor" in text and "is made from" not in text, text
    assert "Post-transplant cyclophosphamide is given to prevent" in text, text


@pytest.mark.parametrize("registry_id", ["DEMO-0001", "DEMO-0009"])
def test_a_cell_product_before_a_transplant_stays_what_is_tested(registry_id: str) -> None:
    # DEMO-0001 (study) and DEMO-0009 (programme): the CAR-T is tested (bench/corpora/demo_facts.py), the
    # transplant after it is a procedure of the plan, and lymphodepletion is conditioning.
    roles = {p.name: p.role for p in read_record(_demo(registry_id)).parts}
    assert roles["NXO-T7"] == "tested" and roles["Allogeneic HSCT"] == "procedure"
    assert {r for n, r in roles.items() if n in ("Fludarabine", "Cyclophosphamide", "Alemtuzumab")} <= {"conditioning"}
    text = _tested_section(_demo(registry_id))
    assert not re.search(r"(?:testing|offers) [^.]*(?:HSCT|fludarabine|alemtuzumab)", text, re.IGNORECASE), text
    assert "a stem cell transplant from a donor" in text, text


@pytest.mark.skipif(not THYMUS.exists(), reason="shared data not available")
def test_a_real_transplant_record_names_its_conditioning_and_immune_suppression() -> None:
    trial = parse_clinical_study_xml(THYMUS.read_bytes(), file=str(THYMUS))
    roles = {p.name: p.role for p in read_record(trial).parts}
    assert roles["Thymus Tissue for Transplantation"] == "tested"
    assert roles["Rabbit anti-thymocyte globulin"] == "conditioning"
    assert {roles[n] for n in ("Cyclosporine", "Tacrolimus", "Mycophenolate mofetil")} == {"supportive"}
    text = _tested_section(trial)
    assert "a transplant of thymus tissue" in text and "stem cell" not in text, text
    assert "The transplant uses cells from a donor." in text, text  # "Thymus tissue (unrelated donor)"
